"""Operations that migrations of several apps share. Kept stable: migrations import them."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


def _fill(app_label: str, model_name: str, parent: str):
    def fill(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        parent_model = model._meta.get_field(parent).related_model
        for parent_id, organisation_id in parent_model._base_manager.values_list(
            "pk", "organisation_id"
        ).iterator():
            model._base_manager.filter(**{f"{parent}_id": parent_id}).update(
                organisation_id=organisation_id
            )

    return fill


def organisation_from_parent(
    app_label: str, model_name: str, parent: str, historical: str = ""
) -> list[migrations.operations.base.Operation]:
    """Give `model_name` (and its simple-history model `historical`, if any) an organisation
    column filled from its `parent` row: added empty, filled, then required."""
    column = models.ForeignKey(
        null=True,
        editable=False,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="isova.organisation",
    )
    required = models.ForeignKey(
        editable=False,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="isova.organisation",
    )
    operations: list[migrations.operations.base.Operation] = [
        migrations.AddField(model_name=model_name.lower(), name="organisation", field=column)
    ]
    if historical:
        operations.append(
            migrations.AddField(
                model_name=historical.lower(),
                name="organisation",
                field=models.ForeignKey(
                    blank=True,
                    db_constraint=False,
                    null=True,
                    on_delete=django.db.models.deletion.DO_NOTHING,
                    related_name="+",
                    to="isova.organisation",
                ),
            )
        )
    operations.append(
        migrations.RunPython(_fill(app_label, model_name, parent), migrations.RunPython.noop)
    )
    if historical:
        operations.append(
            migrations.RunPython(_fill(app_label, historical, parent), migrations.RunPython.noop)
        )
    operations.append(
        migrations.AlterField(model_name=model_name.lower(), name="organisation", field=required)
    )
    return operations
