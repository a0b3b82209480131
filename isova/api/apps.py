from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "isova.api"
    label = "api"
    verbose_name = "REST API and webhooks"

    def ready(self) -> None:
        # History rows of API writes say "via API". The apps' api.py and webhooks.py (and
        # this package's permissions.py and webhooks.py) are found by isova's registry.
        from . import signals  # noqa: F401
