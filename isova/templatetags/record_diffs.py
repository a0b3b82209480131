"""{% word_diff old new as d %}: the word-level difference of one changed value (records)."""

from __future__ import annotations

from typing import Any

from django import template

from isova.records.snapshots import WordDiff, word_diff

register = template.Library()


@register.simple_tag(name="word_diff")
def word_diff_tag(old: Any, new: Any) -> WordDiff:
    return word_diff(str(old), str(new))
