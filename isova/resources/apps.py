from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    # No ready(): permissions.py, review_inputs.py and demo.py register themselves when
    # isova.registry.autodiscover() imports them.
    name = "isova.resources"
    label = "resources"
    verbose_name = "Resources and workload"
