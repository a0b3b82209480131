from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    # No ready(): permissions.py, panels.py and onboarding.py register themselves when
    # isova.registry.autodiscover() imports them.
    name = "isova.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding and people"
