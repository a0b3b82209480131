"""Small wording filters shared by every page: `{% load wording %}`.

`ago` ("just now", never "0 minutes ago"), `quoted` (a quotation that ends a sentence without
doubled punctuation) and `money` (an amount in the organisation's currency).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from isova.accounts.models import Organisation

register = template.Library()

SENTENCE_ENDS = (".", "!", "?", "…")


@register.filter
def ago(moment: datetime.datetime | None) -> str:
    """ "just now" under a minute, else "3 hours ago" (the largest unit or two)."""
    if moment is None:
        return ""
    if timezone.now() - moment < datetime.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"


@register.filter
def quoted(text: Any, end: str = "") -> str:
    """`text` in curly quotes, followed by `end` unless the quotation already ends a sentence:
    “Approved at the meeting.” rather than “Approved at the meeting.”."""
    text = str(text).strip()
    if end and text.endswith(SENTENCE_ENDS) and end in SENTENCE_ENDS:
        end = ""
    return f"“{text}”{end}"


@register.filter
def money(amount: Decimal | int | None, organisation: Organisation | None = None) -> str:
    """`amount` in the organisation's currency ("£1,250.00", "CHF 80.00"); "—" when empty."""
    if amount in (None, ""):
        return "—"
    if organisation is None:
        return f"{amount}"
    return organisation.format_money(amount)


@register.filter
def human(value: Any) -> str:
    """A figure or date of a frozen table as people write it (isova/humanise.py)."""
    from isova.humanise import cell

    return cell(value)
