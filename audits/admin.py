from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Audit, AuditSettings, Finding, Process


@admin.register(Process)
class ProcessAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "owner"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    raw_id_fields = ["owner"]


@admin.register(Audit)
class AuditAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "organisation", "audit_type", "status", "planned_date"]
    list_filter = ["organisation", "audit_type", "status"]
    search_fields = ["reference", "title"]
    raw_id_fields = ["lead_auditor", "created_by", "process"]


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "organisation", "finding_type", "clause", "status", "response_due"]
    list_filter = ["organisation", "finding_type", "status"]
    search_fields = ["description", "clause"]
    raw_id_fields = [
        "audit",
        "process",
        "raised_by",
        "containment_by",
        "root_cause_by",
        "risk_decided_by",
        "effectiveness_by",
        "closed_by",
    ]


@admin.register(AuditSettings)
class AuditSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "sla_major_days", "sla_minor_days", "sla_observation_days"]
