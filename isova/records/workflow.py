"""The approval workflow: draft → submitted → approved or rejected, standalone signatures,
and what an edit does to an approval (`record_changed`).

Its life: draft → submitted (`submit`) → approved or rejected (`approve` / `reject`, leaders
only, never the submitter, password re-entered, bound to the snapshot the leader was shown by
its hash). Every decision and every standalone `sign` appends a `SignOff` to the
organisation's hash chain. After an edit of the record or of one of its children (plan
steps: `isova.actions` calls it for actions whose source is an approvable) `record_changed`
runs: a change that matters supersedes the approval and opens the next version as a draft;
a submission goes back to draft; a cosmetic change keeps both.

Lock order, everywhere: the approvable's row, then its version rows, then the chain head.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from isova.accounts import tenancy
from isova.accounts.models import Membership, Role, User
from isova.history import Change
from isova.notifications import services as notifications
from isova.records.models import Approvable, RecordStatus, RecordVersion, SignOff

from . import chain
from .errors import NotAllowed, RecordError, Stale
from .snapshots import (
    changed_keys,
    changes_json,
    current_snapshot,
    diff_snapshots,
    material_changes,
    same_value,
    snapshot_hash,
)

APPROVED, REJECTED = "approved", "rejected"
MEANING_RE = re.compile(r"^[a-z][a-z -]{1,39}$")


# --- reading the state of a record -----------------------------------------------------


@dataclass
class VersionRow:
    """One version with its sign-offs and what changed since the version before it."""

    version: RecordVersion
    signoffs: list[SignOff]
    changes: list[Change]


@dataclass
class RecordState:
    number: int  # current version number (1 before anything was submitted)
    status: str  # a RecordStatus value
    current: RecordVersion | None
    approved: RecordVersion | None  # the latest version that was approved (maybe superseded)
    last_signoff: SignOff | None
    stale_since: datetime.datetime | None  # when the now superseded approval was given
    diff: list[Change] = field(default_factory=list)  # approved snapshot → record now
    # `diff` split: what needs approval (material fields and children) and what does not.
    material_diff: list[Change] = field(default_factory=list)
    cosmetic_diff: list[Change] = field(default_factory=list)
    decision: SignOff | None = None  # the approving or rejecting sign-off of `current`

    @property
    def status_label(self) -> str:
        return RecordStatus(self.status).label

    @property
    def is_approved(self) -> bool:
        return self.status == RecordStatus.APPROVED

    @property
    def is_stale(self) -> bool:
        return self.stale_since is not None

    @property
    def awaiting_approval(self) -> bool:
        return self.status == RecordStatus.SUBMITTED

    @property
    def next_number(self) -> int:
        """The number the next submission gets (a decided version stays as it was)."""
        closed = (RecordStatus.REJECTED, RecordStatus.APPROVED)
        return self.number + 1 if self.status in closed else self.number


def _content_type(obj: Approvable) -> ContentType:
    return ContentType.objects.get_for_model(obj, for_concrete_model=False)


def _load(obj: Approvable) -> tuple[list[RecordVersion], list[SignOff]]:
    """All versions (oldest first) and sign-offs (in chain order) of one record: two queries."""
    ct = _content_type(obj)
    version_list = list(
        RecordVersion.objects.filter(
            organisation_id=obj.organisation_id, content_type=ct, object_id=obj.pk
        )
        .select_related("submitted_by", "decided_by", "created_by", "content_type")
        .order_by("number")
    )
    signoffs = list(
        SignOff.objects.filter(
            organisation_id=obj.organisation_id, content_type=ct, object_id=obj.pk
        )
        .select_related("signer")
        .order_by("sequence")
    )
    return version_list, signoffs


def _state(
    obj: Approvable,
    version_list: list[RecordVersion],
    signoffs: list[SignOff],
    now_snapshot: dict,
) -> RecordState:
    current = version_list[-1] if version_list else None
    approved = next(
        (
            v
            for v in reversed(version_list)
            if v.status in (RecordStatus.APPROVED, RecordStatus.SUPERSEDED)
        ),
        None,
    )
    stale_since = None
    if approved is not None and approved is not current:
        stale_since = approved.decided_at
    diff = diff_snapshots(approved.snapshot, now_snapshot) if approved else []
    material_diff: list[Change] = []
    cosmetic_diff: list[Change] = []
    if approved is not None and diff:
        material_diff, cosmetic_diff = _split_diff(obj, approved.snapshot or {}, now_snapshot)
    return RecordState(
        number=current.number if current else 1,
        status=current.status if current else RecordStatus.DRAFT,
        current=current,
        approved=approved,
        last_signoff=signoffs[-1] if signoffs else None,
        stale_since=stale_since,
        diff=diff,
        material_diff=material_diff,
        cosmetic_diff=cosmetic_diff,
        decision=_decision(signoffs, current),
    )


def _split_diff(
    obj: Approvable, base: dict, now_snapshot: dict
) -> tuple[list[Change], list[Change]]:
    """The difference from `base` to `now_snapshot` in two: what needs approval (material
    fields and children) and what does not."""
    keys = changed_keys(base, now_snapshot)
    material = material_changes(obj, base, now_snapshot)

    def part(names: set[str]) -> list[Change]:
        return diff_snapshots(
            {k: base.get(k) for k in names}, {k: now_snapshot.get(k) for k in names}
        )

    return part(material), part(keys - material)


def _decision(signoffs: list[SignOff], current: RecordVersion | None) -> SignOff | None:
    """The sign-off that approved or rejected `current`, None while it is undecided."""
    return next(
        (
            s
            for s in reversed(signoffs)
            if current and s.version_id == current.pk and s.meaning in (APPROVED, REJECTED)
        ),
        None,
    )


def state(obj: Approvable) -> RecordState:
    """Where the record stands: version, status, last sign-off, staleness and its difference."""
    version_list, signoffs = _load(obj)
    return _state(obj, version_list, signoffs, current_snapshot(obj))


def versions(obj: Approvable) -> list[RecordVersion]:
    """The record's versions, oldest first."""
    return list(
        RecordVersion.objects.filter(
            organisation_id=obj.organisation_id, content_type=_content_type(obj), object_id=obj.pk
        )
        .select_related("submitted_by", "decided_by")
        .order_by("number")
    )


def version_rows(
    version_list: list[RecordVersion], signoffs: list[SignOff], now_snapshot: dict
) -> list[VersionRow]:
    """Newest first, each with what changed since the version before it."""
    by_version: dict[int, list[SignOff]] = {}
    for signoff in signoffs:
        by_version.setdefault(signoff.version_id, []).append(signoff)
    rows = []
    previous: dict | None = None
    for i, version in enumerate(version_list):
        is_live = i == len(version_list) - 1 and version.status == RecordStatus.DRAFT
        snapshot = now_snapshot if is_live else (version.snapshot or {})
        changes = diff_snapshots(previous, snapshot) if previous is not None else []
        rows.append(VersionRow(version, by_version.get(version.pk, []), changes))
        previous = snapshot
    return rows[::-1]


# --- writes --------------------------------------------------------------------------


def _check(membership: Membership, obj: Approvable, perm: str, message: str) -> None:
    if membership.organisation_id != obj.organisation_id:
        raise NotAllowed("This record belongs to another organisation.")
    if not tenancy.has_perm(membership, perm):
        raise NotAllowed(message)


def _lock_record(obj: Approvable) -> None:
    """Serialise every approval move on one record (its own row is the lock)."""
    list(type(obj)._base_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))


def _current_version(obj: Approvable) -> RecordVersion | None:
    return (
        RecordVersion.objects.filter(
            organisation_id=obj.organisation_id, content_type=_content_type(obj), object_id=obj.pk
        )
        .select_for_update()
        .order_by("-number")
        .first()
    )


def _last_approved(obj: Approvable) -> RecordVersion | None:
    return (
        RecordVersion.objects.filter(
            content_type=_content_type(obj),
            object_id=obj.pk,
            status__in=(RecordStatus.APPROVED, RecordStatus.SUPERSEDED),
        )
        .order_by("-number")
        .first()
    )


def _name(obj: Approvable) -> str:
    return obj.APPROVAL_NAME or str(obj._meta.verbose_name)


def _new_version(obj: Approvable, number: int, user: User | None, **fields: Any) -> RecordVersion:
    fields = {"record_label": str(obj)[:200], **fields}
    return RecordVersion.objects.create(
        organisation_id=obj.organisation_id,
        content_type=_content_type(obj),
        object_id=obj.pk,
        number=number,
        created_by=user,
        **fields,
    )


@transaction.atomic
def submit(*, membership: Membership, obj: Approvable, comment: str = "") -> RecordVersion:
    """Ask the leaders to approve the record as it stands now."""
    _check(membership, obj, "isova.record.submit", "Only managers and leaders submit for approval.")
    if obj.SIGN_ONLY:
        raise RecordError(f"A {_name(obj)} is signed, not submitted for approval.")
    _lock_record(obj)
    problems = obj.approval_problems()
    if problems:
        raise RecordError("It cannot be submitted yet. Missing: " + "; ".join(problems) + ".")
    current = _current_version(obj)
    now_snapshot = current_snapshot(obj)
    approved = _last_approved(obj)
    base = approved.snapshot if approved else None
    if current is not None:
        _close_current(obj, current, approved, now_snapshot)
    fields = {
        "status": RecordStatus.SUBMITTED,
        "snapshot": now_snapshot,
        "changes": changes_json(diff_snapshots(base, now_snapshot)) if base else [],
        "submitted_at": timezone.now(),
        "submitted_by": membership.user,
        "submit_comment": comment.strip(),
        "record_label": str(obj)[:200],
        "decided_at": None,
        "decided_by": None,
        # Each submission is its own: a form or notification of an earlier one never
        # stands for this one.
        "submission": (current.submission if current else 0) + 1,
    }
    version = _submitted_version(obj, current, membership.user, fields)
    obj.on_submitted(version)
    _notify_leaders(obj, version, membership)
    return version


def _close_current(
    obj: Approvable,
    current: RecordVersion,
    approved: RecordVersion | None,
    now_snapshot: dict,
) -> None:
    """Raise when `current` leaves nothing new to submit (it awaits approval, or nothing
    has changed since it was approved or rejected); supersede it when it is approved."""
    if current.status == RecordStatus.SUBMITTED:
        raise RecordError(f"Version {current.number} is already waiting for approval.")
    if current.status == RecordStatus.APPROVED:
        keys = material_changes(obj, current.snapshot, now_snapshot)
        if not keys:
            raise RecordError(
                f"Version {current.number} of this {_name(obj)} is approved and nothing that "
                "needs approval has changed since."
            )
        _supersede(current)
    elif current.status == RecordStatus.REJECTED and same_value(current.snapshot, now_snapshot):
        raise RecordError(
            f"Version {current.number} was rejected and nothing has changed since: "
            "change it before submitting again."
        )
    elif (
        current.status == RecordStatus.DRAFT
        and approved is not None
        and same_value(approved.snapshot, now_snapshot)
    ):
        raise RecordError(f"Nothing has changed since version {approved.number} was approved.")


def _submitted_version(
    obj: Approvable, current: RecordVersion | None, user: User, fields: dict[str, Any]
) -> RecordVersion:
    """Save the submission: on the current draft, or as the next version when there is none
    (or it was decided)."""
    if current is None or current.status != RecordStatus.DRAFT:
        number = current.number + 1 if current else 1
        return _new_version(obj, number, user, **fields)
    for key, value in fields.items():
        setattr(current, key, value)
    current.save(update_fields=list(fields))
    return current


def _supersede(version: RecordVersion) -> None:
    version.status = RecordStatus.SUPERSEDED
    version.superseded_at = timezone.now()
    version.save(update_fields=["status", "superseded_at"])


def approve(
    *,
    membership: Membership,
    obj: Approvable,
    password: str,
    comment: str = "",
    version: int | None = None,
    snapshot_hash: str | None = None,
    proof: chain.ProviderSignIn | None = None,
) -> SignOff:
    """A leader approves the submitted version; writes the "approved" sign-off.

    `snapshot_hash` is the SHA-256 of the snapshot the leader was shown (the forms carry it)
    and `version` its number: when the submitted version is no longer that content, `Stale`
    is raised and nothing is signed. Pages always pass the hash; None skips the check (for
    code that decides on what it just read itself). `proof`, a fresh sign-in at the
    organisation's provider, stands instead of the password when it was made for exactly
    `snapshot_hash` (`chain.check_proof`).
    """
    _check(membership, obj, "isova.record.approve", "Only leaders approve or reject records.")
    chain.check_proof(membership.user, proof or password, snapshot_hash)
    return _decide(membership, obj, APPROVED, comment, version, snapshot_hash)


def reject(
    *,
    membership: Membership,
    obj: Approvable,
    password: str,
    comment: str,
    version: int | None = None,
    snapshot_hash: str | None = None,
    proof: chain.ProviderSignIn | None = None,
) -> SignOff:
    """A leader rejects the submitted version, saying why; writes the "rejected" sign-off."""
    if not comment.strip():
        raise RecordError("Say why you reject it: the comment is required.")
    _check(membership, obj, "isova.record.approve", "Only leaders approve or reject records.")
    chain.check_proof(membership.user, proof or password, snapshot_hash)
    return _decide(membership, obj, REJECTED, comment, version, snapshot_hash)


@transaction.atomic
def _decide(
    membership: Membership,
    obj: Approvable,
    decision: str,
    comment: str,
    expected: int | None,
    expected_hash: str | None,
) -> SignOff:
    _check(membership, obj, "isova.record.approve", "Only leaders approve or reject records.")
    _lock_record(obj)
    version = _current_version(obj)
    if expected is not None and (version is None or version.number != expected):
        raise Stale(
            f"This {_name(obj)} changed since you opened it (it is now version "
            f"{version.number if version else 1}). Nothing was signed: look again."
        )
    if version is None or version.status != RecordStatus.SUBMITTED:
        raise RecordError(f"This {_name(obj)} is not waiting for approval.")
    if expected_hash is not None and expected_hash != snapshot_hash(version.snapshot):
        raise Stale(
            f"This {_name(obj)} was changed and submitted again since you opened it. "
            "Nothing was signed: look at what is submitted now."
        )
    if version.submitted_by_id == membership.user_id:
        raise NotAllowed("Nobody approves or rejects their own submission.")
    # What is signed is what was submitted: a material edit since would have sent the
    # submission back to draft; refuse if the record moved without that (a missed hook).
    now = current_snapshot(obj)
    if material_changes(obj, version.snapshot, now):
        raise Stale(
            f"This {_name(obj)} differs from the submitted version. Nothing was signed: "
            "it must be submitted again."
        )
    signoff = chain.append(membership, obj, version, decision, comment)
    version.status = RecordStatus.APPROVED if decision == APPROVED else RecordStatus.REJECTED
    version.snapshot = json.loads(signoff.snapshot)
    version.decided_at, version.decided_by = signoff.signed_at, membership.user
    version.save(update_fields=["status", "snapshot", "decided_at", "decided_by"])
    obj.on_approval_decided(decision, signoff)
    _notify_submitter(obj, version, signoff)
    return signoff


def sign(
    *,
    membership: Membership,
    obj: Approvable,
    meaning: str,
    password: str = "",
    comment: str = "",
    proof: chain.ProviderSignIn | None = None,
    binding: str | None = None,
) -> SignOff:
    """A standalone sign-off on the record as it stands ("reviewed", "verified", "issued").
    `proof` (a fresh provider sign-in) stands instead of the password when it was made for
    `binding`, the hash of what the signer was shown, which the caller checked is what is
    signed (`chain.check_proof`)."""
    _check(membership, obj, "isova.record.sign", "Your role cannot sign records.")
    meaning = meaning.strip().lower()
    if meaning in (APPROVED, REJECTED):
        raise RecordError("Approve or reject through the approval, not as a plain sign-off.")
    if not MEANING_RE.match(meaning):
        raise RecordError("Say what the signature means in a word or two, e.g. “reviewed”.")
    chain.check_proof(membership.user, proof or password, binding)
    return _sign(membership, obj, meaning, comment)


@transaction.atomic
def _sign(membership: Membership, obj: Approvable, meaning: str, comment: str) -> SignOff:
    _lock_record(obj)
    version = _current_version(obj) or _new_version(obj, 1, membership.user)
    return chain.append(membership, obj, version, meaning, comment)


@transaction.atomic
def record_changed(
    *, obj: Approvable, changed_fields: Iterable[str], user: User | None
) -> RecordVersion | None:
    """Call after saving an edit. Returns the version that moved, or None.

    Approved and a material change (a MATERIAL_FIELD, or the snapshot's children): the
    approval is superseded and the next version opens as a draft. Submitted and a material
    change: the submission goes back to draft, since the leaders must approve what they saw.
    Cosmetic changes, or changes to a draft, return None.
    """
    deciding = (RecordStatus.APPROVED, RecordStatus.SUBMITTED)
    if not RecordVersion.objects.for_record(obj).filter(status__in=deciding).exists():
        return None  # a draft or a record never submitted: nothing to lock or supersede
    _lock_record(obj)
    current = _current_version(obj)
    if current is None or current.status not in deciding:
        return None
    now_snapshot = current_snapshot(obj)
    differing = changed_keys(current.snapshot, now_snapshot)
    if not differing:
        return None
    named = set(changed_fields) & set(obj.MATERIAL_FIELDS)
    if not (material_changes(obj, current.snapshot, now_snapshot) or named):
        return None
    if current.status == RecordStatus.SUBMITTED:
        current.status = RecordStatus.DRAFT
        current.save(update_fields=["status"])
        moved = current
    else:
        _supersede(current)
        moved = _new_version(obj, current.number + 1, user, snapshot=now_snapshot)
    obj.on_record_changed(moved)
    return moved


# --- notifications -------------------------------------------------------------------


def _notify_leaders(obj: Approvable, version: RecordVersion, membership: Membership) -> None:
    leaders = User.objects.filter(
        memberships__organisation_id=membership.organisation_id,
        memberships__role=Role.LEADER,
        is_active=True,
    ).exclude(pk=membership.user_id)
    organisation = membership.organisation
    for leader in leaders:
        notifications.notify(
            organisation=organisation,
            recipient=leader,
            kind="approval_requested",
            key=f"version:{version.pk}:{version.submission}",
            subject=f"Approval requested: {_name(obj)} “{obj}” v{version.number}",
            body=(
                f"{membership.user} asks you to approve version {version.number} of the "
                f"{_name(obj)} “{obj}”.\n\n{version.submit_comment}\n"
            ),
            url=obj.get_absolute_url(),
        )


def _notify_submitter(obj: Approvable, version: RecordVersion, signoff: SignOff) -> None:
    if version.submitted_by is None or version.submitted_by_id == signoff.signer_id:
        return
    notifications.notify(
        organisation=obj.organisation,
        recipient=version.submitted_by,
        kind="approval_decided",
        key=f"version:{version.pk}:{version.submission}",
        subject=f"{_name(obj).capitalize()} “{obj}” v{version.number} {signoff.meaning}",
        body=(
            f"{signoff.signer_name} {signoff.meaning} version {version.number} of the "
            f"{_name(obj)} “{obj}”.\n\n{signoff.comment}\n"
        ),
        url=obj.get_absolute_url(),
    )
