"""Records: the one approval mechanism every app uses (ISO 9001 5.1, 7.5).

An *approvable* model (the quality policy here; objectives, audits, … in their apps) has an
`organisation`, an `APPROVAL_NAME`, the `MATERIAL_FIELDS` whose change needs a new approval,
`approval_snapshot()` (a JSON-able dict of the record and its children as they stand) and
`get_absolute_url()`; optionally `approval_problems()` (what stops it being submitted, e.g.
missing ISO 9001 elements: `submit` refuses while the list is not empty, whichever page
calls it), `on_submitted(version)` and `on_approval_decided(decision, signoff)` (run in the
same transaction), and `approval_submit_url()` when it submits through a page of its own
(the generic submit endpoint then refuses it). A record that is only ever signed (an
audit report, a finding's effectiveness check) sets `SIGN_ONLY = True`: `submit` refuses it.

Its life: draft → submitted (`submit`) → approved or rejected (`approve` / `reject`, leaders
only, never the submitter, password re-entered). Every decision and every standalone `sign`
appends a `SignOff` to the organisation's hash chain. After an edit the app calls
`record_changed`: a change that matters supersedes the approval and opens the next version
as a draft; a cosmetic one keeps it.

Lock order, everywhere: the approvable's row, then its version rows, then the chain head.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from . import history, notifications, tenancy
from .errors import DomainError
from .history import Change
from .models import (
    Membership,
    Organisation,
    QualityPolicy,
    RecordStatus,
    RecordVersion,
    Role,
    SignOff,
    SignOffChain,
    User,
)

L, M, A = Role.LEADER, Role.MANAGER, Role.AUDITOR
tenancy.register_permissions(
    {
        "record.view": tenancy.EVERYONE,
        "record.submit": frozenset({L, M}),
        "record.approve": frozenset({L}),  # approve and reject
        "record.sign": frozenset({L, M, A}),  # standalone: reviewed, verified, issued, …
        "policy.edit": frozenset({L, M}),
    }
)

GENESIS_HASH = "0" * 64
APPROVED, REJECTED = "approved", "rejected"
MEANING_RE = re.compile(r"^[a-z][a-z -]{1,39}$")


class RecordError(DomainError):
    """A move the approval workflow does not allow; the message is shown to the user."""


class WrongPassword(RecordError):
    """The re-entered password did not match: nothing was signed."""

    def __init__(self) -> None:
        super().__init__("That is not your password. Nothing was signed.")


class Stale(RecordError):
    """The record moved on since the caller's page was loaded (another version or status)."""


class NotAllowed(PermissionDenied):
    """This member may not do this (role, own submission, other organisation)."""


# --- canonical JSON and hashes ---------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not allowed in a record snapshot")


def canonical_json(data: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept; dates, datetimes (UTC) and decimals as strings."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    )


def _snapshot_text(obj: models.Model) -> str:
    return canonical_json(obj.approval_snapshot())  # type: ignore[attr-defined]


def current_snapshot(obj: models.Model) -> dict:
    """The record's approval snapshot as it would be signed now (dates already strings)."""
    return json.loads(_snapshot_text(obj))


def signoff_payload(signoff: SignOff) -> dict:
    """Everything a sign-off's hash covers."""
    ct = ContentType.objects.get_for_id(signoff.content_type_id)
    return {
        "organisation": signoff.organisation_id,
        "sequence": signoff.sequence,
        "record": f"{ct.app_label}.{ct.model}:{signoff.object_id}",
        "record_label": signoff.record_label,
        "version": signoff.version_number,
        "signer": {
            "id": signoff.signer_id,
            "name": signoff.signer_name,
            "email": signoff.signer_email,
            "role": signoff.signer_role,
        },
        "meaning": signoff.meaning,
        "comment": signoff.comment,
        "signed_at": signoff.signed_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "snapshot": signoff.snapshot,
        "previous_hash": signoff.previous_hash,
    }


def compute_hash(signoff: SignOff) -> str:
    return hashlib.sha256(canonical_json(signoff_payload(signoff)).encode()).hexdigest()


# --- differences between snapshots -----------------------------------------------------


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        for key in ("name", "title", "label"):
            if key in value:
                return str(value[key])
        return canonical_json(value)
    if isinstance(value, list):
        return ", ".join(_display(v) for v in value) or "—"
    return str(value)


def _is_keyed_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and "id" in v for v in value)


def diff_snapshots(old: Any, new: Any, path: str = "") -> list[Change]:
    """What differs between two snapshots, as readable changes ("Plan › Train staff › Due").

    Nested dicts are compared key by key; lists of dicts with an "id" (children such as plan
    actions) item by item, so an added, removed or edited child reads as such.
    """
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict) and old.get("id") == new.get("id"):
        changes: list[Change] = []
        for key in sorted(set(old) | set(new)):
            if key == "id":
                continue
            name = f"{path} › {_label(key)}" if path else _label(key)
            changes += diff_snapshots(old.get(key), new.get(key), name)
        return changes
    if _is_keyed_list(old) and _is_keyed_list(new) and (old or new):
        before = {item["id"]: item for item in old}
        after = {item["id"]: item for item in new}
        changes = []
        for item in old:
            if item["id"] not in after:
                changes.append(Change(path or "Items", _display(item), "removed"))
        for item in new:
            if item["id"] not in before:
                changes.append(Change(path or "Items", "added", _display(item)))
            else:
                name = f"{path} › {_display(item)}"
                changes += diff_snapshots(before[item["id"]], item, name)
        return changes
    return [Change(path or "Record", _display(old), _display(new))]


def _changed_keys(old: dict | None, new: dict) -> set[str]:
    old = old or {}
    return {key for key in set(old) | set(new) if old.get(key) != new.get(key)}


def material_keys(obj: models.Model, keys: Iterable[str]) -> set[str]:
    """The snapshot keys among `keys` whose change needs a new approval.

    A key is material when it names one of the model's MATERIAL_FIELDS (or its `_id`), or
    when it is not one of the model's own fields at all: children such as plan actions.
    """
    material = set(obj.MATERIAL_FIELDS)  # type: ignore[attr-defined]
    own_fields = set()
    for f in obj._meta.concrete_fields:
        own_fields |= {f.name, f.attname}
    out = set()
    for key in keys:
        base = key.removesuffix("_id")
        if key in material or base in material or key not in own_fields:
            out.add(key)
    return out


def _changes_json(changes: list[Change]) -> list[dict]:
    return [{"field": c.field, "old": c.old, "new": c.new} for c in changes]


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
        """The number the next submission gets (a rejected version stays as it was)."""
        return self.number + 1 if self.status == RecordStatus.REJECTED else self.number


def _content_type(obj: models.Model) -> ContentType:
    return ContentType.objects.get_for_model(obj, for_concrete_model=False)


def _load(obj: models.Model) -> tuple[list[RecordVersion], list[SignOff]]:
    """All versions (oldest first) and sign-offs (in chain order) of one record: two queries."""
    ct = _content_type(obj)
    version_list = list(
        RecordVersion.objects.filter(content_type=ct, object_id=obj.pk)
        .select_related("submitted_by", "decided_by", "created_by", "content_type")
        .order_by("number")
    )
    signoffs = list(
        SignOff.objects.filter(content_type=ct, object_id=obj.pk)
        .select_related("signer")
        .order_by("sequence")
    )
    return version_list, signoffs


def _state(
    obj: models.Model,
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
    decision = next(
        (
            s
            for s in reversed(signoffs)
            if current and s.version_id == current.pk and s.meaning in (APPROVED, REJECTED)
        ),
        None,
    )
    return RecordState(
        number=current.number if current else 1,
        status=current.status if current else RecordStatus.DRAFT,
        current=current,
        approved=approved,
        last_signoff=signoffs[-1] if signoffs else None,
        stale_since=stale_since,
        diff=diff,
        decision=decision,
    )


def state(obj: models.Model) -> RecordState:
    """Where the record stands: version, status, last sign-off, staleness and its difference."""
    version_list, signoffs = _load(obj)
    return _state(obj, version_list, signoffs, current_snapshot(obj))


def versions(obj: models.Model) -> list[RecordVersion]:
    """The record's versions, oldest first."""
    return list(
        RecordVersion.objects.filter(content_type=_content_type(obj), object_id=obj.pk)
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


def _check(membership: Membership, obj: models.Model, perm: str, message: str) -> None:
    if membership.organisation_id != obj.organisation_id:  # type: ignore[attr-defined]
        raise NotAllowed("This record belongs to another organisation.")
    if not tenancy.has_perm(membership, perm):
        raise NotAllowed(message)


def _lock_record(obj: models.Model) -> None:
    """Serialise every approval move on one record (its own row is the lock)."""
    list(type(obj)._base_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))


def _current_version(obj: models.Model) -> RecordVersion | None:
    return (
        RecordVersion.objects.filter(content_type=_content_type(obj), object_id=obj.pk)
        .select_for_update()
        .order_by("-number")
        .first()
    )


def _last_approved(obj: models.Model) -> RecordVersion | None:
    return (
        RecordVersion.objects.filter(
            content_type=_content_type(obj),
            object_id=obj.pk,
            status__in=(RecordStatus.APPROVED, RecordStatus.SUPERSEDED),
        )
        .order_by("-number")
        .first()
    )


def _name(obj: models.Model) -> str:
    return str(getattr(obj, "APPROVAL_NAME", None) or obj._meta.verbose_name)


def _new_version(obj: models.Model, number: int, user: User | None, **fields: Any) -> RecordVersion:
    fields = {"record_label": str(obj)[:200], **fields}
    return RecordVersion.objects.create(
        organisation_id=obj.organisation_id,  # type: ignore[attr-defined]
        content_type=_content_type(obj),
        object_id=obj.pk,
        number=number,
        created_by=user,
        **fields,
    )


@transaction.atomic
def submit(*, membership: Membership, obj: models.Model, comment: str = "") -> RecordVersion:
    """Ask the leaders to approve the record as it stands now."""
    _check(membership, obj, "record.submit", "Only managers and leaders submit for approval.")
    if getattr(obj, "SIGN_ONLY", False):
        raise RecordError(f"A {_name(obj)} is signed, not submitted for approval.")
    _lock_record(obj)
    problems = obj.approval_problems() if hasattr(obj, "approval_problems") else []
    if problems:
        raise RecordError("It cannot be submitted yet. Missing: " + "; ".join(problems) + ".")
    current = _current_version(obj)
    now_snapshot = current_snapshot(obj)
    approved = _last_approved(obj)
    base = approved.snapshot if approved else None
    name = _name(obj)
    if current is not None:
        if current.status == RecordStatus.SUBMITTED:
            raise RecordError(f"Version {current.number} is already waiting for approval.")
        if current.status == RecordStatus.APPROVED:
            keys = material_keys(obj, _changed_keys(current.snapshot, now_snapshot))
            if not keys:
                raise RecordError(
                    f"Version {current.number} of this {name} is approved and nothing that "
                    "needs approval has changed since."
                )
            _supersede(current)
        elif current.status == RecordStatus.REJECTED and current.snapshot == now_snapshot:
            raise RecordError(
                f"Version {current.number} was rejected and nothing has changed since: "
                "change it before submitting again."
            )
        elif current.status == RecordStatus.DRAFT and approved is not None and base == now_snapshot:
            raise RecordError(f"Nothing has changed since version {approved.number} was approved.")
    fields = {
        "status": RecordStatus.SUBMITTED,
        "snapshot": now_snapshot,
        "changes": _changes_json(diff_snapshots(base, now_snapshot)) if base else [],
        "submitted_at": timezone.now(),
        "submitted_by": membership.user,
        "submit_comment": comment.strip(),
        "record_label": str(obj)[:200],
        "decided_at": None,
        "decided_by": None,
    }
    if current is None or current.status != RecordStatus.DRAFT:
        number = current.number + 1 if current else 1
        version = _new_version(obj, number, membership.user, **fields)
    else:
        version = current
        for key, value in fields.items():
            setattr(version, key, value)
        version.save(update_fields=list(fields))
    if hasattr(obj, "on_submitted"):
        obj.on_submitted(version)
    _notify_leaders(obj, version, membership)
    return version


def _supersede(version: RecordVersion) -> None:
    version.status = RecordStatus.SUPERSEDED
    version.superseded_at = timezone.now()
    version.save(update_fields=["status", "superseded_at"])


@transaction.atomic
def approve(
    *,
    membership: Membership,
    obj: models.Model,
    password: str,
    comment: str = "",
    version: int | None = None,
) -> SignOff:
    """A leader approves the submitted version; writes the "approved" sign-off.

    `version`, when given, is the version number the leader saw: if the record has moved on
    since, `Stale` is raised and nothing is signed.
    """
    return _decide(membership, obj, APPROVED, password, comment, version)


@transaction.atomic
def reject(
    *,
    membership: Membership,
    obj: models.Model,
    password: str,
    comment: str,
    version: int | None = None,
) -> SignOff:
    """A leader rejects the submitted version, saying why; writes the "rejected" sign-off."""
    if not comment.strip():
        raise RecordError("Say why you reject it: the comment is required.")
    return _decide(membership, obj, REJECTED, password, comment, version)


def _decide(
    membership: Membership,
    obj: models.Model,
    decision: str,
    password: str,
    comment: str,
    expected: int | None,
) -> SignOff:
    _check(membership, obj, "record.approve", "Only leaders approve or reject records.")
    _lock_record(obj)
    version = _current_version(obj)
    if expected is not None and (version is None or version.number != expected):
        raise Stale(
            f"This {_name(obj)} changed since you opened it (it is now version "
            f"{version.number if version else 1}). Nothing was signed: look again."
        )
    if version is None or version.status != RecordStatus.SUBMITTED:
        raise RecordError(f"This {_name(obj)} is not waiting for approval.")
    if version.submitted_by_id == membership.user_id:
        raise NotAllowed("Nobody approves or rejects their own submission.")
    signoff = _sign(membership, obj, version, decision, password, comment)
    version.status = RecordStatus.APPROVED if decision == APPROVED else RecordStatus.REJECTED
    version.snapshot = json.loads(signoff.snapshot)
    version.decided_at, version.decided_by = signoff.signed_at, membership.user
    version.save(update_fields=["status", "snapshot", "decided_at", "decided_by"])
    hook = getattr(obj, "on_approval_decided", None)
    if hook is not None:
        hook(decision, signoff)
    _notify_submitter(obj, version, signoff)
    return signoff


@transaction.atomic
def sign(
    *, membership: Membership, obj: models.Model, meaning: str, password: str, comment: str = ""
) -> SignOff:
    """A standalone sign-off on the record as it stands ("reviewed", "verified", "issued")."""
    _check(membership, obj, "record.sign", "Your role cannot sign records.")
    meaning = meaning.strip().lower()
    if meaning in (APPROVED, REJECTED):
        raise RecordError("Approve or reject through the approval, not as a plain sign-off.")
    if not MEANING_RE.match(meaning):
        raise RecordError("Say what the signature means in a word or two, e.g. “reviewed”.")
    _lock_record(obj)
    version = _current_version(obj) or _new_version(obj, 1, membership.user)
    return _sign(membership, obj, version, meaning, password, comment)


def _sign(
    membership: Membership,
    obj: models.Model,
    version: RecordVersion,
    meaning: str,
    password: str,
    comment: str,
) -> SignOff:
    """Check the password, then append one sign-off to the organisation's chain."""
    user = membership.user
    if not password or not user.check_password(password):
        raise WrongPassword()
    organisation_id = obj.organisation_id  # type: ignore[attr-defined]
    SignOffChain.objects.get_or_create(organisation_id=organisation_id)
    # The head row is the lock: a second signer waits here, then reads the new head.
    chain = SignOffChain.objects.select_for_update().get(organisation_id=organisation_id)
    signoff = SignOff(
        organisation_id=organisation_id,
        sequence=chain.length + 1,
        version=version,
        content_type=version.content_type,
        object_id=version.object_id,
        record_label=str(obj)[:200],
        version_number=version.number,
        signer=user,
        signer_name=user.get_full_name()[:150],
        signer_email=user.email,
        signer_role=membership.role,
        meaning=meaning,
        comment=comment.strip(),
        signed_at=timezone.now(),
        snapshot=_snapshot_text(obj),
        previous_hash=chain.last_hash,
    )
    signoff.hash = compute_hash(signoff)
    signoff.save(force_insert=True)
    chain.length, chain.last_hash = signoff.sequence, signoff.hash
    chain.save(update_fields=["length", "last_hash"])
    return signoff


@transaction.atomic
def record_changed(
    *, obj: models.Model, changed_fields: Iterable[str], user: User | None
) -> RecordVersion | None:
    """Call after saving an edit. Returns the version that moved, or None.

    Approved and a material change (a MATERIAL_FIELD, or the snapshot's children): the
    approval is superseded and the next version opens as a draft. Submitted and a material
    change: the submission goes back to draft, since the leaders must approve what they saw.
    Cosmetic changes, or changes to a draft, return None.
    """
    _lock_record(obj)
    current = _current_version(obj)
    if current is None or current.status not in (RecordStatus.APPROVED, RecordStatus.SUBMITTED):
        return None
    now_snapshot = current_snapshot(obj)
    differing = _changed_keys(current.snapshot, now_snapshot)
    if not differing:
        return None
    named = set(changed_fields) & set(obj.MATERIAL_FIELDS)  # type: ignore[attr-defined]
    if not (material_keys(obj, differing) or named):
        return None
    if current.status == RecordStatus.SUBMITTED:
        current.status = RecordStatus.DRAFT
        current.save(update_fields=["status"])
        return current
    _supersede(current)
    return _new_version(obj, current.number + 1, user, snapshot=now_snapshot)


# --- notifications -------------------------------------------------------------------


def _notify_leaders(obj: models.Model, version: RecordVersion, membership: Membership) -> None:
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
            key=f"version:{version.pk}",
            subject=f"Approval requested: {_name(obj)} “{obj}” v{version.number}",
            body=(
                f"{membership.user} asks you to approve version {version.number} of the "
                f"{_name(obj)} “{obj}”.\n\n{version.submit_comment}\n"
            ),
            url=obj.get_absolute_url(),  # type: ignore[attr-defined]
        )


def _notify_submitter(obj: models.Model, version: RecordVersion, signoff: SignOff) -> None:
    if version.submitted_by is None or version.submitted_by_id == signoff.signer_id:
        return
    notifications.notify(
        organisation=obj.organisation,  # type: ignore[attr-defined]
        recipient=version.submitted_by,
        kind="approval_decided",
        key=f"version:{version.pk}",
        subject=f"{_name(obj).capitalize()} “{obj}” v{version.number} {signoff.meaning}",
        body=(
            f"{signoff.signer_name} {signoff.meaning} version {version.number} of the "
            f"{_name(obj)} “{obj}”.\n\n{signoff.comment}\n"
        ),
        url=obj.get_absolute_url(),  # type: ignore[attr-defined]
    )


# --- verification ------------------------------------------------------------------------


@dataclass
class ChainBreak:
    organisation: Organisation
    sequence: int | None
    problem: str

    def __str__(self) -> str:
        where = f"sign-off #{self.sequence}" if self.sequence is not None else "chain head"
        return f"{self.organisation} ({self.organisation.slug}), {where}: {self.problem}"


def _link_problems(signoff: SignOff, expected: int, previous_hash: str) -> list[str]:
    problems = []
    if signoff.sequence > expected:
        gap = f"#{expected}" + (
            f"–#{signoff.sequence - 1}" if signoff.sequence > expected + 1 else ""
        )
        problems.append(f"sign-off {gap} before it is missing (deleted)")
    elif signoff.sequence < expected:
        problems.append("is out of order (its sequence number repeats an earlier one)")
    if signoff.previous_hash != previous_hash:
        problems.append(
            "does not link to the sign-off before it (previous hash differs): "
            "a sign-off was deleted, inserted or reordered"
        )
    if compute_hash(signoff) != signoff.hash:
        problems.append("its contents no longer match its hash: the row was altered")
    return problems


def verify_chain(organisation: Organisation) -> tuple[int, list[ChainBreak]]:
    """Recompute one organisation's chain. Returns (sign-offs checked, broken links)."""
    breaks: list[ChainBreak] = []
    expected, previous_hash, count = 1, GENESIS_HASH, 0
    rows = SignOff.objects.filter(organisation=organisation).order_by("sequence", "pk")
    for signoff in rows.iterator(chunk_size=500):
        count += 1
        for problem in _link_problems(signoff, expected, previous_hash):
            breaks.append(ChainBreak(organisation, signoff.sequence, problem))
        previous_hash, expected = signoff.hash, signoff.sequence + 1
    chain = SignOffChain.objects.filter(organisation=organisation).first()
    length, head = (chain.length, chain.last_hash) if chain else (0, GENESIS_HASH)
    if length != expected - 1 or head != previous_hash:
        breaks.append(
            ChainBreak(
                organisation,
                None,
                f"the chain should end at #{length} (hash {head[:12]}…) but ends at "
                f"#{expected - 1} (hash {previous_hash[:12]}…): the latest sign-offs were "
                "deleted or the chain was rewritten",
            )
        )
    return count, breaks


def chain_head(organisation: Organisation) -> str:
    chain = SignOffChain.objects.filter(organisation=organisation).first()
    return chain.last_hash if chain else GENESIS_HASH


# --- the record panel shown on every approvable's page ---------------------------------


def model_key(obj: models.Model) -> str:
    """How record URLs name an approvable's model: "app_label.modelname"."""
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _own_submit_page(obj: models.Model) -> bool:
    own = getattr(obj, "approval_submit_url", None)
    return bool(own and own())


def submit_url(obj: models.Model) -> str:
    """Where the panel's submit form posts: the approvable's own submit page when it has one
    (`approval_submit_url()`, for checks of its own), else the generic record endpoint."""
    own = getattr(obj, "approval_submit_url", None)
    own_url = own() if own else None
    return own_url or reverse("record_submit", args=[model_key(obj), obj.pk])


def can_submit(membership: Membership | None, obj: models.Model, record: RecordState) -> bool:
    return (
        membership is not None
        and membership.organisation_id == obj.organisation_id  # type: ignore[attr-defined]
        and tenancy.has_perm(membership, "record.submit")
        and not getattr(obj, "SIGN_ONLY", False)
        and record.status in (RecordStatus.DRAFT, RecordStatus.REJECTED)
    )


def can_decide(membership: Membership | None, obj: models.Model, record: RecordState) -> bool:
    return (
        membership is not None
        and membership.organisation_id == obj.organisation_id  # type: ignore[attr-defined]
        and tenancy.has_perm(membership, "record.approve")
        and record.status == RecordStatus.SUBMITTED
        and record.current is not None
        and record.current.submitted_by_id != membership.user_id
    )


def record_history(obj: models.Model, limit: int = 50) -> list:
    """Field-level history of ordinary edits (django-simple-history), newest first: 2 queries."""
    manager = getattr(obj, "history", None)
    if manager is None:
        return []
    rows = list(manager.order_by("-history_date", "-history_id")[:limit])
    members = User.objects.filter(memberships__organisation_id=obj.organisation_id)  # type: ignore[attr-defined]
    users = {u.pk: u.get_full_name() for u in members}
    return history.entries(rows, users=users, ignore=("created_at",))


def record_panel_context(request: Any, obj: models.Model) -> dict[str, Any]:
    """Everything templates/isova/_record_panel.html shows, in a fixed number of queries:
    versions, sign-offs, field history and its users (4), plus approval_snapshot()'s own."""
    version_list, signoffs = _load(obj)
    now_snapshot = current_snapshot(obj)
    record = _state(obj, version_list, signoffs, now_snapshot)
    membership = getattr(request, "membership", None)
    return {
        "obj": obj,
        "record": record,
        "record_name": _name(obj),
        "record_key": model_key(obj),
        "record_versions": version_rows(version_list, signoffs, now_snapshot),
        "record_history": record_history(obj),
        "record_can_submit": can_submit(membership, obj, record),
        "record_submit_url": submit_url(obj),
        "record_submit_inline": not _own_submit_page(obj),
        "record_can_decide": can_decide(membership, obj, record),
        "record_next": request.get_full_path(),
    }


# --- the quality policy (the approvable that lives in the core) -------------------------

POLICY_FIELDS = ("title", "text", "owner", "effective_from")


def _check_owner(organisation_id: int, owner: User) -> None:
    if not Membership.objects.filter(organisation_id=organisation_id, user=owner).exists():
        raise RecordError("The owner must be a member of this organisation.")


@transaction.atomic
def policy_create(*, membership: Membership, **fields: Any) -> QualityPolicy:
    if not tenancy.has_perm(membership, "policy.edit"):
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
    if not tenancy.has_perm(membership, "policy.edit"):
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
    return current, record_changed(obj=current, changed_fields=changed, user=membership.user)
