"""An expected 403 (a role check) is logged once, as one line, without a traceback."""

import logging


def _handlers_reached(logger: logging.Logger) -> list[logging.Handler]:
    found: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None:
        found += current.handlers
        current = current.parent if current.propagate else None
    return found


def test_a_refused_request_is_logged_once_without_a_traceback(org, as_user, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = as_user(org.staff).get("/actions/new/")
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /actions/new/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_django_request_lines_reach_one_console_handler_not_two():
    consoles = [
        h
        for h in _handlers_reached(logging.getLogger("django.request"))
        if type(h) is logging.StreamHandler
    ]
    assert len(consoles) == 1
