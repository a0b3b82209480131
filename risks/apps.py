from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risks and opportunities"

    def ready(self) -> None:
        from isova.models import Role
        from isova.registry import (
            BriefingSection,
            DemoSeeder,
            EvidenceSource,
            Panel,
            ReviewInput,
            register_briefing_section,
            registry,
        )
        from isova.tenancy import EVERYONE, register_permissions

        from . import alerts, demo, reports

        planners = frozenset({Role.LEADER, Role.MANAGER})
        register_permissions(
            {
                # Everyone reads the register, heat map, matrix and export; staff update
                # their own treatment actions through the core action workflow.
                "risks.risk.view": EVERYONE,
                "risks.risk.edit": planners,
                "risks.risk.review": planners,
                "risks.risk.import": planners,
                "risks.matrix.edit": planners,
                # Leaders approve plans and the matrix through records ("record.approve").
            }
        )
        registry.register_panel(
            Panel(
                name="risks",
                title="Risk status",
                order=40,
                template="risks/_dashboard_panel.html",
                build=reports.panel,
                # risks.reports.panel (8) and its partial (1); up to 13 on the organisation's
                # first request, which creates the default matrix (risks.services.current_matrix)
                max_queries=13,
            )
        )
        registry.register_alert_source("risks", alerts.due)
        register_briefing_section(BriefingSection("risks", "Risks", 35, alerts.briefing))
        registry.register_demo(DemoSeeder(name="risks", seed=demo.seed, after=("audits",)))
        registry.register_review_input(
            ReviewInput(
                key="risks",
                clause="e",
                title="Effectiveness of actions taken to address risks and opportunities",
                order=50,
                template="risks/_review_input.html",
                build=reports.review_input,
            )
        )
        registry.register_evidence(EvidenceSource(name="risks", build=reports.evidence))
        __import__(f"{self.name}.upcoming", fromlist=["register"]).register()
        __import__(f"{self.name}.health", fromlist=["register"]).register()
