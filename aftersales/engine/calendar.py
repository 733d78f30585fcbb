"""Working-time arithmetic: which instants count, deadlines, and explanations of a clock.

Every instant is computed in the calendar's own time zone and every length is real
elapsed time, so a result never depends on the machine's time zone.

Internally all instants are UTC datetimes: Python compares and subtracts two datetimes
that share a tzinfo by their wall times, which is wrong across a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from aftersales.core.durations import Duration
from aftersales.core.errors import AftersalesError

UTC = timezone.utc
ONE_DAY = timedelta(days=1)
# A calendar with no working day for this many days in a row has no working time:
# give up instead of walking forever (about ten years).
MAX_IDLE_DAYS = 3660

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class WorkCalendar:
    """Which minutes count: working days, optionally narrowed to working hours.

    `hours` holds the working windows of a day as wall times, sorted; an end of
    00:00 means the end of the day (24:00). Without `hours` a working day counts
    whole, from local 00:00 to the next local 00:00.
    """

    name: str
    tz: ZoneInfo
    week: frozenset[int] = frozenset(range(7))
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    hours: tuple[tuple[time, time], ...] = ()
    always: bool = False

    def __post_init__(self) -> None:
        if any(not 0 <= day <= 6 for day in self.week):
            raise AftersalesError(f"calendar {self.name!r}: weekdays are numbered 0 (Monday) to 6")
        previous_end = time(0)
        for start, end in self.hours:
            if start < previous_end or (end != time(0) and end <= start):
                raise AftersalesError(
                    f"calendar {self.name!r}: working hours must be sorted, non-overlapping "
                    "windows that each end after they start"
                )
            previous_end = end if end != time(0) else time.max

    @classmethod
    def always_calendar(cls, tz: ZoneInfo) -> WorkCalendar:
        """The built-in `always` calendar: every minute of every day counts."""
        return cls(name="always", tz=tz, always=True)

    # Days and windows

    def is_working_day(self, d: date) -> bool:
        """A `week` day that is not a holiday, or any make-up working day."""
        if self.always or d in self.extra_workdays:
            return True
        return d.weekday() in self.week and d not in self.holidays

    def _instant(self, d: date, t: time) -> datetime:
        """The UTC instant of wall time `t` on local date `d` (a skipped time moves forward)."""
        return datetime.combine(d, t, tzinfo=self.tz).astimezone(UTC)

    def _day_windows(self, d: date) -> list[Window]:
        """The counted windows of local date `d`, as UTC instants."""
        if not self.is_working_day(d):
            return []
        if not self.hours:
            return [(self._instant(d, time(0)), self._instant(d + ONE_DAY, time(0)))]
        windows = []
        for start, end in self.hours:
            end_day = d + ONE_DAY if end == time(0) else d
            windows.append((self._instant(d, start), self._instant(end_day, end)))
        return windows

    def _windows(self, first: date, last: date | None = None) -> Iterator[Window]:
        """Counted windows of the days from `first` (to `last` inclusive), in order.

        Windows never overlap: around a daylight-saving gap two wall-time windows can
        map onto overlapping instants, so each one starts no earlier than the last end.
        Without `last` the walk is endless, and it stops with an error after
        MAX_IDLE_DAYS days in a row without a working day.
        """
        day, idle, last_end = first, 0, None
        while last is None or day <= last:
            windows = self._day_windows(day)
            idle = 0 if windows else idle + 1
            if last is None and idle > MAX_IDLE_DAYS:
                raise self._no_working_time()
            for start, end in windows:
                if last_end is not None:
                    start = max(start, last_end)
                if end > start:
                    last_end = end
                    yield start, end
            day += ONE_DAY

    def _no_working_time(self) -> AftersalesError:
        return AftersalesError(
            f"calendar {self.name!r} has no working time: no working day in {MAX_IDLE_DAYS} days in a row"
        )

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def _windows_between(self, a: datetime, b: datetime) -> Iterator[Window]:
        """The counted windows clipped to [a, b) (UTC instants), in order."""
        # Start a day early: no window of a date begins before that date's local midnight.
        first = self._local_date(a) - ONE_DAY
        for start, end in self._windows(first, self._local_date(b) + ONE_DAY):
            if start >= b:
                return
            start, end = max(start, a), min(end, b)
            if end > start:
                yield start, end

    # Public arithmetic

    def next_working_instant(self, t: datetime) -> datetime:
        """`t` itself inside working time, else the start of the next working window."""
        u = _utc(t)
        if self.always:
            return u.astimezone(self.tz)
        for start, end in self._windows(self._local_date(u) - ONE_DAY):
            if end > u:
                return max(start, u).astimezone(self.tz)
        raise AssertionError("unreachable: the window walk is endless")  # pragma: no cover

    def working_seconds(self, a: datetime, b: datetime) -> int:
        """Counted seconds in [a, b); 0 when b <= a."""
        ua, ub = _utc(a), _utc(b)
        if ub <= ua:
            return 0
        if self.always:
            return _seconds(ub - ua)
        return sum(_seconds(end - start) for start, end in self._windows_between(ua, ub))

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The deadline of a clock of `duration` that starts at `start`."""
        try:
            if duration.unit == "d" and not self.always:
                return self._add_days(_utc(start), duration.amount)
            return self._add_seconds(_utc(start), duration.seconds)
        except OverflowError:
            raise AftersalesError(
                f"the deadline of {duration} from {start.isoformat()} on calendar "
                f"{self.name!r} is beyond the year 9999"
            ) from None

    def add_seconds(self, start: datetime, seconds: int) -> datetime:
        """The instant when `seconds` of counted time have passed since `start`."""
        try:
            return self._add_seconds(_utc(start), seconds)
        except OverflowError:
            raise AftersalesError(
                f"{seconds} s from {start.isoformat()} on calendar {self.name!r} is beyond the year 9999"
            ) from None

    def _add_seconds(self, u: datetime, seconds: int) -> datetime:
        """The instant when `seconds` of counted time have passed since `u`."""
        if self.always:
            return (u + timedelta(seconds=seconds)).astimezone(self.tz)
        remaining = timedelta(seconds=seconds)
        for start, end in self._windows(self._local_date(u) - ONE_DAY):
            if end <= u:
                continue
            start = max(start, u)
            # `<=`: a clock used up exactly at a window's end is due at that end.
            if remaining <= end - start:
                return (start + remaining).astimezone(self.tz)
            remaining -= end - start
        raise AssertionError("unreachable: the window walk is endless")  # pragma: no cover

    def _add_days(self, u: datetime, days: int) -> datetime:
        """24:00 of the `days`-th working day after the local date of `u` (Chinese law)."""
        day, found, idle = self._local_date(u), 0, 0
        while found < days:
            day += ONE_DAY
            if self.is_working_day(day):
                found, idle = found + 1, 0
            else:
                idle += 1
                if idle > MAX_IDLE_DAYS:
                    raise self._no_working_time()
        return self._instant(day + ONE_DAY, time(0)).astimezone(self.tz)

    def segments(self, a: datetime, b: datetime) -> list[tuple[datetime, datetime, bool]]:
        """[a, b) cut into consecutive pieces flagged counted (True) or not (False)."""
        ua, ub = _utc(a), _utc(b)
        if ub <= ua:
            return []
        windows = [(ua, ub)] if self.always else self._windows_between(ua, ub)
        pieces: list[tuple[datetime, datetime, bool]] = []
        cursor = ua
        for start, end in windows:
            if start > cursor:
                _append_piece(pieces, cursor, start, False)
            _append_piece(pieces, start, end, True)
            cursor = end
        if cursor < ub:
            _append_piece(pieces, cursor, ub, False)
        return [(s.astimezone(self.tz), e.astimezone(self.tz), c) for s, e, c in pieces]


def _append_piece(
    pieces: list[tuple[datetime, datetime, bool]], start: datetime, end: datetime, counted: bool
) -> None:
    """Append a piece, merging it into the previous one when both have the same flag."""
    if pieces and pieces[-1][2] == counted and pieces[-1][1] == start:
        pieces[-1] = (pieces[-1][0], end, counted)
    else:
        pieces.append((start, end, counted))


def _utc(t: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is refused (it would depend on the machine)."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{t.isoformat()} has no time zone offset")
    return t.astimezone(UTC)


def _seconds(delta: timedelta) -> int:
    return delta // timedelta(seconds=1)
