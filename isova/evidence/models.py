"""The signed leadership evidence pack."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from isova.accounts.models import Organisation
from isova.records.models import Approvable


class EvidencePack(Approvable):
    """The leadership evidence pack (ISO 9001 5.1) as a leader reviewed and signed it.

    `pack` is the pack exactly as shown on the page; the sign-off's snapshot is made from it,
    so the organisation keeps what it presented to the certification auditor.
    """

    APPROVAL_NAME = "leadership evidence pack"
    SIGN_ONLY = True

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="evidence_packs"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    pack = models.JSONField()
    pack_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Leadership evidence {self.period_start:%d %b %Y} – {self.period_end:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("evidence_pack", args=[self.pk])

    def approval_snapshot(self) -> dict[str, Any]:
        return {"pack": self.pack, "pack_hash": self.pack_hash}
