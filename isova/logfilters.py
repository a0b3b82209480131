"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging


class ExpectedForbidden(logging.Filter):
    """A 403 is the role check doing its job: log its one line, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
