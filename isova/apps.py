from django.apps import AppConfig


class IsovaConfig(AppConfig):
    name = "isova"
    verbose_name = "isova core"

    def ready(self) -> None:
        from .dashboard import CORE_PANELS
        from .registry import registry

        for panel in CORE_PANELS:
            registry.register_panel(panel)
