"""The decision register over the API: read (with state, links and actions) and record a draft.

Signing stays in the browser (a leader re-enters their password on the decision's page), as
for every approval.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from isova import records
from isova.api.base import OrgViewSet, form_data, membership, organisation, require
from isova.api.registry import register_resource
from isova.api.serializers import PersonSerializer, form_errors
from isova.errors import DomainError

from . import services
from .forms import DecisionForm, FilterForm
from .models import Decision, Shown


class LinkIds(serializers.ListField):
    """Ids of the rows a decision rests on: as signed for staff (`signed_links`, issue
    22.3), else its links as they stand (prefetched)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.IntegerField(), read_only=True, **kwargs)

    def get_attribute(self, instance: Decision) -> list[int]:
        signed = getattr(instance, "signed_links", None)
        if signed is not None:
            return signed[self.field_name]
        return [row.pk for row in getattr(instance, self.field_name).all()]


class DecisionSerializer(serializers.ModelSerializer):
    owner = PersonSerializer()
    state = serializers.ChoiceField(
        source="shown", choices=Shown.choices, read_only=True, help_text="Derived from its versions"
    )
    version = serializers.IntegerField(source="version_number", read_only=True)
    signed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    processes = LinkIds()
    risks = LinkIds()
    objectives = LinkIds()
    findings = LinkIds()
    feedback = LinkIds()
    actions = serializers.SerializerMethodField(help_text="Ids of the actions carrying it out")

    class Meta:
        model = Decision
        fields = [
            "id",
            *Decision.MATERIAL_FIELDS,
            "state",
            "version",
            "signed_at",
            *Decision.LINKS,
            "actions",
        ]

    def get_actions(self, obj: Decision) -> list[int]:
        return [action.pk for action in obj.actions.all()]


class DecisionInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    context = serializers.CharField(required=False, allow_blank=True)
    options = serializers.CharField(required=False, allow_blank=True)
    decision = serializers.CharField()
    rationale = serializers.CharField()
    affects_customers = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.IntegerField(help_text="A member's user id")
    decided_on = serializers.DateField(required=False)
    review_date = serializers.DateField(required=False)
    risks = serializers.ListField(child=serializers.IntegerField(), required=False)
    objectives = serializers.ListField(child=serializers.IntegerField(), required=False)
    findings = serializers.ListField(child=serializers.IntegerField(), required=False)
    feedback = serializers.ListField(child=serializers.IntegerField(), required=False)
    processes = serializers.ListField(child=serializers.IntegerField(), required=False)


class DecisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """Recorded decisions, with the register page's filters (management reviews' outputs,
    which the page lists too, are read under /api/v1/reviews/)."""

    serializer_class = DecisionSerializer
    read_permission = "decisions.decision.view"
    filter_form = FilterForm
    ordering_fields = {
        "decided_on": "decided_on",
        "review_date": "review_date",
        "title": "title",
        "created": "created_at",
    }

    def filter_form_kwargs(self) -> dict[str, Any]:
        return {}

    def apply_filters(self, form: Any, queryset: Any) -> Any:
        today = organisation(self.request).today()
        return queryset.in_register(today=today, **form.values())

    def get_queryset(self) -> Any:
        decisions = (
            Decision.objects.for_org(organisation(self.request))
            .with_state()
            .select_related("owner")
            .prefetch_related(*Decision.LINKS, "actions")
            .order_by("pk")
        )
        if self.reads_approved():  # staff: signed decisions, as last signed
            decisions = decisions.with_signed_snapshot().exclude(**{"signed_at": None})
        return decisions

    def as_read(self, obj: Any) -> Any:
        snap = obj.signed_snapshot or {}
        shown = records.approved_copy(
            obj,
            snap,
            fields=("title", "context", "options", "decision", "rationale",
                    "affects_customers", "revisit_reason"),
            dates=("decided_on", "review_date"),
        )  # fmt: skip
        shown.shown = Shown.SIGNED
        shown.version_number = obj.signed_number
        shown.signed_links = {
            name: sorted(records.approved_ids(snap, name)) for name in Decision.LINKS
        }
        return shown

    @extend_schema(request=DecisionInput, responses={201: DecisionSerializer})
    def create(self, request: Request) -> Response:
        """Record a decision as a draft; a leader signs it on its page."""
        require(request, "decisions.decision.create")
        org = organisation(request)
        form = DecisionForm(
            {"decided_on": org.today()} | form_data(request, lists=services.LINKS),
            organisation=org,
            revisiting=False,
        )
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        names = (*services.FIELDS, *services.LINKS)
        data = {k: v for k, v in form.cleaned_data.items() if k in names}
        try:
            made = services.decision_create(membership=membership(request), **data)
        except DomainError as error:
            raise ValidationError({"non_field_errors": [str(error)]}) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=made.pk)).data, status=201)


register_resource("decisions", DecisionViewSet, "decision")
