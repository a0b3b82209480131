"""The action workflow: create, edit, change status (complete, verify, reopen, cancel).

Every write checks the caller's role (through `tenancy`) and the action's `version`, so a
stale form gets a `Conflict` instead of silently overwriting someone else's change.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from isova import errors, records
from isova.accounts import tenancy
from isova.accounts.models import Membership, Organisation, User
from isova.actions import permissions as action_permissions
from isova.actions.models import Action, ActionStatus
from isova.notifications import services as notifications
from isova.records.models import Approvable


class ActionError(errors.DomainError):
    """A move the workflow does not allow; the message is shown to the user."""


class Conflict(ActionError, errors.Conflict):
    """The action changed since the caller loaded it (optimistic concurrency)."""

    current: Action

    def __init__(self, current: Action) -> None:
        super().__init__(
            "Someone else changed this action while you were editing it. Nothing was saved: "
            "check the current values below and submit again.",
            current,
        )


EDITABLE_FIELDS = (
    "title",
    "description",
    "owner",
    "due_date",
    "priority",
    "estimated_effort_hours",
    "estimated_cost",
)


def _check_member(membership: Membership, organisation: Organisation) -> None:
    if membership.organisation_id != organisation.pk:
        raise PermissionDenied("Not a member of this organisation.")


def assignment_email_body(action: Action, by: User) -> str:
    """What the new owner needs without opening the app: what, for which record and why,
    by when (in the organisation's date format) and who asked."""
    organisation = action.organisation
    source = action.source
    lines = [f"{by.get_full_name()} assigned you an action in {organisation}.", ""]
    lines.append(f"What: {action.title}")
    if source is not None:
        kind = str(source._meta.verbose_name)
        lines.append(f"For: the {kind} “{source}”")
    if action.description:
        lines.append(f"Why: {action.description}")
    elif source is not None:
        lines.append(f"Why: it is part of the response to this {kind}.")
    due = organisation.format_date(action.due_date) if action.due_date else "no due date set"
    lines.append(f"By when: {due}")
    lines.append(f"Priority: {action.get_priority_display()}")
    lines.append(f"Assigned by: {by.get_full_name()} ({by.email})")
    return "\n".join(lines) + "\n"


def _notify_assignment(action: Action, by: User) -> None:
    if action.owner_id == by.pk:
        return
    notifications.notify(
        organisation=action.organisation,
        recipient=action.owner,
        kind="action_assigned",
        key=f"action:{action.pk}",
        subject=f"New action for you: {action.title}",
        body=assignment_email_body(action, by),
        url=reverse("action_detail", args=[action.pk]),
    )


@transaction.atomic
def action_create(
    *,
    membership: Membership,
    title: str,
    owner: User,
    description: str = "",
    due_date: datetime.date | None = None,
    priority: str = "medium",
    estimated_effort_hours: Decimal | None = None,
    estimated_cost: Decimal | None = None,
    source: Any = None,
) -> Action:
    if not tenancy.has_perm(membership, "isova.action.create"):
        raise PermissionDenied("Only managers and leaders create and assign actions.")
    organisation = membership.organisation
    if not organisation.memberships.filter(user=owner).exists():
        raise ActionError("The owner must be a member of this organisation.")
    action = Action(
        organisation=organisation,
        title=title,
        description=description,
        owner=owner,
        assigned_by=membership.user,
        due_date=due_date,
        priority=priority,
        estimated_effort_hours=estimated_effort_hours,
        estimated_cost=estimated_cost,
    )
    if source is not None:
        action.source = source
    action.save()
    _notify_assignment(action, membership.user)
    _tell_source(action, membership.user)
    return action


def _tell_source(action: Action, user: User) -> None:
    """An action whose source is an approvable (an objective's plan step) is part of that
    record's approval snapshot: its edit, cancelling or adding it may supersede the approval
    or send a submission back to draft, whichever page or service made the change."""
    source = action.source if action.source_type_id else None
    if isinstance(source, Approvable):
        records.record_changed(obj=source, changed_fields=(), user=user)


def _lock(action: Action, version: int) -> Action:
    current = Action.objects.select_for_update().select_related("organisation").get(pk=action.pk)
    if current.version != version:
        raise Conflict(current)
    return current


@transaction.atomic
def action_update(
    *, membership: Membership, action: Action, version: int, **changes: Any
) -> Action:
    """Edit an action's plan fields. `changes` holds only EDITABLE_FIELDS."""
    _check_member(membership, action.organisation)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = _lock(action, version)
    if current.status in (ActionStatus.DONE, ActionStatus.VERIFIED):
        raise ActionError(
            f"This action is {current.get_status_display().lower()}: reopen it to change it."
        )
    if not action_permissions.can_edit_action(membership, current):
        raise PermissionDenied("Your role cannot edit this action.")
    owner = changes.get("owner")
    if owner is not None and not current.organisation.memberships.filter(user=owner).exists():
        raise ActionError("The owner must be a member of this organisation.")
    owner_changed = owner is not None and owner.pk != current.owner_id
    for field, value in changes.items():
        setattr(current, field, value)
    if owner_changed:
        current.assigned_by = membership.user
    current.version += 1
    current.save()
    if owner_changed:
        _notify_assignment(current, membership.user)
    _tell_source(current, membership.user)
    return current


ASSIGN_NOTE_LABEL = "Assignment note"


@transaction.atomic
def action_assign(
    *,
    membership: Membership,
    action: Action,
    version: int,
    owner: User,
    due_date: datetime.date | None,
    note: str = "",
) -> Action:
    """Give an action to `owner` by `due_date` (the dashboard's "Assign" dialog), with one line
    of why added to its description: `action_update`'s checks (version, role, membership of
    the owner) and its e-mail to a new owner. The description extended is the one the caller
    was shown: a changed action fails the version check before anything is written."""
    description = action.description
    if note.strip():
        description = f"{description}\n\n{ASSIGN_NOTE_LABEL}: {note.strip()}".strip()
    return action_update(
        membership=membership,
        action=action,
        version=version,
        owner=owner,
        due_date=due_date,
        description=description,
    )


@transaction.atomic
def action_set_status(
    *, membership: Membership, action: Action, status: str, version: int, note: str = ""
) -> Action:
    """Move an action to `status` if this member may; record who completed or verified it."""
    _check_member(membership, action.organisation)
    if not tenancy.has_perm(membership, "isova.action.change_status"):
        raise PermissionDenied("Your role cannot change the status of actions.")
    if status not in ActionStatus.values:
        raise ActionError(f"“{status}” is not a status.")
    current = _lock(action, version)
    if current.status == status:
        raise ActionError(f"This action is already {current.get_status_display().lower()}.")
    if status not in action_permissions.action_moves(membership, current):
        if status in action_permissions.action_moves_for_any_role(current):
            raise PermissionDenied(
                f"Your role cannot move this action to “{ActionStatus(status).label}”."
            )
        raise ActionError(
            f"An action that is {current.get_status_display().lower()} cannot become "
            f"{ActionStatus(status).label.lower()}."
        )
    now = timezone.now()
    user = membership.user
    reopening = current.status in (ActionStatus.DONE, ActionStatus.VERIFIED, ActionStatus.CANCELLED)
    if status == ActionStatus.DONE:
        current.completed_at, current.completed_by, current.completion_note = now, user, note
    elif status == ActionStatus.VERIFIED:
        current.verified_at, current.verified_by, current.verification_note = now, user, note
    elif status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS):
        # Reopened: the earlier completion and verification no longer hold.
        current.completed_at = current.completed_by = current.verified_at = None
        current.verified_by = None
        current.completion_note = current.verification_note = ""
        if note:
            # Only a finished action is reopened; a note on open work is progress.
            _append_note(current, "Reopened" if reopening else "Progress", note)
    current.status = status
    current.version += 1
    current.save()
    _tell_source(current, membership.user)
    return current


def _append_note(action: Action, label: str, note: str) -> None:
    """Notes are kept in the description, each a labelled paragraph (the history keeps who
    wrote it and when)."""
    action.description = (action.description + f"\n\n{label}: {note}").strip()


@transaction.atomic
def action_add_note(*, membership: Membership, action: Action, version: int, note: str) -> Action:
    """Add a progress note without moving the action: for whoever may move it, while open."""
    _check_member(membership, action.organisation)
    action_permissions.check_may_note(membership, action)
    note = note.strip()
    if not note:
        raise ActionError("Write the note first: it was empty.")
    current = _lock(action, version)
    if not action_permissions.can_note_action(membership, current):
        raise ActionError(
            f"This action is {current.get_status_display().lower()}: reopen it to add a note."
        )
    _append_note(current, "Progress", note)
    current.version += 1
    current.save()
    return current
