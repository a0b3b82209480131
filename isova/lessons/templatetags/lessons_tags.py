"""The lesson asked for when a record closed, as the record's own page shows it.

`{% load lessons_tags %}{% lesson_of objective %}` on an objective's, finding's, audit's or
management review's page links to its lesson and says where it stands (waiting for its owner,
captured and what it became, or skipped and why), in one query, without those apps reading
lessons themselves. Nothing is shown before the record closes (no lesson is asked yet).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models

from ..models import Lesson

register = template.Library()


def lesson_of_record(obj: models.Model) -> Lesson | None:
    """The lesson whose source is `obj`, with its owner (1 query, whatever the content-type
    cache holds: the type is matched by its app label and model name in the same query)."""
    meta = obj._meta
    organisation_id = getattr(obj, "organisation_id", None)
    if organisation_id is None:
        return None
    return (
        Lesson.objects.filter(
            organisation_id=organisation_id,
            source_type__app_label=meta.app_label,
            source_type__model=meta.model_name,
            source_id=obj.pk,
        )
        .select_related("owner")
        .first()
    )


@register.inclusion_tag("lessons/_of_record.html")
def lesson_of(obj: models.Model) -> dict[str, Any]:
    return {"lesson_of_record": lesson_of_record(obj)}
