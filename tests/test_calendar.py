"""Working-time arithmetic: hand-computed examples, daylight saving, and properties."""

from __future__ import annotations

import itertools
import time as systime
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.durations import Duration, parse_duration
from aftersales.core.errors import AftersalesError
from aftersales.engine.calendar import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
UTC = timezone.utc
MON_FRI = frozenset(range(5))
OFFICE_HOURS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))

# 2026 official holidays and make-up days of mainland China (State Council notice).
HOLIDAYS_2026 = [
    ("2026-01-01", "2026-01-03"),
    ("2026-02-15", "2026-02-23"),
    ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"),
    ("2026-06-19", "2026-06-21"),
    ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
]
EXTRA_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


def days(first: str, last: str) -> set[date]:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return {a + timedelta(days=i) for i in range((b - a).days + 1)}


WORKDAYS = WorkCalendar(
    name="workdays",
    tz=SH,
    week=MON_FRI,
    hours=OFFICE_HOURS,
    holidays=frozenset(set().union(*(days(a, b) for a, b in HOLIDAYS_2026))),
    extra_workdays=frozenset(date.fromisoformat(d) for d in EXTRA_2026),
)
WEEKDAYS_SH = WorkCalendar(name="weekdays", tz=SH, week=MON_FRI)
ALWAYS_SH = WorkCalendar.always_calendar(SH)
ALWAYS_NY = WorkCalendar.always_calendar(NY)
WHOLE_DAYS_NY = WorkCalendar(name="ny-days", tz=NY)


def sh(text: str) -> datetime:
    """A local time in Shanghai, written 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def ny(text: str, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY, fold=fold)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def d(text: str) -> Duration:
    return parse_duration(text)


def same_instant(got: datetime, expected: datetime) -> None:
    """Equal as instants and with the same offset (wall-time comparison hides folds)."""
    assert got.timestamp() == expected.timestamp()
    assert got.utcoffset() == expected.utcoffset()


# --- hours windows, Monday to Friday (2026-03-09 is a Monday) ---------------------


@pytest.mark.parametrize(
    ("start", "duration", "deadline"),
    [
        ("2026-03-10 09:00", "2h", "2026-03-10 11:00"),  # inside a window
        ("2026-03-10 11:00", "2h", "2026-03-10 14:30"),  # over lunch
        ("2026-03-10 07:00", "30m", "2026-03-10 09:00"),  # before opening
        ("2026-03-10 12:30", "1h", "2026-03-10 14:30"),  # at lunch
        ("2026-03-10 12:00", "30m", "2026-03-10 14:00"),  # exactly at a window's end
        ("2026-03-10 18:00", "1h", "2026-03-11 09:30"),  # after closing
        ("2026-03-13 17:00", "2h", "2026-03-16 10:00"),  # Friday: 30 min, then Monday
        ("2026-03-13 16:30", "2h", "2026-03-16 09:30"),  # Friday: 1 h, then Monday
        ("2026-03-14 10:00", "1h", "2026-03-16 09:30"),  # Saturday
        ("2026-03-10 09:00", "870m", "2026-03-11 17:30"),  # 7 h + 7.5 h
        ("2026-03-10 09:00", "15h", "2026-03-12 09:00"),  # 7 h + 7.5 h + 0.5 h
    ],
)
def test_add_hours_windows(start: str, duration: str, deadline: str) -> None:
    same_instant(WORKDAYS.add(sh(start), d(duration)), sh(deadline))


@pytest.mark.parametrize(
    ("start", "duration"),
    [("2026-03-10 11:00", "1h"), ("2026-03-10 08:30", "210m"), ("2026-03-10 13:30", "4h")],
)
def test_used_up_at_a_windows_end_is_due_at_that_end(start: str, duration: str) -> None:
    deadline = WORKDAYS.add(sh(start), d(duration))
    assert deadline.time() in (time(12, 0), time(17, 30))
    assert deadline.date() == date(2026, 3, 10)


def test_add_skips_holidays() -> None:
    # Friday 16:00 + 4 h: 1.5 h on Friday, Sat 4 to Mon 6 April are Qingming, 2.5 h on Tuesday.
    same_instant(WORKDAYS.add(sh("2026-04-03 16:00"), d("4h")), sh("2026-04-07 11:00"))


def test_add_uses_make_up_saturdays() -> None:
    # Saturday 14 February 2026 is a make-up working day before the Spring Festival.
    same_instant(WORKDAYS.add(sh("2026-02-13 17:00"), d("2h")), sh("2026-02-14 10:00"))
    # ... and the break runs to Monday 23 February.
    same_instant(WORKDAYS.add(sh("2026-02-14 17:00"), d("1h")), sh("2026-02-24 09:00"))


def test_add_returns_the_calendar_time_zone() -> None:
    deadline = WORKDAYS.add(utc("2026-03-10 01:00"), d("1h"))
    assert deadline.tzinfo is SH
    assert deadline == sh("2026-03-10 10:00")


# --- next_working_instant ---------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        ("2026-03-10 09:15", "2026-03-10 09:15"),
        ("2026-03-10 08:30", "2026-03-10 08:30"),
        ("2026-03-10 12:00", "2026-03-10 13:30"),
        ("2026-03-10 17:30", "2026-03-11 08:30"),
        ("2026-03-13 20:00", "2026-03-16 08:30"),
        ("2026-09-30 18:00", "2026-10-08 08:30"),
    ],
)
def test_next_working_instant(t: str, expected: str) -> None:
    same_instant(WORKDAYS.next_working_instant(sh(t)), sh(expected))


def test_next_working_instant_always_is_t() -> None:
    same_instant(ALWAYS_SH.next_working_instant(utc("2026-03-14 03:00")), sh("2026-03-14 11:00"))


# --- Nd: Chinese law's way of counting days ---------------------------------------


@pytest.mark.parametrize("calendar", [WEEKDAYS_SH, WorkCalendar("h", SH, MON_FRI, hours=OFFICE_HOURS)])
@pytest.mark.parametrize(
    ("start", "duration", "deadline"),
    [
        ("2026-03-10 10:00", "3d", "2026-03-14 00:00"),  # Tuesday -> Friday 24:00
        ("2026-03-14 11:00", "3d", "2026-03-19 00:00"),  # Saturday -> Wednesday 24:00
        ("2026-03-10 00:00", "1d", "2026-03-12 00:00"),  # the start day never counts
        ("2026-03-13 23:59", "1d", "2026-03-17 00:00"),  # Friday -> Monday 24:00
    ],
)
def test_days_chinese_law(calendar: WorkCalendar, start: str, duration: str, deadline: str) -> None:
    same_instant(calendar.add(sh(start), d(duration)), sh(deadline))


def test_days_over_national_day_with_make_up_saturday() -> None:
    calendar = WorkCalendar(
        name="2025",
        tz=SH,
        week=MON_FRI,
        holidays=frozenset(days("2025-10-01", "2025-10-08")),
        extra_workdays=frozenset({date(2025, 9, 28), date(2025, 10, 11)}),
    )
    # Oct 9, Oct 10, Oct 11 (a make-up Saturday) -> Saturday 24:00.
    same_instant(calendar.add(sh("2025-09-30 10:00"), d("3d")), sh("2025-10-12 00:00"))


def test_days_on_always_are_24_real_hours() -> None:
    same_instant(ALWAYS_SH.add(sh("2026-03-10 10:00"), d("3d")), sh("2026-03-13 10:00"))
    # Over the New York spring-forward night, 1d is 24 real hours: 13:00 by the clock.
    same_instant(ALWAYS_NY.add(ny("2026-03-07 12:00"), d("1d")), ny("2026-03-08 13:00"))
    same_instant(ALWAYS_NY.add(ny("2026-10-31 12:00"), d("1d")), ny("2026-11-01 11:00"))


# --- working_seconds and segments -------------------------------------------------


def test_working_seconds_across_a_night() -> None:
    # Tuesday 16:00 to Wednesday 10:00: 1.5 h + 1.5 h.
    assert WORKDAYS.working_seconds(sh("2026-03-10 16:00"), sh("2026-03-11 10:00")) == 3 * 3600


def test_working_seconds_empty_and_reversed() -> None:
    a = sh("2026-03-10 16:00")
    assert WORKDAYS.working_seconds(a, a) == 0
    assert WORKDAYS.working_seconds(a, a - timedelta(hours=5)) == 0
    assert WORKDAYS.segments(a, a) == []


def test_working_seconds_over_a_holiday_week() -> None:
    # 2026-09-30 (Wed) 08:30 to 2026-10-09 (Fri) 08:30: Wednesday 7.5 h, Thursday 8 October 7.5 h.
    assert WORKDAYS.working_seconds(sh("2026-09-30 08:30"), sh("2026-10-09 08:30")) == 15 * 3600


def test_segments_across_a_night() -> None:
    assert WORKDAYS.segments(sh("2026-03-10 16:00"), sh("2026-03-11 10:00")) == [
        (sh("2026-03-10 16:00"), sh("2026-03-10 17:30"), True),
        (sh("2026-03-10 17:30"), sh("2026-03-11 08:30"), False),
        (sh("2026-03-11 08:30"), sh("2026-03-11 10:00"), True),
    ]


def test_segments_starting_outside_working_time() -> None:
    assert WORKDAYS.segments(sh("2026-03-14 10:00"), sh("2026-03-16 13:00")) == [
        (sh("2026-03-14 10:00"), sh("2026-03-16 08:30"), False),
        (sh("2026-03-16 08:30"), sh("2026-03-16 12:00"), True),
        (sh("2026-03-16 12:00"), sh("2026-03-16 13:00"), False),
    ]


def test_segments_merge_whole_days() -> None:
    # Friday noon to Tuesday noon: Monday and Tuesday join into one counted piece.
    pieces = WEEKDAYS_SH.segments(sh("2026-03-13 12:00"), sh("2026-03-17 12:00"))
    assert pieces == [
        (sh("2026-03-13 12:00"), sh("2026-03-14 00:00"), True),
        (sh("2026-03-14 00:00"), sh("2026-03-16 00:00"), False),
        (sh("2026-03-16 00:00"), sh("2026-03-17 12:00"), True),
    ]
    assert all(start.tzinfo is SH and end.tzinfo is SH for start, end, _ in pieces)


def test_segments_always_is_one_piece() -> None:
    a, b = utc("2026-03-13 00:00"), utc("2026-03-20 00:00")
    assert ALWAYS_SH.segments(a, b) == [(a, b, True)]


# --- daylight saving (America/New_York: 2026-03-08 and 2026-11-01) ------------------


def test_always_counts_real_hours_over_dst() -> None:
    assert ALWAYS_NY.working_seconds(ny("2026-03-08 00:00"), ny("2026-03-09 00:00")) == 23 * 3600
    assert ALWAYS_NY.working_seconds(ny("2026-11-01 00:00"), ny("2026-11-02 00:00")) == 25 * 3600
    same_instant(ALWAYS_NY.add(ny("2026-03-08 00:00"), d("24h")), ny("2026-03-09 01:00"))
    same_instant(ALWAYS_NY.add(ny("2026-11-01 00:00"), d("24h")), ny("2026-11-01 23:00"))


def test_whole_day_calendar_days_are_23_and_25_hours() -> None:
    for day, hours in [("2026-03-08", 23), ("2026-11-01", 25), ("2026-11-02", 24)]:
        start = ny(f"{day} 00:00")
        end = datetime.combine(start.date() + timedelta(days=1), time(0), tzinfo=NY)
        assert WHOLE_DAYS_NY.working_seconds(start, end) == hours * 3600
    # A whole-day calendar still counts real time: 24 h from midnight on the short day.
    same_instant(WHOLE_DAYS_NY.add(ny("2026-03-08 00:00"), d("24h")), ny("2026-03-09 01:00"))
    # ... and Nd ends at local midnight whatever the day's length.
    same_instant(WHOLE_DAYS_NY.add(ny("2026-03-07 12:00"), d("1d")), ny("2026-03-09 00:00"))


def test_hours_windows_over_dst() -> None:
    night = WorkCalendar("night", NY, hours=((time(1, 0), time(3, 0)),))
    assert night.working_seconds(ny("2026-03-08 00:00"), ny("2026-03-09 00:00")) == 1 * 3600
    assert night.working_seconds(ny("2026-11-01 00:00"), ny("2026-11-02 00:00")) == 3 * 3600
    # 01:00 EDT + 2 h is 02:00 EST: the clock showed 01:00 to 02:00 twice.
    same_instant(night.add(ny("2026-11-01 01:00"), d("2h")), ny("2026-11-01 02:00"))
    # From the second 01:00 (EST) only 2 h of the window are left: due at its end.
    same_instant(night.add(ny("2026-11-01 01:00", fold=1), d("2h")), ny("2026-11-01 03:00"))


def test_windows_around_a_dst_gap_do_not_overlap() -> None:
    # 02:30 does not exist on 2026-03-08; 01:00 EST to 05:00 EDT is 3 real hours.
    split = WorkCalendar("split", NY, hours=((time(1, 0), time(2, 30)), (time(3, 0), time(5, 0))))
    assert split.working_seconds(ny("2026-03-08 00:00"), ny("2026-03-09 00:00")) == 3 * 3600


# --- the machine's time zone and the offsets of the inputs do not matter -----------


@pytest.fixture(params=["UTC", "America/Los_Angeles", "Asia/Tokyo", "Europe/London"])
def machine_tz(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", request.param)
    systime.tzset()
    yield request.param
    monkeypatch.undo()
    systime.tzset()


def test_same_results_whatever_the_machine_time_zone(machine_tz: str) -> None:
    local, in_utc = sh("2026-03-13 17:00"), utc("2026-03-13 09:00")
    for start in (local, in_utc, local.astimezone(NY)):
        same_instant(WORKDAYS.add(start, d("2h")), sh("2026-03-16 10:00"))
        same_instant(WORKDAYS.add(start, d("1d")), sh("2026-03-17 00:00"))
        assert WORKDAYS.working_seconds(start, utc("2026-03-16 02:00")) == 2 * 3600
        assert WORKDAYS.segments(start, sh("2026-03-16 10:00")) == [
            (sh("2026-03-13 17:00"), sh("2026-03-13 17:30"), True),
            (sh("2026-03-13 17:30"), sh("2026-03-16 08:30"), False),
            (sh("2026-03-16 08:30"), sh("2026-03-16 10:00"), True),
        ]


def test_the_local_date_is_the_calendars() -> None:
    # 2026-03-13 20:00 UTC is already Saturday 04:00 in Shanghai: 1d ends Monday 24:00.
    same_instant(WEEKDAYS_SH.add(utc("2026-03-13 20:00"), d("1d")), sh("2026-03-17 00:00"))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        WORKDAYS.add(datetime(2026, 3, 10, 9), d("1h"))


# --- working days, guards, validation ---------------------------------------------


def test_is_working_day() -> None:
    assert WORKDAYS.is_working_day(date(2026, 3, 10))
    assert not WORKDAYS.is_working_day(date(2026, 3, 14))  # Saturday
    assert not WORKDAYS.is_working_day(date(2026, 10, 5))  # National Day
    assert WORKDAYS.is_working_day(date(2026, 10, 10))  # make-up Saturday
    both = WorkCalendar(
        "both", SH, holidays=frozenset({date(2026, 1, 4)}), extra_workdays=frozenset({date(2026, 1, 4)})
    )
    assert both.is_working_day(date(2026, 1, 4))  # extra wins
    assert ALWAYS_SH.is_working_day(date(2026, 10, 1))


def test_only_make_up_days() -> None:
    calendar = WorkCalendar("rare", SH, week=frozenset(), extra_workdays=frozenset({date(2030, 6, 3)}))
    same_instant(calendar.add(sh("2026-03-10 10:00"), d("1h")), sh("2030-06-03 01:00"))
    same_instant(calendar.add(sh("2026-03-10 10:00"), d("1d")), sh("2030-06-04 00:00"))


@pytest.mark.parametrize("duration", ["1h", "30m", "2d"])
def test_a_calendar_without_working_time_is_an_error(duration: str) -> None:
    never = WorkCalendar("never", SH, week=frozenset())
    with pytest.raises(AftersalesError, match="'never' has no working time"):
        never.add(sh("2026-03-10 10:00"), d(duration))
    with pytest.raises(AftersalesError, match="no working time"):
        never.next_working_instant(sh("2026-03-10 10:00"))
    assert never.working_seconds(sh("2026-01-01 00:00"), sh("2046-01-01 00:00")) == 0


def test_a_deadline_beyond_year_9999_is_an_error() -> None:
    with pytest.raises(AftersalesError, match="9999"):
        WEEKDAYS_SH.add(sh("9999-12-28 10:00"), d("5d"))


@pytest.mark.parametrize(
    "hours",
    [
        ((time(13, 0), time(17, 0)), (time(8, 0), time(12, 0))),  # not sorted
        ((time(8, 0), time(12, 0)), (time(11, 0), time(17, 0))),  # overlapping
        ((time(12, 0), time(8, 0)),),  # ends before it starts
        ((time(20, 0), time(0, 0)), (time(21, 0), time(22, 0))),  # after 24:00
    ],
)
def test_bad_hours_are_refused(hours: tuple[tuple[time, time], ...]) -> None:
    with pytest.raises(AftersalesError, match="working hours"):
        WorkCalendar("bad", SH, hours=hours)


def test_a_window_may_end_at_midnight() -> None:
    evening = WorkCalendar("evening", SH, hours=((time(22, 0), time(0, 0)),))
    same_instant(evening.add(sh("2026-03-10 23:00"), d("1h")), sh("2026-03-11 00:00"))
    same_instant(evening.add(sh("2026-03-10 23:00"), d("90m")), sh("2026-03-11 22:30"))


def test_always_calendar() -> None:
    assert ALWAYS_SH.name == "always" and ALWAYS_SH.always and ALWAYS_SH.tz is SH


# --- properties ------------------------------------------------------------------

PROPERTIES = settings(max_examples=200, derandomize=True, deadline=None)
CALENDARS = [
    WORKDAYS,
    WEEKDAYS_SH,
    ALWAYS_NY,
    WHOLE_DAYS_NY,
    WorkCalendar("ny-hours", NY, MON_FRI, hours=((time(0, 30), time(2, 30)), (time(3, 0), time(9, 0)))),
    WorkCalendar("late", NY, hours=((time(1, 0), time(2, 30)), (time(22, 0), time(0, 0)))),
    WorkCalendar("sundays", SH, frozenset({6}), hours=((time(10, 0), time(11, 0)),)),
]
BASE = datetime(2025, 10, 1, tzinfo=UTC)
ZONES = [UTC, SH, NY, timezone(timedelta(hours=-3, minutes=-30))]

calendars = st.sampled_from(CALENDARS)
instants = st.builds(
    lambda seconds, zone: (BASE + timedelta(seconds=seconds)).astimezone(zone),
    st.integers(0, 2 * 366 * 86400),
    st.sampled_from(ZONES),
)
clock_durations = st.one_of(
    st.builds(Duration, st.integers(1, 600), st.just("m")),
    st.builds(Duration, st.integers(1, 60), st.just("h")),
)
any_durations = st.one_of(clock_durations, st.builds(Duration, st.integers(1, 30), st.just("d")))


@PROPERTIES
@given(calendars, instants, clock_durations)
def test_add_counts_exactly_the_duration(calendar: WorkCalendar, start: datetime, duration: Duration) -> None:
    deadline = calendar.add(start, duration)
    assert calendar.working_seconds(start, deadline) == duration.seconds
    assert deadline.timestamp() >= calendar.next_working_instant(start).timestamp()
    assert deadline.tzinfo is calendar.tz


@PROPERTIES
@given(calendars, instants, instants, any_durations)
def test_a_later_start_never_gives_an_earlier_deadline(
    calendar: WorkCalendar, a: datetime, b: datetime, duration: Duration
) -> None:
    early, late = sorted([a, b], key=datetime.timestamp)
    assert calendar.add(early, duration).timestamp() <= calendar.add(late, duration).timestamp()


@PROPERTIES
@given(calendars, instants, st.integers(1, 30))
def test_days_end_at_local_midnight_of_a_working_day(calendar: WorkCalendar, start: datetime, n: int) -> None:
    deadline = calendar.add(start, Duration(n, "d"))
    if calendar.always:
        assert deadline.timestamp() - start.timestamp() == n * 86400
        return
    assert deadline.time() == time(0)
    first = start.astimezone(calendar.tz).date() + timedelta(days=1)
    last = deadline.date() - timedelta(days=1)
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    assert sum(calendar.is_working_day(day) for day in span) == n
    assert calendar.is_working_day(last)


@pytest.mark.slow
@PROPERTIES
@given(calendars, instants, instants, instants)
def test_working_seconds_add_up(calendar: WorkCalendar, x: datetime, y: datetime, z: datetime) -> None:
    a, b, c = sorted([x, y, z], key=datetime.timestamp)
    assert calendar.working_seconds(a, c) == calendar.working_seconds(a, b) + calendar.working_seconds(b, c)


@pytest.mark.slow
@PROPERTIES
@given(calendars, instants, instants)
def test_segments_explain_working_seconds(calendar: WorkCalendar, x: datetime, y: datetime) -> None:
    a, b = sorted([x, y], key=datetime.timestamp)
    # Timestamps: two datetimes sharing a tzinfo compare and subtract by wall time.
    pieces = [(start.timestamp(), end.timestamp(), flag) for start, end, flag in calendar.segments(a, b)]
    assert sum(end - start for start, end, flag in pieces if flag) == calendar.working_seconds(a, b)
    if a.timestamp() == b.timestamp():
        assert pieces == []
        return
    assert pieces[0][0] == a.timestamp() and pieces[-1][1] == b.timestamp()
    for (_, end, flag), (start, _, next_flag) in itertools.pairwise(pieces):
        assert end == start and flag != next_flag
    assert all(start < end for start, end, _ in pieces)
