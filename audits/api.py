"""Audits and findings in the REST API: read them; raise a finding on an audit in progress."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action as route
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from isova.api.base import OrgViewSet, form_data, membership, organisation, require, valid
from isova.api.registry import register_resource
from isova.api.serializers import PersonSerializer

from . import services
from .forms import FindingFilterForm, FindingForm
from .models import Audit, Finding


class FindingSerializer(serializers.ModelSerializer):
    audit = serializers.IntegerField(source="audit_id")
    process = serializers.CharField(source="process.name", allow_null=True, default=None)
    raised_by = PersonSerializer(allow_null=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "reference",
            "audit",
            "finding_type",
            "clause",
            "process",
            "description",
            "evidence",
            "raised_on",
            "raised_by",
            "response_due",
            "status",
            "containment",
            "root_cause",
        ]


class FindingInput(serializers.Serializer):
    finding_type = serializers.CharField()
    clause = serializers.CharField(help_text="The ISO 9001:2015 clause, e.g. 8.5.1.")
    process = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField()
    evidence = serializers.CharField()


class AuditSerializer(serializers.ModelSerializer):
    lead_auditor = PersonSerializer(allow_null=True)
    process = serializers.CharField(source="process.name", allow_null=True, default=None)

    class Meta:
        model = Audit
        fields = [
            "id",
            "reference",
            "title",
            "audit_type",
            "process",
            "area",
            "clauses",
            "lead_auditor",
            "planned_date",
            "started_on",
            "reported_on",
            "closed_on",
            "status",
        ]


class AuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    serializer_class = AuditSerializer
    queryset = Audit.objects.select_related("lead_auditor", "process")
    read_permission = "audits.audit.view"

    @extend_schema(request=FindingInput, responses={201: FindingSerializer})
    @route(detail=True, methods=["post"])
    def findings(self, request: Request, pk: str) -> Response:
        """Raise a finding on this audit (while it is in progress), as the audit's page does."""
        require(request, "audits.finding.raise")
        audit = self.get_object()
        form = FindingForm(form_data(request), organisation=organisation(request))
        finding = services.finding_raise(membership=membership(request), audit=audit, **valid(form))
        finding = FindingViewSet.base.get(pk=finding.pk)
        return Response(FindingSerializer(finding).data, status=201)


class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """Findings, with the register page's filters (and `audit`: one audit's findings)."""

    serializer_class = FindingSerializer
    base = Finding.objects.select_related("audit", "process", "raised_by")
    queryset = base
    read_permission = "audits.audit.view"
    filter_form = FindingFilterForm
    ordering_fields = {
        "raised_on": "raised_on",
        "response_due": "response_due",
        "created": "created_at",
    }

    def apply_filters(self, form: Any, queryset: Any) -> Any:
        return form.filter(queryset, organisation(self.request).today())

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        audit = self.request.query_params.get("audit")
        if audit:
            if not audit.isdigit():
                raise ValidationError({"audit": ["Give an audit's id."]})
            queryset = queryset.filter(audit_id=int(audit))
        return queryset


register_resource("audits", AuditViewSet, "audit")
register_resource("findings", FindingViewSet, "finding")
