"""What a signer gives to sign, read from the request: the password as typed, or a fresh
sign-in at the organisation's provider (registry hook "signing", which isova.onboarding
fills). `chain.check_proof` then judges either one."""

from __future__ import annotations

from typing import Any

from isova.accounts.tenancy import OrgRequest
from isova.registry import SigningOffer, registry

from .chain import ProviderSignIn
from .errors import ReauthRefused, RecordError, Stale
from .models import Approvable
from .snapshots import current_snapshot, snapshot_hash


def signing_offer(request: OrgRequest) -> SigningOffer | None:
    """How the signing forms let this member confirm at their provider (None: password only)."""
    provider = registry.signing_provider()
    return provider.offer(request) if provider else None


def signing_proof(
    request: OrgRequest, password: str, offer: SigningOffer | None
) -> ProviderSignIn | None:
    """The fresh provider sign-in to sign with, taken from the session (one use), or None to
    sign with `password`. `offer`: what the form offered (`signing_offer`). A person who must
    confirm at the provider never signs with a password; one who may, signs with the
    password they typed, if they typed one."""
    if offer is None or (password and not offer.required):
        if not password:
            raise RecordError("Enter your password to sign. Nothing was signed.")
        return None
    provider = registry.signing_provider()
    taken = provider.take(request) if provider else None
    if taken is None and not offer.required:
        raise RecordError(
            f"Enter your password to sign, or confirm with {offer.provider} (a confirmation "
            "signs once). Nothing was signed."
        )
    if taken is None:
        raise ReauthRefused(
            f"Confirm with {offer.provider} first (a confirmation signs once). Nothing was signed."
        )
    return taken


def standalone_signing(
    request: OrgRequest,
    obj: Approvable,
    form_class: type[Any],
    form: Any = None,
    *,
    name: str = "sign_form",
    may_sign: bool = True,
) -> dict[str, Any]:
    """A page's context for the form that signs `obj` on its own ("issued", "verified",
    approved minutes): the form (`form` as posted, else a new one) under `name`, and how it
    is signed: `signing`, the provider's offer (None: the password only, and always when the
    member may not sign now), and `signing_shown`, the hash of `obj` as shown, which a
    confirmation is bound to (only worked out with an offer: it costs the snapshot's queries)."""
    offer = signing_offer(request) if may_sign else None
    shown = shown_hash(obj) if offer else ""
    form = form or form_class(offer=offer, initial={"shown_hash": shown})
    return {name: form, "signing": offer, "signing_shown": shown}


def signed_with(request: OrgRequest, form: Any, offer: Any) -> dict[str, Any]:
    """What a signing service takes from a valid signing form (made with `offer`): the
    password as typed, the provider's confirmation instead (`proof`, see `signing_proof`) and
    the hash of the record as its page showed it. Raises like `signing_proof`."""
    password = form.cleaned_data.get("password", "")
    return {
        "password": password,
        "proof": signing_proof(request, password, offer),
        "shown_hash": form.cleaned_data.get("shown_hash") or None,
    }


def shown_hash(obj: Approvable) -> str:
    """The hash of `obj` as its page shows it now: what a confirmation at the provider for a
    standalone signature ("issued", "approved minutes") is bound to."""
    return snapshot_hash(current_snapshot(obj))


def check_shown(obj: Approvable, shown: str | None) -> None:
    """Raise `Stale` unless `shown` is the hash of `obj` now (call with the row locked,
    before the signing service changes it)."""
    if shown != shown_hash(obj):
        raise Stale(
            "This record changed since you opened it. Nothing was signed: look at it again, "
            "then confirm again."
        )
