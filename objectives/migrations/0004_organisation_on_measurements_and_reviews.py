"""Measurements and objective reviews carry their organisation themselves (every
organisation-scoped table does: README, "Beyond one database"), filled from the objective."""

from django.db import migrations

from isova.migration_ops import organisation_from_parent


class Migration(migrations.Migration):
    dependencies = [("objectives", "0003_objectives_external_ref"), ("isova", "0001_initial")]

    operations = [
        *organisation_from_parent(
            "objectives", "Measurement", "objective", historical="HistoricalMeasurement"
        ),
        *organisation_from_parent("objectives", "Review", "objective"),
    ]
