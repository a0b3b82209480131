from django.apps import AppConfig


class IsovaConfig(AppConfig):
    name = "isova"
    verbose_name = "isova core"

    def ready(self) -> None:
        from . import briefing
        from .alerts import action_alerts
        from .calendar import action_events
        from .registry import register_briefing_section, register_calendar_source, registry

        # The core's own alerts: actions due soon and overdue, and their escalation ladder;
        # the leaders' weekly briefing and its core sections; due actions in the calendar.
        registry.register_alert_source("isova.actions", action_alerts)
        registry.register_alert_source("isova.briefing", briefing.weekly_briefing)
        for section in briefing.CORE_SECTIONS:
            register_briefing_section(section)
        register_calendar_source("isova.actions", action_events)

        from .models import Role
        from .tenancy import register_permissions

        # Leaders set when overdue actions climb the escalation ladder.
        register_permissions({"alerts.escalation.edit": frozenset({Role.LEADER})})
