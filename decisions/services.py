"""Writes of the decision register: record a decision, edit or revisit it, act on it.

Signing is the records workflow's (`isova.records.submit` / `approve`, from the record panel
on the decision's page): nothing here signs. An edit of a signed decision is a revisit:
`records.record_changed` supersedes the signature and opens the next version as a draft.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from isova import records
from isova.accounts.tenancy import has_perm
from isova.actions import services as actions
from isova.errors import DomainError, NotAllowed
from isova.models import Action, Membership, RecordVersion, User

from .models import Decision

# What the create/edit form sets: everything a leader signs (organisation, status and
# authorship never come from it).
FIELDS = Decision.MATERIAL_FIELDS
LINKS = Decision.LINKS


class DecisionError(DomainError):
    """A move the decision register does not allow; the message is shown to the user."""


def _require(membership: Membership, perm: str, message: str) -> None:
    if not has_perm(membership, perm):
        raise NotAllowed(message)


def _check(membership: Membership, fields: dict[str, Any], links: dict[str, Any]) -> None:
    org_id = membership.organisation_id
    owner = fields.get("owner")
    if owner is not None and not owner.memberships.filter(organisation_id=org_id).exists():
        raise DecisionError("The accountable person must be a member of this organisation.")
    for name, rows in links.items():
        if rows is not None and any(row.organisation_id != org_id for row in rows):
            raise DecisionError(f"Choose {name} of this organisation.")
    decided, review = fields.get("decided_on"), fields.get("review_date")
    if decided and review and review < decided:
        raise DecisionError("The review date cannot come before the date it was decided.")


def _set_links(decision: Decision, links: dict[str, Any]) -> list[str]:
    """Set the many-to-many links given; the names of those that changed."""
    changed = []
    for name, rows in links.items():
        if rows is None:
            continue
        manager = getattr(decision, name)
        if {r.pk for r in rows} != set(manager.values_list("pk", flat=True)):
            manager.set(rows)
            changed.append(name)
    return changed


def _split(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    unknown = set(values) - set(FIELDS) - set(LINKS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    fields = {k: v for k, v in values.items() if k in FIELDS}
    links = {k: v for k, v in values.items() if k in LINKS}
    return fields, links


@transaction.atomic
def decision_create(*, membership: Membership, **values: Any) -> Decision:
    """Record a decision as a draft (version 1); a leader signs it once it is submitted."""
    _require(membership, "decisions.decision.create", "Only leaders and managers record decisions.")
    fields, links = _split(values)
    fields.setdefault("decided_on", membership.organisation.today())
    _check(membership, fields, links)
    decision = Decision.objects.create(
        organisation=membership.organisation, created_by=membership.user, **fields
    )
    _set_links(decision, links)
    return decision


@transaction.atomic
def decision_update(
    *, membership: Membership, instance: Decision, **values: Any
) -> tuple[Decision, RecordVersion | None]:
    """Edit a decision. Once signed this is a revisit: the signed version is kept and the
    next one opens as a draft to sign. Returns the decision and the version that moved."""
    _require(membership, "decisions.decision.edit", "Only leaders and managers edit decisions.")
    if instance.organisation_id != membership.organisation_id:
        raise NotAllowed("That decision belongs to another organisation.")
    current = Decision.objects.select_for_update().get(pk=instance.pk)
    fields, links = _split(values)
    _check(membership, {f: getattr(current, f) for f in FIELDS} | fields, links)
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, fields[name])
    if changed:
        current._change_reason = "edited"  # type: ignore[attr-defined]
        current.save()
    changed += _set_links(current, links)
    moved = (
        records.record_changed(obj=current, changed_fields=changed, user=membership.user)
        if changed
        else None
    )
    return current, moved


def decision_action_add(
    *,
    membership: Membership,
    decision: Decision,
    title: str,
    owner: User,
    due_date: datetime.date | None = None,
    description: str = "",
    priority: str = "medium",
) -> Action:
    """An action that carries the decision out (the one action workflow; the decision is its
    source). Adding one never asks for a new signature."""
    if decision.organisation_id != membership.organisation_id:
        raise NotAllowed("That decision belongs to another organisation.")
    try:
        return actions.action_create(
            membership=membership,
            title=title,
            owner=owner,
            due_date=due_date,
            description=description,
            priority=priority,
            source=decision,
        )
    except actions.ActionError as error:
        raise DecisionError(str(error)) from None
