"""Logging for `frankly serve`: Frankly's own lines beside uvicorn's, secrets kept out.

uvicorn configures only its own loggers, so without a handler for `frankly`
the server's info lines went nowhere. And its access log prints each
request's query string, where invite links carry their token: a log line is
not a place for a credential (log files are read by more people, for longer,
than the server's key directory). Every handler here drops the values of the
query parameters in SECRET_PARAMETERS.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

# Query parameters whose values are credentials: the invite token of an
# invite link (frankly/server/invites.py), and the names a token might be
# given by a client or a proxy in front.
SECRET_PARAMETERS = ("invite", "token", "resume", "password", "proof")
REDACTED = "[redacted]"

_NAMES = "|".join(SECRET_PARAMETERS)
_SECRET = re.compile(rf"(?P<key>[?&](?:{_NAMES})=)[^&\s\"#]*", re.IGNORECASE)


def redact(text: str) -> str:
    """'GET /r?invite=eyJ...&x=1' -> 'GET /r?invite=[redacted]&x=1'."""
    return _SECRET.sub(lambda m: m.group("key") + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Redacts the message and each of its arguments, keeping their places:
    uvicorn's access formatter reads the path from the arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


class QuietClientErrors(logging.Filter):
    """uvicorn logs a text frame that is not UTF-8 as an error, with a traceback:
    any client could fill the log with them. A one-line warning says as much."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() == "Invalid UTF-8 sequence received from client.":
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging setup plus a `frankly` logger, every handler redacting."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {
        "secrets": {"()": RedactSecrets},
        "client_errors": {"()": QuietClientErrors},
    }
    for handler in config["handlers"].values():
        handler["filters"] = ["secrets", "client_errors"]
    config["loggers"]["frankly"] = {
        "handlers": ["default"],
        "level": level.upper(),
        "propagate": False,
    }
    return config
