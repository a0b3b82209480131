from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    name = "objectives"
    verbose_name = "Quality objectives"

    def ready(self) -> None:
        __import__(f"{self.name}.review_inputs", fromlist=["register"]).register()
        from isova.models import Role
        from isova.registry import (
            BriefingSection,
            DemoSeeder,
            register_briefing_section,
            registry,
        )
        from isova.tenancy import EVERYONE, register_permissions

        from . import dashboard, demo, trends

        registry.register_panel(dashboard.PANEL)
        registry.register_panel(trends.PANEL)
        registry.register_demo(DemoSeeder(name="objectives", seed=demo.seed))

        leaders, planners = frozenset({Role.LEADER}), frozenset({Role.LEADER, Role.MANAGER})
        register_permissions(
            {
                "objectives.objective.view": EVERYONE,
                "objectives.objective.create": planners,
                "objectives.objective.edit": planners,
                "objectives.objective.submit": planners,
                "objectives.objective.withdraw": leaders,
                "objectives.goal.manage": planners,
                # Staff may record values only for objectives they own or have a plan step
                # of (objectives.permissions.can_record_value); leaders and managers for any.
                "objectives.objective.record_value": frozenset(
                    {Role.LEADER, Role.MANAGER, Role.STAFF}
                ),
                "objectives.objective.record_any_value": planners,
                # Leaders review any objective; an owner (other than an auditor) their own.
                "objectives.objective.review": leaders,
            }
        )
        from . import alerts

        registry.register_alert_source("objectives", alerts.due)
        register_briefing_section(BriefingSection("objectives", "Objectives", 20, alerts.briefing))

        from . import evidence

        evidence.register()
        __import__(f"{self.name}.upcoming", fromlist=["register"]).register()
        __import__(f"{self.name}.health", fromlist=["register"]).register()
        __import__(f"{self.name}.onboarding", fromlist=["register"]).register()
