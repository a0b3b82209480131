from django.apps import AppConfig


class IsovaConfig(AppConfig):
    name = "isova"
    verbose_name = "isova core"
