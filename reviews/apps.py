from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Management reviews and feedback"

    def ready(self) -> None:
        from isova.models import Role
        from isova.registry import (
            BriefingSection,
            DemoSeeder,
            EvidenceSource,
            Panel,
            register_briefing_section,
            register_calendar_source,
            registry,
        )
        from isova.tenancy import EVERYONE, register_permissions

        from . import alerts, demo, evidence, inputs, panel

        L, M, A = Role.LEADER, Role.MANAGER, Role.AUDITOR
        register_permissions(
            {
                # Everyone reads reviews and their minutes (staff included: 7.4, 5.2.2).
                "reviews.review.view": EVERYONE,
                "reviews.review.plan": frozenset({L, M}),
                "reviews.review.record": frozenset({L, M}),
                # Leaders sign; the object rule (services.review_close): only the chair.
                "reviews.review.sign": frozenset({L}),
                "reviews.context.manage": frozenset({L, M}),
                # Every member makes suggestions and sees what became of their own.
                "reviews.feedback.submit": EVERYONE,
                "reviews.feedback.view": frozenset({L, M, A}),
                "reviews.feedback.respond": frozenset({L, M}),
                "reviews.policy.acknowledge": EVERYONE,
                "reviews.policy.follow": frozenset({L, M}),
            }
        )
        inputs.register()
        registry.register_panel(
            Panel(
                name="reviews",
                title="Management reviews and feedback",
                order=50,
                template="reviews/_panel.html",
                build=panel.build,
                max_queries=11,  # see reviews.panel.build
            )
        )
        registry.register_alert_source("reviews", alerts.alerts)
        register_briefing_section(
            BriefingSection("reviews", "Management reviews", 50, alerts.briefing)
        )
        register_calendar_source("reviews", alerts.calendar)
        registry.register_demo(DemoSeeder("reviews", demo.seed, after=("objectives", "audits")))
        registry.register_evidence(EvidenceSource("reviews", evidence.build))
        __import__(f"{self.name}.upcoming", fromlist=["register"]).register()
        __import__(f"{self.name}.health", fromlist=["register"]).register()
        __import__(f"{self.name}.onboarding", fromlist=["register"]).register()
