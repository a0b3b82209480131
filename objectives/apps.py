from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    name = "objectives"
    verbose_name = "Quality objectives"

    def ready(self) -> None:
        from isova.models import Role
        from isova.tenancy import EVERYONE, register_permissions

        leaders, planners = frozenset({Role.LEADER}), frozenset({Role.LEADER, Role.MANAGER})
        register_permissions(
            {
                "objective.view": EVERYONE,
                "objective.create": planners,
                "objective.edit": planners,
                "objective.submit": planners,
                "objective.withdraw": leaders,
                "goal.manage": planners,
                # Staff may record values only for objectives they own or have a plan step
                # of (objectives.permissions.can_record_value); leaders and managers for any.
                "objective.record_value": frozenset({Role.LEADER, Role.MANAGER, Role.STAFF}),
                "objective.record_any_value": planners,
                # Leaders review any objective; an owner (other than an auditor) their own.
                "objective.review": leaders,
            }
        )
        from . import evidence

        evidence.register()
