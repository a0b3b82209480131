"""What a signer gives to sign, read from the request: the password as typed, or a fresh
sign-in at the organisation's provider (registry hook "signing", which isova.onboarding
fills). `chain.check_proof` then judges either one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse

from isova.accounts.tenancy import OrgRequest
from isova.http import save_or_error
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
    """What a signing service takes from a valid signing form (made with `offer`): the form's
    fields (a comment, say), the password as typed, the provider's confirmation instead
    (`proof`, see `signing_proof`) and the hash of the record as its page showed it. Raises
    like `signing_proof`."""
    data = form.cleaned_data
    password = data.get("password", "")
    return data | {
        "password": password,
        "proof": signing_proof(request, password, offer),
        "shown_hash": data.get("shown_hash") or None,
    }


def sign_posted(
    request: OrgRequest,
    form_class: type[Any],
    sign: Callable[..., Any],
    message: str,
    to: Any,
) -> tuple[Any, HttpResponse | None]:
    """A standalone signature's POST: the signing form as posted and, when it is valid and
    `sign(**signed_with(...))` (the service call) is done, the redirect to `to` saying
    `message`; else None, with the refusal on the form (`http.save_or_error`)."""
    offer = signing_offer(request)
    form = form_class(request.POST, offer=offer)
    if not form.is_valid():
        return form, None
    done = save_or_error(
        request, form, lambda: sign(**signed_with(request, form, offer)), message, to
    )
    return form, done


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
