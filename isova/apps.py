from django.apps import AppConfig


class IsovaConfig(AppConfig):
    name = "isova"
    verbose_name = "isova core"

    def ready(self) -> None:
        from . import tenancy
        from .models import Role

        L, M, A = Role.LEADER, Role.MANAGER, Role.AUDITOR
        tenancy.register_permissions(
            {
                "record.view": tenancy.EVERYONE,
                "record.submit": frozenset({L, M}),
                "record.approve": frozenset({L}),  # approve and reject
                "record.sign": frozenset({L, M, A}),  # standalone: reviewed, verified, issued, …
                "policy.edit": frozenset({L, M}),
            }
        )
