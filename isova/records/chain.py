"""The hash chain of sign-offs: one per organisation, appended under a row lock, verified by
recomputation (`manage.py verify_records`), and the signing password's checks.

Each sign-off's hash is an HMAC-SHA256, keyed with a secret that lives outside the database
(`RECORDS_HMAC_KEYS`), over its snapshot, its metadata and the previous sign-off's hash; the
row names the key it was made with (`key_id`), so keys rotate and old sign-offs still verify.
Someone who can write to the database but does not hold the key cannot append or rewrite a
sign-off that verifies. The chain head row (`SignOffChain`) holds the length and last hash,
and is the lock that keeps two signers from claiming the same place.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils import timezone

from isova.accounts.models import Membership, Organisation, User
from isova.records.models import Approvable, RecordStatus, RecordVersion, SignOff, SignOffChain

from .errors import ReauthRefused, SigningLocked, WrongPassword
from .snapshots import canonical_json, material_changes, snapshot_text

GENESIS_HASH = "0" * 64


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


class UnknownKey(Exception):
    """The sign-off names a key this installation does not hold."""


def compute_hash(signoff: SignOff) -> str:
    """HMAC-SHA256 of the sign-off's payload with the key its `key_id` names."""
    key = settings.RECORDS_HMAC_KEYS.get(signoff.key_id)
    if key is None:
        raise UnknownKey(signoff.key_id)
    payload = canonical_json(signoff_payload(signoff)).encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


# --- the signing password ----------------------------------------------------------------
# Wrong signing passwords are counted in the cache, not in a table: the count must survive
# the rollback of the transaction that refused the signature.


def _failures_key(user: User) -> str:
    return f"isova:signing-failures:{user.pk}"


def _locked_key(user: User) -> str:
    return f"isova:signing-locked:{user.pk}"


def signing_locked(user: User) -> bool:
    return bool(cache.get(_locked_key(user)))


def check_password(user: User, password: str) -> None:
    """Raise unless `password` is the user's; after SIGNING_FAILURE_LIMIT wrong ones within
    SIGNING_FAILURE_WINDOW_MINUTES, refuse every signing attempt for SIGNING_COOLOFF_MINUTES
    (right password or not), like the login lockout."""
    if signing_locked(user):
        raise SigningLocked(
            "Too many wrong passwords: signing is locked for a while. Nothing was signed; "
            f"try again in {settings.SIGNING_COOLOFF_MINUTES} minutes."
        )
    if password and user.check_password(password):
        cache.delete(_failures_key(user))
        return
    key = _failures_key(user)
    cache.add(key, 0, timeout=settings.SIGNING_FAILURE_WINDOW_MINUTES * 60)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, failures := 1, timeout=settings.SIGNING_FAILURE_WINDOW_MINUTES * 60)
    if failures >= settings.SIGNING_FAILURE_LIMIT:
        cache.set(_locked_key(user), True, timeout=settings.SIGNING_COOLOFF_MINUTES * 60)
        cache.delete(key)
    raise WrongPassword()


# --- a fresh sign-in at the provider, instead of the password ---------------------------

REAUTH_MAX_AGE = 300  # seconds a fresh sign-in at the provider stands for one signature


@dataclass(frozen=True)
class ProviderSignIn:
    """A fresh sign-in at the organisation's identity provider (prompt=login, auth_time
    checked), recorded when the provider sent the person back: who, when (epoch seconds)
    and the hash of what they were shown when they set off to confirm (`binding`)."""

    user_id: int
    at: float
    binding: str
    provider: str = "your provider"


# What a signer gives to sign: their password as typed, or a fresh provider sign-in.
Proof = str | ProviderSignIn


def check_proof(user: User, proof: Proof, binding: str | None) -> None:
    """Raise unless `proof` lets `user` sign `binding` (the hash of what is signed now).
    A password goes through `check_password` and its lockout; a provider sign-in must be the
    user's, at most REAUTH_MAX_AGE seconds old and made for exactly `binding`."""
    if not isinstance(proof, ProviderSignIn):
        check_password(user, proof)
        return
    again = f"Nothing was signed: confirm with {proof.provider} again."
    if proof.user_id != user.pk:
        raise ReauthRefused(f"That confirmation at {proof.provider} was someone else's. {again}")
    if time.time() - proof.at > REAUTH_MAX_AGE:
        raise ReauthRefused(
            f"Your confirmation at {proof.provider} is more than {REAUTH_MAX_AGE // 60} "
            f"minutes old. {again}"
        )
    if not binding or not hmac.compare_digest(proof.binding, binding):
        raise ReauthRefused(
            f"You confirmed at {proof.provider} for what you were shown then, and it has "
            f"changed since. {again}"
        )


def append(
    membership: Membership,
    obj: Approvable,
    version: RecordVersion,
    meaning: str,
    comment: str,
) -> SignOff:
    """Append one sign-off on `obj` as it stands to the organisation's chain (the password
    was checked by the caller). Call inside the records transaction."""
    user = membership.user
    organisation_id = obj.organisation_id
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
        snapshot=snapshot_text(obj),
        previous_hash=chain.last_hash,
        key_id=settings.RECORDS_HMAC_KEY_ID,
    )
    signoff.hash = compute_hash(signoff)
    signoff.save(force_insert=True)
    chain.length, chain.last_hash = signoff.sequence, signoff.hash
    chain.save(update_fields=["length", "last_hash"])
    return signoff


@dataclass
class ChainBreak:
    organisation: Organisation
    sequence: int | None
    problem: str

    record: str | None = None  # set for a version or record that disagrees with its sign-offs

    def __str__(self) -> str:
        where = f"sign-off #{self.sequence}" if self.sequence is not None else "chain head"
        where = self.record or where
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
    try:
        matches = hmac.compare_digest(compute_hash(signoff), signoff.hash)
    except UnknownKey:
        problems.append(
            f"was made with a key this installation does not hold (key id “{signoff.key_id}”): "
            "written without the signing key, or RECORDS_HMAC_KEYS lacks an old key"
        )
    else:
        if not matches:
            problems.append(
                "its contents no longer match its hash: the row was altered, or written "
                "without the signing key"
            )
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


# --- cross-checks: versions against their decisions, records against their approvals ------

DECISIONS = {"approved", "rejected"}
# The decision each status must (or must not: None) carry.
EXPECTED_DECISION = {
    RecordStatus.APPROVED: "approved",
    RecordStatus.REJECTED: "rejected",
    RecordStatus.SUPERSEDED: "approved",  # only an approved version is ever superseded
    RecordStatus.SUBMITTED: None,
    RecordStatus.DRAFT: None,
}


def _version_problem(version: RecordVersion, decision: SignOff | None) -> str | None:
    expected = EXPECTED_DECISION.get(RecordStatus(version.status))
    if expected is None:
        if decision is not None:
            return (
                f"is “{version.status}” but was {decision.meaning} in sign-off #{decision.sequence}"
            )
        return None
    if decision is None:
        return f"is “{version.status}” without an “{expected}” sign-off"
    if decision.meaning != expected:
        return f"is “{version.status}” but sign-off #{decision.sequence} says “{decision.meaning}”"
    if canonical_json(version.snapshot) != decision.snapshot:
        return (
            f"its snapshot differs from what sign-off #{decision.sequence} signed: "
            "the version was rewritten"
        )
    return None


def verify_versions(organisation: Organisation) -> list[ChainBreak]:
    """Every version's status against its decision sign-off, and every record whose latest
    version is approved against that approved snapshot (material fields and children)."""
    versions = list(
        RecordVersion.objects.filter(organisation=organisation)
        .select_related("content_type")
        .order_by("content_type_id", "object_id", "number")
    )
    decisions: dict[int, SignOff] = {}
    signed = SignOff.objects.filter(organisation=organisation, meaning__in=DECISIONS)
    for signoff in signed.order_by("sequence"):
        decisions[signoff.version_id] = signoff  # the latest decision of each version
    breaks: list[ChainBreak] = []
    latest: dict[tuple[int, int], RecordVersion] = {}
    history: dict[tuple[int, int], list[RecordVersion]] = {}
    for version in versions:
        latest[(version.content_type_id, version.object_id)] = version
        history.setdefault((version.content_type_id, version.object_id), []).append(version)
        problem = _version_problem(version, decisions.get(version.pk))
        if problem:
            breaks.append(ChainBreak(organisation, None, problem, record=_where(version)))
    for record_versions in history.values():
        for version, problem in _history_problems(record_versions):
            breaks.append(ChainBreak(organisation, None, problem, record=_where(version)))
    for version in latest.values():
        if version.status == RecordStatus.APPROVED:
            problem = _content_problem(version)
            if problem:
                breaks.append(ChainBreak(organisation, None, problem, record=_where(version)))
    return breaks


# Only the newest version of a record may be open or in force: submitting or materially
# changing an approved version supersedes it in the same step that opens the next one.
LATEST_ONLY = {RecordStatus.DRAFT, RecordStatus.SUBMITTED, RecordStatus.APPROVED}


def _history_problems(versions: list[RecordVersion]) -> list[tuple[RecordVersion, str]]:
    """One record's versions (by number) read as one history: numbered 1, 2, 3 … with no gap,
    only the newest draft, submitted or approved, and every superseded one followed by another."""
    problems: list[tuple[RecordVersion, str]] = []
    newest = versions[-1]
    for expected, version in enumerate(versions, start=1):
        if version.number != expected:
            problems.append((version, f"follows v{expected - 1}: version {expected} is missing"))
            break
    for version in versions:
        if version.status in LATEST_ONLY and version is not newest:
            problems.append(
                (
                    version,
                    f"is “{version.status}” although v{newest.number} came after it: only the "
                    "newest version can be open or in force",
                )
            )
    if newest.status == RecordStatus.SUPERSEDED:
        problems.append(
            (newest, "is “superseded” but no later version exists: the history was rewritten")
        )
    return problems


def _where(version: RecordVersion) -> str:
    return (
        f"record {version.model_key}:{version.object_id} “{version.record_label}” v{version.number}"
    )


def _content_problem(version: RecordVersion) -> str | None:
    model = version.content_type.model_class()
    if model is None or not issubclass(model, Approvable):
        return "belongs to a kind of record that no longer exists"
    obj = model._base_manager.filter(pk=version.object_id).first()
    if obj is None:
        return "was approved but the record is gone (deleted)"
    now = json.loads(snapshot_text(obj))
    if material_changes(obj, version.snapshot, now):
        return "changed since approval without a new version"
    return None


def anchor_problem(organisation: Organisation, expected: str) -> str | None:
    """Check a head recorded elsewhere earlier (`HASH` or `HASH@LENGTH`, as briefings and
    evidence packs print it): that sign-off must still stand in the chain at that place."""
    digest, _, length = expected.strip().lower().partition("@")
    if len(digest) < 12 or any(c not in "0123456789abcdef" for c in digest):
        return f"“{expected}” is not a chain head (12 to 64 hexadecimal characters)"
    rows = SignOff.objects.filter(organisation=organisation, hash__startswith=digest)
    found = list(rows.values_list("sequence", "hash")[:2])
    if digest == GENESIS_HASH[: len(digest)] and not length:
        return None  # an empty chain's head: anything since extends it
    if len(found) != 1:
        return (
            f"the recorded head {digest[:12]}… is not in the chain: sign-offs up to it were "
            "removed or rewritten since it was recorded"
        )
    sequence = found[0][0]
    if length and length != str(sequence):
        return (
            f"the recorded head {digest[:12]}… stood at #{length} but is now #{sequence}: "
            "the chain before it was rewritten"
        )
    return None


def chain_head(organisation: Organisation) -> str:
    chain = SignOffChain.objects.filter(organisation=organisation).first()
    return chain.last_hash if chain else GENESIS_HASH
