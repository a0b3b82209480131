"""Secrets kept sealed in the database: the single sign-on client secret.

Sealed with Fernet (AES-128-CBC and HMAC-SHA256, from `cryptography`, which
mozilla-django-oidc already requires) under a key derived from SECRET_KEY, so a copy of the
database (a backup, a dump) does not give the secret away. Opened with SECRET_KEY or any of
SECRET_KEY_FALLBACKS, so rotating the key keeps it readable until the next save re-seals it.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models

PREFIX = "fernet:"
logger = logging.getLogger(__name__)


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"isova.onboarding.sealing:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def seal(text: str) -> str:
    if not text or text.startswith(PREFIX):
        return text
    return PREFIX + _keys().encrypt(text.encode()).decode()


def unseal(stored: str) -> str:
    """The text `stored` seals; a value never sealed (before the migration) as it is; "" when
    no key opens it (SECRET_KEY changed without a fallback): a leader enters it again."""
    if not stored or not stored.startswith(PREFIX):
        return stored
    try:
        return _keys().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        logger.warning("A sealed secret opens with no SECRET_KEY: enter it again.")
        return ""


class SealedTextField(models.TextField):
    """Plain text in Python, sealed in the database; `max_length` limits the plain text."""

    def __init__(self, *args: Any, max_length: int = 300, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plain_max_length = max_length
        self.validators.append(MaxLengthValidator(max_length))

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_length"] = self.plain_max_length
        kwargs.pop("validators", None)
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return unseal(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return seal(value) if isinstance(value, str) else value
