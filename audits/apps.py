from django.apps import AppConfig


class AuditsConfig(AppConfig):
    # No ready(): the app's hook modules (panels.py, alerts.py, ...) register themselves when
    # isova.registry.autodiscover() imports them (see isova/registry.py).
    name = "audits"
    verbose_name = "Audits"
