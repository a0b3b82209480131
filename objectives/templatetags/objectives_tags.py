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


@register.filter
def measure(value: object, objective: object) -> str:
    """A computed figure of `objective`'s measure (planned, forecast) at the measure's own
    decimals, without its unit (templates add it): isova.humanise.measure."""
    from isova.humanise import measure as written

    return written(value, getattr(objective, "decimals", 2))


@register.filter
def plan_gap(behind: object) -> str:
    """ "12.5 % behind plan", "3 % ahead of plan", "on plan": never a negative "behind"."""
    from isova.humanise import plan_gap as said

    return said(None if behind is None else float(behind))  # type: ignore[arg-type]
