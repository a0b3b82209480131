"""Tenancy and roles: which organisation a request acts in, and what each role may do.

Every role check in isova goes through this module. Templates ask `can` (from the context
processor) only to decide what to *show*; views and services call `require` / the object
checks here, so hiding a button is never the only protection.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from isova.accounts.models import Membership, Organisation, Role, User
from isova.registry import registry

SESSION_KEY = "organisation_id"
# A link that names its organisation (`?org=<slug>`, as every e-mail link does) switches a
# member of several organisations to it, so it opens the record it names, not a 404.
ORG_PARAM = "org"
T = TypeVar("T", bound=models.Model)

L, M, S, A = Role.LEADER, Role.MANAGER, Role.STAFF, Role.AUDITOR
EVERYONE = frozenset(Role)

# What each role may do, by operation, named `<app>.<entity>.<verb>`: every app (the core
# too) registers its own from its permissions.py (the registry's "permissions" hook).
# Object-level rules (staff and *their own* actions, nobody verifying their own work) are in
# each app's permissions.py (isova/actions/permissions.py for actions).
PERMISSIONS: dict[str, frozenset[str]] = registry.permission_table

# The core's operations, registered from isova/accounts/permissions.py.
CORE_PERMISSIONS: dict[str, frozenset[str]] = {
    "isova.action.view": EVERYONE,
    "isova.action.create": frozenset({L, M}),
    "isova.action.edit": frozenset({L, M}),
    "isova.action.change_status": frozenset({L, M, S}),
    "isova.action.verify": frozenset({L, M}),
    "isova.action.cancel": frozenset({L, M}),
    "isova.admin.view": frozenset({L}),
    "isova.record.view": EVERYONE,
    # Drafts and changes awaiting approval; staff read the last approved versions only.
    "isova.record.read_unapproved": frozenset({L, M, A}),
    "isova.record.submit": frozenset({L, M}),
    "isova.record.approve": frozenset({L}),  # approve and reject
    "isova.record.sign": frozenset({L, M, A}),  # standalone: reviewed, verified, issued, …
    "isova.policy.edit": frozenset({L, M}),
    # Leaders set when overdue actions climb the escalation ladder.
    "isova.escalation.edit": frozenset({L}),
    # Leaders and managers prepare for the certification audit; auditors read (5.1 evidence).
    "isova.evidence.view": frozenset({L, M, A}),
    "isova.evidence.sign": frozenset({L}),
}


def has_perm(membership: Membership | None, perm: str) -> bool:
    if membership is None:
        return False
    try:
        return membership.role in PERMISSIONS[perm]
    except KeyError:
        raise ValueError(f"unknown permission {perm!r}") from None


def leader_or_manager(membership: Membership) -> bool:
    """Who plans and follows the system (a panel's `visible` for leaders and managers)."""
    return membership.role in (Role.LEADER, Role.MANAGER)


def require(request: HttpRequest, perm: str) -> None:
    if not has_perm(getattr(request, "membership", None), perm):
        raise PermissionDenied(f"Your role cannot do this ({perm}).")


# --- login throttling -------------------------------------------------------------------------


def login_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The e-mail address django-axes counts failures for (settings.AXES_USERNAME_CALLABLE).

    Django's login form sends it as "username" (not the user model's "email" field), and
    addresses are matched case-insensitively, so "STAFF@x" must count against "staff@x".
    """
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.strip().lower() if username else None


# --- the request's organisation ----------------------------------------------------------


class TenantRequest(HttpRequest):
    """Any request once HtmxMiddleware and OrganisationMiddleware have run.

    Anonymous users and users without a membership get None for the organisation and the
    membership, and no memberships.
    """

    organisation: Organisation | None
    membership: Membership | None
    memberships: list[Membership]
    htmx: HtmxDetails


class OrgRequest(TenantRequest):
    """The request a view behind `member_required` gets: a logged-in member of an organisation."""

    user: User
    organisation: Organisation
    membership: Membership


class OrganisationMiddleware:
    """Sets `request.organisation` and `request.membership` and activates the org's time zone.

    The organisation is the one chosen with the switcher (kept in the session) when the user
    still belongs to it, otherwise their first. Anonymous users and users without any
    membership get None for both.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TenantRequest) -> HttpResponse:
        request.organisation = None
        request.membership = None
        request.memberships = []
        if request.user.is_authenticated:
            memberships = list(
                Membership.objects.filter(user=request.user)
                .select_related("organisation")
                .with_unread()
            )
            chosen = request.session.get(SESSION_KEY)
            named = request.GET.get(ORG_PARAM) if request.method == "GET" else None
            linked = next((m for m in memberships if m.organisation.slug == named), None)
            if linked is not None and linked.organisation_id != chosen:
                request.session[SESSION_KEY] = chosen = linked.organisation_id
            current = next((m for m in memberships if m.organisation_id == chosen), None)
            current = current or (memberships[0] if memberships else None)
            request.memberships = memberships
            if current:
                request.membership = current
                request.organisation = current.organisation
                timezone.activate(current.organisation.tzinfo)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required, and the user must belong to an organisation."""

    @login_required
    def member_view(request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.organisation is None:
            return render(request, "isova/no_organisation.html", status=403)
        return view(request, *args, **kwargs)

    @wraps(view)
    def wrapper(request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        htmx = getattr(request, "htmx", None)
        if htmx and not request.user.is_authenticated:
            # The session ended: htmx would swap the login page into a table row, so send
            # the whole browser to the login page instead, coming back to the page it was on.
            page = htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(page).url)
        return member_view(request, *args, **kwargs)

    return wrapper


def get_for_org(request: OrgRequest, queryset: models.QuerySet[T], **lookup: Any) -> T:
    """Fetch one object of the request's organisation, or 404 (also for other orgs' ids)."""
    try:
        return queryset.get(organisation=request.organisation, **lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such object in this organisation.") from None


def with_org(url: str, organisation: Organisation) -> str:
    """`url` (a path on this site) naming `organisation`, for links read outside a session
    (e-mails, briefings): opened by a member of several organisations, it switches to it."""
    if not url.startswith("/") or url.startswith("//"):
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != ORG_PARAM]
    query.append((ORG_PARAM, organisation.slug))
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))


def switch_organisation(request: TenantRequest, organisation_id: int) -> Organisation:
    for membership in request.memberships:
        if membership.organisation_id == organisation_id:
            request.session[SESSION_KEY] = organisation_id
            return membership.organisation
    raise Http404("You are not a member of that organisation.")


def context(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    # Templates read permissions by their dotted names: "risks.risk.edit" is
    # `can.risks.risk.edit` there (nested dicts).
    perms: dict[str, Any] = {}
    for name in PERMISSIONS:
        allowed = has_perm(membership, name)
        *path, verb = name.split(".")
        node = perms
        for part in path:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a shorter name already holds a verdict here
                break
            node = child
        else:
            node[verb] = allowed
    return {
        "organisation": getattr(request, "organisation", None),
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "can": perms,
    }
