"""The core's contributions to onboarding's hooks (the registry imports this module by its
hook name, as it imports each app's onboarding.py)."""

from django.contrib.auth.signals import user_logged_in

from .hooks import register_core
from .totp import check_on_sign_in

register_core()
# Whether a leader must set up an authenticator is worked out once, at sign-in.
user_logged_in.connect(check_on_sign_in, dispatch_uid="isova.onboarding.totp")
