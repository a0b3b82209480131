from django.apps import AppConfig


class IsovaConfig(AppConfig):
    name = "isova"
    verbose_name = "isova core"

    def ready(self) -> None:
        from .alerts import action_alerts
        from .registry import registry

        # The core's own alerts: actions due soon and overdue, and their escalation ladder.
        registry.register_alert_source("isova.actions", action_alerts)
