"""The registry: one place, one way to remove what a test registered."""

import datetime

from isova import registry as hooks
from isova.registry import BriefingSection, CalendarEvent, UpcomingItem, registry


def test_unregister_removes_a_throwaway_from_every_hook():
    def events(membership):
        yield CalendarEvent(uid="x-1", day=datetime.date(2026, 1, 1), summary="x")

    def upcoming(organisation, start, end, filters):
        yield UpcomingItem(day=start, kind="x", title="x")

    hooks.register_calendar_source("throwaway", events)
    hooks.register_upcoming_source("throwaway", upcoming)
    hooks.register_briefing_section(
        BriefingSection("throwaway", "Throwaway", 99, lambda organisation, start, end: [])
    )
    hooks.register_dashboard_filter("throwaway", lambda organisation: [])

    registry.unregister("throwaway")

    assert "throwaway" not in dict(hooks.calendar_sources())
    assert "throwaway" not in dict(hooks.upcoming_sources())
    assert "throwaway" not in [s.name for s in hooks.briefing_sections()]
    assert hooks.dashboard_filter("throwaway") is None
