"""The record panel shown on every approvable's page, and what the approvals inbox shows."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from isova import history
from isova.accounts import tenancy
from isova.accounts.models import Membership, User
from isova.records.models import Approvable, RecordStatus

from .proofs import signing_offer
from .snapshots import current_snapshot
from .workflow import RecordState, _load, _name, _state, version_rows


def model_key(obj: Approvable) -> str:
    """How record URLs name an approvable's model: "app_label.modelname"."""
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def own_submit_page(obj: Approvable) -> bool:
    return bool(obj.approval_submit_url())


def submit_url(obj: Approvable) -> str:
    """Where the panel's submit form posts: the approvable's own submit page when it has one
    (`approval_submit_url()`, for checks of its own), else the generic record endpoint."""
    return obj.approval_submit_url() or reverse("record_submit", args=[model_key(obj), obj.pk])


def reads_approved_only(membership: Membership | None) -> bool:
    """Staff read what the leaders last approved and nothing else (issue 22.3): no draft,
    no change awaiting approval, no difference that shows one: the roles without
    `isova.record.read_unapproved`."""
    return membership is not None and not tenancy.has_perm(
        membership, "isova.record.read_unapproved"
    )


def can_submit(membership: Membership | None, obj: Approvable, record: RecordState) -> bool:
    return (
        membership is not None
        and membership.organisation_id == obj.organisation_id
        and tenancy.has_perm(membership, "isova.record.submit")
        and not obj.SIGN_ONLY
        and (
            record.status in (RecordStatus.DRAFT, RecordStatus.REJECTED)
            or (record.status == RecordStatus.APPROVED and bool(record.material_diff))
        )
    )


def can_decide(membership: Membership | None, obj: Approvable, record: RecordState) -> bool:
    return (
        membership is not None
        and membership.organisation_id == obj.organisation_id
        and tenancy.has_perm(membership, "isova.record.approve")
        and record.status == RecordStatus.SUBMITTED
        and record.current is not None
        and record.current.submitted_by_id != membership.user_id
    )


def record_history(obj: Approvable, limit: int = 50) -> list:
    """Field-level history of ordinary edits (django-simple-history), newest first: 2 queries."""
    # simple-history's manager, not part of the approvable contract: a model may lack it.
    manager = getattr(obj, "history", None)
    if manager is None:
        return []
    rows = list(manager.order_by("-history_date", "-history_id")[:limit])
    members = User.objects.filter(memberships__organisation_id=obj.organisation_id)
    users = {u.pk: u.get_full_name() for u in members}
    return history.entries(rows, users=users, ignore=("created_at",))


def record_panel_context(request: Any, obj: Approvable) -> dict[str, Any]:
    """Everything templates/isova/_record_panel.html shows, in a fixed number of queries:
    versions, sign-offs, field history and its users (4), plus approval_snapshot()'s own."""
    version_list, signoffs = _load(obj)
    now_snapshot = current_snapshot(obj)
    record = _state(obj, version_list, signoffs, now_snapshot)
    membership = getattr(request, "membership", None)
    approved_only = reads_approved_only(membership)
    can_decide_now = can_decide(membership, obj, record)
    return {
        "obj": obj,
        "record": record,
        "record_name": _name(obj),
        "record_key": model_key(obj),
        "record_versions": version_rows(version_list, signoffs, now_snapshot),
        "record_history": [] if approved_only else record_history(obj),
        "record_reads_approved": approved_only,
        "record_can_submit": can_submit(membership, obj, record),
        "record_submit_url": submit_url(obj),
        "record_submit_inline": not own_submit_page(obj),
        "record_can_decide": can_decide_now,
        # How the decision form asks for the signature (password, or the provider).
        "record_signing": signing_offer(request) if can_decide_now else None,
        "record_next": request.get_full_path(),
    }
