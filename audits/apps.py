from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits"

    def ready(self) -> None:
        from isova.models import Role
        from isova.tenancy import EVERYONE, register_permissions

        L, M, A = Role.LEADER, Role.MANAGER, Role.AUDITOR
        register_permissions(
            {
                # Everyone in the organisation reads the programme, findings and reports.
                "audits.view": EVERYONE,
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
                "audits.settings": frozenset({L}),
            }
        )
        from . import evidence

        evidence.register()
