"""The management reviews in each person's calendar feed."""

from __future__ import annotations

from isova.registry import registry

from .alerts import calendar

registry.register("calendar", calendar, name="reviews")
