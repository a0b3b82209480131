"""The audit team's link table gets a model and its own organisation column (every
organisation-scoped table carries it: README, "Beyond one database"). The table stays
`audits_audit_team`: the model is declared over it (state only), then the column is added,
filled from the audit, and the uniqueness led by it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from isova.migration_ops import organisation_from_parent


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0003_audits_external_ref"),
        ("isova", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditTeamMember",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "audit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="audits.audit",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "audits_audit_team",
                        "unique_together": {("audit", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="audit",
                    name="team",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="audit_teams",
                        through="audits.AuditTeamMember",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="audit team",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RenameModel("HistoricalAudit_team", "HistoricalAuditTeamMember"),
        *organisation_from_parent(
            "audits", "AuditTeamMember", "audit", historical="HistoricalAuditTeamMember"
        ),
        migrations.AlterUniqueTogether(name="auditteammember", unique_together=set()),
        migrations.AddConstraint(
            model_name="auditteammember",
            constraint=models.UniqueConstraint(
                fields=("organisation", "audit", "user"), name="one_place_per_person_in_a_team"
            ),
        ),
    ]
