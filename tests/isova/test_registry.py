"""The registry: one place, one way to remove what a test registered."""

import datetime

from isova.registry import BriefingSection, CalendarEvent, UpcomingItem, registry


def test_unregister_removes_a_throwaway_from_every_hook():
    def events(membership):
        yield CalendarEvent(uid="x-1", day=datetime.date(2026, 1, 1), summary="x")

    def upcoming(organisation, start, end, filters):
        yield UpcomingItem(day=start, kind="x", title="x")

    registry.register("calendar", events, name="throwaway")
    registry.register("upcoming", upcoming, name="throwaway")
    registry.register(
        "briefing",
        BriefingSection("throwaway", "Throwaway", 99, lambda organisation, start, end: []),
    )
    registry.register("filters", lambda organisation: [], name="throwaway")

    registry.unregister("throwaway")

    assert "throwaway" not in dict(registry.calendar_sources())
    assert "throwaway" not in dict(registry.upcoming_sources())
    assert "throwaway" not in [s.name for s in registry.briefing_sections()]
    assert registry.dashboard_filter("throwaway") is None
