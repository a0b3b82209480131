from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    """`{{ colours|get:risk.residual_band }}`: a dict's value in a template."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
