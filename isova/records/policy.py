"""The quality policy's services (ISO 9001 5.2): the approvable that lives in the core."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from isova import records
from isova.accounts import tenancy
from isova.accounts.models import Membership, User
from isova.records import NotAllowed, RecordError
from isova.records.models import QualityPolicy, RecordVersion

POLICY_FIELDS = ("title", "text", "owner", "effective_from")


def _check_owner(organisation_id: int, owner: User) -> None:
    if not Membership.objects.filter(organisation_id=organisation_id, user=owner).exists():
        raise RecordError("The owner must be a member of this organisation.")


@transaction.atomic
def policy_create(*, membership: Membership, **fields: Any) -> QualityPolicy:
    if not tenancy.has_perm(membership, "isova.policy.edit"):
        raise NotAllowed("Only managers and leaders write the quality policy.")
    _check_owner(membership.organisation_id, fields["owner"])
    policy = QualityPolicy(organisation_id=membership.organisation_id, **fields)
    policy._history_user = membership.user  # type: ignore[attr-defined]
    policy.save()
    return policy


@transaction.atomic
def policy_update(
    *, membership: Membership, policy: QualityPolicy, **changes: Any
) -> tuple[QualityPolicy, RecordVersion | None]:
    """Save an edit; returns the policy and the version that moved (see `record_changed`)."""
    if not tenancy.has_perm(membership, "isova.policy.edit"):
        raise NotAllowed("Only managers and leaders write the quality policy.")
    if policy.organisation_id != membership.organisation_id:
        raise NotAllowed("This record belongs to another organisation.")
    if set(changes) - set(POLICY_FIELDS):
        raise ValueError(f"not editable: {sorted(set(changes) - set(POLICY_FIELDS))}")
    if "owner" in changes:
        _check_owner(policy.organisation_id, changes["owner"])
    current = QualityPolicy.objects.select_for_update().select_related("owner").get(pk=policy.pk)
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, changes[name])
    if not changed:
        return current, None
    current._history_user = membership.user  # type: ignore[attr-defined]
    current.save()
    return current, records.record_changed(
        obj=current, changed_fields=changed, user=membership.user
    )
