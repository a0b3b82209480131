"""Resources in the REST API: the allocations of people to plans, and the workload.

Both read-only (writes go through the plan's page, where the leaders' approval is shown),
for leaders and managers (`resources.workload.view`), as the pages are.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from isova.api.base import OrgViewSet, organisation
from isova.api.registry import register_resource
from isova.api.serializers import PersonSerializer

from .forms import parse_month
from .models import Allocation, month_start
from .workload import MAX_MONTHS, workload


class AllocationSerializer(serializers.ModelSerializer):
    person = PersonSerializer()
    plan_type = serializers.CharField(source="plan_type.model", help_text="objective, risk, …")

    class Meta:
        model = Allocation
        fields = [
            "id",
            "plan_type",
            "plan_id",
            "plan_label",
            "plan_url",
            "person",
            "hours",
            "start_month",
            "end_month",
            "months",
            "note",
        ]


class AllocationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """People allocated to plans: estimated hours spread evenly from start to end month."""

    serializer_class = AllocationSerializer
    read_permission = "resources.workload.view"

    def get_queryset(self) -> Any:
        return (
            Allocation.objects.for_org(organisation(self.request))
            .select_related("person", "plan_type")
            .order_by("start_month", "pk")
        )


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    allocated = serializers.DecimalField(12, 2, help_text="Hours from allocations")
    actions = serializers.DecimalField(12, 2, help_text="Estimated hours of actions due")
    hours = serializers.DecimalField(12, 2)
    capacity = serializers.IntegerField()
    over = serializers.BooleanField(help_text="More hours than capacity")


class WorkloadRowSerializer(serializers.Serializer):
    person = PersonSerializer()
    capacity = serializers.IntegerField(help_text="Hours a month")
    cells = MonthSerializer(many=True)


class WorkloadViewSet(OrgViewSet):
    """Hours committed per person and month against capacity (the workload page)."""

    serializer_class = WorkloadRowSerializer
    read_permission = "resources.workload.view"
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="First month, YYYY-MM (default: now)"),
            OpenApiParameter("months", int, description=f"How many months (1–{MAX_MONTHS})"),
        ],
        responses={200: WorkloadRowSerializer(many=True)},
    )
    def list(self, request: Request) -> Response:
        org = organisation(request)
        first_text, count_text = (
            request.query_params.get("from"),
            request.query_params.get("months"),
        )
        first = parse_month(first_text) if first_text else month_start(org.today())
        if first is None:
            raise ValidationError({"from": ["Give a month as YYYY-MM."]})
        count = int(count_text) if (count_text or "").isdigit() else 6
        if not 1 <= count <= MAX_MONTHS:
            raise ValidationError({"months": [f"Give 1 to {MAX_MONTHS} months."]})
        rows = workload(org, first, count).rows
        return Response(WorkloadRowSerializer(rows, many=True).data)


register_resource("allocations", AllocationViewSet, "allocation")
register_resource("workload", WorkloadViewSet, "workload")
