"""engine.alerts: which alerts are true as of an instant, and since when, from hand-computed cases."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from conftest import ASSET, SETTINGS

from aftersales.core.durations import Duration
from aftersales.engine import alerts
from aftersales.project import load_project

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


# conftest's settings plus a pausable target counted in working hours (08:30-12:00, 13:30-17:30)
WORKING = SETTINGS.replace("""    - id: return-inspection""", """    - id: fix
      when: {kind: repair}
      start: reported
      stop: [resolved]
      within: 4h
      pausable: true
      calendar: workdays
    - id: return-inspection""")


@pytest.fixture
def folder(records):
    records.write("aftersales.yaml", WORKING)
    return records


def ticket_events(*events: str, extra: str = "") -> str:
    lines = "".join(f"  - {{at: {e}}}\n" for e in events)
    return f"id: T-1\nkind: repair\nasset: CHAIR-1\nsummary: 扶手松动\n{extra}events:\n{lines}"


def found(records, when: str, **options) -> list[tuple[str, str, str, dt.datetime]]:
    p = load_project(records.root, at(when))
    return [(a.kind, a.target, a.cycle, a.since) for a in alerts.alerts(p.records, p.at, **options)]


def test_clock_alerts_and_since_in_working_time_with_a_pause(folder):
    # Friday 2026-03-13 15:30: `fix` allows 4 working hours. 2 h count on Friday (15:30-17:30) and 30 min
    # on Monday before a pause from 09:00 to 10:00, so 3 h are used at 10:30 (at risk), 4 h at 11:30
    # (the deadline), and 1 h more at 14:00 (lunch, 12:00-13:30, does not count): the escalation.
    folder.write("tickets/2026/T-1.yaml", ticket_events(
        "2026-03-13T15:30:00+08:00, type: reported", "2026-03-13T15:40:00+08:00, type: responded",
        "2026-03-16T09:00:00+08:00, type: paused", "2026-03-16T10:00:00+08:00, type: resumed"))
    assert found(folder, "2026-03-16 09:30") == []  # paused
    assert found(folder, "2026-03-16 10:29") == []
    assert found(folder, "2026-03-16 10:30") == [("at-risk", "fix", "1", at("2026-03-16 10:30"))]
    assert found(folder, "2026-03-16 14:01") == [
        ("at-risk", "fix", "1", at("2026-03-16 10:30")), ("breached", "fix", "1", at("2026-03-16 11:30")),
        ("escalation", "fix", "1", at("2026-03-16 14:00"))]
    assert len(found(folder, "2026-03-16 14:00")) == 2  # late by exactly 1 h: not more than escalate_after
    assert len(found(folder, "2026-03-16 14:01", escalate_after=Duration(2, "h"))) == 2


def test_a_stopped_or_cancelled_clock_has_no_alert(folder):
    folder.write("tickets/2026/T-1.yaml", ticket_events(
        "2026-03-13T15:30:00+08:00, type: reported", "2026-03-13T15:40:00+08:00, type: responded",
        "2026-03-16T12:00:00+08:00, type: cancelled"))
    assert [a[0] for a in found(folder, "2026-03-16 10:00")] == ["at-risk"]
    assert found(folder, "2026-03-16 12:00") == []


def test_a_reopened_ticket_has_a_new_cycle(folder):
    folder.write("tickets/2026/T-1.yaml", ticket_events(
        "2026-03-14T09:00:00+08:00, type: reported", "2026-03-14T09:10:00+08:00, type: resolved",
        "2026-03-14T10:00:00+08:00, type: reopened"))
    # response (critical, 2 h on `always`) of the second opening: at risk 1 h 30 min after the reopen
    assert found(folder, "2026-03-14 11:30", kinds=("at-risk",)) == [
        ("at-risk", "response", "2", at("2026-03-14 11:30"))]


def test_date_alerts_become_true_at_midnight(folder):
    folder.write("assets/CHAIR-1.yaml", ASSET.replace("installed: 2025-08-20", "installed: 2021-04-01"))
    folder.write("inspections/2026/INS-1.yaml", "id: INS-1\nplan: quarterly\ndate: 2026-03-27\n"
                                                "inspectors: [eng-zhang]\n"
                                                "findings:\n  - {id: F1, problem: 松动, due: 2026-04-03}\n")
    p = load_project(folder.root, at("2026-04-05 10:00"))
    found_now = {a.kind: a for a in alerts.alerts(p.records, p.at)}
    assert {k: (a.subject, a.cycle, a.since, a.days) for k, a in found_now.items()} == {
        "finding-overdue": ("INS-1/F1", "2026-04-03", at("2026-04-04 00:00"), 2),
        # the plan starts with the slot of 2026-03-31; INS-1 (03-27) is before its window (no `early`)
        "maintenance-overdue": ("quarterly", "2026-03-31", at("2026-04-01 00:00"), 5),
    }
    p = load_project(folder.root, at("2026-03-20 10:00"))
    (warranty,) = alerts.alerts(p.records, p.at, kinds=("warranty-expiring",))
    # the last day is 2026-04-01; 30 days ahead counts that day: true from 2026-03-03
    assert (warranty.subject, warranty.cycle, warranty.since, warranty.days) == (
        "CHAIR-1", "2026-04-01", at("2026-03-03 00:00"), 12)
    p = load_project(folder.root, at("2026-03-31 23:59"))
    assert alerts.alerts(p.records, p.at, kinds=("maintenance-overdue",)) == []  # due today: not overdue yet


def test_low_stock_since_the_first_day_of_the_current_low_stretch(folder):
    folder.write("parts/BOLT-M8.yaml", "id: BOLT-M8\nname: 螺栓\nmin: 50\nmovements:\n"
                                       "  - {date: 2026-01-01, in: 100}\n  - {date: 2026-01-10, out: 60}\n"
                                       "  - {date: 2026-01-20, in: 100}\n  - {date: 2026-02-01, count: 30}\n")
    for when, since, stock in (("2026-01-15 09:00", "2026-01-10", 40), ("2026-02-05 09:00", "2026-02-01", 30)):
        p = load_project(folder.root, at(when))
        (low,) = alerts.alerts(p.records, p.at, kinds=("low-stock",))
        assert (low.subject, low.cycle, low.since, low.stock) == ("BOLT-M8", since, at(f"{since} 00:00"), stock)
    p = load_project(folder.root, at("2026-01-25 09:00"))
    assert alerts.alerts(p.records, p.at, kinds=("low-stock",)) == []


def test_progress_is_the_latest_fresh_event_of_a_ticket_with_a_phone(folder):
    reporter = 'reporter: {name: 王老师, phone: "13800001234"}\n'
    folder.write("tickets/2026/T-1.yaml", ticket_events(
        "2026-03-14T09:00:00+08:00, type: reported", "2026-03-14T09:30:00+08:00, type: responded",
        "2026-03-14T11:00:00+08:00, type: resolved", "2026-03-14T12:00:00+08:00, type: reopened",
        "2026-03-14T13:00:00+08:00, type: resolved", extra=reporter))
    p = load_project(folder.root, at("2026-03-14 14:00"))
    tickets = p.records.tickets.values()
    on = ("responded", "arrived", "resolved", "callback")
    assert [(x.event, x.number, x.at) for x in alerts.progress(tickets, p.at, on, Duration(2, "h"))] == [
        ("resolved", 2, at("2026-03-14 13:00"))]
    assert alerts.progress(tickets, p.at, on, Duration(30, "m")) == []
    assert alerts.progress(tickets, p.at, ("callback",), Duration(2, "h")) == []
    folder.write("tickets/2026/T-1.yaml", ticket_events("2026-03-14T09:00:00+08:00, type: reported",
                                                        "2026-03-14T09:30:00+08:00, type: responded"))
    p = load_project(folder.root, at("2026-03-14 10:00"))
    assert alerts.progress(p.records.tickets.values(), p.at, on, Duration(2, "h")) == []  # no phone
