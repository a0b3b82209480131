"""Who may do what with lessons learned: the role table and the object rules on top of it.

Everyone reads lessons. A lesson's owner captures or skips it, whatever their role (an
auditor owns the lessons of the audits they led); leaders and managers may do it for anyone.
Turning a lesson into an improvement assigns an action, as only leaders and managers do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from isova.accounts.models import Membership, Role
from isova.accounts.tenancy import EVERYONE, has_perm
from isova.registry import registry

if TYPE_CHECKING:
    from .models import Lesson

L, M, S, A = Role.LEADER, Role.MANAGER, Role.STAFF, Role.AUDITOR

PERMISSIONS: dict[str, frozenset[str]] = {
    "isova.lesson.view": EVERYONE,
    # Capture or skip: any role for the lessons they own (`can_capture`); record by hand.
    "isova.lesson.capture": EVERYONE,
    "isova.lesson.skip": EVERYONE,
    # Leaders and managers answer for anybody's lesson.
    "isova.lesson.capture_any": frozenset({L, M}),
    # Turn a captured lesson into an improvement (an action they assign).
    "isova.lesson.improve": frozenset({L, M}),
    # Import a lessons log.
    "isova.lesson.import": frozenset({L, M}),
}


def _same_org(membership: Membership | None, lesson: Lesson) -> bool:
    return membership is not None and membership.organisation_id == lesson.organisation_id


def can_capture(membership: Membership | None, lesson: Lesson) -> bool:
    """The owner, or a leader or manager, of a lesson of their organisation."""
    if not _same_org(membership, lesson) or not has_perm(membership, "isova.lesson.capture"):
        return False
    assert membership is not None
    return lesson.owner_id == membership.user_id or has_perm(membership, "isova.lesson.capture_any")


def can_skip(membership: Membership | None, lesson: Lesson) -> bool:
    return can_capture(membership, lesson) and has_perm(membership, "isova.lesson.skip")


def can_improve(membership: Membership | None, lesson: Lesson) -> bool:
    return _same_org(membership, lesson) and has_perm(membership, "isova.lesson.improve")


registry.register("permissions", PERMISSIONS, name="lessons")
