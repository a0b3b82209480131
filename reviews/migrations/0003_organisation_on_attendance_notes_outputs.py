"""Attendance, section notes and outputs of a management review carry their organisation
themselves (every organisation-scoped table does: README, "Beyond one database"), filled from
the review."""

from django.db import migrations

from isova.migration_ops import organisation_from_parent


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_reviews_external_ref"), ("isova", "0001_initial")]

    operations = [
        *organisation_from_parent("reviews", "Attendance", "review"),
        *organisation_from_parent("reviews", "SectionNote", "review"),
        *organisation_from_parent("reviews", "ReviewOutput", "review"),
    ]
