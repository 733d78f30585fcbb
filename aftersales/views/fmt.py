"""Values for people and for JSON: instants in the project time zone, durations, quantities.

The engine returns exact values (aware datetimes, seconds, fractions); these
functions are where they are rounded and written out, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from zoneinfo import ZoneInfo


def iso(instant: dt.datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 with the project's offset, to the second."""
    if instant is None:
        return None
    local = instant.astimezone(tz)   # isoformat() is quicker than isoformat(timespec=...): same text
    return (local.replace(microsecond=0) if local.microsecond else local).isoformat()


def iso_once(tz: ZoneInfo, kept: int = 100_000) -> Callable[[dt.datetime | None], str | None]:
    """`iso` in `tz`, each instant written once: a long listing repeats its instants (a ticket's
    clocks share their start and most of their stops). The texts are kept by instant and fold
    (two instants an hour apart in the hour a clock turns back compare equal), `kept` at most
    at a time."""
    texts: dict[tuple[dt.datetime, int], str | None] = {}

    def text(instant: dt.datetime | None) -> str | None:
        if instant is None:
            return None
        key = (instant, instant.fold)
        written = texts.get(key)
        if written is None:
            if len(texts) >= kept:
                texts.clear()
            written = texts[key] = iso(instant, tz)
        return written

    return text


def short(instant: dt.datetime | None, tz: ZoneInfo) -> str:
    """`2026-03-14 09:12` in the project time zone, for tables."""
    return "" if instant is None else instant.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def human_seconds(seconds: int) -> str:
    """`1d 2h 05m`, `3h 20m`, `45m`, `30s`: counted time for people."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h {minutes:02d}m"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m" + (f" {secs:02d}s" if secs else "")
    return f"{sign}{secs}s"


def whole(value: float | Fraction | None) -> float | int | None:
    """A quantity for JSON: whole numbers as integers (5, not 5.0), others to 2 places."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 2)
