from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits"

    def ready(self) -> None:
        __import__(f"{self.name}.review_inputs", fromlist=["register"]).register()
        from isova.models import Role
        from isova.registry import (
            BriefingSection,
            DemoSeeder,
            register_briefing_section,
            register_calendar_source,
            register_dashboard_filter,
            registry,
        )
        from isova.tenancy import EVERYONE, register_permissions

        from . import dashboard, demo

        registry.register_panel(dashboard.PANEL)
        register_dashboard_filter("process", dashboard.process_choices)
        # After objectives only to keep the demo's one random sequence as it has always been
        # drawn (the same demo data on every install); audits need no objectives.
        registry.register_demo(DemoSeeder(name="audits", seed=demo.seed, after=("objectives",)))

        L, M, A = Role.LEADER, Role.MANAGER, Role.AUDITOR
        register_permissions(
            {
                # Everyone in the organisation reads the programme, findings and reports.
                "audits.audit.view": EVERYONE,
                # Auditors (and leaders, managers) plan and run audits and raise findings.
                "audits.audit.plan": frozenset({L, M, A}),
                "audits.audit.report": frozenset({L, M, A}),
                "audits.audit.close": frozenset({L, M, A}),
                "audits.finding.raise": frozenset({L, M, A}),
                # The auditee's management responds (10.2) and assigns corrective actions.
                "audits.finding.respond": frozenset({L, M}),
                "audits.finding.assign": frozenset({L, M}),
                # Someone other than the actions' owners checks effectiveness (object rule in
                # audits.services.can_verify_effectiveness).
                "audits.finding.verify": frozenset({L, M, A}),
                "audits.finding.close": frozenset({L, M, A}),
                "audits.process.manage": frozenset({L, M}),
                "audits.settings.edit": frozenset({L}),
            }
        )
        from . import alerts

        registry.register_alert_source("audits", alerts.due)
        register_briefing_section(BriefingSection("audits", "Findings", 30, alerts.briefing))
        register_calendar_source("audits", alerts.calendar)

        from . import evidence

        evidence.register()
        __import__(f"{self.name}.upcoming", fromlist=["register"]).register()
        __import__(f"{self.name}.health", fromlist=["register"]).register()
        __import__(f"{self.name}.onboarding", fromlist=["register"]).register()
