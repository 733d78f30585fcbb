"""Maintenance slots as an iCalendar file (RFC 5545), for the team's calendars."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from aftersales.core.model import Plan
from aftersales.engine.schedule import Slot


def ics(slots: Iterable[Slot], plans: Iterable[Plan], project: str) -> bytes:
    """An iCalendar file with one all-day event per slot, on its due date.

    Deterministic: the UID is the plan, the due date and a hash of the project
    name; DTSTAMP is the day the slot's window opens (never the clock), so the
    same slot exports to the same bytes.
    """
    names = {p.id: p.name for p in plans}
    tag = hashlib.sha1(project.encode("utf-8")).hexdigest()[:8]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//aftersales//maintenance due//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_text(project or 'aftersales')}"]
    for slot in slots:
        title = f"{names[slot.plan]} ({slot.plan})" if names.get(slot.plan) else slot.plan
        lines += [
            "BEGIN:VEVENT",
            f"UID:{slot.plan}-{slot.due:%Y%m%d}-{tag}@aftersales",
            f"DTSTAMP:{slot.opens:%Y%m%d}T000000Z",
            f"DTSTART;VALUE=DATE:{slot.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{slot.due + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text(title)}",
            "DESCRIPTION:" + _ics_text(f"plan {slot.plan}: due {slot.due}, window opens {slot.opens}; "
                                       f"{slot.status} when exported"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return b"".join(_fold(line) + b"\r\n" for line in lines)


def _ics_text(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str, limit: int = 75) -> bytes:
    """A content line folded into lines of at most `limit` octets, never inside a UTF-8 character."""
    out: list[bytes] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        room = limit - (1 if out else 0)  # a continuation line starts with a space
        if len(current) + len(encoded) > room:
            out.append(current)
            current = b""
        current += encoded
    out.append(current)
    return b"\r\n ".join(out)
