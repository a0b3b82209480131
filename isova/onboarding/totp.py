"""Two-factor sign-in with an authenticator app (TOTP, pyotp) for password sign-ins.

A password that checks out does not sign in someone with a confirmed authenticator: the login
view keeps them "half signed in" in the session (`PENDING`, for a few minutes) until they
enter a current code. Leaders of an organisation whose policy requires it, and who have no
authenticator yet, are sent to set one up before any other page (EnrolmentMiddleware).
Single sign-on leaves second factors to the identity provider.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pyotp
import segno
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.db.models import Exists
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from isova.models import Membership, Role, User

from .forms import PasswordLoginForm
from .models import SignInPolicy, TotpDevice

PENDING = "isova_totp_pending"  # {"user", "at", "tries", "next", "backend"}
PENDING_SECONDS = 300
MAX_TRIES = 5
ISSUER = "isova"
# The enrolment check runs once per session and then every so often (a leader who turns the
# requirement on sees colleagues asked on their next request after that).
CHECKED = "isova_totp_checked"
RECHECK_SECONDS = 900


def device_of(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def verify(device: TotpDevice, code: str) -> bool:
    """A current code (or the one just before, for a slow typist), never one used before."""
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(device.secret)
    now = time.time()
    with transaction.atomic():
        locked = TotpDevice.objects.select_for_update().get(pk=device.pk)
        for offset in (0, -1):
            step = int(now // totp.interval) + offset
            if step > locked.last_step and totp.at(step * totp.interval) == code:
                locked.last_step = step
                locked.save(update_fields=["last_step"])
                return True
    return False


def must_enrol(user: User) -> bool:
    """A leader of an organisation requiring an authenticator, who has not set one up
    (one query)."""
    leads = Membership.objects.filter(user=user, role=Role.LEADER).values("organisation")
    return (
        SignInPolicy.objects.filter(organisation__in=leads, leaders_need_totp=True)
        .exclude(Exists(TotpDevice.objects.filter(user=user, confirmed_at__isnull=False)))
        .exists()
    )


def check_on_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """At sign-in, while the session is written anyway: note whether this person must set
    up an authenticator, so that the next requests need no query (user_logged_in)."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[CHECKED] = 0 if must_enrol(user) else int(time.time())


class LoginView(auth_views.LoginView):
    """Django's login view; people with an authenticator finish on the code page."""

    authentication_form = PasswordLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if device_of(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "at": int(time.time()),
            "tries": 0,
            "next": self.get_success_url(),
            "backend": user.backend,
        }
        return redirect("onboarding:totp_verify")


def verify_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    device = device_of(user) if user else None
    if user is None or device is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    error = ""
    if request.method == "POST":
        if verify(device, request.POST.get("code", "")):
            request.session.pop(PENDING, None)
            auth.login(request, user, backend=pending["backend"])
            return redirect(pending["next"])
        pending["tries"] += 1
        if pending["tries"] >= MAX_TRIES:
            request.session.pop(PENDING, None)
            return redirect("login")
        request.session[PENDING] = pending
        error = "That code is not right (or was already used). Enter the current one."
    return render(request, "onboarding/totp_verify.html", {"error": error}, status=200)


def setup_view(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) one's authenticator: scan, then confirm with a current code."""
    if not request.user.is_authenticated:
        return redirect("login")
    user = request.user
    device, _ = TotpDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32()}
    )
    if device.confirmed_at and request.method == "GET":
        return render(request, "onboarding/totp_setup.html", {"confirmed": True})
    error = ""
    if request.method == "POST":
        if device.confirmed_at:
            # Replacing a confirmed one needs a current code from it first.
            if not verify(device, request.POST.get("code", "")):
                error = "Enter a current code from the authenticator you use now."
            else:
                TotpDevice.objects.filter(pk=device.pk).update(
                    secret=pyotp.random_base32(), confirmed_at=None, last_step=0
                )
                return redirect("onboarding:totp_setup")
        elif verify(device, request.POST.get("code", "")):
            TotpDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
            return redirect("home")
        else:
            error = "That code is not right: check the phone's clock and enter the current one."
    uri = pyotp.TOTP(device.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    context = {
        "secret": device.secret,
        "qr": segno.make(uri).svg_inline(scale=4, title="Scan with your authenticator app"),
        "error": error,
        "confirmed": bool(device.confirmed_at),
    }
    return render(request, "onboarding/totp_setup.html", context)


class EnrolmentMiddleware:
    """Leaders whose organisation requires an authenticator set one up before anything
    else (after TenantMiddleware; one query for them, none for anyone signed in otherwise
    only when they lead somewhere)."""

    ALLOWED = ("/accounts/", "/static/", "/sso/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        memberships = getattr(request, "memberships", [])
        if (
            request.user.is_authenticated
            and any(m.role == Role.LEADER for m in memberships)
            and not request.session.get("isova_auth", "").startswith("sso:")
            and not request.path.startswith(self.ALLOWED)
            and request.path != reverse("onboarding:totp_setup")
            and time.time() - request.session.get(CHECKED, 0) > RECHECK_SECONDS
        ):
            if must_enrol(request.user):
                return redirect("onboarding:totp_setup")
            # Enrolled, or not asked to: no query on the next requests for a while.
            request.session[CHECKED] = int(time.time())
        return self.get_response(request)
