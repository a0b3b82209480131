from django.apps import AppConfig


class IsovaConfig(AppConfig):
    name = "isova"
    verbose_name = "isova core"

    def ready(self) -> None:
        # The Celery tasks, registered for every process (the web queues them by name).
        from isova import tasks  # noqa: F401
        from isova.registry import registry

        # Every app's and core package's hook modules (panels.py, alerts.py, ...), which
        # register their contributions when imported: see isova/registry.py.
        registry.autodiscover()
