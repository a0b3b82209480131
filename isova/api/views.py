"""The core's resources: the organisation, its members, actions, approvals waiting for me.

Writes go through the pages' forms and services, so the rules (roles, owners, transitions,
versions) are the pages' own: the API only translates their answers into HTTP.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from django.db.models import Model, QuerySet
from django.forms.models import model_to_dict
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action as route
from rest_framework.request import Request
from rest_framework.response import Response

from isova.accounts.models import Membership
from isova.actions import permissions as action_permissions
from isova.actions import services as actions
from isova.actions.forms import ActionFilterForm, ActionForm, NoteForm, StatusForm
from isova.actions.models import Action
from isova.dashboard import memo
from isova.dashboard.views import _filtered
from isova.records.views import _waiting_for
from isova.registry import registry

from . import serializers as s
from .base import OrgViewSet, form_data, membership, organisation, require, valid
from .conventions import PreconditionFailed, check_if_match, with_etag


class OrganisationViewSet(OrgViewSet):
    """The organisation the token belongs to."""

    serializer_class = s.OrganisationSerializer

    @extend_schema(responses=s.OrganisationSerializer)
    def list(self, request: Request) -> Response:
        return Response(s.OrganisationSerializer(organisation(request)).data)


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """The organisation's members and their roles."""

    serializer_class = s.MemberSerializer
    queryset = Membership.objects.select_related("user")


class ActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """Actions: the one workflow every app uses, with the "All actions" page's filters."""

    serializer_class = s.ActionSerializer
    queryset = Action.objects.for_list()
    read_permission = "isova.action.view"
    filter_form = ActionFilterForm
    filter_notes = {
        "status": "outstanding by default; empty for any",
        "overdue": "the organisation's today",
        "age": "days since created",
        "source": "none, or app.model, e.g. audits.finding",
    }
    ordering_fields = {
        "due_date": "due_date",
        "created": "created_at",
        "title": "title",
    }

    def get_serializer_context(self) -> dict[str, Any]:
        return super().get_serializer_context() | {"today": organisation(self.request).today()}

    def filter_form_data(self) -> Any:
        data = self.request.query_params.copy()
        data.setdefault("status", "outstanding")
        return data

    def apply_filters(self, form: Any, queryset: Any) -> Any:
        return form.filter(queryset, organisation(self.request).today())

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        action = self.get_object()
        return with_etag(Response(self.get_serializer(action).data), action)

    @extend_schema(request=s.ActionCreateSerializer, responses={201: s.ActionSerializer})
    def create(self, request: Request) -> Response:
        require(request, "isova.action.create")
        data = {"priority": "medium"} | form_data(request)
        form = ActionForm(data, organisation=organisation(request), with_source=True)
        source = valid(form)["source"]
        made = actions.action_create(
            membership=membership(request), source=source, **form.action_fields()
        )
        return self._answer(made, status.HTTP_201_CREATED)

    @extend_schema(request=s.AssignSerializer, responses=s.ActionSerializer)
    @route(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        """Give the action to another member (If-Match: the ETag you read)."""
        require(request, "isova.action.edit")
        action = self.get_object()
        version = check_if_match(request, action)
        fields = model_to_dict(action, fields=list(actions.EDITABLE_FIELDS))
        form = ActionForm(
            fields | {"owner": form_data(request).get("owner"), "version": version},
            instance=Action(pk=action.pk, organisation=action.organisation),
            organisation=organisation(request),
        )
        owner = valid(form)["owner"]
        return self._change(actions.action_update, action, version, owner=owner)

    @extend_schema(request=s.StatusChangeSerializer, responses=s.ActionSerializer)
    @route(detail=True, methods=["post"])
    def status(self, request: Request, pk: str) -> Response:
        """Move the action (start, complete, verify, reopen, cancel) as the page allows you;
        `note` is the completion or verification note (If-Match: the ETag you read)."""
        require(request, "isova.action.change_status")
        action = self.get_object()
        version = check_if_match(request, action)
        form = StatusForm(form_data(request) | {"version": version})
        data = valid(form)
        return self._change(
            actions.action_set_status, action, version, status=data["status"], note=data["note"]
        )

    @extend_schema(request=s.NoteSerializer, responses=s.ActionSerializer)
    @route(detail=True, methods=["post"])
    def note(self, request: Request, pk: str) -> Response:
        """Add a progress note without moving the action: its owner among staff, any
        manager or leader, while it is not closed (If-Match: the ETag you read)."""
        action = self.get_object()
        action_permissions.check_may_note(membership(request), action)
        version = check_if_match(request, action)
        data = valid(NoteForm(form_data(request) | {"version": version}))
        return self._change(actions.action_add_note, action, version, note=data["note"])

    def _change(self, change: Any, action: Action, version: int, **fields: Any) -> Response:
        """`change` the action at the version the client read (412 when it has moved on)."""
        try:
            changed = change(
                membership=membership(self.request), action=action, version=version, **fields
            )
        except actions.Conflict as conflict:
            raise PreconditionFailed() from conflict
        return self._answer(changed)

    def _answer(self, action: Action, code: int = 200) -> Response:
        action = self.get_queryset().get(pk=action.pk)
        return with_etag(Response(self.get_serializer(action).data, status=code), action)


class ApprovalViewSet(mixins.ListModelMixin, OrgViewSet):
    """Records waiting for my decision (read only: deciding and signing stay in the browser,
    behind the password, bound to what was shown)."""

    serializer_class = s.ApprovalSerializer

    def get_queryset(self) -> Any:
        return _waiting_for(self.request._request).select_related("submitted_by", "content_type")


def _plain(value: Any, depth: int = 0) -> Any:
    """A panel's template context as JSON: figures, words and dates as they are, records as
    their id and label (the panel's own builder computed them: one definition of each)."""
    if depth > 6:
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Model):
        return {"id": value.pk, "label": str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return _plain({k: v for k, v in fields.items() if not callable(v)}, depth + 1)
    if isinstance(value, dict):
        return {
            str(k): _plain(v, depth + 1)
            for k, v in value.items()
            if not str(k).startswith("_") and not callable(v)
        }
    if isinstance(value, list | tuple | set | QuerySet):
        return [_plain(item, depth + 1) for item in value]
    return str(value)


class DashboardViewSet(OrgViewSet):
    """The leadership dashboard's figures as JSON: each panel this person sees on the page,
    built by the page's own panel builders, with the page's filters (owner, process, period)."""

    pagination_class = None

    @extend_schema(responses=s.DashboardSerializer)
    def list(self, request: Request) -> Response:
        _, ctx = _filtered(request._request, form_needed=False)
        panels = [p for p in registry.panels() if p.visible(membership(request))]
        with memo.scope():  # as on the page: "At a glance" reads the other panels' answers
            built = [(p, memo.build_panel(p, ctx)) for p in panels]
        data = {
            "today": ctx.today,
            "filters": _plain(ctx.filters),
            "panels": [
                {"name": p.name, "title": p.title, "figures": _plain(figures)}
                for p, figures in built
            ],
        }
        return Response(data)
