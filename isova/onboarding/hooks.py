"""What apps contribute to onboarding (the core imports no app; apps register here from
their AppConfig.ready(), like isova.registry's hooks):

- `register_owned_work(OwnedWork(...))`: a kind of open work a person owns (actions,
  objectives, risks), counted on the people page and handed over when they are deactivated;
- `register_checklist_item(ChecklistItem(...))`: a step of the first-run checklist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count
from django.urls import reverse

if TYPE_CHECKING:
    from isova.models import Organisation, User


@dataclass(frozen=True)
class OwnedWork:
    """One kind of open work people own.

    `counts(organisation)` returns {user id: open items} in one query; `reassign(
    organisation, from_user, to_user)` gives every open item of `from_user` to `to_user`
    (saving each row, so the model's history records who changed it) and returns how many.
    """

    name: str
    label: str  # plural, for people: "actions", "objectives", "risks"
    order: int
    counts: Callable[[Organisation], dict[int, int]]
    reassign: Callable[[Organisation, User, User], int]


@dataclass(frozen=True)
class ChecklistItem:
    """A first-run step: `done(organisation)` in one query; `url()` where it is done."""

    key: str
    title: str
    order: int
    done: Callable[[Organisation], bool]
    url: Callable[[], str]
    # Steps the data cannot show done (importing registers) can be ticked by a leader.
    can_mark_done: bool = False


_owned_work: dict[str, OwnedWork] = {}
_checklist: dict[str, ChecklistItem] = {}


def register_owned_work(work: OwnedWork) -> None:
    if work.name in _owned_work:
        raise ValueError(f"owned work {work.name!r} is registered twice")
    _owned_work[work.name] = work


def owned_work() -> list[OwnedWork]:
    return sorted(_owned_work.values(), key=lambda w: (w.order, w.name))


def register_checklist_item(item: ChecklistItem) -> None:
    if item.key in _checklist:
        raise ValueError(f"checklist item {item.key!r} is registered twice")
    _checklist[item.key] = item


def checklist_items() -> list[ChecklistItem]:
    return sorted(_checklist.values(), key=lambda i: (i.order, i.key))


def unregister(name: str) -> None:
    """Remove a throwaway registration (tests)."""
    _owned_work.pop(name, None)
    _checklist.pop(name, None)


# --- the core's own contributions ---------------------------------------------------------


def _action_counts(organisation: Organisation) -> dict[int, int]:
    from isova.models import Action

    rows = (
        Action.objects.for_org(organisation)
        .outstanding()
        .values("owner")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["owner"]: row["n"] for row in rows}


def _action_reassign(organisation: Organisation, from_user: User, to_user: User) -> int:
    from isova.models import Action

    moved = 0
    for action in Action.objects.for_org(organisation).outstanding().filter(owner=from_user):
        action.owner = to_user
        action.version += 1
        action.save(update_fields=["owner", "version", "updated_at"])
        moved += 1
    return moved


def _policy_done(organisation: Organisation) -> bool:
    from isova.models import QualityPolicy

    return QualityPolicy.objects.filter(organisation=organisation).exists()


def _team_invited(organisation: Organisation) -> bool:
    from .models import Invitation

    # Anyone invited besides the first leader (whom the operator invited, invited_by empty).
    return Invitation.objects.filter(organisation=organisation, invited_by__isnull=False).exists()


def register_core() -> None:
    register_owned_work(
        OwnedWork("isova.actions", "actions", 10, _action_counts, _action_reassign)
    )
    register_checklist_item(
        ChecklistItem(
            "policy",
            "Write and approve the quality policy",
            10,
            _policy_done,
            lambda: reverse("quality_policy_create"),
        )
    )
    register_checklist_item(
        ChecklistItem(
            "team",
            "Invite your team",
            30,
            _team_invited,
            lambda: reverse("onboarding:invite"),
        )
    )
    register_checklist_item(
        ChecklistItem(
            "import",
            "Bring in your existing registers (objectives, risks, actions)",
            40,
            lambda organisation: False,
            # Until the import pages (#23) have their address, the actions register.
            lambda: reverse("action_list"),
            can_mark_done=True,
        )
    )
