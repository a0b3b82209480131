"""`{% unread_count %}`: the person's unread notifications in this organisation (one query)."""

from __future__ import annotations

from typing import Any

from django import template

from isova.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context: dict[str, Any]) -> int:
    request = context.get("request")
    organisation = getattr(request, "organisation", None)
    if request is None or organisation is None or not request.user.is_authenticated:
        return 0
    return Notification.objects.filter(
        organisation=organisation, recipient=request.user, read_at=None
    ).count()
