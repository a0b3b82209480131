"""Approvable records: versions, sign-offs, their hash chain, and the quality policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from isova.accounts.models import Organisation, OrgQuerySet, Role


class RecordStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"


class RecordVersionQuerySet(OrgQuerySet, models.QuerySet["RecordVersion"]):
    def for_record(self, obj: models.Model) -> RecordVersionQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=obj.pk,
        )

    def awaiting_decision(self) -> RecordVersionQuerySet:
        """Submitted versions, oldest submission first (the approvals inbox order)."""
        return self.filter(status=RecordStatus.SUBMITTED).order_by("submitted_at", "pk")

    def for_inbox(self) -> RecordVersionQuerySet:
        """Everything an inbox row shows: the submitter and the record itself (prefetched by
        content type, one query per kind of record, never one per row)."""
        return self.select_related("submitted_by", "content_type").prefetch_related("record")


class RecordVersion(models.Model):
    """One version of an approvable record (v1, v2, …) and where it stands.

    `snapshot` is the record as submitted, and as signed once decided; the current draft's
    contents are the live record. A version is never deleted: an approved one that is changed
    in a way that matters becomes "superseded" and the next number opens as a draft.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="record_versions"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    record_label = models.CharField(max_length=200, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    # What differs from the previously approved version, as [{"field", "old", "new"}, …].
    changes = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submit_comment = models.TextField(blank=True)
    # Counts the submissions of this version (a version sent back to draft and submitted
    # again is a new submission): decision forms and notifications name the submission.
    submission = models.PositiveIntegerField(default=0)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = RecordVersionQuerySet.as_manager()

    class Meta:
        ordering = ["content_type", "object_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "content_type", "object_id", "number"],
                name="one_version_number_per_record",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "submitted_at"]),
            models.Index(fields=["organisation", "content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.record_label or 'record'} v{self.number} ({self.get_status_display()})"

    @property
    def snapshot_hash(self) -> str:
        """SHA-256 of the snapshot's canonical JSON: what decision forms carry, so that a
        decision binds the content the signer was shown."""
        from .snapshots import snapshot_hash

        return snapshot_hash(self.snapshot)

    @property
    def short_hash(self) -> str:
        """The snapshot hash's first twelve digits: what the signer sees beside the content."""
        return self.snapshot_hash[:12]

    @property
    def content_rows(self) -> list:
        """The snapshot field by field, as a signer reads it (records/rendering.py)."""
        from .rendering import content_rows

        return content_rows(self.snapshot)

    @property
    def model_key(self) -> str:
        """The record's model as record URLs name it: "app_label.model"."""
        return f"{self.content_type.app_label}.{self.content_type.model}"


class SignOffChain(models.Model):
    """The head of one organisation's sign-off chain: how long it is and its last hash.

    New sign-offs lock this row (SELECT … FOR UPDATE) so two at once cannot both claim the
    same place in the chain; verification compares it with the chain's last row, so deleting
    the newest sign-offs does not go unnoticed.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="signoff_chain"
    )
    length = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.organisation}: {self.length} sign-offs"


class SignOff(models.Model):
    """Who signed which version of a record, when, meaning what, chained by HMAC-SHA256.

    Append-only: on PostgreSQL a trigger refuses UPDATE and DELETE of this table. `hash`
    (keyed with the `key_id` key of RECORDS_HMAC_KEYS, held outside the database) covers the
    canonical JSON `snapshot`, the metadata below and the previous sign-off's hash in the same
    organisation (`sequence` numbers them 1, 2, 3, … per organisation).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField()
    version = models.ForeignKey(RecordVersion, on_delete=models.PROTECT, related_name="signoffs")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    record_label = models.CharField(max_length=200)
    version_number = models.PositiveIntegerField()
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=150)
    signer_email = models.EmailField()
    signer_role = models.CharField(max_length=16, choices=Role.choices)
    meaning = models.CharField(max_length=40)
    comment = models.TextField(blank=True)
    signed_at = models.DateTimeField()
    snapshot = models.TextField(help_text="Canonical JSON of the record as signed.")
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(
        max_length=32, default="", help_text="Which RECORDS_HMAC_KEYS key made `hash`."
    )

    class Meta:
        ordering = ["organisation", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sequence"], name="one_signoff_per_chain_place"
            ),
            models.UniqueConstraint(fields=["organisation", "hash"], name="one_signoff_per_hash"),
        ]
        indexes = [models.Index(fields=["organisation", "content_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.meaning} {self.record_label} v{self.version_number}"


class Approvable(models.Model):
    """A record that leaders approve or sign through `isova.records`.

    Subclasses set `APPROVAL_NAME` (how the record is named to people), `MATERIAL_FIELDS`
    (own fields whose change needs a new approval; children in the snapshot always count) and
    implement `approval_snapshot()` (a JSON-able dict of the record and its children as they
    stand, which is what a signer is shown and what the sign-off binds) and
    `get_absolute_url()`. The hooks run inside the records transaction. A record that is only
    ever signed, never submitted (an audit report), sets `SIGN_ONLY = True`.
    """

    APPROVAL_NAME: ClassVar[str] = ""
    MATERIAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    # Children's fields that record progress, not the plan: {"plan": ("status",)}. They are
    # shown and signed with the rest, but a change to them never asks for a new approval.
    PROGRESS_FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {}
    SIGN_ONLY: ClassVar[bool] = False

    if TYPE_CHECKING:
        organisation_id: int
        organisation: Organisation

    class Meta:
        abstract = True

    def approval_snapshot(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} must define approval_snapshot()")

    def approval_problems(self) -> list[str]:
        """What stops the record being submitted now (empty: nothing)."""
        return []

    def approval_submit_url(self) -> str | None:
        """The record's own submit page, when it has checks of its own (None: the generic one)."""
        return None

    def on_submitted(self, version: RecordVersion) -> None:
        """Called when a version is submitted."""

    def on_approval_decided(self, decision: str, signoff: SignOff) -> None:
        """Called when a leader approved or rejected the submitted version."""

    def on_record_changed(self, version: RecordVersion) -> None:
        """Called when an edit moved a version: an approval superseded (`version` is the new
        draft) or a submission sent back to draft (`version` is that draft)."""

    def get_absolute_url(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} must define get_absolute_url()")


class QualityPolicy(Approvable):
    """The organisation's quality policy (ISO 9001 5.2): approved by top management."""

    APPROVAL_NAME = "quality policy"
    # Changing what the policy says, who owns it or when it applies needs a new approval;
    # retitling it does not.
    MATERIAL_FIELDS = ("text", "owner", "effective_from")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="quality_policies"
    )
    title = models.CharField(max_length=200)
    text = models.TextField("policy text")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-effective_from", "pk"]
        verbose_name_plural = "quality policies"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quality_policy_detail", args=[self.pk])

    def approval_snapshot(self) -> dict:
        return {
            "title": self.title,
            "text": self.text,
            "owner": {"id": self.owner_id, "name": self.owner.get_full_name()},
            "effective_from": self.effective_from,
        }
