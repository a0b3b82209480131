"""Records: the one approval mechanism every app uses (ISO 9001 5.1, 7.5).

An *approvable* subclasses `isova.models.Approvable` (the quality policy in the core;
objectives, audit reports, findings in their apps): `APPROVAL_NAME`, the `MATERIAL_FIELDS`
whose change needs a new approval, `approval_snapshot()` (the record and its children as a
JSON-able dict: what a signer is shown and what a sign-off binds) and the hooks with defaults
(`approval_problems()`, `approval_submit_url()`, `on_submitted()`, `on_approval_decided()`).

- `snapshots`: canonical JSON, snapshot hashes, value-aware differences, word differences;
- `chain`: the per-organisation SHA-256 chain of sign-offs, what a signer gives to sign (the
  password and its rate limit, or a fresh sign-in at the provider: `check_proof`), and
  verification (with the cross-checks of versions against sign-offs);
- `proofs`: which of the two a signing form asks for, and the proof read from the request;
- `workflow`: submit / approve / reject / sign / record_changed and a record's state;
- `panel`: the record panel every approvable page shows.

`from isova import records; records.submit(...)` is the public API re-exported here.
"""

from .approved import approved_copy, approved_ids
from .chain import (
    GENESIS_HASH,
    ChainBreak,
    ProviderSignIn,
    append,
    chain_head,
    check_password,
    check_proof,
    compute_hash,
    signing_locked,
    signoff_payload,
    verify_chain,
    verify_versions,
)
from .errors import NotAllowed, RecordError, SigningLocked, Stale, WrongPassword
from .panel import (
    can_decide,
    can_submit,
    model_key,
    own_submit_page,
    reads_approved_only,
    record_history,
    record_panel_context,
    submit_url,
)
from .proofs import (
    check_shown,
    shown_hash,
    sign_posted,
    signed_with,
    signing_offer,
    signing_proof,
    standalone_signing,
)
from .snapshots import (
    WordDiff,
    canonical_json,
    changed_keys,
    current_snapshot,
    diff_snapshots,
    display,
    format_decimal,
    material_keys,
    same_value,
    snapshot_hash,
    snapshot_text,
    word_diff,
)
from .workflow import (
    APPROVED,
    REJECTED,
    RecordState,
    VersionRow,
    approve,
    record_changed,
    reject,
    sign,
    state,
    submit,
    version_rows,
    versions,
)

__all__ = [
    "APPROVED",
    "GENESIS_HASH",
    "REJECTED",
    "ChainBreak",
    "ProviderSignIn",
    "NotAllowed",
    "RecordError",
    "RecordState",
    "SigningLocked",
    "Stale",
    "VersionRow",
    "WordDiff",
    "WrongPassword",
    "append",
    "approve",
    "can_decide",
    "can_submit",
    "canonical_json",
    "chain_head",
    "changed_keys",
    "approved_copy",
    "approved_ids",
    "check_password",
    "check_proof",
    "check_shown",
    "compute_hash",
    "current_snapshot",
    "diff_snapshots",
    "display",
    "format_decimal",
    "material_keys",
    "model_key",
    "own_submit_page",
    "reads_approved_only",
    "record_changed",
    "record_history",
    "record_panel_context",
    "reject",
    "same_value",
    "sign",
    "shown_hash",
    "sign_posted",
    "signed_with",
    "signing_locked",
    "signing_offer",
    "signing_proof",
    "signoff_payload",
    "snapshot_hash",
    "snapshot_text",
    "standalone_signing",
    "state",
    "submit",
    "submit_url",
    "verify_chain",
    "verify_versions",
    "version_rows",
    "versions",
    "word_diff",
]
