"""The register's filters, and the "decisions behind this" list other apps' pages show.

`{% load decisions_tags %}{% decisions_for risk %}` on a risk's, objective's or finding's page
lists the decisions linked to it (one query) without those apps importing this one: the link
lives on `Decision` (its many-to-many fields, `related_name="decisions"`), and only this
template tag reads it back.
"""

from __future__ import annotations

from typing import Any

from django import template

from ..models import Decision, Shown

register = template.Library()


@register.filter
def shown_label(value: str) -> str:
    """The words for a register row's state (a `Shown` value)."""
    return str(dict(Shown.choices).get(value, value))


@register.inclusion_tag("decisions/_linked.html", takes_context=True)
def decisions_for(context: Any, obj: Any) -> dict[str, Any]:
    """The decisions that name `obj` (a risk, objective, audit finding or feedback) among
    what they rest on, newest first: one query."""
    field = {
        "risks.risk": "risks",
        "objectives.objective": "objectives",
        "audits.finding": "findings",
        "reviews.feedback": "feedback",
    }.get(obj._meta.label_lower)
    rows: list[Decision] = []
    if field is not None:
        rows = list(
            Decision.objects.filter(organisation_id=obj.organisation_id, **{field: obj})
            .with_state()
            .order_by("-decided_on", "-pk")
        )
    return {"linked_decisions": rows, "request": context.get("request")}
