"""Beyond one database: every organisation-scoped table carries its organisation id directly,
and every unique constraint and index starts with it (what Citus needs to distribute the
schema by organisation; see the README, "Moving to Citus").

The tables that do not yet are listed in KNOWN_GAPS: the test fails when a new model adds a
gap, and when a listed gap is closed (so the list only shrinks).
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

from isova.models import Organisation

OURS = {"isova", "objectives", "audits", "risks", "reviews"}

KNOWN_GAPS = {
    # No organisation column: scoped through a parent row.
    "audits.Audit_team: no organisation column",
    "audits.HistoricalAudit_team: no organisation column",
    "objectives.Measurement: no organisation column",
    "objectives.HistoricalMeasurement: no organisation column",
    "objectives.Review: no organisation column",
    "reviews.Attendance: no organisation column",
    "reviews.ReviewOutput: no organisation column",
    "reviews.SectionNote: no organisation column",
    "risks.Assessment: no organisation column",
    "risks.Risk_findings: no organisation column",
    "risks.Risk_objectives: no organisation column",
    # Unique constraints and indexes that do not start with the organisation.
    "audits.Finding: one_finding_number_per_audit starts with audit",
    "isova.Membership: one_membership_per_org starts with user",
    "isova.RecordVersion: one_version_number_per_record starts with content_type",
    "reviews.PolicyAcknowledgement: one_ack_per_policy_version starts with policy",
    "isova.Action: index isova_actio_source__245867_idx starts with source_type",
    "isova.Notification: index isova_notif_recipie_977939_idx starts with recipient",
    "isova.Notification: index isova_notif_status_40fd92_idx starts with status",
    "isova.RecordVersion: index isova_recor_content_49b85e_idx starts with content_type",
    "isova.SignOff: index isova_signo_content_7978b3_idx starts with content_type",
    "isova.SignOff: hash is unique on its own",
}


def organisation_field(model: type[models.Model]) -> models.Field | None:
    for field in model._meta.fields:
        if field.is_relation and field.related_model is Organisation:
            return field
    return None


def scoped(model: type[models.Model], seen: tuple = ()) -> bool:
    """Belongs to one organisation: has its id, or a parent row (of ours) that does."""
    if organisation_field(model):
        return True
    for field in model._meta.fields:
        parent = field.related_model
        if (
            field.many_to_one
            and parent is not model
            and parent not in seen
            and parent._meta.app_label in OURS
            and scoped(parent, (*seen, model))
        ):
            return True
    return False


def gaps() -> set[str]:
    found = set()
    for model in apps.get_models(include_auto_created=True):
        label = f"{model._meta.app_label}.{model.__name__}"
        if model._meta.app_label not in OURS or model is Organisation or not scoped(model):
            continue
        org = organisation_field(model)
        if org is None:
            found.add(f"{label}: no organisation column")
            continue
        for constraint in model._meta.constraints:
            fields = getattr(constraint, "fields", ())
            if fields and fields[0] != org.name:
                found.add(f"{label}: {constraint.name} starts with {fields[0]}")
        for together in model._meta.unique_together:
            if together[0] != org.name:
                found.add(f"{label}: unique_together starts with {together[0]}")
        for index in model._meta.indexes:
            if index.fields and index.fields[0].lstrip("-") != org.name:
                found.add(f"{label}: index {index.name} starts with {index.fields[0]}")
        for field in model._meta.fields:
            if field.unique and not field.primary_key and field is not org:
                found.add(f"{label}: {field.name} is unique on its own")
    return found


def test_every_organisation_scoped_table_leads_with_the_organisation():
    found = gaps()
    new = sorted(found - KNOWN_GAPS)
    closed = sorted(KNOWN_GAPS - found)
    assert not new, f"new tables or indexes not led by the organisation: {new}"
    assert not closed, f"closed gaps: remove them from KNOWN_GAPS: {closed}"


def test_the_check_sees_a_table_without_the_organisation():
    # The scan itself: a scoped model with no organisation column is reported.
    assert "objectives.Measurement: no organisation column" in gaps()
    assert scoped(apps.get_model("objectives", "Measurement"))
    assert not scoped(apps.get_model("isova", "User"))
