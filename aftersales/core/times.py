"""Reading the times people type, and naming periods, in the project time zone."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.parser import isoparse

from aftersales.core.errors import UsageError

_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$")
_FULL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})"
                   r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
                   r"\s*(Z|[+-]\d{2}:?\d{2})?$")
_DIGITS = re.compile(r"^\d{3,4}$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
FORMS = "write it like 2026-03-14 09:12, 09:12, 2026-03-14 or 2026-03-14T09:12:00+08:00"


def parse_instant(text: str, tz: ZoneInfo, now: dt.datetime | None = None) -> dt.datetime:
    """`now`, `09:12` (today), `2026-03-14` (00:00), `2026-03-14 09:12` or ISO 8601 with an offset.

    Input without an offset is read in the project time zone; the result carries the offset.
    Nothing else is guessed at: `0930`, `2026` or `2026-12` are refused with a hint.
    """
    text = text.strip()
    current = (now or dt.datetime.now(tz)).astimezone(tz).replace(microsecond=0)
    if text.lower() == "now":
        return current
    clock = _CLOCK.match(text)
    if clock:
        h, m, s = (int(g or 0) for g in clock.groups())
        return _localize(dt.datetime.combine(current.date(), dt.time(h, m, s)), tz)
    full = _FULL.match(text)
    if not full:
        raise UsageError(f"{text!r} is not a time: {FORMS}{_hint(text)}")
    year, month, day, hour, minute, second, offset = full.groups()
    if not OPEN_START.year <= int(year) <= OPEN_END.year:
        raise UsageError(f"{text!r} is too far in the past or future (years {OPEN_START.year} to {OPEN_END.year})")
    try:
        value = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError as exc:
        raise UsageError(f"{text!r} is not a time: {FORMS} ({exc})") from None
    if offset is None:
        return _localize(value, tz)
    return isoparse(f"{value.isoformat()}{'+00:00' if offset == 'Z' else offset}").astimezone(tz)


def _hint(text: str) -> str:
    """What a person most likely meant by a form that is not accepted."""
    if _DIGITS.match(text):
        if len(text) == 4 and OPEN_START.year <= int(text) <= 2100:
            return f" (a year alone is not a time: {text}-01-01?)"
        hours, minutes = divmod(int(text), 100)
        if hours < 24 and minutes < 60:
            return f" (did you mean {hours:02d}:{minutes:02d}?)"
        return " (a number alone is not a time)"
    year_month = _YEAR_MONTH.match(text)
    if year_month:
        return f" (a date needs its day: {year_month.group(1)}-{int(year_month.group(2)):02d}-01?)"
    return ""


def parse_past_instant(text: str, tz: ZoneInfo, now: dt.datetime | None = None) -> dt.datetime:
    """When something happened (for the commands that log it): like `parse_instant`, but a bare
    clock time later than now means that time yesterday, and a time in the future is refused."""
    current = (now or dt.datetime.now(tz)).astimezone(tz).replace(microsecond=0)
    value = parse_instant(text, tz, current)
    if _CLOCK.match(text.strip()) and value > current:
        value = _localize(dt.datetime.combine(value.date() - dt.timedelta(days=1), value.time()), tz)
    if value > current + FUTURE_TOLERANCE:
        raise UsageError(f"{value.isoformat(sep=' ')} is in the future (it is now "
                         f"{current.isoformat(sep=' ')}): log things once they have happened")
    return value


FUTURE_TOLERANCE = dt.timedelta(minutes=1)  # clocks of two laptops never agree to the second


def _localize(naive: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """A wall time in `tz`: an ambiguous one is its first occurrence; one skipped by a
    daylight-saving change moves forward by the size of the gap."""
    return naive.replace(tzinfo=tz).astimezone(dt.timezone.utc).astimezone(tz)


# An open --from or --to: far enough for any record, near enough to convert between time zones.
OPEN_START = dt.date(1900, 1, 1)
OPEN_END = dt.date(9000, 12, 31)


def parse_date(text: str) -> dt.date:
    """A date as people type it: `2026-03-14` (nothing else: `20260314` or `2026-3` are refused)."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", text.strip())
    try:
        if not match:
            raise ValueError
        day = dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise UsageError(f"{text!r} is not a date: write it like 2026-03-14{_hint(text.strip())}") from None
    if not OPEN_START <= day <= OPEN_END:
        raise UsageError(f"{text!r} is too far in the past or future (years {OPEN_START.year} to {OPEN_END.year})")
    return day


@dataclass(frozen=True)
class Period:
    """[start, end) in the project time zone, with a name like 2026Q1."""

    name: str
    start: dt.datetime
    end: dt.datetime

    def __contains__(self, instant: dt.datetime) -> bool:
        return self.start <= instant < self.end

    def contains_date(self, day: dt.date) -> bool:
        return self.start.date() <= day < self.end.date()


def seconds_between(start: dt.datetime, end: dt.datetime) -> int:
    """The whole seconds from `start` to `end`, as time passed: Python subtracts two datetimes of
    the same time zone by their wall clocks, an hour off across a change of the clocks."""
    return int((end.astimezone(dt.timezone.utc) - start.astimezone(dt.timezone.utc)).total_seconds())


def midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    try:
        return _localize(dt.datetime.combine(day, dt.time(0)), tz)
    except OverflowError:
        raise UsageError(f"{day} is too far in the past or future") from None


def quarter(name: str, tz: ZoneInfo) -> Period:
    """`2026Q1` = 1 January 00:00 to 1 April 00:00, in the project time zone."""
    match = _QUARTER.match(name.strip())
    if not match:
        raise UsageError(f"{name!r} is not a quarter: write it like 2026Q1")
    year, q = int(match.group(1)), int(match.group(2))
    return quarter_of(dt.date(year, 3 * q - 2, 1), tz)


def quarter_of(day: dt.date, tz: ZoneInfo) -> Period:
    q = (day.month - 1) // 3 + 1
    first = dt.date(day.year, 3 * q - 2, 1)
    if not OPEN_START <= first < OPEN_END:
        raise UsageError(f"{day.year}Q{q} is too far in the past or future")
    after = dt.date(day.year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return Period(f"{day.year}Q{q}", midnight(first, tz), midnight(after, tz))


def previous_quarter(at: dt.datetime, tz: ZoneInfo) -> Period:
    """The last complete quarter before `at`."""
    current = quarter_of(at.astimezone(tz).date(), tz)
    return quarter_of(current.start.date() - dt.timedelta(days=1), tz)


def date_range(start: dt.date, end: dt.date, tz: ZoneInfo) -> Period:
    """`--from A --to B`: A 00:00 up to B 24:00 (both days included)."""
    _check_days(start, end)
    return Period(f"{start}..{end}", midnight(start, tz), midnight(end + dt.timedelta(days=1), tz))


def _check_days(start: dt.date | None, end: dt.date | None) -> None:
    for day in (start, end):
        if day is not None and not OPEN_START <= day <= OPEN_END:
            raise UsageError(f"{day} is too far in the past or future (use dates from {OPEN_START} to {OPEN_END})")
    if start is not None and end is not None and end < start:
        raise UsageError(f"--to {end} is before --from {start}")


def check_period_options(name: str | None, start: str | None, end: str | None, previous: bool | None = None) -> None:
    """What `period_from_options` (`previous` None) or `report_period` refuses of their options
    that needs no records: a command checks it before it reads the folder."""
    if previous is None:
        if name and (start or end):
            raise UsageError("give either --period or --from/--to, not both")
    else:
        given = sum(bool(x) for x in (name, previous, start or end))
        if given == 0:
            raise UsageError("name the period: --period 2026Q1, --previous, or --from DATE --to DATE")
        if given > 1:
            raise UsageError("give only one of --period, --previous and --from/--to")
        if (start or end) and not (start and end):
            raise UsageError("--from and --to go together")
    _check_days(parse_date(start) if start else None, parse_date(end) if end else None)


def period_from_options(period: str | None, start: str | None, end: str | None, tz: ZoneInfo) -> Period | None:
    """The period named by `--period` or `--from/--to` (either bound may be left open)."""
    check_period_options(period, start, end)
    if period:
        return quarter(period, tz)
    if start or end:
        first = parse_date(start) if start else OPEN_START
        last = parse_date(end) if end else OPEN_END
        return date_range(first, last, tz)
    return None


def report_period(at: dt.datetime, tz: ZoneInfo, name: str | None, previous: bool, start: str | None,
               end: str | None) -> Period:
    """The report's period from --period, --previous or --from/--to (exactly one of them)."""
    check_period_options(name, start, end, previous)
    if name:
        return quarter(name, tz)
    if previous:
        return previous_quarter(at, tz)
    assert start and end
    return date_range(parse_date(start), parse_date(end), tz)
