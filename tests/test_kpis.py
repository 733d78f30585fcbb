"""Every number of the quarterly report (KPIS.md, README "What the reports count"), on tiny folders.

Each test writes a few records inline and runs the real `aftersales report quarterly --format json`
(so the folder must validate, and the JSON is what scripts read). Every expected value was worked
out by hand from the definitions; the arithmetic is in the comments, never taken from the code.

Times are Asia/Shanghai (+08:00) unless written with another offset. 2026Q3 = 2026-07-01 00:00 up to
2026-10-01 00:00 (+08:00). 2026-07-01 and 2026-09-30 are Wednesdays; 2026-11-23 is a Monday.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from conftest import Records, event, run, settings_yaml

# The fixture's settings with the targets, warranty rule and plan these tests need. All clocks count
# on `always` (24 x 7), so the arithmetic is plain clock arithmetic.
SETTINGS = settings_yaml(calendars=None, targets="""\
- id: response
  when: {kind: repair}
  start: reported
  stop: [responded, resolved]
  within: {critical: 2h, normal: 4h}
- id: resolution
  when: {kind: repair}
  start: reported
  stop: [resolved]
  within: 8h
  pausable: true
- id: callback
  start: resolved
  stop: [callback]
  within: 24h
- id: return-inspection
  when: {kind: [return, exchange]}
  start: reported
  stop: [inspected]
  within: 3d
""", warranty="""\
years: 5
max_extension_years: 3
replace_after: {failures: 3, within: 365d}
""", maintenance="""\
- id: monthly
  areas: all
  rrule: "FREQ=MONTHLY;BYMONTHDAY=-1"
  start: 2026-06-30
  early: 7d
  checklist: [appearance]
""")

AT = "2026-10-10 00:00"  # well after 2026Q3, before anything below happens in Q4 unless said


@pytest.fixture
def kpi(records: Records) -> Records:
    """The conftest folder (asset CHAIR-1 in the critical lobby, part BOLT-M8) with the settings above
    and a second asset DESK-1 in the normal-priority office."""
    records.write("aftersales.yaml", SETTINGS)
    product(records, "DESK-1", area="office", category="desk")
    return records


# --- writing records (the conftest factory, with the names these reports list) ---------

def product(records: Records, asset_id: str, **fields: Any) -> None:
    """An asset named `产品 <ID>`, a chair unless said, installed 2025-08-20 unless said."""
    records.asset(asset_id, **{"name": f"产品 {asset_id}", "category": "chair", **fields})


def inspection(records: Records, inspection_id: str, date: str, *findings: str) -> None:
    """An inspection of plan `monthly` by eng-zhang, with these findings."""
    records.inspection(inspection_id, plan="monthly", date=date, areas=None, checks=None, findings=findings)


def uses(*pairs: tuple[str, int]) -> str:
    """The `parts` of a `resolved` event: uses(("P-A", 3))."""
    return "[" + ", ".join(f"{{part: {p}, qty: {q}}}" for p, q in pairs) + "]"


def report(records: Records, period: str = "2026Q3", at: str = AT) -> dict[str, Any]:
    """The JSON report, after checking the command succeeded (the folder validated)."""
    result = run("report", "quarterly", "--period", period, "--records", str(records.root), "--at", at,
                 "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- tickets: opened, resolved, cancelled --------------------------------------------

def test_opened_resolved_and_cancelled_at_the_period_edges(kpi):
    # A reported in Q2, resolved at the first instant of Q3        -> resolved only
    # B reported at the first instant of Q3, resolved at Q3's last  -> opened, resolved
    # C reported 09-30 23:00, resolved at the first instant of Q4   -> opened only
    # E reported 08-01, resolved 10-12 (after --at 10-10)           -> opened; still open as of --at
    # F reported 08-05, resolved 09-25                              -> opened, resolved
    # G reported 08-10, cancelled 08-11                             -> opened, cancelled
    # H cancelled 08-13, reopened 08-14, resolved 08-15             -> opened, cancelled (the event is in Q3), resolved
    # K cancelled 08-17, reopened 08-18, still open                 -> opened, cancelled
    kpi.ticket("T-A", event("06-30 23:59:59", "reported"), event("07-01 00:00", "resolved"))
    kpi.ticket("T-B", event("07-01 00:00", "reported"), event("09-30 23:59:59", "resolved"))
    kpi.ticket("T-C", event("09-30 23:00", "reported"), event("10-01 00:00", "resolved"))
    kpi.ticket("T-E", event("08-01 09:00", "reported"), event("10-12 09:00", "resolved"))
    kpi.ticket("T-F", event("08-05 09:00", "reported"), event("09-25 09:00", "resolved"))
    kpi.ticket("T-G", event("08-10 09:00", "reported"), event("08-11 09:00", "cancelled"))
    kpi.ticket("T-H", event("08-12 09:00", "reported"), event("08-13 09:00", "cancelled"),
               event("08-14 09:00", "reopened"), event("08-15 09:00", "resolved"))
    kpi.ticket("T-K", event("08-16 09:00", "reported"), event("08-17 09:00", "cancelled"),
               event("08-18 09:00", "reopened"))
    t = report(kpi)["tickets"]
    # opened: B C E F G H K = 7; resolved: A B F H = 4 (E only after --at); cancelled: G H K = 3
    assert (t["opened"], t["resolved"], t["cancelled"]) == (7, 4, 3)
    # As of 09-20: C (reported 09-30) does not exist yet -> opened 6; B (resolved 09-30) and F (09-25) are
    # still open -> resolved A H = 2
    t = report(kpi, at="2026-09-20 00:00")["tickets"]
    assert (t["opened"], t["resolved"], t["cancelled"]) == (6, 2, 3)
    # Q2 holds A's report only; Q4 holds C's resolution (10-01 00:00) only
    t = report(kpi, "2026Q2")["tickets"]
    assert (t["opened"], t["resolved"], t["cancelled"]) == (1, 0, 0)
    t = report(kpi, "2026Q4")["tickets"]
    assert (t["opened"], t["resolved"], t["cancelled"]) == (0, 1, 0)


def test_a_ticket_resolved_in_q1_then_reopened_and_resolved_in_q2_counts_in_q2_only(kpi):
    kpi.ticket("T-D", event("03-02 09:00", "reported"), event("03-03 09:00", "resolved"),
               event("04-02 09:00", "reopened"), event("04-03 09:00", "resolved"))
    q1, q2 = report(kpi, "2026Q1")["tickets"], report(kpi, "2026Q2")["tickets"]
    assert (q1["opened"], q1["resolved"]) == (1, 0)   # its last `resolved` is in Q2
    assert (q2["opened"], q2["resolved"]) == (0, 1)
    # As of 03-31 the reopening has not happened: resolved in Q1.
    assert report(kpi, "2026Q1", at="2026-03-31 12:00")["tickets"]["resolved"] == 1
    # As of 04-02 12:00 it is open again: resolved nowhere.
    assert report(kpi, "2026Q1", at="2026-04-02 12:00")["tickets"]["resolved"] == 0
    assert report(kpi, "2026Q2", at="2026-04-02 12:00")["tickets"]["resolved"] == 0
    # Q2's trend compares with Q1 as of the same instant: opened 0 vs 1, resolved 1 vs 0
    figures = {f["key"]: (f["current"], f["previous"], f["change"]) for f in report(kpi, "2026Q2")["trend"]["figures"]}
    assert (figures["tickets.opened"], figures["tickets.resolved"]) == ((0, 1, -1), (1, 0, 1))


def test_a_custom_period_includes_both_days(kpi):
    # --from 07-01 --to 07-02 = 07-01 00:00 up to 07-03 00:00
    kpi.ticket("T-1", event("06-30 23:59:59", "reported"))
    kpi.ticket("T-2", event("07-01 00:00", "reported"))
    kpi.ticket("T-3", event("07-02 23:59:59", "reported"))
    kpi.ticket("T-4", event("07-03 00:00", "reported"))
    result = run("report", "quarterly", "--from", "2026-07-01", "--to", "2026-07-02", "--records", str(kpi.root),
                 "--at", AT, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["tickets"]["opened"] == 2   # T-2 and T-3
    # the trend's base: the 2 days just before, 06-29 and 06-30 -> T-1
    assert data["trend"]["previous_period"] == "2026-06-29..2026-06-30"
    assert data["trend"]["figures"][0] == {"key": "tickets.opened", "current": 2, "previous": 1, "change": 1}


def test_counts_grouped_by_kind_area_category_and_asset_category(kpi):
    # R1 repair of CHAIR-1 (lobby, theater-chair), structure: opened + resolved
    # R2 repair of DESK-1 (office, desk), surface: opened + cancelled
    # Q1 inquiry, no asset, area or category: opened + resolved -> "unknown" area/category/asset category
    # K1 complaint, area office, no asset, category other: opened
    kpi.ticket("T-R1", event("07-06 09:00", "reported"), event("07-06 10:00", "resolved"), category="structure")
    kpi.ticket("T-R2", event("07-07 09:00", "reported"), event("07-07 10:00", "cancelled"), asset="DESK-1",
               category="surface")
    kpi.ticket("T-Q1", event("07-08 09:00", "reported"), event("07-08 10:00", "resolved"), kind="inquiry", asset=None)
    kpi.ticket("T-K1", event("07-09 09:00", "reported"), kind="complaint", asset=None, area="office", category="other")
    t = report(kpi)["tickets"]
    assert t["by_kind"] == {"repair": {"opened": 2, "resolved": 1, "cancelled": 1},
                            "inquiry": {"opened": 1, "resolved": 1, "cancelled": 0},
                            "complaint": {"opened": 1, "resolved": 0, "cancelled": 0}}
    assert t["by_area"] == {"lobby": {"opened": 1, "resolved": 1, "cancelled": 0},
                            "office": {"opened": 2, "resolved": 0, "cancelled": 1},
                            "unknown": {"opened": 1, "resolved": 1, "cancelled": 0}}
    assert t["by_category"] == {"structure": {"opened": 1, "resolved": 1, "cancelled": 0},
                                "surface": {"opened": 1, "resolved": 0, "cancelled": 1},
                                "other": {"opened": 1, "resolved": 0, "cancelled": 0},
                                "unknown": {"opened": 1, "resolved": 1, "cancelled": 0}}
    assert t["by_asset_category"] == {"theater-chair": {"opened": 1, "resolved": 1, "cancelled": 0},
                                      "desk": {"opened": 1, "resolved": 0, "cancelled": 1},
                                      "unknown": {"opened": 2, "resolved": 1, "cancelled": 0}}


# --- SLA -----------------------------------------------------------------------------

@pytest.fixture
def sla_report(kpi) -> dict[str, Any]:
    """Clocks as of 10-01 12:00. CHAIR-1 is critical (response 2h), DESK-1 normal (4h); resolution 8h
    (pausable), callback 24h after each `resolved`.

    S1  CHAIR-1 rep 07-06 09:00, responded 10:00, resolved 15:00, callback 07-07 10:00
        response met 60 min; resolution met 360; callback (from 07-06 15:00) met 1140
    S2  DESK-1  rep 07-06 09:00, responded 14:00, resolved 19:00, callback 07-08 07:00
        response deadline 13:00 -> breached, 300 min, over 60; resolution deadline 17:00 -> breached,
        600 min, over 120; callback deadline 07-07 19:00 -> breached, 36 h = 2160 min, over 720
    S3  CHAIR-1 rep 07-08 09:00, cancelled 10:00
        response (deadline 11:00) and resolution (17:00) void: neither, and no mean
    S4  CHAIR-1 rep 07-09 09:00, cancelled 12:00
        response deadline 11:00 passed -> breached, over 60, but stopped by cancelling: not in the mean;
        resolution (17:00) void
    S5  CHAIR-1 rep 09-30 23:00, responded 10-01 00:30, resolved 10-01 01:00
        response met 90 (a Q3 clock stopping in Q4); resolution met 120; callback starts in Q4: not here
    S6  CHAIR-1 rep 06-30 22:00, responded 23:30, resolved 07-01 01:00, callback 07-01 05:00
        response and resolution started in Q2: not here; callback started 07-01 01:00: met 240
    S7  DESK-1  rep 09-30 22:00, nothing else
        response deadline 10-01 02:00 -> breached still running, over 10 h = 600;
        resolution deadline 10-01 06:00 -> breached still running, over 360
    S9  DESK-1  rep 09-30 16:00, responded 17:00, resolved 20:00
        response met 60; resolution met 240; callback running (16 h of 24 h, below 75 %)
    S10 CHAIR-1 rep 09-30 20:00, responded 20:30, paused 21:00
        response met 30; resolution paused: neither
    S11 inquiry rep 09-30 13:00, resolved 14:00: callback at risk (22 h of 24 h): neither
    """
    kpi.ticket("T-S1", event("07-06 09:00", "reported"), event("07-06 10:00", "responded"),
               event("07-06 15:00", "resolved"), event("07-07 10:00", "callback"))
    kpi.ticket("T-S2", event("07-06 09:00", "reported"), event("07-06 14:00", "responded"),
               event("07-06 19:00", "resolved"), event("07-08 07:00", "callback"), asset="DESK-1")
    kpi.ticket("T-S3", event("07-08 09:00", "reported"), event("07-08 10:00", "cancelled"))
    kpi.ticket("T-S4", event("07-09 09:00", "reported"), event("07-09 12:00", "cancelled"))
    kpi.ticket("T-S5", event("09-30 23:00", "reported"), event("10-01 00:30", "responded"),
               event("10-01 01:00", "resolved"))
    kpi.ticket("T-S6", event("06-30 22:00", "reported"), event("06-30 23:30", "responded"),
               event("07-01 01:00", "resolved"), event("07-01 05:00", "callback"))
    kpi.ticket("T-S7", event("09-30 22:00", "reported"), asset="DESK-1")
    kpi.ticket("T-S9", event("09-30 16:00", "reported"), event("09-30 17:00", "responded"),
               event("09-30 20:00", "resolved"), asset="DESK-1")
    kpi.ticket("T-S10", event("09-30 20:00", "reported"), event("09-30 20:30", "responded"),
               event("09-30 21:00", "paused"))
    kpi.ticket("T-S11", event("09-30 13:00", "reported"), event("09-30 14:00", "resolved"), kind="inquiry", asset=None)
    return report(kpi, at="2026-10-01 12:00")


def numbers(n: dict[str, Any]) -> tuple:
    return n["met"], n["breached"], n["compliance"], n["mean_minutes"]


def test_sla_response_per_target_and_priority(sla_report):
    r = sla_report["sla"]["response"]
    # met S1 S5 S9 S10 = 4; breached S2 S4 S7 = 3; 4/7 = 0.5714
    # mean of clocks stopped by responded/resolved: S1 60, S2 300, S5 90, S9 60, S10 30 = 540 / 5 = 108.0
    assert numbers(r) == (4, 3, 4 / 7, 108.0)
    # critical: met S1 S5 S10, breached S4 -> 3/4; mean (60 + 90 + 30) / 3 = 60.0
    assert numbers(r["by_priority"]["critical"]) == (3, 1, 0.75, 60.0)
    # normal: met S9, breached S2 S7 -> 1/3; mean (300 + 60) / 2 = 180.0
    assert numbers(r["by_priority"]["normal"]) == (1, 2, 1 / 3, 180.0)


def test_sla_resolution_excludes_void_and_paused_clocks(sla_report):
    r = sla_report["sla"]["resolution"]
    # met S1 S5 S9 = 3; breached S2 S7 = 2 (S3 S4 void, S10 paused) -> 0.6
    # mean: S1 360, S2 600, S5 120, S9 240 = 1320 / 4 = 330.0
    assert numbers(r) == (3, 2, 0.6, 330.0)
    assert numbers(r["by_priority"]["critical"]) == (2, 0, 1.0, 240.0)    # (360 + 120) / 2
    assert numbers(r["by_priority"]["normal"]) == (1, 2, 1 / 3, 420.0)    # (600 + 240) / 2


def test_sla_callback_clocks_belong_to_the_period_they_started_in(sla_report):
    r = sla_report["sla"]["callback"]
    # S1 met 1140, S6 met 240 (started 07-01 01:00), S2 breached 2160; S5 started in Q4; S9 running,
    # S11 at risk -> met 2, breached 1 -> 0.6667; mean (1140 + 240 + 2160) / 3 = 1180.0
    assert numbers(r) == (2, 1, 2 / 3, 1180.0)
    assert numbers(r["by_priority"]["critical"]) == (2, 0, 1.0, 690.0)    # (1140 + 240) / 2
    assert numbers(r["by_priority"]["normal"]) == (0, 1, 0.0, 2160.0)
    # S11 has no asset, area or priority: its clock, running, counts under "unknown" for nothing
    assert list(r["by_priority"]) == ["critical", "normal", "unknown"]
    assert numbers(r["by_priority"]["unknown"]) == (0, 0, None, None)
    assert r["by_priority"]["unknown"]["promised"] == [{"within": "24h", "calendar": "always"}]
    assert list(sla_report["sla"]["response"]["by_priority"]) == ["critical", "normal"]   # repairs only


def test_mean_time_is_counted_time_without_pauses(kpi):
    # reported 09:00, responded 09:10, paused 10:00, resumed 12:00, resolved 15:00:
    # resolution counts 6 h - 2 h paused = 240 min (deadline 09:00 + 8 h + 2 h = 19:00: met);
    # response does not pause: 10 min.
    kpi.ticket("T-P", event("07-06 09:00", "reported"), event("07-06 09:10", "responded"),
               event("07-06 10:00", "paused"), event("07-06 12:00", "resumed"), event("07-06 15:00", "resolved"))
    sla = report(kpi)["sla"]
    assert numbers(sla["resolution"]) == (1, 0, 1.0, 240.0)
    assert numbers(sla["response"]) == (1, 0, 1.0, 10.0)


def test_the_clocks_of_every_target_together(sla_report):
    # Q3 clocks with an outcome (the per-target tests): response met S1 S5 S9 S10, breached S2 S4 S7;
    # resolution met S1 S5 S9, breached S2 S7; callback met S1 S6, breached S2 -> 9 met, 6 breached
    assert sla_report["sla_total"] == {"met": 9, "breached": 6, "compliance": 9 / 15}
    # Q2: S6's response (answered 23:30, 90 min of 2 h) and resolution (07-01 01:00, 3 h of 8 h) started 06-30
    assert sla_report["trend"]["previous_sla"] == {"met": 2, "breached": 0, "compliance": 1.0}


def test_a_target_without_clocks_is_n_a(sla_report):
    assert numbers(sla_report["sla"]["return-inspection"]) == (0, 0, None, None)
    assert list(sla_report["sla"]) == ["response", "resolution", "callback", "return-inspection"]


def test_the_breach_list_says_by_how_many_minutes(sla_report):
    rows = [(b["ticket"], b["target"], b["over_minutes"], b["still_open"]) for b in sla_report["breaches"]]
    # by start, then ticket, then target: S2's two 09:00 clocks, its 19:00 callback clock, S4, then S7
    assert rows == [
        ("T-S2", "resolution", 120, False),   # resolved 19:00, deadline 17:00
        ("T-S2", "response", 60, False),      # responded 14:00, deadline 13:00
        ("T-S2", "callback", 720, False),     # callback 07-08 07:00, deadline 07-07 19:00
        ("T-S4", "response", 60, False),      # cancelled 12:00, deadline 11:00
        ("T-S7", "resolution", 360, True),    # --at 10-01 12:00, deadline 06:00
        ("T-S7", "response", 600, True),      # --at 10-01 12:00, deadline 02:00
    ]
    s7 = sla_report["breaches"][-1]
    assert (s7["asset"], s7["area"], s7["priority"], s7["deadline"], s7["stop"]) == (
        "DESK-1", "office", "normal", "2026-10-01T02:00:00+08:00", None)


def test_a_breach_says_what_was_promised_and_what_the_events_say_about_why(kpi):
    # DESK-1 (normal: response 4h, resolution 8h pausable). Reported 07-06 09:00 at 3 楼, responded 10:00
    # (met), paused 11:00 for parts until 15:00 (4 h not counted), escalated 16:00, a note 17:00, the customer
    # informed 18:00, resolved 22:00 with 2 BOLT-M8: counted 13 h - 4 h = 9 h > 8 h: the deadline moved by the
    # pause is 21:00 -> 60 min late. The note after the fix (23:00) and the responded event are not reasons.
    kpi.ticket("T-W", event("07-06 09:00", "reported"), event("07-06 10:00", "responded"),
               event("07-06 11:00", "paused", reason="等待配件", by="eng-wang"), event("07-06 15:00", "resumed"),
               event("07-06 16:00", "escalated", to="pm-liu"), event("07-06 17:00", "note", note="已联系厂家"),
               event("07-06 18:00", "informed", note="配件已到"),
               event("07-06 22:00", "resolved", parts=uses(("BOLT-M8", 2))), event("07-06 23:00", "note", note="完"),
               asset="DESK-1", summary="测试", location="3 楼")
    b, callback = report(kpi)["breaches"]   # (by start:) no callback came either: that clock still runs on 10-10
    assert (callback["target"], callback["still_open"], callback["ticket_status"]) == ("callback", True, "resolved")
    assert (b["target"], b["within"], b["calendar"], b["priority"], b["over_minutes"]) == (
        "resolution", "8h", "always", "normal", 60)
    assert (b["summary"], b["asset_name"], b["location"], b["reported"], b["deadline"]) == (
        "测试", "产品 DESK-1", "3 楼", "2026-07-06T09:00:00+08:00", "2026-07-06T21:00:00+08:00")
    assert [(e["type"], e["reason"], e["to"], e["note"], e["parts"]) for e in b["events"]] == [
        ("paused", "等待配件", None, None, []), ("resumed", None, None, None, []),
        ("escalated", None, "pm-liu", None, []), ("note", None, None, "已联系厂家", []),
        ("informed", None, None, "配件已到", []), ("resolved", None, None, None, [{"part": "BOLT-M8", "qty": 2}])]
    assert report(kpi)["sla"]["resolution"]["by_priority"]["normal"]["promised"] == [
        {"within": "8h", "calendar": "always"}]


def test_a_reopened_ticket_s_new_cycle_belongs_to_the_period_of_the_reopening(kpi):
    # Cycle 1: reported 06-29 09:00, responded 09:30 (met, 30 min), resolved 10:00 (met, 60): Q2.
    # Cycle 2: reopened 07-02 09:00 stands in for `reported`: responded 07-02 12:00 -> 180 min > 2 h: breached
    # by 60; resolved 07-02 13:00 -> 240 min, met; callback 07-03 09:00 -> 20 h = 1200 min, met. All Q3 clocks.
    kpi.ticket("T-RO", event("06-29 09:00", "reported"), event("06-29 09:30", "responded"),
               event("06-29 10:00", "resolved"), event("07-02 09:00", "reopened"), event("07-02 12:00", "responded"),
               event("07-02 13:00", "resolved"), event("07-03 09:00", "callback"))
    q2, q3 = report(kpi, "2026Q2"), report(kpi)
    assert numbers(q2["sla"]["response"]) == (1, 0, 1.0, 30.0)
    assert numbers(q2["sla"]["resolution"]) == (1, 0, 1.0, 60.0)
    assert numbers(q3["sla"]["response"]) == (0, 1, 0.0, 180.0)
    assert numbers(q3["sla"]["resolution"]) == (1, 0, 1.0, 240.0)
    assert numbers(q3["sla"]["callback"]) == (1, 0, 1.0, 1200.0)
    # Q2's callback clock (from 06-29 10:00) ran until the reopening 07-02 09:00: past its deadline
    # 06-30 10:00, so breached (by 2 days - 1 h = 47 h = 2820 min), but not stopped by `callback`: no mean.
    assert numbers(q2["sla"]["callback"]) == (0, 1, 0.0, None)
    assert [(b["ticket"], b["target"], b["cycle"], b["over_minutes"]) for b in q2["breaches"]] == [
        ("T-RO", "callback", 1, 2820)]
    assert [(b["ticket"], b["target"], b["cycle"], b["over_minutes"]) for b in q3["breaches"]] == [
        ("T-RO", "response", 2, 60)]


# --- quality -----------------------------------------------------------------------------

def test_first_time_fix_reopen_and_complaint_rates(kpi):
    # Repairs resolved in Q3: F1 (one visit), F2 (two `arrived`), F3 (reopened and resolved again),
    # F4 (no visit) -> first-time fixes F1 F4 = 2 of 4 = 0.5
    # Resolved in Q3: F1 F2 F3 F4 + inquiry F5 = 5; with a `reopened`: F3 -> 1/5 = 0.2
    # F6 (repair resolved in Q2) and F7 (reopened, still open) are in neither base.
    # Opened in Q3: F1 F2 F3 F4 F5 F7 K1 = 7; complaints: K1 (K2 was reported in Q2) -> 1/7 = 0.1429
    kpi.ticket("T-F1", event("07-06 09:00", "reported"), event("07-06 10:00", "arrived"),
               event("07-06 11:00", "resolved"))
    kpi.ticket("T-F2", event("07-07 09:00", "reported"), event("07-07 10:00", "arrived"),
               event("07-08 10:00", "arrived"), event("07-08 11:00", "resolved"))
    kpi.ticket("T-F3", event("07-09 09:00", "reported"), event("07-09 10:00", "arrived"),
               event("07-09 11:00", "resolved"), event("07-10 09:00", "reopened"), event("07-10 11:00", "resolved"))
    kpi.ticket("T-F4", event("07-11 09:00", "reported"), event("07-11 09:30", "resolved"))
    kpi.ticket("T-F5", event("07-12 09:00", "reported"), event("07-12 09:30", "resolved"), kind="inquiry", asset=None)
    kpi.ticket("T-F6", event("06-01 09:00", "reported"), event("06-01 10:00", "resolved"))
    kpi.ticket("T-F7", event("07-13 09:00", "reported"), event("07-13 10:00", "resolved"),
               event("07-14 09:00", "reopened"))
    kpi.ticket("T-K1", event("08-01 09:00", "reported"), kind="complaint", asset=None)
    kpi.ticket("T-K2", event("06-30 09:00", "reported"), kind="complaint", asset=None)
    q = report(kpi)["quality"]
    assert (q["first_time_fix_rate"], q["first_time_fixes"], q["repairs_resolved"]) == (0.5, 2, 4)
    assert (q["reopen_rate"], q["reopened"], q["resolved"]) == (0.2, 1, 5)
    assert (q["complaints"], q["complaint_rate"], q["opened"]) == (1, 1 / 7, 7)


def test_repeat_repair_rate(kpi):
    for aid in ("CHAIR-2", "CHAIR-3", "CHAIR-4"):
        product(kpi, aid)
    # CHAIR-1: P1 resolved 04-03 09:00; P2 reported 07-01 09:00: 04-03 -> 05-03 30 d, -> 06-03 31 d,
    #   -> 07-01 28 d = 89 days later -> repeat
    # CHAIR-2: P3 resolved 04-01 10:00; P4 reported 07-01 10:00: 30 + 31 + 30 = 91 days -> not
    # CHAIR-3: P5 resolved 06-02, then reopened and cancelled; P6 reported 07-10 -> the other is cancelled: not
    # CHAIR-4: P7 repair cancelled (not in the base); P8 maintenance resolved 07-20; P9 repair reported 08-05:
    #   the other is not a repair -> not
    # Base: repairs opened in Q3 and not cancelled: P2 P4 P6 P9 = 4; repeats: P2 -> 1/4 = 0.25
    kpi.ticket("T-P1", event("04-01 09:00", "reported"), event("04-03 09:00", "resolved"))
    kpi.ticket("T-P2", event("07-01 09:00", "reported"))
    kpi.ticket("T-P3", event("04-01 09:00", "reported"), event("04-01 10:00", "resolved"), asset="CHAIR-2")
    kpi.ticket("T-P4", event("07-01 10:00", "reported"), asset="CHAIR-2")
    kpi.ticket("T-P5", event("06-01 09:00", "reported"), event("06-02 09:00", "resolved"),
               event("06-03 09:00", "reopened"), event("06-04 09:00", "cancelled"), asset="CHAIR-3")
    kpi.ticket("T-P6", event("07-10 09:00", "reported"), asset="CHAIR-3")
    kpi.ticket("T-P7", event("08-01 09:00", "reported"), event("08-01 10:00", "cancelled"), asset="CHAIR-4")
    kpi.ticket("T-P8", event("07-20 09:00", "reported"), event("07-20 10:00", "resolved"), kind="maintenance",
               asset="CHAIR-4")
    kpi.ticket("T-P9", event("08-05 09:00", "reported"), asset="CHAIR-4")
    q = report(kpi)["quality"]
    assert (q["repeat_repair_rate"], q["repeat_repairs"], q["repairs_opened"]) == (0.25, 1, 4)


def test_only_resolutions_before_the_report_make_a_repeat(kpi):
    # R1 reported 07-01, resolved 07-05; R2 reported 07-03, resolved 07-04. Before R2 was reported (07-03) no
    # repair of CHAIR-1 was resolved; before R1 was reported (07-01) neither -> 0 repeats of 2
    kpi.ticket("T-R1", event("07-01 09:00", "reported"), event("07-05 09:00", "resolved"))
    kpi.ticket("T-R2", event("07-03 09:00", "reported"), event("07-04 09:00", "resolved"))
    q = report(kpi)["quality"]
    assert (q["repeat_repair_rate"], q["repeat_repairs"], q["repairs_opened"]) == (0.0, 0, 2)


def test_satisfaction_and_callback_coverage(kpi):
    # C1 resolved 07-05, callback 07-06 score 5                      -> covered
    # C2 resolved 07-05, callback 07-06 score 3, reopened, resolved   -> not covered (no callback after the LAST)
    # C3 resolved 07-05, no callback                                  -> not covered
    # C4 resolved in Q2 (06-29), callback 07-01 score 4                -> its score counts; not in the coverage base
    # C5 resolved 09-30 20:00, callback 10-01 09:00 score 1            -> covered; its score is Q4's
    # C6 resolved 07-10, callback 07-11 without a score               -> covered; no response
    # C7 resolved 07-10, callback 07-11 score 4                        -> covered
    # Scores in Q3: 5 3 4 4 -> mean 16 / 4 = 4.0, 4 responses; 1:0 2:0 3:1 4:2 5:1
    # Coverage: resolved in Q3 C1 C2 C3 C5 C6 C7 = 6; covered C1 C5 C6 C7 = 4 -> 0.6667
    kpi.ticket("T-C1", event("07-05 09:00", "reported"), event("07-05 10:00", "resolved"),
               event("07-06 10:00", "callback", satisfaction=5))
    kpi.ticket("T-C2", event("07-05 09:00", "reported"), event("07-05 10:00", "resolved"),
               event("07-06 10:00", "callback", satisfaction=3), event("07-07 09:00", "reopened"),
               event("07-08 10:00", "resolved"))
    kpi.ticket("T-C3", event("07-05 09:00", "reported"), event("07-05 10:00", "resolved"))
    kpi.ticket("T-C4", event("06-29 09:00", "reported"), event("06-29 10:00", "resolved"),
               event("07-01 10:00", "callback", satisfaction=4))
    kpi.ticket("T-C5", event("09-30 19:00", "reported"), event("09-30 20:00", "resolved"),
               event("10-01 09:00", "callback", satisfaction=1))
    kpi.ticket("T-C6", event("07-10 09:00", "reported"), event("07-10 10:00", "resolved"),
               event("07-11 10:00", "callback"))
    kpi.ticket("T-C7", event("07-10 09:00", "reported"), event("07-10 10:00", "resolved"),
               event("07-11 10:00", "callback", satisfaction=4))
    r = report(kpi)
    assert r["satisfaction"] == {"mean": 4.0, "responses": 4,
                                 "distribution": {"1": 0, "2": 0, "3": 1, "4": 2, "5": 1}}
    assert r["callbacks"] == {"coverage": 2 / 3, "covered": 4, "resolved": 6}
    # As of 10-01 08:00, C5's callback has not happened: 3 / 6 = 0.5
    assert report(kpi, at="2026-10-01 08:00")["callbacks"] == {"coverage": 0.5, "covered": 3, "resolved": 6}
    # Q4 (as of 10-10): C5's score 1 is the only response
    q4 = report(kpi, "2026Q4")["satisfaction"]
    assert (q4["mean"], q4["responses"], q4["distribution"]["1"]) == (1.0, 1, 1)


def test_follow_up_coverage_and_revisit_satisfaction(kpi):
    # F1 resolved 07-05, message 07-07, revisit 07-30 score 5              -> message yes, revisit yes
    # F2 resolved 07-05, message 07-06, reopened 07-08, resolved 07-09     -> message no (before the LAST fix),
    #    revisit 08-01 score 3                                            -> revisit yes
    # F3 resolved 07-10, nothing yet                                      -> no, no
    # F4 resolved 09-20, revisit 10-15 score 2                             -> message no; revisit yes as of 10-20,
    #                                                                        its score is Q4's
    # F5 resolved in Q2 (06-28), revisit 07-20 score 4                     -> not in the base; its score counts in Q3
    # Resolved in Q3: F1 F2 F3 F4 = 4.  message: F1 = 1/4.  revisit as of 10-10: F1 F2 = 2/4; as of 10-20: 3/4
    # Revisit scores in Q3: 5 (F1), 3 (F2), 4 (F5) -> mean 12 / 3 = 4.0, 3 responses; 3:1 4:1 5:1
    kpi.ticket("T-F1", event("07-05 09:00", "reported"), event("07-05 10:00", "resolved"),
               event("07-07 10:00", "message"), event("07-30 10:00", "revisit", satisfaction=5))
    kpi.ticket("T-F2", event("07-05 09:00", "reported"), event("07-05 10:00", "resolved"),
               event("07-06 10:00", "message"), event("07-08 09:00", "reopened"), event("07-09 10:00", "resolved"),
               event("08-01 10:00", "revisit", satisfaction=3))
    kpi.ticket("T-F3", event("07-10 09:00", "reported"), event("07-10 10:00", "resolved"))
    kpi.ticket("T-F4", event("09-20 09:00", "reported"), event("09-20 10:00", "resolved"),
               event("10-15 10:00", "revisit", satisfaction=2))
    kpi.ticket("T-F5", event("06-28 09:00", "reported"), event("06-28 10:00", "resolved"),
               event("07-20 10:00", "revisit", satisfaction=4))
    r = report(kpi)
    assert r["follow_ups"] == {"message": {"coverage": 0.25, "covered": 1, "resolved": 4},
                               "revisit": {"coverage": 0.5, "covered": 2, "resolved": 4}}
    assert r["revisit_satisfaction"] == {"mean": 4.0, "responses": 3,
                                         "distribution": {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}}
    assert r["satisfaction"]["responses"] == 0   # callback satisfaction stays apart
    later = report(kpi, at="2026-10-20 00:00")
    assert later["follow_ups"]["revisit"] == {"coverage": 0.75, "covered": 3, "resolved": 4}
    assert later["revisit_satisfaction"]["responses"] == 3   # F4's score belongs to Q4


def test_an_empty_quarter_gives_n_a_rates(records):
    # The plain conftest settings: a quarterly plan due 09-30 with no early window. As of 09-15 that slot's
    # window has not opened (upcoming), so nothing counts for PM compliance either.
    r = report(records, at="2026-09-15 00:00")
    assert (r["tickets"]["opened"], r["tickets"]["resolved"], r["tickets"]["cancelled"]) == (0, 0, 0)
    q = r["quality"]
    assert (q["first_time_fix_rate"], q["repeat_repair_rate"], q["reopen_rate"], q["complaint_rate"]) == (
        None, None, None, None)
    assert q["complaints"] == 0
    assert r["satisfaction"] == {"mean": None, "responses": 0,
                                 "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}
    assert r["callbacks"]["coverage"] is None
    assert all(n["compliance"] is None and n["mean_minutes"] is None for n in r["sla"].values())
    assert r["maintenance"]["pm_compliance"] is None
    assert [(s["due"], s["status"]) for s in r["maintenance"]["slots"]] == [("2026-09-30", "upcoming")]
    assert r["breaches"] == []


# --- maintenance and findings -------------------------------------------------------------

def test_pm_compliance_with_a_slot_done_one_late_and_one_missed(kpi):
    # Plan `monthly`: due on the last day of each month from 06-30, window opens 7 days before.
    # 07-31: INS-2 on 07-28 (inside [07-24, 07-31])               -> done
    #        INS-3 on 07-30: 07-31 is taken and 08-31's window opens 08-24 -> fulfils nothing
    # 08-31: INS-4 on 09-03 (after the due date, before 09-30's window opens 09-23) -> late
    # 09-30: nothing                                               -> overdue as of 10-10
    # 06-30 (INS-1 on 06-29) is Q2's; 10-31 is upcoming and Q4's.
    # PM compliance = done / (done + late + overdue) = 1 / 3 = 0.3333
    inspection(kpi, "INS-1", "2026-06-29")
    inspection(kpi, "INS-2", "2026-07-28")
    inspection(kpi, "INS-3", "2026-07-30")
    inspection(kpi, "INS-4", "2026-09-03")
    m = report(kpi)["maintenance"]
    assert m["slots"] == [
        {"plan": "monthly", "due": "2026-07-31", "status": "done", "inspection": "INS-2", "inspected": "2026-07-28"},
        {"plan": "monthly", "due": "2026-08-31", "status": "late", "inspection": "INS-4", "inspected": "2026-09-03"},
        {"plan": "monthly", "due": "2026-09-30", "status": "overdue", "inspection": None, "inspected": None},
    ]
    assert (m["pm_compliance"], m["done"], m["late"], m["overdue"], m["due"]) == (1 / 3, 1, 1, 1, 0)
    # As of 09-25 the 09-30 slot is inside its window: due, not counted -> 1 / 2
    m = report(kpi, at="2026-09-25 00:00")["maintenance"]
    assert (m["pm_compliance"], m["done"], m["late"], m["overdue"], m["due"]) == (0.5, 1, 1, 0, 1)
    # As of 09-01, INS-4 does not exist yet: 08-31 is overdue -> 1 / 2
    m = report(kpi, at="2026-09-01 00:00")["maintenance"]
    assert (m["pm_compliance"], m["done"], m["late"], m["overdue"]) == (0.5, 1, 0, 1)
    assert report(kpi, "2026Q2")["maintenance"]["pm_compliance"] == 1.0   # 06-30 done by INS-1


FINDINGS = (
    "{id: F1, problem: 甲, due: 2026-08-10, closed: 2026-08-10}",
    "{id: F2, problem: 乙, due: 2026-08-10, closed: 2026-08-20}",
    "{id: F3, problem: 丙, due: 2026-08-10}",
    "{id: F4, problem: 丁, due: 2026-10-20}",
    "{id: F5, problem: 戊}",
    "{id: F6, problem: 己, due: 2026-08-10, closed: 2026-10-15}",
)


COUNTS = ("open", "closed_on_time", "closed_late", "overdue")


def finding_counts(r: dict[str, Any]) -> dict[str, int]:
    return {k: r["findings"][k] for k in COUNTS}


def test_findings_open_closed_on_time_closed_late_and_overdue(kpi):
    # Of INS-2 (07-28, in Q3), as of the end of Q3 (09-30), the Q3 report being made on 10-10:
    #   F1 closed on its due day -> on time; F2 closed after it -> late; F3 open, due passed -> overdue;
    #   F4 open, due 10-20 -> open; F5 open without due -> open; F6 closed 10-15 = after 09-30 -> open, overdue
    # open (including overdue) F3 F4 F5 F6 = 4; overdue F3 F6 = 2; on time 1; late 1
    # INS-1 (Q2) and INS-5 (Q4) findings are not counted.
    inspection(kpi, "INS-2", "2026-07-28", *FINDINGS)
    inspection(kpi, "INS-1", "2026-06-29", "{id: F1, problem: 旧, due: 2026-07-01}")
    inspection(kpi, "INS-5", "2026-10-05", "{id: F1, problem: 新, due: 2026-10-06}")
    r = report(kpi)
    assert finding_counts(r) == {"open": 4, "closed_on_time": 1, "closed_late": 1, "overdue": 2}
    assert r["findings"]["as_of"] == "2026-09-30"
    assert r["findings"]["inspections"] == [
        {"inspection": "INS-2", "date": "2026-07-28", "plan": "monthly", "findings": 6}]
    # Made on 10-16, the Q3 report still describes 09-30: F6's closing on 10-15 is not in it.
    assert finding_counts(report(kpi, at="2026-10-16 00:00")) == finding_counts(r)
    # As of 08-10 12:00 (inside Q3, the due day, not passed): F3 and F6 are open, not overdue; F2 not closed yet
    r = report(kpi, at="2026-08-10 12:00")
    assert finding_counts(r) == {"open": 5, "closed_on_time": 1, "closed_late": 0, "overdue": 0}
    assert r["findings"]["as_of"] == "2026-08-10"


def test_findings_belong_to_the_quarter_of_their_inspection_s_date(kpi):
    # INS-LATE fulfils the 09-30 slot but is dated 10-02 (Q4): its finding is counted in Q4, not in Q3, and
    # the Q3 report's slot row names the inspection and its date.
    inspection(kpi, "INS-LATE", "2026-10-02", "{id: F1, problem: 晚, due: 2026-10-09, closed: 2026-10-08}")
    q3 = report(kpi, "2026Q3", at="2026-11-23 00:00")
    assert finding_counts(q3) == {"open": 0, "closed_on_time": 0, "closed_late": 0, "overdue": 0}
    assert q3["findings"]["inspections"] == []
    assert q3["maintenance"]["slots"][-1] == {"plan": "monthly", "due": "2026-09-30", "status": "late",
                                              "inspection": "INS-LATE", "inspected": "2026-10-02"}
    q4 = report(kpi, "2026Q4", at="2026-11-23 00:00")
    assert finding_counts(q4) == {"open": 0, "closed_on_time": 1, "closed_late": 0, "overdue": 0}
    assert q4["findings"]["as_of"] == "2026-11-23"


# --- warranty -------------------------------------------------------------------------------

def test_warranty_expiring_and_expired(kpi):
    # Report day 2026-11-23; 5-year warranties.
    # W-TODAY installed 2021-11-23 -> ends 2026-11-23, 0 days left: expiring (the report day is included)
    # W-EXT   2020-01-10 + 5 + 2 extension years -> 2027-01-10: 7 + 31 + 10 = 48 days -> expiring
    # W-179   2022-05-21 -> 2027-05-21: 7 + 31 + 31 + 28 + 31 + 30 + 21 = 179 days -> expiring
    # W-181   2022-05-23 -> 2027-05-23: 181 days -> not
    # W-GONE  2021-11-22 -> ended 2026-11-22 -> expired
    # W-NONE  no install date: neither; CHAIR-1 / DESK-1 (2025-08-20 -> 2030): neither
    product(kpi, "W-TODAY", installed="2021-11-23")
    product(kpi, "W-EXT", installed="2020-01-10", warranty="{extensions: [{years: 2, fee: 100}]}")
    product(kpi, "W-179", installed="2022-05-21")
    product(kpi, "W-181", installed="2022-05-23")
    product(kpi, "W-GONE", installed="2021-11-22")
    product(kpi, "W-NONE", installed=None)
    w = report(kpi, "2026Q4", at="2026-11-23 00:00")["warranty"]
    assert w["as_of"] == "2026-11-23"
    assert [(a["asset"], a["end"], a["days_left"]) for a in w["expiring_assets"]] == [
        ("W-TODAY", "2026-11-23", 0), ("W-EXT", "2027-01-10", 48), ("W-179", "2027-05-21", 179)]
    assert (w["expiring"], w["within_days"]) == (3, 180)
    assert [(a["asset"], a["end"], a["days_left"]) for a in w["expired_assets"]] == [("W-GONE", "2026-11-22", -1)]
    assert w["expired"] == 1


def test_a_warranty_ending_on_the_181st_day_counting_the_report_day_is_not_expiring(kpi):
    # Report day 2026-11-23 is day 1 of the next 180 days, so day 180 is 2027-05-21 (179 days later, see above).
    # W-180 installed 2022-05-22 ends 2027-05-22: the 181st day -> not expiring.
    # (KPIS.md's "ends within the next N days after the report instant" agrees: covered through 05-22, the
    # warranty ends at 2027-05-23 00:00, more than 180 x 24 h after 2026-11-23 00:00.)
    product(kpi, "W-180", installed="2022-05-22")
    w = report(kpi, "2026Q4", at="2026-11-23 00:00")["warranty"]
    assert w["expiring_assets"] == []


def test_out_of_warranty_tickets_and_their_charged_cost(kpi):
    # OLD installed 2021-08-15: warranty ends 2026-08-15.
    # O1 repair reported 08-15 23:30 (the last day): in warranty -> not counted
    # O2 repair reported 08-16: out; resolved cost 150, reopened, resolved cost 50 -> 200
    # O3 inquiry about OLD reported 09-01: out, no cost
    # O4 repair reported 10-02: Q4, not counted; O5 about W-NONE (no install date): unknown, not counted
    # -> 2 tickets, 150 + 50 = 200
    product(kpi, "OLD", installed="2021-08-15")
    product(kpi, "W-NONE", installed=None)
    kpi.ticket("T-O1", event("08-15 23:30", "reported"), event("08-16 09:00", "resolved", cost=100), asset="OLD")
    kpi.ticket("T-O2", event("08-16 09:00", "reported"), event("08-16 10:00", "resolved", cost=150),
               event("08-17 09:00", "reopened"), event("08-17 10:00", "resolved", cost=50), asset="OLD")
    kpi.ticket("T-O3", event("09-01 09:00", "reported"), event("09-01 10:00", "resolved"), kind="inquiry", asset="OLD")
    kpi.ticket("T-O4", event("10-02 09:00", "reported"), event("10-02 10:00", "resolved", cost=900), asset="OLD")
    kpi.ticket("T-O5", event("09-02 09:00", "reported"), event("09-02 10:00", "resolved", cost=900), asset="W-NONE")
    w = report(kpi)["warranty"]
    assert (w["out_of_warranty_tickets"], w["out_of_warranty_cost"]) == (2, 200)


def test_replacement_candidates(kpi):
    # CAND (installed 2025-01-01): repairs reported 2025-12-01, 2026-03-01, 2026-11-20: the first to the last
    #   is 354 days <= 365 -> 3 repairs in one window, all in warranty -> candidate
    # OLD (warranty ends 2026-08-15): repairs 06-01 and 08-15 in warranty, 08-20 and 09-20 out -> 2 count: not
    # SPREAD: repairs 2025-01-10, 2025-07-01, 2026-01-11: 2025-01-10 -> 2026-01-11 is 366 days, so any 365-day
    #   window holds 2 -> not
    # CANC: 3 repairs in July, one cancelled -> 2: not
    for aid, installed in (("CAND", "2025-01-01"), ("OLD", "2021-08-15"), ("SPREAD", "2024-06-01"),
                           ("CANC", "2025-06-01")):
        product(kpi, aid, installed=installed)
    for n, day in enumerate(("2025-12-01 09:00", "2026-03-01 09:00", "2026-11-20 09:00")):
        kpi.ticket(f"T-CAND{n}", event(day, "reported"), asset="CAND")
    for n, day in enumerate(("06-01 09:00", "08-15 09:00", "08-20 09:00", "09-20 09:00")):
        kpi.ticket(f"T-OLD{n}", event(day, "reported"), asset="OLD")
    for n, day in enumerate(("2025-01-10 09:00", "2025-07-01 09:00", "2026-01-11 09:00")):
        kpi.ticket(f"T-SPREAD{n}", event(day, "reported"), asset="SPREAD")
    for n, day in enumerate(("07-01 09:00", "07-02 09:00")):
        kpi.ticket(f"T-CANC{n}", event(day, "reported"), asset="CANC")
    kpi.ticket("T-CANC2", event("07-03 09:00", "reported"), event("07-03 10:00", "cancelled"), asset="CANC")
    w = report(kpi, "2026Q4", at="2026-11-23 00:00")["warranty"]
    assert w["replacement_candidates"] == [
        {"asset": "CAND", "name": "产品 CAND", "repairs": 3, "tickets": ["T-CAND0", "T-CAND1", "T-CAND2"]}]
    # As of 11-19 the third repair has not been reported: no candidate
    assert report(kpi, "2026Q4", at="2026-11-19 00:00")["warranty"]["replacement_candidates"] == []
    # The Q3 report made on 11-23 describes 09-30, before the third repair: no candidate either
    assert report(kpi, "2026Q3", at="2026-11-23 00:00")["warranty"]["replacement_candidates"] == []


def test_a_past_quarter_counts_warranty_days_from_its_last_day(kpi):
    # W-EXP installed 2021-12-15: ends 2026-12-15. The Q3 report (state as of 09-30) made on 11-23:
    #   days left from 09-30 = 31 (Oct) + 30 (Nov) + 15 = 76 -> expiring within 180 days, not 22.
    # W-Q4 installed 2021-10-10: ends 2026-10-10, after 09-30 -> expiring (10 days left), not expired.
    product(kpi, "W-EXP", installed="2021-12-15")
    product(kpi, "W-Q4", installed="2021-10-10")
    w = report(kpi, "2026Q3", at="2026-11-23 00:00")["warranty"]
    assert w["as_of"] == "2026-09-30"
    assert [(a["asset"], a["days_left"]) for a in w["expiring_assets"]] == [("W-Q4", 10), ("W-EXP", 76)]
    assert w["expired_assets"] == []
    # The Q4 report made the same day: 22 days left, and W-Q4 has expired.
    w = report(kpi, "2026Q4", at="2026-11-23 00:00")["warranty"]
    assert [(a["asset"], a["days_left"]) for a in w["expiring_assets"]] == [("W-EXP", 22)]
    assert [a["asset"] for a in w["expired_assets"]] == ["W-Q4"]


# --- parts -------------------------------------------------------------------------------

def test_parts_stock_usage_and_low(kpi):
    # P-A (min 10): in 50 on 07-01; used 3 on 07-05; out 5 on 07-10; used 4 on 08-01 and counted 30 that day
    #   (the count is the level at the end of the day, after the usage); used 2 on 08-15; used 7 on 10-05;
    #   a delivery of 100 on 12-01 is after the report day.
    #   50 - 3 = 47; - 5 = 42; 08-01: 42 - 4 = 38, count -> 30; - 2 = 28; - 7 = 21 -> 21 > 10: not low
    #   used in Q3: 3 + 4 + 2 = 9
    # P-B (min 5): in 10, used 5 on 09-01 -> 5 <= 5: low; used 5
    # P-C (min 5): in 10, used 4 on 09-01 -> 6: not low; used 4
    # P-D (no min, no movements): 0, not low
    # P-E: in 10; used 2 at 09-30 15:30 UTC (= 23:30 in Shanghai, Q3) and 3 at 16:30 UTC (= 10-01 00:30, Q4)
    #   -> stock 5, used in Q3 2
    # BOLT-M8 (conftest): in 200 on 01-05 -> 200
    kpi.part("P-A", "{date: 2026-07-01, in: 50}", "{date: 2026-07-10, out: 5}", "{date: 2026-08-01, count: 30}",
             "{date: 2026-12-01, in: 100}", name="备件 P-A", min=10)
    kpi.part("P-B", "{date: 2026-07-01, in: 10}", name="备件 P-B", min=5)
    kpi.part("P-C", "{date: 2026-07-01, in: 10}", name="备件 P-C", min=5)
    kpi.part("P-D", name="备件 P-D")
    kpi.part("P-E", "{date: 2026-07-01, in: 10}", name="备件 P-E")

    kpi.ticket("T-U1", event("07-05 09:00", "reported"), event("07-05 10:00", "resolved", parts=uses(("P-A", 3))))
    kpi.ticket("T-U2", event("08-01 09:00", "reported"), event("08-01 18:00", "resolved", parts=uses(("P-A", 4))))
    kpi.ticket("T-U3", event("08-15 09:00", "reported"), event("08-15 10:00", "resolved", parts=uses(("P-A", 2))))
    kpi.ticket("T-U4", event("10-05 09:00", "reported"), event("10-05 10:00", "resolved", parts=uses(("P-A", 7))))
    kpi.ticket("T-U5", event("09-01 09:00", "reported"),
               event("09-01 10:00", "resolved", parts=uses(("P-B", 5), ("P-C", 4))))
    kpi.ticket("T-U6", event("09-30 09:00", "reported"),
               event("2026-09-30T15:30:00+00:00", "resolved", parts=uses(("P-E", 2))),
               event("2026-09-30T15:40:00+00:00", "reopened"),
               event("2026-09-30T16:30:00+00:00", "resolved", parts=uses(("P-E", 3))))
    p = report(kpi, "2026Q4", at="2026-11-23 00:00")["parts"]
    assert {r["part"]: r["stock"] for r in p["rows"]} == {
        "BOLT-M8": 200, "P-A": 21, "P-B": 5, "P-C": 6, "P-D": 0, "P-E": 5}
    # The Q3 report made the same day gives the stock at the end of 09-30: P-A before the 7 used on 10-05
    # (28), P-E before the 3 used on 10-01 00:30 in Shanghai (8).
    p = report(kpi, "2026Q3", at="2026-11-23 00:00")["parts"]
    assert p["as_of"] == "2026-09-30"
    assert {r["part"]: (r["stock"], r["min"], r["used"], r["low"]) for r in p["rows"]} == {
        "BOLT-M8": (200, None, 0, False),
        "P-A": (28, 10, 9, False),
        "P-B": (5, 5, 5, True),
        "P-C": (6, 5, 4, False),
        "P-D": (0, None, 0, False),
        "P-E": (8, None, 2, False),
    }
    assert p["low"] == 1
    # As of 08-01 12:00 (T-U2 resolved at 18:00 does not exist yet) the count still sets the level: 30
    p = report(kpi, at="2026-08-01 12:00")["parts"]
    assert {r["part"]: r["stock"] for r in p["rows"]}["P-A"] == 30


def test_clocks_tell_apart_the_two_instants_of_the_hour_a_clock_turns_back():
    """`Clocks.add` places each clock by the instant its cycle started: 02:30 before and after
    Berlin's clocks turn back compare equal, but are an hour apart, and a period that starts
    between them holds only the later one."""
    import dataclasses
    from zoneinfo import ZoneInfo

    from aftersales.core.durations import Duration
    from aftersales.core.times import Period
    from aftersales.engine import kpis, sla
    berlin = ZoneInfo("Europe/Berlin")
    first, second = (dt.datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=fold) for fold in (0, 1))
    assert first == second
    cycle = sla.Cycle("T-1", "response", 1, "met", first, "reported", None, first, "responded", 60, 3600,
                      Duration(1, "h"), "high", "office", "always")
    later = dataclasses.replace(cycle, cycle=2, start=second)
    period = Period("turned", dt.datetime(2026, 10, 25, 1, tzinfo=dt.timezone.utc),
                    dt.datetime(2026, 10, 26, tzinfo=dt.timezone.utc))
    clocks = kpis.Clocks([period])
    clocks.add(sla.TicketCycles("T-1", None, [cycle, later]))
    assert first < period.start <= second.astimezone(dt.timezone.utc)   # 00:30 and 01:30 UTC
    assert [(key, t.met) for key, t in clocks.started_in(period).items()] == [(("response", "high"), 1)]
