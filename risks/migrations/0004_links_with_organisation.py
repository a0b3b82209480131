"""A risk's assessments carry their organisation themselves, and its links to objectives and
findings get models and their own organisation column
(every organisation-scoped table carries it: README, "Beyond one database"). The tables stay
(`risks_risk_objectives`, `risks_risk_findings`): the models are declared over them (state
only), then the column is added, filled from the risk, and the uniqueness led by it."""

import django.db.models.deletion
from django.db import migrations, models

from isova.migration_ops import organisation_from_parent

LINKS = {"riskobjective": "objective", "riskfinding": "finding"}


def _link(name, other, table):
    return migrations.CreateModel(
        name=name,
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "risk",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="+", to="risks.risk"
                ),
            ),
            (
                LINKS[name.lower()],
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="+", to=other
                ),
            ),
        ],
        options={"db_table": table, "unique_together": {("risk", LINKS[name.lower()])}},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0003_dashboard_org_indexes"),
        ("objectives", "0003_objectives_external_ref"),
        ("audits", "0003_audits_external_ref"),
        ("isova", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                _link("RiskObjective", "objectives.objective", "risks_risk_objectives"),
                _link("RiskFinding", "audits.finding", "risks_risk_findings"),
                migrations.AlterField(
                    model_name="risk",
                    name="objectives",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="risks",
                        through="risks.RiskObjective",
                        to="objectives.objective",
                        verbose_name="objectives",
                    ),
                ),
                migrations.AlterField(
                    model_name="risk",
                    name="findings",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="risks",
                        through="risks.RiskFinding",
                        to="audits.finding",
                    ),
                ),
            ],
            database_operations=[],
        ),
        *organisation_from_parent("risks", "RiskObjective", "risk"),
        *organisation_from_parent("risks", "RiskFinding", "risk"),
        *organisation_from_parent("risks", "Assessment", "risk"),
        migrations.AlterUniqueTogether(name="riskobjective", unique_together=set()),
        migrations.AlterUniqueTogether(name="riskfinding", unique_together=set()),
        migrations.AddConstraint(
            model_name="riskobjective",
            constraint=models.UniqueConstraint(
                fields=("organisation", "risk", "objective"), name="one_link_per_risk_objective"
            ),
        ),
        migrations.AddConstraint(
            model_name="riskfinding",
            constraint=models.UniqueConstraint(
                fields=("organisation", "risk", "finding"), name="one_link_per_risk_finding"
            ),
        ),
    ]
