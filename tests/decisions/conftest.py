"""Decision fixtures: decisions recorded, submitted and signed through the services."""

from __future__ import annotations

import datetime
from typing import Any

from decisions import services
from decisions.models import Decision
from isova import records
from isova.models import User
from tests.conftest import Org, membership_of
from tests.factories import PASSWORD


def record(org: Org, *, by: User | None = None, **fields: Any) -> Decision:
    """A draft decision recorded by `by` (default the manager), complete enough to submit."""
    fields.setdefault("title", "Move Northline to a weekly delivery slot")
    fields.setdefault("context", "Three late deliveries to Northline this quarter.")
    fields.setdefault("options", "Overtime\nWeekly slot\nSubcontract")
    fields.setdefault("decision", "Deliver Northline's orders in one agreed weekly slot.")
    fields.setdefault("rationale", "Fewer changeovers; the customer plans around one date.")
    fields.setdefault("affects_customers", "Northline Aero: deliveries move to Thursdays.")
    fields.setdefault("owner", org.manager)
    fields.setdefault("decided_on", datetime.date(2026, 11, 2))
    fields.setdefault("review_date", datetime.date(2027, 5, 1))
    return services.decision_create(
        membership=membership_of(by or org.manager, org.organisation), **fields
    )


def submit(org: Org, decision: Decision, by: User | None = None) -> Any:
    return records.submit(
        membership=membership_of(by or org.manager, org.organisation), obj=decision
    )


def sign(org: Org, decision: Decision, by: User | None = None, **kwargs: Any) -> Any:
    """A leader signs the submitted version, bound to the snapshot they were shown."""
    version = records.state(decision).current
    kwargs.setdefault("snapshot_hash", version.snapshot_hash)
    kwargs.setdefault("version", version.number)
    return records.approve(
        membership=membership_of(by or org.leader, org.organisation),
        obj=decision,
        password=PASSWORD,
        **kwargs,
    )


def signed(org: Org, **fields: Any) -> Decision:
    decision = record(org, **fields)
    submit(org, decision)
    sign(org, decision)
    return Decision.objects.with_state().get(pk=decision.pk)
