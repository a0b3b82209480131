from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    # No ready(): the app's hook modules (panels.py, evidence.py, ...) register themselves when
    # isova.registry.autodiscover() imports them (see isova/registry.py).
    name = "decisions"
    verbose_name = "Decision register"
