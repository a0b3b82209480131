"""Chart data for objectives: the server-rendered sparkline and the detail page's series."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString

from isova import sparklines

from .models import Measurement, Objective


def sparkline(
    measurements: Sequence[Measurement], *, width: int = 96, height: int = 24
) -> SafeString | str:
    """An inline SVG line of the values, oldest left; `measurements` newest first."""
    values = [float(m.value) for m in reversed(measurements)]
    return sparklines.sparkline(values, width=width, height=height)


def plotly_text(text: str) -> str:
    """User text for a Plotly title or hover label, where Plotly renders a subset of HTML
    (<a href>, <b>, <br>…): escaped, so that it is drawn as the characters typed."""
    return html.escape(text, quote=False)


def series(objective: Objective, measurements: Sequence[Measurement]) -> dict[str, Any]:
    """What the detail chart draws; `objective` carries `with_progress` annotations.

    Actual values sit at the end of their period; the planned path runs straight from the
    baseline at the start to the target at the target date; the forecast is drawn from the
    latest value to the least-squares forecast at the target date.
    """
    start, end = objective.start_date.isoformat(), objective.target_date.isoformat()
    baseline, target = float(objective.baseline), float(objective.target)
    data: dict[str, Any] = {
        "unit": plotly_text(objective.unit),
        "actual": {
            "x": [m.period_end.isoformat() for m in measurements],
            "y": [float(m.value) for m in measurements],
            "text": [objective.period_label(m.period) for m in measurements],
        },
        "planned": {"x": [start, end], "y": [baseline, target]},
        "target": {"x": [start, end], "y": [target, target]},
        "forecast": None,
    }
    forecast = getattr(objective, "forecast", None)
    if forecast is not None and measurements:
        last = measurements[-1]
        data["forecast"] = {
            "x": [last.period_end.isoformat(), end],
            "y": [float(last.value), round(forecast, 4)],
        }
    return data
