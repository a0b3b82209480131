"""Shared helpers for the records tests: a quality policy to approve, and memberships."""

import datetime

from isova import records
from isova.models import QualityPolicy, RecordVersion
from tests.conftest import Org, membership_of
from tests.factories import PASSWORD


def make_policy(org: Org, **fields) -> QualityPolicy:
    values = {
        "organisation": org.organisation,
        "title": "Quality policy",
        "text": "We deliver parts right first time.",
        "owner": org.manager,
        "effective_from": datetime.date(2026, 1, 1),
    } | fields
    return QualityPolicy.objects.create(**values)


def ms(org: Org, role: str):
    """The membership of `org`'s persona with `role`."""
    return membership_of(org.user(role), org.organisation)


def approved_policy(org: Org, **fields) -> QualityPolicy:
    """A policy submitted by the manager and approved by the leader (v1 approved)."""
    policy = make_policy(org, **fields)
    records.submit(membership=ms(org, "manager"), obj=policy)
    records.approve(membership=ms(org, "leader"), obj=policy, password=PASSWORD)
    return policy


def edit(policy: QualityPolicy, user, **changes) -> RecordVersion | None:
    """Save an edit the way a view does, then tell records about it."""
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.save()
    return records.record_changed(obj=policy, changed_fields=changes, user=user)


def shown(obj) -> str:
    """The snapshot hash a decision form for `obj` carries: its latest version's."""
    version = records.versions(obj)[-1] if records.versions(obj) else None
    return version.snapshot_hash if version else ""
