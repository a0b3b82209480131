from django.apps import AppConfig


class IsovaConfig(AppConfig):
    name = "isova"
    verbose_name = "isova core"

    def ready(self) -> None:
        from . import evidence
        from .models import Role
        from .tenancy import register_permissions

        L, M, A = Role.LEADER, Role.MANAGER, Role.AUDITOR
        register_permissions(
            {
                # Leaders and managers prepare for the certification audit; auditors read.
                "isova.evidence.view": frozenset({L, M, A}),
                "isova.evidence.sign": frozenset({L}),
            }
        )
        evidence.register()
