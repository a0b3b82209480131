from django.apps import AppConfig


class IsovaConfig(AppConfig):
    name = "isova"
    verbose_name = "isova core"

    def ready(self) -> None:
        # The Celery tasks, registered for every process (the web's queues them by name).
        from isova import tasks  # noqa: F401
        from isova.accounts.tenancy import CORE_PERMISSIONS, register_permissions
        from isova.actions import briefing as actions_briefing
        from isova.actions.alerts import action_alerts
        from isova.actions.calendar import action_events
        from isova.dashboard import upcoming
        from isova.dashboard.views import CORE_PANELS
        from isova.evidence import services as evidence
        from isova.health import services as health
        from isova.notifications import briefing
        from isova.records import briefing as records_briefing

        from .registry import register_briefing_section, register_calendar_source, registry

        register_permissions(CORE_PERMISSIONS)
        for panel in CORE_PANELS:
            registry.register_panel(panel)
        # The core's own alerts: actions due soon and overdue, and their escalation ladder;
        # the leaders' weekly briefing and its core sections; due actions in the calendar.
        registry.register_alert_source("isova.actions", action_alerts)
        registry.register_alert_source("isova.briefing", briefing.weekly_briefing)
        for section in actions_briefing.SECTIONS + records_briefing.SECTIONS:
            register_briefing_section(section)
        register_calendar_source("isova.actions", action_events)
        registry.register_panel(upcoming.PANEL)
        registry.register_panel(health.PANEL)
        health.register()
        upcoming.register()
        # The core's own leadership evidence (sign-offs, the policy, actions shared out).
        evidence.register()
