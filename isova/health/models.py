"""Each organisation's own thresholds for the leadership-health figures."""

from __future__ import annotations

from django.db import models

from isova.accounts.models import Organisation, OrgQuerySet


class HealthThresholdQuerySet(OrgQuerySet, models.QuerySet["HealthThreshold"]):
    pass


class HealthThreshold(models.Model):
    """An organisation's own amber and red thresholds for one leadership health figure
    (`isova.registry.HealthFigure.key`); without a row the figure's defaults apply."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="health_thresholds"
    )
    key = models.CharField(max_length=60)
    amber = models.FloatField()
    red = models.FloatField()

    objects = HealthThresholdQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="one_threshold_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}: amber {self.amber:g}, red {self.red:g}"
