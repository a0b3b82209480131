"""What apps contribute to onboarding, through isova.registry's hooks "owned_work" and
"checklist" (each app's onboarding.py, found by autodiscovery; the core's own in
isova/onboarding/onboarding.py):

- `register_owned_work(OwnedWork(...))`: a kind of open work a person owns (actions,
  objectives, risks), counted on the people page and handed over when they are deactivated;
- `register_checklist_item(ChecklistItem(...))`: a step of the first-run checklist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet
from django.urls import reverse

from isova.registry import registry

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
    """A first-run step: it is done when `evidence(organisation)` (a queryset, not run)
    has a row; the panel asks every step at once, in one query. `url()` is where it is done.
    `evidence` None: nothing in the data shows it, only a leader's tick."""

    key: str
    title: str
    order: int
    evidence: Callable[[Organisation], QuerySet[Any]] | None
    url: Callable[[], str]


def register_owned_work(work: OwnedWork) -> None:
    registry.register("owned_work", work)


def owned_work() -> list[OwnedWork]:
    return registry.owned_work()


def register_checklist_item(item: ChecklistItem) -> None:
    registry.register("checklist", item)


def checklist_items() -> list[ChecklistItem]:
    return registry.checklist_items()


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


def _policy_written(organisation: Organisation) -> QuerySet[Any]:
    from isova.models import QualityPolicy

    return QualityPolicy.objects.filter(organisation=organisation)


def _team_invited(organisation: Organisation) -> QuerySet[Any]:
    from .models import Invitation

    # Anyone invited besides the first leader (whom the operator invited, invited_by empty).
    return Invitation.objects.filter(organisation=organisation, invited_by__isnull=False)


def register_core() -> None:
    """The core's contributions (called once by isova/onboarding/onboarding.py)."""
    register_owned_work(OwnedWork("isova.actions", "actions", 10, _action_counts, _action_reassign))
    register_checklist_item(
        ChecklistItem(
            "policy",
            "Write and approve the quality policy",
            10,
            _policy_written,
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
            None,
            # The import and export page: every kind that can be brought in, from CSV or XLSX.
            lambda: reverse("imports:index"),
        )
    )
