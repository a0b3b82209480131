"""The core's API shapes: organisation, members, actions, approvals."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from isova.accounts.models import Membership, Organisation
from isova.actions.models import Action, ActionStatus, Priority
from isova.records.models import RecordVersion


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")
    email = serializers.EmailField()


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "timezone", "currency"]


class MemberSerializer(serializers.ModelSerializer):
    person = PersonSerializer(source="user")

    class Meta:
        model = Membership
        fields = ["id", "person", "role", "job_title"]


class ActionSerializer(serializers.ModelSerializer):
    owner = PersonSerializer()
    assigned_by = PersonSerializer(allow_null=True)
    source = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "description",
            "status",
            "priority",
            "due_date",
            "overdue",
            "owner",
            "assigned_by",
            "estimated_effort_hours",
            "estimated_cost",
            "completed_at",
            "completion_note",
            "verified_at",
            "verification_note",
            "source",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_source(self, action: Action) -> str | None:
        """The "app.model:id" of the record the action serves (null when none)."""
        kind = action.source_type
        if kind is None:
            return None
        return f"{kind.app_label}.{kind.model}:{action.source_id}"

    def get_overdue(self, action: Action) -> bool:
        """The one definition of overdue: outstanding and due before the organisation's today."""
        return action.is_overdue(self.context["today"])


class ActionCreateSerializer(serializers.Serializer):
    """Documents the body; validation is the page's ActionForm."""

    title = serializers.CharField(max_length=200)
    owner = serializers.IntegerField(help_text="The id of a person of this organisation.")
    description = serializers.CharField(required=False, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    estimated_effort_hours = serializers.DecimalField(7, 1, required=False, allow_null=True)
    estimated_cost = serializers.DecimalField(12, 2, required=False, allow_null=True)
    source = serializers.CharField(
        required=False, allow_blank=True, help_text="What it serves, e.g. objectives.objective:12"
    )


class AssignSerializer(serializers.Serializer):
    owner = serializers.IntegerField(help_text="The id of a person of this organisation.")


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="A progress note; the status stays.")


class ApprovalSerializer(serializers.ModelSerializer):
    record = serializers.SerializerMethodField()
    submitted_by = PersonSerializer(allow_null=True)

    class Meta:
        model = RecordVersion
        fields = ["id", "record_label", "record", "number", "submitted_at", "submitted_by"]

    def get_record(self, version: RecordVersion) -> str:
        """The "app.model:id" of the record waiting for a decision (signing is in the browser)."""
        kind = version.content_type
        return f"{kind.app_label}.{kind.model}:{version.object_id}"


def form_errors(form: Any) -> dict[str, list[str]]:
    """A Django form's errors in the API's shape (field name, or "" for the whole form)."""
    return {name or "non_field_errors": list(errs) for name, errs in form.errors.items()}


class PanelSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    figures = serializers.DictField(help_text="The panel's figures, as its page panel shows them")


class DashboardSerializer(serializers.Serializer):
    today = serializers.DateField(help_text="The organisation's today (overdue is before it)")
    filters = serializers.DictField()
    panels = PanelSerializer(many=True)
