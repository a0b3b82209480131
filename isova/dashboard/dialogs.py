"""The dashboard's dialogs: assign an overdue action, and a new action for an off-track
objective, without leaving the page (HTMX; templates/isova/dashboard/_action_dialog.html).

Each answers an HTMX GET with its form and an HTMX POST with the form again and the reason
(422, or 409 for a change made meanwhile), or once saved with the `dashboard-changed` event
that closes the dialog and refreshes the panels (static/js/dashboard.js). Without HTMX the
buttons are links to the action's edit page and the "New action" page. Approving from the
dashboard is the inbox's own review and decision (`isova.records.views.approval_review`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import trigger_client_event

from isova.accounts.models import Organisation, User
from isova.accounts.tenancy import OrgRequest, get_for_org, member_required, require
from isova.actions import permissions as action_permissions
from isova.actions import services as actions
from isova.actions.forms import source_from_key
from isova.actions.models import Action
from isova.dashboard.views import OwnerField, person_label, resolve_owner
from isova.errors import Conflict, DomainError
from isova.forms import DateInput, SafeForm
from isova.idempotency import OnceMixin, create_once
from isova.records.views import DASHBOARD_CHANGED

DIALOG = "isova/dashboard/_action_dialog.html"


class _OwnerDueForm(SafeForm):
    """Owner (the dashboard's owner search, picking a person) and due date, not in the past
    unless it is the date the action already has."""

    owner = OwnerField(
        box_id="dialog-owner-suggestions",
        pick=True,
        required=True,
        error_messages={"required": "Say who owns it: type a name or e-mail."},
    )
    due_date = forms.DateField(
        label="Due date",
        widget=DateInput(),
        error_messages={
            "required": "Give a due date.",
            "invalid": "Enter the due date as YYYY-MM-DD, e.g. 2026-12-31.",
        },
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        kept_due: datetime.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.kept_due = kept_due

    def clean_owner(self) -> User:
        return resolve_owner(self.organisation, self.cleaned_data["owner"]).user

    def clean_due_date(self) -> datetime.date:
        due = self.cleaned_data["due_date"]
        today = self.organisation.today()
        if due < today and due != self.kept_due:
            raise forms.ValidationError(
                f"{due:%-d %B %Y} is in the past: give a date from today on."
            )
        return due


class AssignForm(_OwnerDueForm):
    note = forms.CharField(
        label="Note (one line, added to the action’s description)",
        required=False,
        max_length=200,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.has_error("version"):
            self.add_error(None, "This form is out of date, so nothing was saved: open it again.")
        return cleaned


class NewActionForm(OnceMixin, _OwnerDueForm):
    title = forms.CharField(label="What is to be done (one line)", max_length=200)

    field_order = ("title", "owner", "due_date")


def _answer(
    request: OrgRequest, context: dict[str, Any], status: int, done: str | None = None
) -> HttpResponse:
    """The dialog again (HTMX), or without it the dashboard with the news or the form alone."""
    if not request.htmx:
        if done:
            messages.success(request, done)
            return redirect("dashboard")
        return render(request, "isova/dashboard/dialog_page.html", context, status=status)
    response = render(request, DIALOG, context | {"done": done}, status=status)
    if done:
        trigger_client_event(response, DASHBOARD_CHANGED, {"message": done})
    return response


@member_required
def assign_action(request: OrgRequest, pk: int) -> HttpResponse:
    """Give an overdue action to someone by a date, with one line of why (the actions panel's
    "Assign"), through `action_assign`: the version shown is checked as on the edit page."""
    require(request, "isova.action.edit")  # the role before anything is read
    action = get_for_org(request, Action.objects.for_list(), pk=pk)
    if request.method == "GET" and not request.htmx:
        return redirect("action_edit", pk=action.pk)
    if request.method == "GET" and not action_permissions.can_edit_action(
        request.membership, action
    ):
        raise PermissionDenied("This action is finished: reopen it to change it.")
    org = request.organisation
    initial: dict[str, Any] = {
        "owner": person_label(action.owner),
        "due_date": action.due_date,
        "version": action.version,
    }
    data = request.POST if request.method == "POST" else None
    form = AssignForm(
        data, initial=initial, organisation=org, kept_due=action.due_date, auto_id="assign-%s"
    )
    status, current, done = 200, None, None
    if data is not None and not form.is_valid():
        status = 422
    elif data is not None:
        action, status, current, done = _assign(request, action, form)
    return _answer(request, _assign_context(action, form, current), status, done)


def _assign(
    request: OrgRequest, action: Action, form: AssignForm
) -> tuple[Action, int, Action | None, str | None]:
    """Save the valid form through `action_assign`: the action (as saved when it was), the
    status, the current action when it changed meanwhile (409) and the news once saved."""
    try:
        action = actions.action_assign(
            membership=request.membership,
            action=action,
            version=form.cleaned_data["version"],
            owner=form.cleaned_data["owner"],
            due_date=form.cleaned_data["due_date"],
            note=form.cleaned_data["note"],
        )
    except Conflict as conflict:
        current = conflict.current
        form.add_error(None, str(conflict))
        # What was typed stays; sending it again means "over the current version".
        resubmitted = request.POST.copy()
        resubmitted["version"] = str(current.version)
        form.data = resubmitted
        return action, 409, current, None
    except DomainError as error:
        form.add_error(None, str(error))
        return action, 422, None, None
    owner, due = action.owner.get_full_name(), action.due_date
    return action, 200, None, f"“{action.title}” is now {owner}’s, due {due:%-d %B %Y}."


def _assign_context(action: Action, form: AssignForm, current: Action | None) -> dict[str, Any]:
    """The assign dialog's template context."""
    return {
        "form": form,
        "title": f"Assign “{action.title}”",
        "intro": f"Owned by {action.owner.get_full_name()}, due {action.due_date:%-d %B %Y}."
        if action.due_date
        else f"Owned by {action.owner.get_full_name()}, no due date.",
        "post_url": reverse("dashboard_assign_action", args=[action.pk]),
        "submit": "Assign",
        "current": current,
    }


@member_required
def new_action(request: OrgRequest) -> HttpResponse:
    """A new action serving the record `?source=` names (an off-track objective on the
    objectives panel): what, who, by when; `action_create` assigns it and tells the owner."""
    require(request, "isova.action.create")  # the role before anything is read
    key = request.GET.get("source", "")[:120]
    source = source_from_key(request.organisation, key)
    if source is None:
        raise Http404("No such record of this organisation takes new actions.")
    if request.method == "GET" and not request.htmx:
        query = urlencode({"source": key, "next": reverse("dashboard")})
        return redirect(f"{reverse('action_create')}?{query}")
    data = request.POST if request.method == "POST" else None
    form = NewActionForm(data, organisation=request.organisation, auto_id="new-action-%s")
    status, done = 200, None
    if data is not None and not form.is_valid():
        status = 422
    elif data is not None:
        fields = {name: form.cleaned_data[name] for name in ("title", "owner", "due_date")}
        try:
            made = create_once(
                request,
                form,
                lambda: actions.action_create(
                    membership=request.membership, source=source, **fields
                ),
                url=lambda a: reverse("action_detail", args=[a.pk]),
            )
        except DomainError as error:
            status = 422
            form.add_error(None, str(error))
        else:
            if isinstance(made, HttpResponse):
                status = 409
                form.add_error(None, "This form was sent already: the action exists.")
            else:
                done = f"Action “{made.title}” assigned to {made.owner.get_full_name()}."
    context = {
        "form": form,
        "title": "New action",
        "intro": f"For the {source._meta.verbose_name} “{source}”.",
        "post_url": reverse("dashboard_new_action") + "?" + urlencode({"source": key}),
        "submit": "Create and assign",
        "current": None,
    }
    return _answer(request, context, status, done)
