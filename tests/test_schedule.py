"""Maintenance slots: every status of KPIS.md, the fitting rule, compliance, findings, `maintenance due`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import run
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.durations import Duration
from aftersales.core.model import Finding, Inspection, Plan, Settings, Where
from aftersales.engine import schedule
from aftersales.views.ics import ics

D = dt.date
QUARTERLY = Plan(id="q", rrule="FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1", start=D(2026, 3, 31),
                 checklist=("appearance",), areas=None, early=Duration(14, "d"))
# Q1 due 03-31 (window opens 03-17), Q2 due 06-30 (06-16), Q3 due 09-30 (09-16)
HALF = Plan(id="h", rrule="FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=-1", start=D(2025, 12, 31),
            checklist=("waxing",), areas=("office",), early=Duration(30, "d"))
# 2025-12-31 (opens 12-01), 2026-06-30 (05-31), 2026-12-31 (12-01)


def ins(day: D, ins_id: str | None = None, plan: str = "q") -> Inspection:
    return Inspection(ins_id or f"I-{day:%m%d}", day, ("eng-zhang",), Where("x.yaml"), plan=plan)


def status(plan: Plan, at: D, *inspections: Inspection) -> list[tuple[str, str, str | None]]:
    """(due, status, inspection) of each slot as of `at`."""
    return [(s.due.isoformat(), s.status, s.inspection) for s in schedule.plan_slots(plan, inspections, at)]


# --- the statuses of KPIS.md ------------------------------------------------

def test_upcoming_before_the_first_window_opens():
    assert status(QUARTERLY, D(2026, 3, 16)) == [("2026-03-31", "upcoming", None)]


def test_due_inside_the_window_and_the_next_slot_upcoming():
    assert status(QUARTERLY, D(2026, 3, 17)) == [("2026-03-31", "due", None), ("2026-06-30", "upcoming", None)]
    assert status(QUARTERLY, D(2026, 3, 31))[0] == ("2026-03-31", "due", None)  # the due day itself


def test_early_on_the_first_day_of_the_window_is_done():
    assert status(QUARTERLY, D(2026, 3, 20), ins(D(2026, 3, 17))) == [
        ("2026-03-31", "done", "I-0317"), ("2026-06-30", "upcoming", None)]


def test_a_day_before_the_window_fulfils_nothing():
    assert status(QUARTERLY, D(2026, 4, 1), ins(D(2026, 3, 16)))[0] == ("2026-03-31", "overdue", None)


def test_on_the_due_date_is_done():
    assert status(QUARTERLY, D(2026, 4, 1), ins(D(2026, 3, 31)))[0] == ("2026-03-31", "done", "I-0331")


def test_late_after_the_due_date_and_overdue_until_then():
    late = ins(D(2026, 4, 8))
    assert status(QUARTERLY, D(2026, 4, 7), late)[0] == ("2026-03-31", "overdue", None)  # not yet done
    assert status(QUARTERLY, D(2026, 4, 8), late)[0] == ("2026-03-31", "late", "I-0408")


def test_late_until_the_day_before_the_next_window_opens():
    assert status(QUARTERLY, D(2026, 7, 1), ins(D(2026, 6, 15))) == [
        ("2026-03-31", "late", "I-0615"), ("2026-06-30", "overdue", None), ("2026-09-30", "upcoming", None)]


def test_inside_the_next_window_the_missed_slot_stays_overdue():
    assert status(QUARTERLY, D(2026, 7, 1), ins(D(2026, 6, 16))) == [
        ("2026-03-31", "overdue", None), ("2026-06-30", "done", "I-0616"), ("2026-09-30", "upcoming", None)]


def test_missed_slots_are_overdue():
    assert status(QUARTERLY, D(2026, 6, 20)) == [
        ("2026-03-31", "overdue", None), ("2026-06-30", "due", None), ("2026-09-30", "upcoming", None)]


def test_two_inspections_in_one_window_the_second_fulfils_nothing():
    first, second = ins(D(2026, 3, 20), "A"), ins(D(2026, 3, 25), "B")
    assert status(QUARTERLY, D(2026, 7, 1), second, first) == [
        ("2026-03-31", "done", "A"), ("2026-06-30", "overdue", None), ("2026-09-30", "upcoming", None)]


def test_two_late_inspections_the_second_fulfils_nothing():
    assert status(QUARTERLY, D(2026, 7, 1), ins(D(2026, 4, 8), "A"), ins(D(2026, 4, 9), "B"))[:2] == [
        ("2026-03-31", "late", "A"), ("2026-06-30", "overdue", None)]


def test_same_day_inspections_are_taken_in_id_order():
    assert status(QUARTERLY, D(2026, 4, 1), ins(D(2026, 3, 20), "B"), ins(D(2026, 3, 20), "A"))[0][2] == "A"


def test_overlapping_windows_the_second_inspection_fulfils_the_next_slot():
    wide = Plan(**{**QUARTERLY.__dict__, "early": Duration(100, "d")})  # Q2's window opens 03-22
    assert status(wide, D(2026, 4, 1), ins(D(2026, 3, 25), "A"), ins(D(2026, 3, 28), "B"))[:2] == [
        ("2026-03-31", "done", "A"), ("2026-06-30", "done", "B")]


def test_a_late_one_and_then_one_on_time():
    assert status(QUARTERLY, D(2026, 7, 1), ins(D(2026, 4, 8), "A"), ins(D(2026, 6, 20), "B"))[:2] == [
        ("2026-03-31", "late", "A"), ("2026-06-30", "done", "B")]


def test_inspections_after_the_as_of_date_do_not_exist_yet():
    assert status(QUARTERLY, D(2026, 3, 19), ins(D(2026, 3, 20)))[0] == ("2026-03-31", "due", None)


def test_other_plans_and_plan_less_inspections_are_ignored():
    other = ins(D(2026, 3, 20), plan="h")
    loose = Inspection("L", D(2026, 3, 20), ("x",), Where("x.yaml"))
    assert status(QUARTERLY, D(2026, 4, 1), other, loose)[0] == ("2026-03-31", "overdue", None)


def test_without_early_the_window_is_the_due_date_alone():
    exact = Plan(**{**QUARTERLY.__dict__, "early": None})
    assert status(exact, D(2026, 3, 30)) == [("2026-03-31", "upcoming", None)]
    assert status(exact, D(2026, 4, 1), ins(D(2026, 3, 30)))[0] == ("2026-03-31", "overdue", None)
    assert status(exact, D(2026, 4, 1), ins(D(2026, 3, 31)))[0] == ("2026-03-31", "done", "I-0331")


# --- INTERVAL=6 -------------------------------------------------------------

def test_interval_6_slots_come_from_dateutil():
    assert [s.due for s in schedule.plan_slots(HALF, [], D(2026, 12, 1))] == [
        D(2025, 12, 31), D(2026, 6, 30), D(2026, 12, 31), D(2027, 6, 30)]
    # the interval counts from the start's month: from January the slots fall in January and July
    january = Plan(**{**HALF.__dict__, "start": D(2026, 1, 15)})
    assert [s.due for s in schedule.plan_slots(january, [], D(2026, 6, 1))] == [D(2026, 1, 31), D(2026, 7, 31)]


def test_interval_6_a_late_upkeep_months_later_still_counts_for_its_slot():
    result = status(HALF, D(2026, 11, 23), ins(D(2026, 3, 15), "A", "h"), ins(D(2026, 6, 5), "B", "h"))
    assert result == [("2025-12-31", "late", "A"), ("2026-06-30", "done", "B"), ("2026-12-31", "upcoming", None)]


def test_interval_6_inside_the_next_window_leaves_the_missed_slot_overdue():
    assert status(HALF, D(2026, 7, 1), ins(D(2026, 5, 31), "A", "h"))[:2] == [
        ("2025-12-31", "overdue", None), ("2026-06-30", "done", "A")]


# --- bounds and rules that end ----------------------------------------------

def test_slots_are_generated_up_to_the_as_of_date_plus_one():
    daily = Plan(id="d", rrule="FREQ=DAILY", start=D(2026, 1, 1), checklist=("a",), areas=None)
    slots = schedule.plan_slots(daily, [], D(2026, 1, 10))
    assert len(slots) == 11 and slots[-1].status == "upcoming" and slots[-2].status == "due"


def test_after_the_last_slot_of_a_rule_that_ends_any_later_date_is_late():
    once = Plan(id="o", rrule="FREQ=MONTHLY;COUNT=1;BYMONTHDAY=-1", start=D(2026, 3, 1), checklist=("a",),
                areas=None)
    assert status(once, D(2027, 1, 1), ins(D(2026, 12, 1), plan="o")) == [("2026-03-31", "late", "I-1201")]
    assert status(once, D(2026, 2, 1)) == [("2026-03-31", "upcoming", None)]


def test_the_start_is_a_slot_only_when_the_rule_gives_it():
    odd = Plan(**{**QUARTERLY.__dict__, "start": D(2026, 2, 10)})
    assert schedule.plan_slots(odd, [], D(2026, 1, 1))[0].due == D(2026, 3, 31)


def test_all_slots_sorts_every_plan_by_due_date():
    s = Settings(name="p", timezone="Asia/Shanghai", areas={}, priorities=("normal",), plans=(QUARTERLY, HALF))
    assert [(x.plan, x.due.isoformat()) for x in schedule.all_slots(s, [], D(2026, 4, 1))] == [
        ("h", "2025-12-31"), ("q", "2026-03-31"), ("h", "2026-06-30"), ("q", "2026-06-30")]


def test_slot_for_and_cadence():
    assert schedule.slot_for(QUARTERLY, D(2026, 4, 8)) == D(2026, 3, 31)
    assert schedule.slot_for(QUARTERLY, D(2026, 6, 16)) == D(2026, 6, 30)
    assert schedule.slot_for(QUARTERLY, D(2026, 1, 1)) is None
    assert schedule.cadence(QUARTERLY) == "quarter"
    assert schedule.cadence(HALF) == "half"
    assert schedule.cadence(Plan(id="m", rrule="FREQ=MONTHLY", start=D(2026, 1, 1), checklist=("a",),
                                 areas=None)) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-20, max_value=400), max_size=8), st.integers(min_value=0, max_value=420),
       st.integers(min_value=0, max_value=120))
def test_every_status_follows_its_definition(offsets, at_offset, early):
    plan = Plan(**{**QUARTERLY.__dict__, "early": Duration(early, "d") if early else None})
    start = D(2026, 3, 1)
    inspections = [ins(start + dt.timedelta(days=o), f"I{n}") for n, o in enumerate(offsets)]
    at = start + dt.timedelta(days=at_offset)
    slots = schedule.plan_slots(plan, inspections, at)
    by_id = {i.id: i for i in inspections}
    used = [s.inspection for s in slots if s.inspection]
    assert len(used) == len(set(used))  # an inspection fulfils at most one slot
    assert sum(s.status == "upcoming" for s in slots) <= 1 and slots[-1].status == "upcoming"
    for k, s in enumerate(slots):
        assert s.opens == s.due - dt.timedelta(days=early)
        if s.status in ("done", "late"):
            day = by_id[s.inspection].date
            assert day <= at and day >= s.opens
            assert (day <= s.due) == (s.status == "done")
            if s.status == "late":
                assert day < slots[k + 1].opens
        elif s.status == "overdue":
            assert at > s.due
        elif s.status == "due":
            assert s.opens <= at <= s.due
        else:
            assert at < s.opens


# --- compliance and findings ------------------------------------------------

@pytest.mark.parametrize(("due", "closed", "at", "expected"), [
    (D(2026, 4, 3), None, D(2026, 4, 3), "open"),
    (D(2026, 4, 3), None, D(2026, 4, 4), "overdue"),
    (D(2026, 4, 3), D(2026, 4, 3), D(2026, 4, 10), "closed-on-time"),
    (D(2026, 4, 3), D(2026, 4, 5), D(2026, 4, 10), "closed-late"),
    (D(2026, 4, 3), D(2026, 4, 5), D(2026, 4, 4), "overdue"),   # closed after the as-of date: not yet
    (None, None, D(2030, 1, 1), "open"),
    (None, D(2026, 5, 1), D(2026, 5, 1), "closed-on-time"),
])
def test_finding_status(due, closed, at, expected):
    assert schedule.finding_status(Finding("F1", "p", 1, due=due, closed=closed), at) == expected


def test_findings_summary_counts_the_inspections_dated_in_the_period():
    a = Inspection("A", D(2026, 3, 27), ("x",), Where("a"), findings=(
        Finding("F1", "p", 1, due=D(2026, 4, 3), closed=D(2026, 4, 2)),
        Finding("F2", "p", 2, due=D(2026, 4, 3), closed=D(2026, 4, 9)),
        Finding("F3", "p", 3, due=D(2026, 4, 3)),
        Finding("F4", "p", 4, due=D(2026, 5, 3))))
    b = Inspection("B", D(2026, 4, 2), ("x",), Where("b"), findings=(Finding("F1", "p", 1),))
    assert schedule.findings_summary([a, b], D(2026, 1, 1), D(2026, 4, 1), D(2026, 4, 10)) == {
        "open": 1, "closed-on-time": 1, "closed-late": 1, "overdue": 1}
    assert [(o.inspection.id, o.finding.id, o.days) for o in schedule.overdue_findings([a, b], D(2026, 4, 10))] == [
        ("A", "F3", 7)]


# --- maintenance due ----------------------------------------------------------

PLANS = """\
- id: quarterly
  name: 季度巡检
  areas: all
  rrule: "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
  start: 2026-03-31
  early: 14d
  checklist: [appearance, function]
- id: office-upkeep
  name: 教师办公室半年保养, 打蜡; 润滑
  areas: [office]
  rrule: "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=-1"
  start: 2025-12-31
  early: 30d
  checklist: [waxing]
"""


@pytest.fixture
def planned(records):
    records.settings(maintenance=PLANS)
    records.asset("DESK-1", area="office")
    records.inspection("INS-2026Q1", date="2026-04-08", areas=None, checks=None, findings=[
        "{id: F1, problem: 靠背回弹不足, owner: eng-zhang, due: 2026-04-10}",
        "{id: F2, problem: 已修好, due: 2026-04-10, closed: 2026-04-09}"])
    return records


def due(records, *args):
    return run("maintenance", "due", "--records", str(records.root), *args)


def test_maintenance_due_lists_overdue_due_and_the_next_upcoming(planned):
    result = due(planned, "--at", "2026-06-20")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "plan           due         opens       status    inspection\n"
        "-------------  ----------  ----------  --------  ------------\n"
        "office-upkeep  2025-12-31  2025-12-01  overdue\n"
        "office-upkeep  2026-06-30  2026-05-31  due\n"
        "quarterly      2026-06-30  2026-06-16  due\n"
        "quarterly      2026-09-30  2026-09-16  upcoming\n"
        "office-upkeep  2026-12-31  2026-12-01  upcoming\n")
    assert all(len(line) <= 80 for line in result.output.splitlines())


def test_maintenance_due_all_adds_done_and_late(planned):
    result = due(planned, "--at", "2026-06-20", "--all", "--format", "json")
    rows = json.loads(result.output)
    assert rows[1] == {"plan": "quarterly", "due": "2026-03-31", "window_start": "2026-03-17", "status": "late",
                       "inspection": "INS-2026Q1", "inspected": "2026-04-08"}
    assert [r["status"] for r in rows] == ["overdue", "late", "due", "due", "upcoming", "upcoming"]


def test_maintenance_due_findings_lists_open_findings_past_due(planned):
    result = due(planned, "--at", "2026-04-13", "--findings")
    assert result.output.splitlines()[2].split() == ["INS-2026Q1", "F1", "eng-zhang", "2026-04-10", "3d",
                                                     "靠背回弹不足"]
    rows = json.loads(due(planned, "--at", "2026-04-13", "--findings", "--format", "json").output)
    assert [(r["finding"], r["days_overdue"]) for r in rows] == [("F1", 3)]
    assert due(planned, "--at", "2026-04-09", "--findings").output == "no finding is past its due date\n"


def test_maintenance_due_refuses_records_that_do_not_validate(planned):
    planned.write("inspections/2026/BAD.yaml", "id: BAD\ndate: 2026-04-01\ninspectors: [x]\nplan: nope\n")
    result = due(planned)
    assert result.exit_code == 1 and "do not validate" in result.output


# --- the iCalendar file -------------------------------------------------------

def unfold(data: bytes) -> list[str]:
    """RFC 5545 content lines: CRLF endings, continuation lines start with a space."""
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    raw = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in raw), "a line longer than 75 octets"
    return data.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")[:-1]


def events(lines: list[str]) -> list[dict[str, str]]:
    found, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


def test_ics_writes_overdue_due_and_upcoming_slots(planned, tmp_path):
    path = tmp_path / "out" / "plans.ics"
    result = due(planned, "--at", "2026-06-20", "--all", "--ics", str(path), "--verbose")
    assert result.exit_code == 0
    assert result.stderr == f"wrote {path}: 5 slots\n"
    data = path.read_bytes()
    lines = unfold(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR" and "VERSION:2.0" in lines
    found = events(lines)
    assert [(e["DTSTART;VALUE=DATE"], e["UID"].split("-")[0]) for e in found] == [
        ("20251231", "office"), ("20260630", "office"), ("20260630", "quarterly"), ("20260930", "quarterly"),
        ("20261231", "office")]  # the late Q1 slot is not in it
    first = found[0]
    assert first["DTSTAMP"] == "20251201T000000Z"  # the window's first day, never the clock
    assert first["DTEND;VALUE=DATE"] == "20260101"
    assert first["SUMMARY"] == "教师办公室半年保养\\, 打蜡\\; 润滑 (office-upkeep)"  # TEXT escaping
    assert len({e["UID"] for e in found}) == 5
    due(planned, "--at", "2026-06-21", "--ics", str(path))
    assert path.read_bytes() == data  # the same slots give the same bytes


def test_ics_folds_long_lines_between_characters():
    slot = schedule.Slot("p", D(2026, 3, 31), D(2026, 3, 17), "due")
    plan = Plan(id="p", rrule="FREQ=YEARLY", start=D(2026, 3, 31), checklist=("a",), areas=None, name="保养" * 40)
    data = ics([slot], [plan], "测试项目")
    summary = next(line for line in unfold(data) if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:" + "保养" * 40 + " (p)"
    assert data.count(b"\r\n ") >= 3


BUNDLED = Path(__file__).resolve().parent.parent / "records"


@pytest.mark.parametrize(("at", "extra", "code"), [
    ("2026-11-23", [], 0),                    # nothing overdue yet: the next slots are due 12-31
    ("2027-01-20", [], 1),                    # both plans' 12-31 slots missed
    ("2026-11-23", ["--findings"], 1),        # four findings past their due date
    ("2026-05-01", ["--findings"], 0),
])
def test_fail_on_overdue_for_cron(at, extra, code):
    result = run("maintenance", "due", "--records", str(BUNDLED), "--at", at, "--fail-on-overdue", *extra)
    assert result.exit_code == code, result.output
