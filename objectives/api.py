"""Objectives in the REST API: read them with their progress and values; record a value."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action as route
from rest_framework.request import Request
from rest_framework.response import Response

from isova.api.base import OrgViewSet, form_data, membership, organisation, valid
from isova.api.registry import register_resource
from isova.api.serializers import PersonSerializer

from . import permissions, services
from .approved import as_approved
from .forms import MeasurementForm, ObjectiveFilterForm
from .models import Measurement, Objective


class MeasurementSerializer(serializers.ModelSerializer):
    recorded_by = PersonSerializer(allow_null=True)

    class Meta:
        model = Measurement
        fields = ["id", "period", "period_end", "value", "comment", "recorded_by", "recorded_at"]


class MeasurementInput(serializers.Serializer):
    period = serializers.CharField(help_text="As the page reads it: 2026-05, 2026-W19, 2026-Q2.")
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ObjectiveSerializer(serializers.ModelSerializer):
    owner = PersonSerializer()
    goal = serializers.CharField(source="goal.title", allow_null=True, default=None)
    status = serializers.CharField(source="shown_status")
    rag = serializers.CharField(help_text="green, amber, red, stale or no_data (as on the page)")
    progress = serializers.FloatField(allow_null=True, help_text="% from baseline to target")
    last_value = serializers.DecimalField(14, 4, allow_null=True)
    last_period = serializers.DateField(allow_null=True)
    measurements = MeasurementSerializer(many=True, source="all_measurements")

    class Meta:
        model = Objective
        fields = [
            "id",
            "title",
            "goal",
            "owner",
            *Objective.MEASURE_FIELDS,
            "frequency",
            "amber_tolerance",
            "red_tolerance",
            "status",
            "rag",
            "progress",
            "last_value",
            "last_period",
            "next_review_date",
            "measurements",
        ]


class ObjectiveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """Objectives with their RAG state, progress and recorded values (the pages' figures),
    with the list page's filters."""

    serializer_class = ObjectiveSerializer
    read_permission = "objectives.objective.view"
    filter_form = ObjectiveFilterForm
    ordering_fields = {
        "target_date": "target_date",
        "next_review_date": "next_review_date",
        "title": "title",
        "created": "created_at",
    }

    def get_queryset(self) -> Any:
        today = organisation(self.request).today()
        values = Measurement.objects.select_related("recorded_by").order_by("period")
        objectives = Objective.objects.for_org(organisation(self.request))
        if self.reads_approved():  # ever approved, judged against the approved terms
            objectives = objectives.approved_reading()
        objectives = (
            objectives.with_progress(today)
            .with_shown_status()
            .select_related("owner", "goal")
            .prefetch_related(Prefetch("measurements", values, to_attr="all_measurements"))
        )
        return objectives

    def as_read(self, obj: Objective) -> Objective:
        return as_approved(obj)  # its terms as last approved, its figures against them

    @extend_schema(request=MeasurementInput, responses={201: MeasurementSerializer})
    @route(detail=True, methods=["post"])
    def measurements(self, request: Request, pk: str) -> Response:
        """Record (or correct) the value of one period, as the objective's page does."""
        objective = self.get_object()
        if not permissions.can_record_value(membership(request), objective):
            raise PermissionDenied("You can record values only for objectives you own or work on.")
        form = MeasurementForm(
            form_data(request), objective=objective, today=organisation(request).today()
        )
        saved = services.measurement_record(
            membership=membership(request), objective=objective, **valid(form)
        )
        return Response(MeasurementSerializer(saved).data, status=201)


register_resource("objectives", ObjectiveViewSet, "objective")
