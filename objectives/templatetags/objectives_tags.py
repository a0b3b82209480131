from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def num(value: object, places: int = 2) -> str:
    """A measured value without trailing zeros: 96.30 → 96.3, 95.0000 → 95, None → —."""
    if value is None or value == "":
        return "—"
    try:
        number = round(Decimal(str(value)), int(places))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def days_until(day: object, later: object) -> int | str:
    """Whole days from `day` to `later` (two dates); "" when either is missing."""
    if day is None or later is None:
        return ""
    return (later - day).days  # type: ignore[operator]
