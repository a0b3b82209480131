from django.apps import AppConfig


class LessonsConfig(AppConfig):
    # No ready(): permissions.py, panels.py, health.py, review_inputs.py, demo.py, api.py and
    # imports.py register themselves when isova.registry.autodiscover() imports them.
    name = "isova.lessons"
    label = "lessons"
    verbose_name = "Lessons learned (ISO 9001 10.3)"
