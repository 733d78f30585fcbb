"""Reading the times people type."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.errors import UsageError
from aftersales.core.times import parse_instant, parse_past_instant, previous_quarter, quarter
from aftersales.views.fmt import iso

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 24, 1, 54, tzinfo=TZ)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-14 09:12", "2026-03-14T09:12:00+08:00"),
    ("2026-03-14 9:12", "2026-03-14T09:12:00+08:00"),
    ("2026-03-14", "2026-03-14T00:00:00+08:00"),
    ("2026-03-14T01:12:00Z", "2026-03-14T09:12:00+08:00"),
    ("09:12", "2026-11-24T09:12:00+08:00"),
    ("now", "2026-11-24T01:54:00+08:00"),
])
def test_loose_input_is_read_in_the_project_time_zone(text, expected):
    assert parse_instant(text, TZ, NOW).isoformat() == expected


def test_a_clock_time_still_to_come_today_means_yesterday_when_logging():
    assert parse_past_instant("11:55", TZ, NOW).isoformat() == "2026-11-23T11:55:00+08:00"
    assert parse_past_instant("01:00", TZ, NOW).isoformat() == "2026-11-24T01:00:00+08:00"


def test_logging_the_future_is_refused_beyond_a_minute_of_clock_skew():
    assert parse_past_instant("2026-11-24 01:55", TZ, NOW).isoformat() == "2026-11-24T01:55:00+08:00"
    with pytest.raises(UsageError, match="is in the future"):
        parse_past_instant("2026-11-24 01:56", TZ, NOW)


def test_a_gap_of_daylight_saving_moves_forward():
    new_york = ZoneInfo("America/New_York")
    assert parse_instant("2026-03-08 02:30", new_york).isoformat() == "2026-03-08T03:30:00-04:00"


def test_quarters():
    assert quarter("2026Q1", TZ).end.isoformat() == "2026-04-01T00:00:00+08:00"
    assert previous_quarter(dt.datetime(2026, 4, 1, tzinfo=TZ), TZ).name == "2026Q1"
    assert previous_quarter(dt.datetime(2026, 3, 31, 23, 59, tzinfo=TZ), TZ).name == "2025Q4"


@pytest.mark.parametrize(("text", "hint"), [
    ("0930", "(did you mean 09:30?)"),
    ("930", "(did you mean 09:30?)"),
    ("1130", "(did you mean 11:30?)"),
    ("2026", "(a year alone is not a time: 2026-01-01?)"),
    ("7799", "(a number alone is not a time)"),
    ("2026-12", "(a date needs its day: 2026-12-01?)"),
    ("20260314", ""),
    ("0930-01-01", ""),
])
def test_only_the_documented_forms_are_accepted(text, hint):
    with pytest.raises(UsageError) as refused:
        parse_instant(text, TZ, NOW)
    message = str(refused.value)
    assert message.startswith(f"{text!r} is ")
    assert message.endswith(hint)


def test_a_year_out_of_range_is_refused_before_anything_is_written():
    with pytest.raises(UsageError, match="too far in the past or future"):
        parse_instant("0930-01-01 09:30", TZ, NOW)


@given(st.datetimes(timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=8)), TZ,
                                                ZoneInfo("America/New_York")])),
       st.sampled_from([TZ, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kathmandu")]))
def test_iso_is_the_instant_to_the_second_with_the_project_offset(instant, tz):
    assert iso(instant, tz) == instant.astimezone(tz).isoformat(timespec="seconds")


def test_iso_of_no_instant_is_none():
    assert iso(None, TZ) is None


def test_seconds_between_counts_time_passed_across_a_change_of_the_clocks():
    from aftersales.core.times import seconds_between
    berlin = ZoneInfo("Europe/Berlin")
    before, after = dt.datetime(2026, 3, 28, 11, tzinfo=berlin), dt.datetime(2026, 3, 30, 11, tzinfo=berlin)
    assert after - before == dt.timedelta(hours=48)   # Python's own subtraction: by the wall clocks
    assert seconds_between(before, after) == 47 * 3600 and seconds_between(after, before) == -47 * 3600
