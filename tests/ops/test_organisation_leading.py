"""Beyond one database: every organisation-scoped table carries its organisation id directly,
and every unique constraint and index starts with it (what Citus needs to distribute the
schema by organisation; see the README, "Moving to Citus").

Rows that belong to a parent (an objective's measurements, an audit's team) carry the
parent's organisation too (`isova.accounts.models.OrgChild`), filled when they are saved or
bulk-created, many-to-many links included.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.apps import apps
from django.db import models

from isova.models import Organisation

OURS = {"isova", "objectives", "audits", "risks", "reviews", "decisions", "lessons", "resources"}

# None left: the list may only stay empty (a new gap fails the test below).
KNOWN_GAPS: set[str] = set()


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
    # The scan itself, on a scoped model of ours without the column: it is reported.
    class Unled(models.Model):
        measurement = models.ForeignKey("objectives.Measurement", on_delete=models.CASCADE)
        day = models.DateField()

        class Meta:
            app_label = "objectives"
            constraints = [models.UniqueConstraint(fields=["day"], name="unled_day")]

    try:
        assert scoped(Unled)
        assert "objectives.Unled: no organisation column" in gaps()
    finally:
        apps.all_models["objectives"].pop("unled", None)
        apps.clear_cache()
    assert scoped(apps.get_model("objectives", "Measurement"))
    assert not scoped(apps.get_model("isova", "User"))


def test_rows_of_a_parent_take_its_organisation_however_they_are_made(org, other_org):
    from objectives.models import Measurement
    from tests.objectives.conftest import make_objective
    from tests.risks.conftest import raise_risk

    objective = make_objective(org.organisation, org.manager)
    saved = Measurement.objects.create(
        objective=objective,
        period=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 1, 31),
        value=Decimal("90"),
    )
    # bulk_create with only the parent's id (no instance loaded): one query finds it.
    [bulk] = Measurement.objects.bulk_create(
        [
            Measurement(
                objective_id=objective.pk,
                period=datetime.date(2025, 2, 1),
                period_end=datetime.date(2025, 2, 28),
                value=Decimal("91"),
            )
        ]
    )
    assert saved.organisation_id == bulk.organisation_id == org.organisation.pk
    assert Measurement.objects.for_org(other_org.organisation).count() == 0

    # Many-to-many links (their through rows are bulk-created by `set`).
    risk = raise_risk(org, process=None, inherent_likelihood=2, inherent_impact=2)
    risk.objectives.set([objective])
    link = risk.objectives.through.objects.get()
    assert link.organisation_id == org.organisation.pk
