"""Figures and dates as people write them, for pages, packs and e-mails alike.

One place, so that a pack frozen as JSON, a page and an e-mail show the same "9.9" and
"4 Dec 2026" rather than "9.93333" and "2026-12-04".
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import date_format

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
DEFAULT_PLACES = 2


def decimals_of(*values: object) -> int:
    """The decimals a measure is written with: the most of its baseline and target."""
    places = 0
    for value in values:
        try:
            exponent = Decimal(str(value)).normalize().as_tuple().exponent
        except (InvalidOperation, ValueError):
            continue
        if isinstance(exponent, int):
            places = max(places, -exponent)
    return places


def figure(value: object, places: int = DEFAULT_PLACES) -> str:
    """A number rounded to `places` without trailing zeros, thousands grouped: 1,234.5."""
    if value is None or value == "":
        return "—"
    try:
        number = round(Decimal(str(value)), places)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    text = f"{number:,f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def day(value: datetime.date | str | None) -> str:
    """A date as "4 Dec 2026" (ISO strings from frozen JSON included)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            return date_format(datetime.date.fromisoformat(value), "j M Y")
        except ValueError:
            return value
    return date_format(value, "j M Y")


def cell(value: object) -> str:
    """A value of a frozen table (review pack): dates and long decimals made readable,
    words left alone."""
    if isinstance(value, datetime.date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return day(value)
    if isinstance(value, float | Decimal) or (
        isinstance(value, str) and _NUMBER.match(value) and "." in value
    ):
        return figure(value)
    return "" if value is None else str(value)


def measure(value: object, places: int, unit: str = "") -> str:
    """A figure of a measure at the measure's own decimals (`decimals_of` its baseline and
    target), thousands grouped, with its unit: "92.5%", "1,234 days", "—" for none. Pages
    (the `measure` filter), e-mails and alerts all write measures with it."""
    if value is None or value == "":
        return "—"
    try:  # half up, as people round: 1,234.5 days is 1,235 days
        exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    number = f"{exact:,f}"
    if number.lstrip("-").strip("0.,") == "":
        number = number.lstrip("-")  # never "-0.0"
    unit = unit.strip()
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def plan_gap(behind: float | None, places: int = 1) -> str:
    """How far a value is from its planned path, as a person says it: "12.5 % behind plan",
    "3 % ahead of plan", "on plan" (never a negative "behind"); "no data" for none."""
    if behind is None:
        return "no data"
    gap = round(float(behind), places)
    if gap == 0:
        return "on plan"
    text = figure(abs(gap), places)
    return f"{text} % behind plan" if gap > 0 else f"{text} % ahead of plan"
