from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    # No ready(): the app's hook modules (panels.py, alerts.py, ...) register themselves when
    # isova.registry.autodiscover() imports them (see isova/registry.py).
    name = "reviews"
    verbose_name = "Management reviews and feedback"
