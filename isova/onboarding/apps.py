from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "isova.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding and people"

    def ready(self) -> None:
        from isova.registry import registry
        from isova.tenancy import register_permissions

        from . import checklist, hooks, permissions

        register_permissions(permissions.PERMISSIONS)
        hooks.register_core()
        registry.register_panel(checklist.PANEL)
