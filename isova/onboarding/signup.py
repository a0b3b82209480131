"""Self-service sign-up (off unless SELF_SIGNUP=1): a person names their organisation and
e-mail address; a signed link confirms the address; the organisation is then made and they
land on "set your password" as its first leader, as create_organisation would do.

Automated sign-ups are held back without any third-party service: a hidden field people
never fill, and limits counted in the database (so every worker sees them) per network
address, per e-mail address and overall.
"""

from __future__ import annotations

import datetime
import secrets

from django import forms
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from isova.models import Organisation, Role, validate_timezone

from . import invitations
from .management.commands.create_organisation import unique_slug
from .models import Invitation, PeopleEventKind, SignUp

SALT = "isova.onboarding.signup"
LINK_DAYS = 2
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


class SignUpForm(forms.Form):
    organisation_name = forms.CharField(label="Your organisation's name", max_length=200)
    email = forms.EmailField(label="Your work e-mail address")
    timezone = forms.CharField(
        label="Time zone", initial="Europe/London", max_length=64, validators=[validate_timezone]
    )
    # Left empty by people (it is hidden); form-filling robots fill it.
    website = forms.CharField(label="Leave this empty", required=False)


def _limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "SIGNUP_PER_IP_PER_HOUR", 5),
        getattr(settings, "SIGNUP_PER_EMAIL_PER_DAY", 3),
        getattr(settings, "SIGNUP_PER_HOUR", 100),
    )


def too_many(ip: str | None, email: str) -> bool:
    per_ip, per_email, overall = _limits()
    now = timezone.now()
    recent = SignUp.objects.filter(created_at__gte=now - HOUR)
    return (
        (ip is not None and recent.filter(ip=ip).count() >= per_ip)
        or SignUp.objects.filter(created_at__gte=now - DAY, email__iexact=email).count()
        >= per_email
        or recent.count() >= overall
    )


def _enabled() -> None:
    if not getattr(settings, "SELF_SIGNUP", False):
        raise Http404("Sign-up is not open on this installation.")


def signup_view(request: HttpRequest) -> HttpResponse:
    _enabled()
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ip = request.META.get("REMOTE_ADDR") or None
        if data["website"]:
            # Answer as if it worked: a robot learns nothing.
            return render(request, "onboarding/signup_sent.html", {"email": data["email"]})
        if too_many(ip, data["email"]):
            return render(
                request,
                "onboarding/signup.html",
                {"form": form, "limited": True},
                status=429,
            )
        signup = SignUp.objects.create(
            organisation_name=data["organisation_name"].strip(),
            email=data["email"].strip().lower(),
            time_zone=data["timezone"],
            ip=ip,
            nonce=secrets.token_urlsafe(24),
        )
        token = signing.dumps([signup.pk, signup.nonce], salt=SALT)
        link = settings.SITE_URL + reverse("onboarding:signup_confirm", args=[token])
        send_mail(
            "Confirm your e-mail address to start on isova",
            f"Open this link to confirm {signup.email} and start "
            f"{signup.organisation_name} on isova:\n{link}\n\n"
            f"It works once, for {LINK_DAYS} days. If you did not ask, ignore this e-mail.\n",
            None,
            [signup.email],
        )
        return render(request, "onboarding/signup_sent.html", {"email": signup.email})
    return render(request, "onboarding/signup.html", {"form": form})


def confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link shows a button; the POST makes the organisation (mail scanners
    open links, and must not start organisations)."""
    _enabled()
    invalid = {"reason": "This confirmation link is not valid, used, or expired. Sign up again."}
    try:
        pk, nonce = signing.loads(token, salt=SALT, max_age=datetime.timedelta(days=LINK_DAYS))
    except (signing.BadSignature, ValueError, TypeError):
        return render(request, "onboarding/invalid.html", invalid, status=410)
    if request.method != "POST":
        signup = SignUp.objects.filter(pk=pk, nonce=nonce, verified_at=None).first()
        if signup is None:
            return render(request, "onboarding/invalid.html", invalid, status=410)
        return render(request, "onboarding/signup_confirm.html", {"signup": signup})
    with transaction.atomic():
        signup = (
            SignUp.objects.select_for_update().filter(pk=pk, nonce=nonce, verified_at=None).first()
        )
        if signup is None:
            return render(request, "onboarding/invalid.html", invalid, status=410)
        organisation = Organisation.objects.create(
            name=signup.organisation_name,
            slug=unique_slug(signup.organisation_name),
            timezone=signup.time_zone,
        )
        invitations.event(
            organisation,
            PeopleEventKind.ORGANISATION_CREATED,
            email=signup.email,
            detail="self-service sign-up",
        )
        now = timezone.now()
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=signup.email,
            role=Role.LEADER,
            nonce=secrets.token_urlsafe(24),
            expires_at=now + invitations.lifetime(),
            sent_at=None,
        )
        signup.verified_at, signup.organisation = now, organisation
        signup.save(update_fields=["verified_at", "organisation"])
    # The address is confirmed: straight on to "set your password" (or join, if known).
    return redirect("onboarding:accept", invitations.token_for(invitation))
