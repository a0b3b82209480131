from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "isova.api"
    label = "api"
    verbose_name = "REST API and webhooks"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from isova.tenancy import register_permissions

        from . import signals  # noqa: F401  (history rows of API writes say "via API")
        from .permissions import API_PERMISSIONS

        register_permissions(API_PERMISSIONS)
        # Every installed app's `api.py` (resources) and `webhooks.py` (events), the way the
        # admin finds `admin.py`: the core names no app.
        autodiscover_modules("api", "webhooks")
