"""Sparklines: a small inline SVG line of recent values, no JavaScript (objective lists, the
dashboard's "At a glance" block)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString


def sparkline(
    values: Sequence[float], *, width: int = 96, height: int = 24, label: str = ""
) -> SafeString | str:
    """An SVG line of `values`, oldest left, its last point marked; "" with fewer than two.
    `label` is what a screen reader hears (default: the values)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    spread = (high - low) or 1.0
    step = (width - 4) / (len(values) - 1)
    points = [
        (2 + i * step, 2 + (height - 4) * (1 - (v - low) / spread)) for i, v in enumerate(values)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    last_x, last_y = points[-1]
    label = label or "Recent values: " + ", ".join(f"{v:g}" for v in values)
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}"><polyline points="{}" fill="none" stroke="currentColor" '
        'stroke-width="1.5"/><circle cx="{}" cy="{}" r="2.2" fill="currentColor"/></svg>',
        width,
        height,
        width,
        height,
        label,
        path,
        f"{last_x:.1f}",
        f"{last_y:.1f}",
    )
