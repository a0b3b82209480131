"""JSON log lines (LOG_FORMAT=json, the default with DEBUG=0): one object per line, with the
request id and organisation of the request being served, for any log aggregator."""

from __future__ import annotations

import datetime
import json
import logging

from .context import current

# Attributes every LogRecord has; anything else was passed in `extra` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        state = current.get()
        if state is not None:
            line["request_id"] = state.request_id
            line["organisation"] = state.organisation
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
