from __future__ import annotations

import copy
import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from isova import history
from isova.accounts import tenancy
from isova.accounts.models import Role
from isova.accounts.tenancy import OrgRequest, get_for_org, member_required, require
from isova.actions import permissions as action_permissions
from isova.actions import services as actions
from isova.actions.forms import ActionFilterForm, ActionForm, NoteForm, StatusForm
from isova.actions.models import OUTSTANDING_STATUSES, Action
from isova.errors import Conflict, DomainError
from isova.forms import member_choices
from isova.http import flash_redirect, paginate, query_without_page, render_page, safe_next
from isova.idempotency import create_once
from isova.registry import UpcomingItem, registry

PAGE_SIZE = 25
# Bookkeeping fields that change with every status move; the status line says enough.
HISTORY_IGNORED = ("completed_at", "verified_at")


@member_required
def home(request: OrgRequest) -> HttpResponse:
    if request.membership.role == Role.STAFF:
        return redirect("my_actions")
    return redirect("dashboard")


@require_POST
@member_required
def switch_organisation(request: OrgRequest) -> HttpResponse:
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        return HttpResponse("Choose an organisation.", status=400)
    organisation = tenancy.switch_organisation(request, organisation_id)
    return flash_redirect(request, "home", f"You are now working in {organisation}.")


def _row_context(request: OrgRequest, action: Action) -> dict:
    return {
        "action": action,
        "moves": action_permissions.action_moves(request.membership, action),
        "today": request.organisation.today(),
    }


DUE_SOON_DAYS = 14


def _due_soon(request: OrgRequest, today: datetime.date) -> list[UpcomingItem]:
    """What waits on this person from today to DUE_SOON_DAYS days on, soonest first (one
    query per upcoming source, whatever the data); overdue actions are counted apart."""
    end = today + datetime.timedelta(days=DUE_SOON_DAYS)
    mine = {"owner": request.user.pk}
    items = [
        item
        for _, source in registry.upcoming_sources()
        for item in source(request.organisation, today, end, mine)
    ]
    return sorted(items, key=lambda i: (i.day, i.kind, i.title))


@member_required
def my_actions(request: OrgRequest) -> HttpResponse:
    """My work, every member's own page: outstanding actions, due soonest first, a page at a
    time; what is due in the next two weeks; each app's section (the objectives one leads);
    then the last ten finished actions (page 1 only)."""
    today = request.organisation.today()
    qs = Action.objects.for_org(request.organisation).filter(owner=request.user).for_list()
    page = paginate(request, qs.outstanding().order_by("due_date", "pk"), PAGE_SIZE)
    recent, due_soon, sections, overdue = [], [], [], 0
    if page.number == 1:
        recent = list(qs.exclude(status__in=OUTSTANDING_STATUSES).order_by("-updated_at")[:10])
        due_soon = _due_soon(request, today)
        overdue = qs.overdue(today).count()
        for section in registry.my_work_sections():
            built = section.build(request.membership, today)
            if built is not None:
                html = render_to_string(section.template, built, request=request)
                sections.append({"section": section, "html": html})
    context = {
        "rows": action_permissions.action_rows(request.membership, page),
        "done_rows": action_permissions.action_rows(request.membership, recent),
        "page": page,
        "today": today,
        "due_soon": due_soon,
        "due_soon_days": DUE_SOON_DAYS,
        "overdue": overdue,
        "sections": sections,
    }
    return render(request, "isova/my_actions.html", context)


@member_required
def action_list(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    today = org.today()
    # Opens on what is still to do; "Any status" (an empty status) shows closed ones too.
    data = request.GET.copy()
    data.setdefault("status", "outstanding")
    form = ActionFilterForm(data, organisation=org)
    qs = form.filter(Action.objects.for_org(org).for_list(), today).by_urgency(today)
    page = paginate(request, qs, PAGE_SIZE)
    rows = action_permissions.action_rows(request.membership, page)
    query = query_without_page(request)
    context = {"form": form, "page": page, "rows": rows, "today": today, "query": query}
    return render_page(request, "isova/action_list.html", context, partial="results")


@member_required
def action_detail(request: OrgRequest, pk: int) -> HttpResponse:
    action = get_for_org(request, Action.objects.for_list(), pk=pk)
    records = list(action.history.order_by("-history_date", "-history_id")[:50])
    users = {u.pk: u.get_full_name() for u in member_choices(request.organisation)}
    context = _row_context(request, action) | {
        "history": history.entries(records, users=users, ignore=HISTORY_IGNORED),
        "can_edit": action_permissions.can_edit_action(request.membership, action),
        "status_form": StatusForm(initial={"version": action.version}),
        "can_note": action_permissions.can_note_action(request.membership, action),
        "note_form": NoteForm(initial={"version": action.version}, auto_id="id_note_%s"),
    }
    return render(request, "isova/action_detail.html", context)


@member_required
def action_create(request: OrgRequest) -> HttpResponse:
    require(request, "isova.action.create")
    org = request.organisation
    # ?source=objectives.objective:12 preselects what the action serves (the "Assign an
    # action" links); ?next= is where the user came from, and where they go back to.
    initial = {"due_date": None, "source": request.GET.get("source", "")}
    form = ActionForm(request.POST or None, organisation=org, initial=initial, with_source=True)
    if request.method == "POST" and form.is_valid():
        try:
            action = create_once(
                request,
                form,
                lambda: actions.action_create(
                    membership=request.membership,
                    source=form.cleaned_data["source"],
                    **form.action_fields(),
                ),
                url=lambda made: reverse("action_detail", args=[made.pk]),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if isinstance(action, HttpResponse):
                return action  # the same form again: its first submission made the action
            messages.success(request, _assigned_message(action, request.user))
            return redirect(safe_next(request, reverse("action_detail", args=[action.pk])))
    next_url = safe_next(request, "")
    context = {"form": form, "action": None, "next": next_url}
    return render(request, "isova/action_form.html", context)


def _assigned_message(action: Action, by: Any) -> str:
    if action.owner_id == by.pk:
        return f"Action “{action.title}” created and assigned to you."
    owner = action.owner.get_full_name()
    return f"Action “{action.title}” assigned to {owner}; {owner} was notified by e-mail."


@member_required
def action_edit(request: OrgRequest, pk: int) -> HttpResponse:
    action = get_for_org(request, Action.objects.for_list(), pk=pk)
    # A post from a form shown before someone else finished the action gets the conflict
    # (with the current values) from the service; anything else on a finished action is 403.
    # The role first (no input read): only then whether the posted form is stale.
    may_edit = tenancy.has_perm(request.membership, "isova.action.edit")
    allowed = action_permissions.can_edit_action(request.membership, action) or (
        may_edit and request.method == "POST" and request.POST.get("version") != str(action.version)
    )
    if not allowed:
        raise PermissionDenied("Your role cannot edit this action.")
    # The form validates a copy: invalid input must not show up as the action's stored title.
    form = ActionForm(
        request.POST or None, instance=copy.copy(action), organisation=request.organisation
    )
    current = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        try:
            action = actions.action_update(
                membership=request.membership,
                action=action,
                version=version,
                **form.action_fields(),
            )
        except Conflict as conflict:
            current = conflict.current
            form.add_error(None, str(conflict))
            # The user's input stays; submitting it again means "over the current version".
            resubmitted = request.POST.copy()
            resubmitted["version"] = str(current.version)
            form.data = resubmitted
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return flash_redirect(request, "action_detail", "Action saved.", pk=action.pk)
    return render(
        request, "isova/action_form.html", {"form": form, "action": action, "current": current}
    )


@require_POST
@member_required
def action_status(request: OrgRequest, pk: int) -> HttpResponse:
    """Change one action's status: the HTMX inline control and its plain-form fallback."""
    action = get_for_org(request, Action.objects.for_list(), pk=pk)
    require(request, "isova.action.change_status")
    form = StatusForm(request.POST)
    error, status = None, 200
    if not form.is_valid():
        error = "Choose a status to move this action to."
    else:
        try:
            action = actions.action_set_status(
                membership=request.membership,
                action=action,
                status=form.cleaned_data["status"],
                version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except Conflict as conflict:
            action, error, status = conflict.current, str(conflict), 409
        except DomainError as exc:
            error, status = str(exc), 422
    if error and status == 200:
        status = 422
    if request.htmx:
        context = _row_context(request, action) | {
            "moves": action_permissions.action_rows(request.membership, [action])[0]["moves"],
            "error": error,
            "flash": None if error else "Saved",
        }
        template = request.POST.get("fragment") == "card" and "isova/_action_card.html"
        # base.html's htmx-config swaps 409 and 422 bodies, so the explanation shows in place.
        return render(request, template or "isova/_action_row.html", context, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"“{action.title}” is now {action.get_status_display().lower()}.")
    return redirect(safe_next(request, reverse("action_detail", args=[action.pk])))


@require_POST
@member_required
def action_note(request: OrgRequest, pk: int) -> HttpResponse:
    """Add a progress note to an action without moving it (its owner, a manager, a leader)."""
    action = get_for_org(request, Action.objects.for_list(), pk=pk)
    action_permissions.check_may_note(request.membership, action)
    form = NoteForm(request.POST)
    back = reverse("action_detail", args=[action.pk])
    if not form.is_valid():
        problems = " ".join(map(str, form.errors.get("note", [])))
        messages.error(request, problems or "The page was out of date: reload it and try again.")
        return redirect(back)
    try:
        actions.action_add_note(
            membership=request.membership,
            action=action,
            version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Your note was added to “{action.title}”.")
    return redirect(back)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, with links in the e-mail built on settings.SITE_URL (read per
    request, not when the URLs load)."""

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        return {"site_url": settings.SITE_URL}
