"""An iCalendar file (RFC 5545) for one scheduled meeting, with the link to its room.

Written by hand because one VEVENT needs little: TEXT values escaped
(backslash, semicolon, comma, newline; section 3.3.11), content lines folded
at 75 octets without splitting a UTF-8 character (section 3.1), CRLF line
ends, times in UTC. The UID stays the same when a meeting is moved and
SEQUENCE grows, so that a calendar updates its entry instead of adding one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.dialogues.model import Meeting, require_utc

LINE_OCTETS: Final = 75
PRODID: Final = "-//Frankly//Dialogues//EN"
CONTENT_TYPE: Final = "text/calendar; charset=utf-8"


def meeting_ics(
    meeting: Meeting,
    title: str,
    url: str,
    now: datetime,
    sequence: int = 0,
) -> str:
    """The calendar file of `meeting` of dialogue `title`, reached at `url`.

    The UID is the meeting's id at the link's host, unique across servers;
    `now` is the DTSTAMP; `sequence` counts how often the meeting was moved.
    """
    start = meeting.date.at
    if meeting.date.kind != "scheduled" or start is None:
        raise DialogueError(DialogueCode.NOT_SCHEDULED, "this meeting has no agreed time yet")
    host = _check_url(url)
    end = start + timedelta(minutes=meeting.minutes)
    description = f"{meeting.agenda}\n\n{url}" if meeting.agenda else url
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{meeting.id}@{host}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{escape(f'{title}: {meeting.topic}')}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)


def escape(text: str) -> str:
    """A TEXT value: backslash first, then ; , and every line break as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """`line` folded so that no physical line exceeds 75 octets (CRLF and a space between)."""
    pieces: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            # A continuation line starts with one space, which counts.
            current, size, limit = "", 0, LINE_OCTETS - 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _utc(at: datetime) -> str:
    return require_utc(at, "a calendar time").strftime("%Y%m%dT%H%M%SZ")


def _check_url(url: str) -> str:
    # A URI value is not escaped, so it must hold nothing that ends a line.
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not url.isprintable():
        raise DialogueError(DialogueCode.BAD_LINK, "a meeting's link is an http(s) address")
    if any(char.isspace() for char in url):
        raise DialogueError(DialogueCode.BAD_LINK, "a meeting's link holds no spaces")
    return parts.hostname or parts.netloc
