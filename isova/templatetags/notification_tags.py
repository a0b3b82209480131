"""`{% unread_count %}`: the person's unread notifications in this organisation.

No query of its own: `OrganisationMiddleware` loads the memberships `with_unread()`.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context: dict[str, Any]) -> int:
    membership = getattr(context.get("request"), "membership", None)
    return getattr(membership, "unread", 0) if membership is not None else 0


@register.filter
def email_link(url: str, organisation: Any) -> str:
    """`{{ item.url|email_link:notification.organisation }}`: the page's whole address for an
    e-mail, naming its organisation (see `isova.notifications.email_link`)."""
    from isova.notifications.services import email_link as link

    return link(url, organisation)
