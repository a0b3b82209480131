"""`{% plan_resources obj %}`: a plan's people, tools and budget on the plan's own page."""

from __future__ import annotations

from typing import Any

from django import template

from isova.accounts.tenancy import has_perm
from isova.resources.models import ResourcePlan
from isova.resources.plans import plan_resources as read
from isova.resources.plans import plan_url

register = template.Library()


@register.inclusion_tag("resources/_plan_resources.html", takes_context=True)
def plan_resources(context: template.Context, plan: ResourcePlan) -> dict[str, Any]:
    """Two queries (people with their names, tools and budget lines)."""
    return {
        **read(plan),
        "manage_url": plan_url(plan),
        "can_edit": has_perm(context.get("membership"), "resources.allocation.edit"),
        "organisation": context.get("organisation"),
    }
