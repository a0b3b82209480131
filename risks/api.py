"""Risks in the REST API: read them with assessments and treatment; raise one; assess one."""

from __future__ import annotations

from typing import Any

from django.db.models import NOT_PROVIDED, Field, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action as route
from rest_framework.request import Request
from rest_framework.response import Response

from isova.api.base import OrgViewSet, form_data, membership, organisation, require, valid
from isova.api.registry import register_resource
from isova.api.serializers import PersonSerializer

from . import services
from .approved import as_approved
from .forms import FilterForm, ReviewForm, RiskForm
from .models import Assessment, Risk


class AssessmentSerializer(serializers.ModelSerializer):
    assessed_by = PersonSerializer(allow_null=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "kind",
            "assessed_on",
            "assessed_by",
            "likelihood",
            "impact",
            "score",
            "band",
            "controls_effective",
            "note",
        ]


class RiskSerializer(serializers.ModelSerializer):
    owner = PersonSerializer()
    process = serializers.CharField(source="process.name", allow_null=True, default=None)
    assessments = AssessmentSerializer(many=True, source="all_assessments")
    treatment_actions = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = [
            "id",
            "reference",
            *services.RISK_DESCRIPTION,
            "inherent_likelihood",
            "inherent_impact",
            "inherent_score",
            "inherent_band",
            "residual_likelihood",
            "residual_impact",
            "residual_score",
            "residual_band",
            "target_likelihood",
            "target_impact",
            "treatment",
            "treatment_justification",
            "status",
            "next_review_date",
            "assessments",
            "treatment_actions",
        ]

    def get_treatment_actions(self, risk: Risk) -> list[int]:
        """Ids of the treatment plan's actions (see /api/v1/actions/{id}/)."""
        approved = getattr(risk, "approved_plan", None)  # staff: the steps approved
        return [action.pk for action in (risk.actions.all() if approved is None else approved)]


class RiskInput(serializers.Serializer):
    title = serializers.CharField()
    owner = serializers.IntegerField()
    inherent_likelihood = serializers.IntegerField()
    inherent_impact = serializers.IntegerField()
    kind = serializers.CharField(required=False)
    description = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    process = serializers.IntegerField(required=False)
    treatment = serializers.CharField(required=False)
    status = serializers.CharField(required=False)


class AssessmentInput(serializers.Serializer):
    reviewed_on = serializers.DateField()
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    controls_effective = serializers.ChoiceField(choices=["yes", "partly", "no"])
    note = serializers.CharField(required=False, allow_blank=True)


def _defaults() -> dict[str, Any]:
    """The model's defaults for what a client leaves out (the page's form shows them)."""
    fields = [Risk._meta.get_field(name) for name in services.RISK_FIELDS]
    return {
        f.name: f.default for f in fields if isinstance(f, Field) and f.default is not NOT_PROVIDED
    }


class RiskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """Risks and opportunities, with the register page's filters and its `sort`."""

    serializer_class = RiskSerializer
    read_permission = "risks.risk.view"
    filter_form = FilterForm
    filter_notes = {"sort": "the page's orders; without it or `ordering`: by id"}
    ordering_fields = {
        "next_review_date": "next_review_date",
        "created": "created_at",
        "title": "title",
        "reference": "reference",
        "score": "residual_score",
        "inherent_score": "inherent_score",
    }

    def filter_form_kwargs(self) -> dict[str, Any]:
        org = organisation(self.request)
        return {"organisation": org, "matrix": services.current_matrix(org)}

    def apply_filters(self, form: Any, queryset: Any) -> Any:
        return form.filter(queryset, organisation(self.request).today())

    def default_ordering(self) -> list[str] | None:
        """The page's `sort`, when one is given."""
        sort = self.filters.cleaned_data["sort"] if self.filters is not None else ""
        return list(FilterForm.ORDER[sort]) if sort else None

    def get_queryset(self) -> Any:
        assessments = Assessment.objects.select_related("assessed_by").order_by("assessed_on", "pk")
        risks = (
            Risk.objects.for_org(organisation(self.request))
            .select_related("owner", "process")
            .prefetch_related(
                Prefetch("assessments", assessments, to_attr="all_assessments"), "actions"
            )
        )
        return risks.approved_reading() if self.reads_approved() else risks

    def as_read(self, obj: Any) -> Any:
        """As on the register: a risk whose plan was approved reads as approved (its
        treatment, scores and approved steps); one whose plan needs no approval, as it stands
        (one awaiting its first approval is not listed: `RiskQuerySet.approved_reading`)."""
        if not obj.approved_snapshot:
            return obj
        shown, plan = as_approved(obj, list(obj.actions.all()), obj.approved_snapshot)
        shown.approved_plan = plan  # type: ignore[attr-defined]
        return shown

    @extend_schema(request=RiskInput, responses={201: RiskSerializer})
    def create(self, request: Request) -> Response:
        """Raise a risk or opportunity with the page's form and rules."""
        require(request, "risks.risk.edit")
        org = organisation(request)
        form = RiskForm(
            _defaults() | form_data(request, lists=("objectives", "findings")),
            organisation=org,
            matrix=services.current_matrix(org),
        )
        data = valid(form)
        names = (*services.RISK_FIELDS, "objectives", "findings")
        risk = services.risk_create(membership=membership(request), **{f: data[f] for f in names})
        return Response(self.get_serializer(self.get_queryset().get(pk=risk.pk)).data, status=201)

    @extend_schema(request=AssessmentInput, responses={201: AssessmentSerializer})
    @route(detail=True, methods=["post"])
    def assessments(self, request: Request, pk: str) -> Response:
        """Record a review: the current position and whether the controls work."""
        require(request, "risks.risk.review")
        risk = self.get_object()
        form = ReviewForm(form_data(request), matrix=services.current_matrix(organisation(request)))
        made = services.risk_review_record(membership=membership(request), risk=risk, **valid(form))
        return Response(AssessmentSerializer(made).data, status=201)


register_resource("risks", RiskViewSet, "risk")
