"""The objectives app's webhook events."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save, pre_save

from isova.api.registry import register_event
from isova.api.webhooks import emit, subscribed

from .models import Measurement, Objective

EVENT = "objective.rag_changed"
register_event(EVENT, "A value recorded moved an objective to another RAG state.")


def _rag(objective_id: int) -> str:
    objective = Objective.objects.select_related("organisation").get(pk=objective_id)
    today = objective.organisation.today()
    annotated = Objective.objects.with_progress(today)
    rag = annotated.values_list("rag", flat=True)  # type: ignore[misc]  # an annotation
    return str(rag.get(pk=objective_id))


def _before(sender: Any, instance: Measurement, **kwargs: Any) -> None:
    # Only organisations that listen pay the two queries the RAG state costs.
    organisation_id = instance.objective.organisation_id
    if not kwargs.get("raw") and subscribed(organisation_id, EVENT):
        instance._rag_before = _rag(instance.objective_id)  # type: ignore[attr-defined]


def _after(sender: Any, instance: Measurement, **kwargs: Any) -> None:
    before = getattr(instance, "_rag_before", None)
    if before is None:
        return
    del instance._rag_before  # type: ignore[attr-defined]
    after = _rag(instance.objective_id)
    if after != before:
        objective = instance.objective
        emit(
            objective.organisation,
            EVENT,
            {
                "id": objective.pk,
                "title": objective.title,
                "from_rag": before,
                "to_rag": after,
                "period": instance.period,
                "value": instance.value,
                "url": settings.SITE_URL + objective.get_absolute_url(),
            },
        )


pre_save.connect(_before, sender=Measurement, dispatch_uid="objectives.webhooks.before")
post_save.connect(_after, sender=Measurement, dispatch_uid="objectives.webhooks.after")
