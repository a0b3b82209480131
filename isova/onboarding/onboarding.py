"""The core's contributions to onboarding's hooks (the registry imports this module by its
hook name, as it imports each app's onboarding.py)."""

from .hooks import register_core

register_core()
