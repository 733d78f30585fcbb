"""Official mainland-China holidays, checked against the State Council's notices."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.core.durations import Duration
from aftersales.core.errors import AftersalesError
from aftersales.engine.calendar import WorkCalendar
from aftersales.engine.holidays_cn import ChinaYear, HolidayRange, china_year, to_yaml


def ranges(cy: ChinaYear) -> list[tuple[str, str]]:
    return [(r.first.isoformat(), r.last.isoformat()) for r in cy.holidays]


def dates(*texts: str) -> list[date]:
    return [date.fromisoformat(t) for t in texts]


needs_holidays = pytest.mark.skipif(
    importlib.util.find_spec("holidays") is None, reason="the optional 'holidays' package is not installed"
)


@needs_holidays
def test_2026() -> None:
    cy = china_year(2026)
    assert cy.year == 2026
    assert ranges(cy) == [
        ("2026-01-01", "2026-01-03"),
        ("2026-02-15", "2026-02-23"),
        ("2026-04-04", "2026-04-06"),
        ("2026-05-01", "2026-05-05"),
        ("2026-06-19", "2026-06-21"),
        ("2026-09-25", "2026-09-27"),
        ("2026-10-01", "2026-10-07"),
    ]
    assert [r.name for r in cy.holidays] == [
        "New Year's Day",
        "Spring Festival",
        "Qingming",
        "Labour Day",
        "Dragon Boat Festival",
        "Mid-Autumn Festival",
        "National Day",
    ]
    assert cy.extra_workdays == dates(
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"
    )


@needs_holidays
def test_2025() -> None:
    cy = china_year(2025)
    assert ranges(cy) == [
        ("2025-01-01", "2025-01-01"),
        ("2025-01-28", "2025-02-04"),
        ("2025-04-04", "2025-04-06"),
        ("2025-05-01", "2025-05-05"),
        ("2025-05-31", "2025-06-02"),
        ("2025-10-01", "2025-10-08"),
    ]
    assert cy.holidays[-1].name == "National Day, Mid-Autumn Festival"
    assert cy.extra_workdays == dates("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11")


@needs_holidays
def test_2024_new_year_break_starts_in_2023() -> None:
    cy = china_year(2024)
    assert ranges(cy) == [
        ("2023-12-30", "2024-01-01"),
        ("2024-02-10", "2024-02-17"),
        ("2024-04-04", "2024-04-06"),
        ("2024-05-01", "2024-05-05"),
        ("2024-06-08", "2024-06-10"),
        ("2024-09-15", "2024-09-17"),
        ("2024-10-01", "2024-10-07"),
    ]
    assert cy.extra_workdays == dates(
        "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28",
        "2024-05-11", "2024-09-14", "2024-09-29", "2024-10-12",
    )  # fmt: skip


@needs_holidays
def test_a_day_off_before_next_new_year_is_named_after_it() -> None:
    # The 2018 notice gives 31 December off for New Year's Day 2019 (make-up day 29 December).
    last = china_year(2018).holidays[-1]
    assert last == HolidayRange(date(2018, 12, 30), date(2018, 12, 31), "New Year's Day")


@needs_holidays
def test_partial_observances_are_not_days_off() -> None:
    # Women's Day, Children's Day and Army Day are half days for some people only.
    off = china_year(2026).holiday_dates()
    for day in ("2026-03-08", "2026-06-01", "2026-08-01"):
        assert date.fromisoformat(day) not in off


@needs_holidays
def test_a_year_without_its_notice_is_refused() -> None:
    with pytest.raises(
        AftersalesError, match="official notice for 2027 is not published in the installed data"
    ):
        china_year(2027)
    with pytest.raises(AftersalesError, match="official notice for 1999"):
        china_year(1999)


def test_without_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "holidays", None)  # makes `import holidays` fail
    with pytest.raises(AftersalesError, match=r"install it with: pip install 'aftersales\[holidays\]'"):
        china_year(2026)


@needs_holidays
def test_to_yaml_2026() -> None:
    assert to_yaml(china_year(2026)) == (
        "    holidays:\n"
        "      - 2026-01-01..2026-01-03   # New Year's Day\n"
        "      - 2026-02-15..2026-02-23   # Spring Festival\n"
        "      - 2026-04-04..2026-04-06   # Qingming\n"
        "      - 2026-05-01..2026-05-05   # Labour Day\n"
        "      - 2026-06-19..2026-06-21   # Dragon Boat Festival\n"
        "      - 2026-09-25..2026-09-27   # Mid-Autumn Festival\n"
        "      - 2026-10-01..2026-10-07   # National Day\n"
        "    extra_workdays: [2026-01-04, 2026-02-14, 2026-02-28, 2026-05-09, 2026-09-20, 2026-10-10]\n"
    )


@needs_holidays
def test_to_yaml_2025_single_day() -> None:
    assert to_yaml(china_year(2025)) == (
        "    holidays:\n"
        "      - 2025-01-01               # New Year's Day\n"
        "      - 2025-01-28..2025-02-04   # Spring Festival\n"
        "      - 2025-04-04..2025-04-06   # Qingming\n"
        "      - 2025-05-01..2025-05-05   # Labour Day\n"
        "      - 2025-05-31..2025-06-02   # Dragon Boat Festival\n"
        "      - 2025-10-01..2025-10-08   # National Day, Mid-Autumn Festival\n"
        "    extra_workdays: [2025-01-26, 2025-02-08, 2025-04-27, 2025-09-28, 2025-10-11]\n"
    )


def test_to_yaml_without_make_up_days() -> None:
    cy = ChinaYear(2030, [HolidayRange(date(2030, 1, 1), date(2030, 1, 1), "New Year's Day")], [])
    assert (
        to_yaml(cy)
        == "    holidays:\n      - 2030-01-01               # New Year's Day\n    extra_workdays: []\n"
    )


@needs_holidays
def test_a_calendar_built_from_a_year() -> None:
    cy = china_year(2026)
    sh = ZoneInfo("Asia/Shanghai")
    calendar = WorkCalendar(
        "workdays",
        sh,
        week=frozenset(range(5)),
        holidays=cy.holiday_dates(),
        extra_workdays=frozenset(cy.extra_workdays),
    )
    # Oct 8, Oct 9, then Saturday Oct 10 (make-up) -> Oct 10 24:00.
    start = datetime(2026, 9, 30, 10, tzinfo=sh)
    assert calendar.add(start, Duration(3, "d")) == datetime(2026, 10, 11, tzinfo=sh)
