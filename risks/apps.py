from django.apps import AppConfig


class RisksConfig(AppConfig):
    # No ready(): the app's hook modules (panels.py, alerts.py, ...) register themselves when
    # isova.registry.autodiscover() imports them (see isova/registry.py).
    name = "risks"
    verbose_name = "Risks and opportunities"
