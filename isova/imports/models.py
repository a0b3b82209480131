"""An upload being mapped (the web flow's state between steps) and saved mappings."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportState(models.TextChoices):
    MAPPING = "mapping", "being mapped"
    QUEUED = "queued", "importing"  # started: a task (a worker, or the request) is on it
    DONE = "done", "imported"
    FAILED = "failed", "failed, nothing saved"


class ImportUpload(models.Model):
    """A file someone is importing: kept until imported (then its report) so each step of the
    web flow reads the same bytes with the mapping chosen so far, and the import task reads
    them by the row's id. `state` moves mapping → queued (once: a second start finds it
    queued) → done or failed; done is written in the import's own transaction."""

    organisation = models.ForeignKey(
        "isova.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    filename = models.CharField(max_length=255)
    sheet = models.CharField(max_length=100, blank=True)
    data = models.BinaryField()
    mapping = models.JSONField(default=dict, blank=True)
    report = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=ImportState, default=ImportState.MAPPING)
    started_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    # The name to save the mapping under once the import has succeeded (blank: not saved).
    save_as = models.CharField(max_length=100, blank=True)

    class Meta:
        app_label = "isova"

    def __str__(self) -> str:
        return f"{self.kind} import of {self.filename}"


class SavedMapping(models.Model):
    """A mapping someone saved for a kind, to reuse with the next file from the same tool."""

    organisation = models.ForeignKey(
        "isova.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    mapping = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "isova"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "name"], name="one_saved_mapping_name_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.name
