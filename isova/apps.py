from django.apps import AppConfig


class IsovaConfig(AppConfig):
    name = "isova"
    verbose_name = "isova core"

    def ready(self) -> None:
        from .dashboard import CORE_PANELS
        from .registry import registry
        from .tenancy import CORE_PERMISSIONS, register_permissions

        register_permissions(CORE_PERMISSIONS)
        for panel in CORE_PANELS:
            registry.register_panel(panel)
