"""Logging for `frankly serve`: Frankly's own lines beside uvicorn's, secrets kept out.

uvicorn configures only its own loggers, so without a handler for `frankly`
the server's info lines went nowhere. And its access log prints each
request's query string, where invite links carry their token: a log line is
not a place for a credential (log files are read by more people, for longer,
than the server's key directory). Every handler here drops the values of the
query parameters in SECRET_PARAMETERS.

The events an operator needs (a join, a leave, a refusal with its code, a room
moved to the SFU, a meeting ended) are one line each, from `event()`, on the
`frankly.events` logger: the event's word and its fields, as `key=value` text
or, with `--log-format json`, as one JSON object per line for a log shipper.
Their fields are bounded words and the server's own ids; a room is named by
`room_tag()`, never by its name, and a participant by its id, never by the
name they gave (docs/security.md, "Logs").
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

# Query parameters whose values are credentials: the invite token of an
# invite link (frankly/server/invites.py), and the names a token might be
# given by a client or a proxy in front.
SECRET_PARAMETERS = ("invite", "token", "resume", "password", "proof")
REDACTED = "[redacted]"

# The formats of `--log-format`.
LOG_FORMATS = ("text", "json")

events = logging.getLogger("frankly.events")

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


def room_tag(room: str) -> str:
    """What log lines call a room: 8 hex digits of its name's SHA-256.

    Whoever reads the log learns which lines are about one room, not the
    room's name; an operator who knows a name finds its lines by computing
    its tag. A short name can be guessed from its tag; a long random one,
    as the web client makes, cannot.
    """
    return hashlib.sha256(room.encode()).hexdigest()[:8]


def event(name: str, **fields: str | int | bool | None) -> None:
    """One line for an event a person needs to know about, at info."""
    if not events.isEnabledFor(logging.INFO):
        return
    text = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
    events.info("%s %s", name, text, extra={"event": name, "fields": fields})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, event, fields, message.

    A line that is not one of `event()`'s is the event "log", with the
    logger's name; its message is redacted as the text lines are.
    """

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", "log"),
            "fields": {
                key: value
                for key, value in getattr(record, "fields", {}).items()
                if value is not None
            },
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            out["traceback"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class QuietSocketChatter(logging.Filter):
    """uvicorn says "connection open" and "connection closed" for every WebSocket,
    beside its request line and Frankly's own `joined` and `left`: noise."""

    CHATTER = frozenset({"connection open", "connection closed"})

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "uvicorn.error" and record.getMessage() in self.CHATTER)


def log_config(level: str, log_format: str = "text") -> dict[str, Any]:
    """uvicorn's logging setup plus a `frankly` logger, every handler redacting."""
    config = copy.deepcopy(LOGGING_CONFIG)
    if log_format == "json":
        config["formatters"] = {name: {"()": JsonFormatter} for name in config["formatters"]}
    config["filters"] = {
        "secrets": {"()": RedactSecrets},
        "client_errors": {"()": QuietClientErrors},
        "socket_chatter": {"()": QuietSocketChatter},
    }
    for handler in config["handlers"].values():
        handler["filters"] = ["secrets", "client_errors", "socket_chatter"]
    config["loggers"]["frankly"] = {
        "handlers": ["default"],
        "level": level.upper(),
        "propagate": False,
    }
    return config
