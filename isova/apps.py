from django.apps import AppConfig


class IsovaConfig(AppConfig):
    name = "isova"
    verbose_name = "isova core"

    def ready(self) -> None:
        from . import briefing, evidence, health, upcoming
        from .alerts import action_alerts
        from .calendar import action_events
        from .dashboard import CORE_PANELS
        from .registry import register_briefing_section, register_calendar_source, registry
        from .tenancy import CORE_PERMISSIONS, register_permissions

        register_permissions(CORE_PERMISSIONS)
        for panel in CORE_PANELS:
            registry.register_panel(panel)
        # The core's own alerts: actions due soon and overdue, and their escalation ladder;
        # the leaders' weekly briefing and its core sections; due actions in the calendar.
        registry.register_alert_source("isova.actions", action_alerts)
        registry.register_alert_source("isova.briefing", briefing.weekly_briefing)
        for section in briefing.CORE_SECTIONS:
            register_briefing_section(section)
        register_calendar_source("isova.actions", action_events)
        registry.register_panel(upcoming.PANEL)
        registry.register_panel(health.PANEL)
        health.register()
        upcoming.register()
        # The core's own leadership evidence (sign-offs, the policy, actions shared out).
        evidence.register()
        # Actions in and out through the import engine, as the apps' registers.
        from .imports import actions as action_imports

        action_imports.register()
