"""Pages of onboarding. Every view checks the role first, before it reads any input."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from isova.accounts import tenancy
from isova.accounts.tenancy import OrgRequest, get_for_org, member_required, require
from isova.errors import DomainError
from isova.http import act_and_redirect, flash_redirect
from isova.models import Membership, User

from . import invitations, people, totp
from .forms import AcceptForm, DeactivateForm, InviteForm, RoleForm, SingleSignOnForm
from .hooks import checklist_items
from .models import (
    Checklist,
    FormerMember,
    Invitation,
    PeopleEvent,
    PeopleEventKind,
    SignInPolicy,
    SingleSignOn,
)
from .permissions import invitable_roles

HISTORY_ROWS = 50


@member_required
def people_page(request: OrgRequest) -> HttpResponse:
    require(request, "isova.person.view")
    org = request.organisation
    context = {
        "rows": people.rows(org),
        "work_labels": [w.label for w in people.owned_work()],
        "invitations": list(Invitation.objects.for_org(org).pending().select_related("invited_by")),
        "former": list(
            FormerMember.objects.filter(organisation=org).select_related("user", "deactivated_by")
        ),
        "events": list(
            PeopleEvent.objects.filter(organisation=org).select_related("actor")[:HISTORY_ROWS]
        ),
        "role_form": RoleForm(),
        "now": timezone.now(),
    }
    return render(request, "onboarding/people.html", context)


@member_required
def invite(request: OrgRequest) -> HttpResponse:
    require(request, "isova.invitation.create")
    roles = invitable_roles(request.membership.role)
    form = InviteForm(request.POST or None, request.FILES or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            made = invitations.invite(
                request.organisation, form.cleaned_data["invitees"], by=request.membership
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            unsent = [i.email for i in made if not i.sent_at]
            if unsent:
                messages.warning(
                    request,
                    f"Invited, but the e-mail could not be sent to {', '.join(unsent)}: "
                    "send it again once mail works.",
                )
            messages.success(request, f"{len(made)} invitation(s) made.")
            to = "onboarding:people" if request.membership.role == "leader" else "onboarding:invite"
            return redirect(to)
    mine = Invitation.objects.for_org(request.organisation).pending()
    if request.membership.role != "leader":
        mine = mine.filter(invited_by=request.user)
    context = {"form": form, "invitations": list(mine), "now": timezone.now()}
    return render(request, "onboarding/invite.html", context)


def _back(request: OrgRequest) -> str:
    return "onboarding:people" if request.membership.role == "leader" else "onboarding:invite"


@require_POST
@member_required
def invitation_resend(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "isova.invitation.create")
    invitation = get_for_org(request, Invitation.objects.all(), pk=pk)
    try:
        sent = invitations.resend(invitation, by=request.membership)
    except DomainError as error:
        return flash_redirect(request, _back(request), error.message, level=messages.ERROR)
    if not sent.sent_at:
        return flash_redirect(
            request,
            _back(request),
            f"A new link was made for {sent.email}, but the e-mail could not be sent.",
            level=messages.WARNING,
        )
    return flash_redirect(request, _back(request), f"Invitation sent again to {sent.email}.")


@require_POST
@member_required
def invitation_revoke(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "isova.invitation.create")
    invitation = get_for_org(request, Invitation.objects.all(), pk=pk)
    return act_and_redirect(
        request,
        lambda: invitations.revoke(invitation, by=request.membership),
        _back(request),
        f"The invitation of {invitation.email} was withdrawn; its link no longer works.",
    )


@require_POST
@member_required
def change_role(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "isova.person.manage")
    target = get_for_org(request, Membership.objects.select_related("user"), pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return flash_redirect(request, "onboarding:people", "Choose a role.", level=messages.ERROR)
    return act_and_redirect(
        request,
        lambda: people.change_role(target.pk, form.cleaned_data["role"], by=request.membership),
        "onboarding:people",
        f"{target.user} is now {dict(form.fields['role'].choices)[form.cleaned_data['role']]}.",  # type: ignore[attr-defined]
    )


@member_required
def deactivate(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "isova.person.manage")
    target = get_for_org(request, Membership.objects.select_related("user"), pk=pk)
    org = request.organisation
    form = DeactivateForm(request.POST or None, organisation=org, person=target.user)
    if request.method == "POST" and form.is_valid():
        try:
            people.deactivate(
                target.pk, by=request.membership, reassign_to=form.cleaned_data["reassign_to"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return flash_redirect(
                request, "onboarding:people", f"{target.user} no longer has access to {org}."
            )
    context = {
        "target": target,
        "form": form,
        "open_work": people.open_work_of(org, target.user),
    }
    return render(request, "onboarding/deactivate.html", context)


# --- accepting an invitation (no sign-in needed to open it) -------------------------------


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link changes nothing (mail scanners open links); the POST accepts."""
    try:
        invitation = invitations.find(token)
    except invitations.InvalidInvitation as error:
        return _invalid(request, error)
    known = invitations.known_user(invitation)
    sso_url = _sso_url(invitation, token)
    context: dict = {"invitation": invitation, "known": known, "form": None, "sso_url": sso_url}
    if known is not None:
        return _accept_as_known(request, token, context)
    return _accept_as_new(request, token, invitation, context)


def _invalid(request: HttpRequest, error: invitations.InvalidInvitation) -> HttpResponse:
    return render(request, "onboarding/invalid.html", {"reason": error.message}, status=410)


def _sso_url(invitation: Invitation, token: str) -> str:
    """Where to accept by signing in with the organisation's provider; "" without one."""
    provider = SingleSignOn.objects.filter(
        organisation=invitation.organisation, enabled=True, discovered_at__isnull=False
    ).exists()
    return (
        reverse("onboarding:sso_start", args=[invitation.organisation.slug])
        + "?"
        + urlencode({"invitation": token})
        if provider
        else ""
    )


def _accept_as_known(request: HttpRequest, token: str, context: dict) -> HttpResponse:
    """The invitation of someone with an account: signed in as them, the POST accepts."""
    user = request.user
    if not user.is_authenticated:
        if context["sso_url"]:
            return render(request, "onboarding/accept.html", context)
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        try:
            membership = invitations.accept_as_known(token, user)
        except invitations.InvalidInvitation as error:
            return _invalid(request, error)
        request.session[tenancy.SESSION_KEY] = membership.organisation_id
        return flash_redirect(request, "home", f"Welcome to {membership.organisation}.")
    return render(request, "onboarding/accept.html", context)


def _accept_as_new(
    request: HttpRequest, token: str, invitation: Invitation, context: dict
) -> HttpResponse:
    """The invitation of someone new: the POST with their name and a password makes the
    account, accepts and signs them in."""
    # A former member coming back keeps the name they had.
    former = User.objects.filter(email__iexact=invitation.email, is_active=False).first()
    name = invitation.full_name or (former.full_name if former else "")
    form = AcceptForm(request.POST or None, initial={"full_name": name})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                membership = invitations.accept_as_new(
                    token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
        except invitations.InvalidInvitation as error:
            return _invalid(request, error)
        except DomainError as error:
            form.add_error("password1", error.message)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[tenancy.SESSION_KEY] = membership.organisation_id
            return flash_redirect(request, "home", f"Welcome to {membership.organisation}.")
    context["form"] = form
    return render(request, "onboarding/accept.html", context)


# --- the first-run checklist ------------------------------------------------------------


@require_POST
@member_required
def checklist_mark(request: OrgRequest, key: str) -> HttpResponse:
    require(request, "isova.person.manage")
    item = next((i for i in checklist_items() if i.key == key and i.evidence is None), None)
    if item is None:
        return HttpResponse("No such step to mark done.", status=404)
    with transaction.atomic():
        state, _ = Checklist.objects.select_for_update().get_or_create(
            organisation=request.organisation
        )
        if key not in state.marked_done:
            state.marked_done = [*state.marked_done, key]
            state.save(update_fields=["marked_done"])
    return flash_redirect(request, "dashboard", f"Marked done: {item.title}.")


@require_POST
@member_required
def checklist_dismiss(request: OrgRequest) -> HttpResponse:
    require(request, "isova.person.manage")
    with transaction.atomic():
        state, _ = Checklist.objects.select_for_update().get_or_create(
            organisation=request.organisation
        )
        state.dismissed_at = state.dismissed_at or timezone.now()
        state.save(update_fields=["dismissed_at"])
    return flash_redirect(request, "dashboard", "The getting-started list is put away.")


# --- single sign-on ------------------------------------------------------------------------


@member_required
def sso_settings(request: OrgRequest) -> HttpResponse:
    require(request, "isova.person.manage")
    org = request.organisation
    instance = SingleSignOn.objects.filter(organisation=org).first() or SingleSignOn(
        organisation=org
    )
    form = SingleSignOnForm(request.POST or None, instance=instance, organisation=org)
    if request.method == "POST" and form.is_valid():
        form.save()
        return flash_redirect(
            request,
            "onboarding:sso_settings",
            f"Single sign-on saved; the provider answered at {instance.authorization_endpoint}.",
        )
    callback = request.build_absolute_uri(reverse("onboarding:sso_callback"))
    policy = SignInPolicy.objects.filter(organisation=org).first()
    context = {
        "form": form,
        "callback": callback,
        "config": instance,
        "leaders_need_totp": bool(policy and policy.leaders_need_totp),
    }
    return render(request, "onboarding/sso_settings.html", context)


def sso_go(request: HttpRequest) -> HttpResponse:
    """The login page's "Sign in with your organisation": its short name, then its provider."""
    slug = request.GET.get("organisation", "").strip().lower()
    found = SingleSignOn.objects.filter(
        organisation__slug=slug, enabled=True, discovered_at__isnull=False
    ).exists()
    if not found:
        messages.error(request, f"No organisation “{slug}” signs in with a provider here.")
        return redirect("login")
    query = urlencode({"next": request.GET["next"]}) if request.GET.get("next") else ""
    return redirect(reverse("onboarding:sso_start", args=[slug]) + (f"?{query}" if query else ""))


@require_POST
@member_required
def sign_in_policy(request: OrgRequest) -> HttpResponse:
    require(request, "isova.person.manage")
    wanted = request.POST.get("leaders_need_totp") == "on"
    SignInPolicy.objects.update_or_create(
        organisation=request.organisation, defaults={"leaders_need_totp": wanted}
    )
    request.session.pop(totp.CHECKED, None)  # this leader is asked at once
    invitations.event(
        request.organisation,
        PeopleEventKind.SIGN_IN_POLICY,
        email=request.user.email,
        actor=request.user,
        detail="leaders need an authenticator app" if wanted else "authenticator app optional",
    )
    return flash_redirect(request, "onboarding:sso_settings", "Sign-in policy saved.")
