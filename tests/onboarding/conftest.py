"""A real SMTP server on loopback for onboarding's e-mails, and helpers to read links."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.isova.test_notifications import Inbox, free_port

LINK = re.compile(r"http://\S+/invite/(\S+)/")


@pytest.fixture
def inbox(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.SITE_URL = "http://testserver"
    yield inbox
    controller.stop()


def body_of(message) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else str(message.get_payload())


def token_in(message) -> str:
    found = LINK.search(body_of(message))
    assert found, body_of(message)
    return found.group(1)


def accept_url(token: str) -> str:
    return f"/invite/{token}/"
