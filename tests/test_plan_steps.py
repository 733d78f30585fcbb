"""The service plan's steps (the first two hours, the follow-up ladder) as the shipped default
settings promise them, against scenarios worked out by hand.

  assign             5m   reported -> assigned or resolved                 every kind
  contact            10m  reported -> responded, arrived or resolved         every kind
  diagnosis          30m  reported -> diagnosed or resolved                 repairs
  progress           1h   arrived  -> informed or resolved, pausable        repairs
  follow-up-message  7d   resolved -> message      (7 x 24 h: `always`)     repairs
  revisit            30d  resolved -> revisit      (30 x 24 h)              repairs

All on the `always` calendar, Asia/Shanghai (+08:00). OFFICE-1 stands in the office (normal).
2026-03-02 is a Monday. At risk: 75 % of the allowed time used.
"""

from __future__ import annotations

import json

import pytest
from conftest import run
from sla_fixtures import E, World, make_records, when, write_ticket

M, H, D = 60, 3600, 86400
R = E("03-02 09:00", "reported")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(make_records(tmp_path_factory.mktemp("steps") / "records", steps=True))


def outcome(world: World, events: list[str], target: str, at: str = "2026-12-31 00:00", **fields: str):
    c = world.cycle(events, target, at=at, **fields)
    return c.status, c.deadline, c.elapsed


FULL = [
    R,
    E("03-02 09:04", "assigned", to="eng-zhang"),     # assign: due 09:05; 4 min used: met
    E("03-02 09:12", "responded"),                     # contact: due 09:10; stopped 09:12: breached
    E("03-02 09:25", "diagnosed"),                     # diagnosis: due 09:30; 25 min used: met
    E("03-02 10:30", "arrived"),                       # progress starts: due 11:30
    E("03-02 11:10", "informed"),                      # progress: 40 min used: met
    E("03-02 14:00", "resolved"),                      # the ladder starts at 14:00
    E("03-03 10:00", "callback", satisfaction=5),      # callback: 20 h of 24 h: met
    E("03-05 09:00", "message"),                       # message: 2 d 19 h of 7 d (due 03-09 14:00): met
]


@pytest.mark.parametrize(("target", "status", "deadline", "elapsed"), [
    ("assign", "met", "03-02 09:05", 4 * M),
    ("contact", "breached", "03-02 09:10", 12 * M),
    ("diagnosis", "met", "03-02 09:30", 25 * M),
    ("progress", "met", "03-02 11:30", 40 * M),
    ("callback", "met", "03-03 14:00", 20 * H),
    ("follow-up-message", "met", "03-09 14:00", 2 * D + 19 * H),
])
def test_a_full_service_step_by_step(world, target, status, deadline, elapsed):
    assert outcome(world, FULL, target) == (status, when(deadline), elapsed)


@pytest.mark.parametrize(("at", "status", "elapsed"), [
    ("03-20 00:00", "running", 17 * D + 10 * H),           # 418 h of 720 h (58 %)
    ("03-25 01:59", "running", 22 * D + 11 * H + 59 * M),  # 539 h 59 m: under 540 h (75 %)
    ("03-25 02:00", "at-risk", 22 * D + 12 * H),           # 540 h: 75 %
    ("04-01 14:00", "at-risk", 30 * D),                    # used up at the deadline itself: not late yet
    ("04-01 14:01", "breached", 30 * D + 1 * M),           # running past 04-01 14:00
])
def test_a_revisit_still_to_come_runs_then_turns_at_risk_then_breached(world, at, status, elapsed):
    # 30 d from `resolved` 03-02 14:00 = 720 h: due 04-01 14:00
    assert outcome(world, FULL, "revisit", at=f"2026-{at}") == (status, when("04-01 14:00"), elapsed)


def test_a_revisit_within_the_month_is_met_and_carries_satisfaction(world):
    events = [*FULL, E("03-28 10:00", "revisit", satisfaction=4)]
    assert outcome(world, events, "revisit") == ("met", when("04-01 14:00"), 25 * D + 20 * H)
    assert world.ticket(events).events[-1].satisfaction == 4


SLOW = [
    R,
    E("03-02 09:05", "responded"),                     # contact: 5 min: met
    E("03-02 09:10", "assigned", to="eng-wang"),       # assign: due 09:05, stopped 09:10: breached
    E("03-02 10:00", "arrived"),                       # progress starts: 1 h would be due 11:00
    E("03-02 10:20", "paused", reason="等配件"),        # 20 min counted
    E("03-02 12:20", "resumed"),                       # 40 min left: due 13:00
    E("03-02 13:15", "informed"),                      # 15 min late
    E("03-02 15:00", "resolved"),                      # no diagnosis: the resolution stops it, late
]


@pytest.mark.parametrize(("target", "status", "deadline", "elapsed"), [
    ("assign", "breached", "03-02 09:05", 10 * M),
    ("contact", "met", "03-02 09:10", 5 * M),
    ("diagnosis", "breached", "03-02 09:30", 6 * H),
    ("progress", "breached", "03-02 13:00", 20 * M + 55 * M),   # pause not counted: 10:00-10:20, 12:20-13:15
])
def test_a_slow_start_and_a_late_progress_word_after_a_pause(world, target, status, deadline, elapsed):
    assert outcome(world, SLOW, target) == (status, when(deadline), elapsed)



@pytest.mark.parametrize(("target", "status", "elapsed"), [
    ("assign", "met", 3 * M),
    ("diagnosis", "met", 25 * M),
    ("progress", "met", 15 * M),
])
def test_a_quick_fix_stops_the_steps_it_made_needless(world, target, status, elapsed):
    events = [R, E("03-02 09:03", "assigned", to="eng-chen"), E("03-02 09:10", "arrived"),
              E("03-02 09:25", "resolved")]
    assert outcome(world, events, target)[::2] == (status, elapsed)


def test_an_inquiry_is_contacted_but_not_assigned(world):
    """assign covers repairs, complaints, returns and exchanges; contact also inquiries."""
    events = [E("03-02 09:00", "reported"), E("03-02 09:30", "responded"), E("03-02 09:40", "resolved")]
    cycles = world.cycles(events, kind="inquiry", asset=None)
    assert sorted((c.target, c.status) for c in cycles) == [("callback", "breached"), ("contact", "breached")]
    complaint = world.cycles([E("03-02 09:00", "reported"), E("03-02 09:03", "assigned", to="pm-liu"),
                              E("03-02 09:06", "responded")], kind="complaint", asset=None)
    assert sorted((c.target, c.status) for c in complaint) == [("assign", "met"), ("contact", "met")]


def test_a_missing_message_is_breached_after_seven_days(world):
    events = FULL[:-1]   # no message
    assert outcome(world, events, "follow-up-message", at="2026-03-09 14:00")[0] == "at-risk"
    assert outcome(world, events, "follow-up-message", at="2026-03-09 14:01") == (
        "breached", when("03-09 14:00"), 7 * D + 1 * M)


def test_a_reopened_ticket_ends_its_follow_up_clocks_and_starts_new_ones(world):
    events = [*FULL, E("03-06 09:00", "reopened"), E("03-06 11:00", "resolved"),
              E("03-07 09:00", "message")]
    revisits = [c for c in world.cycles(events) if c.target == "revisit"]
    # cycle 1 (from 03-02 14:00) ends at the reopening, before its deadline: neither met nor breached;
    # cycle 2 runs from the second fix, 03-06 11:00, due 04-05 11:00
    assert [(c.cycle, c.status, c.deadline) for c in revisits] == [
        (1, "void", when("04-01 14:00")), (2, "breached", when("04-05 11:00"))]


# --- aftersales followups --------------------------------------------------------------------------

@pytest.fixture
def ladder(tmp_path):
    root = make_records(tmp_path / "records", steps=True)
    write_ticket(root, "T-A", [R, E("03-02 14:00", "resolved"), E("03-03 10:00", "callback", satisfaction=5)],
                 reporter="{name: 王老师, phone: '13800001234'}", summary="扶手松动")
    write_ticket(root, "T-B", [E("03-09 09:00", "reported"), E("03-09 10:00", "resolved")],
                 asset="DORM-1", summary="床板异响")
    write_ticket(root, "T-C", [E("03-09 09:00", "reported")], summary="还没修好")
    return root


def test_followups_lists_the_overdue_first_then_what_falls_due(ladder, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = run("followups", "--records", str(ladder), "--at", "2026-03-10 12:00")
    # T-A: message due 03-09 14:00 (7 x 24 h after 03-02 14:00): overdue; revisit due 04-01: not within 7 days
    # T-B: callback due 03-10 10:00: overdue; message due 03-16 10:00: within 7 days; revisit 04-08: not
    # T-C is open: nothing follows a fix yet
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "due           step               ticket  asset     reporter            summary\n"
        "------------  -----------------  ------  --------  ------------------  --------\n"
        "!03-09 14:00  follow-up-message  T-A     OFFICE-1  王老师 138****1234  扶手松动\n"
        "!03-10 10:00  callback           T-B     DORM-1                        床板异响\n"
        "03-16 10:00   follow-up-message  T-B     DORM-1                        床板异响\n")


def test_followups_json_and_within(ladder):
    result = run("followups", "--records", str(ladder), "--at", "2026-03-10 12:00", "--within", "30d",
                 "--format", "json")
    rows = json.loads(result.stdout)
    assert [(r["ticket"], r["target"], r["status"], r["deadline"]) for r in rows] == [
        ("T-A", "follow-up-message", "overdue", "2026-03-09T14:00:00+08:00"),
        ("T-B", "callback", "overdue", "2026-03-10T10:00:00+08:00"),
        ("T-B", "follow-up-message", "due", "2026-03-16T10:00:00+08:00"),
        ("T-A", "revisit", "due", "2026-04-01T14:00:00+08:00"),   # 03-10 12:00 + 30 d = 04-09 12:00:
        ("T-B", "revisit", "due", "2026-04-08T10:00:00+08:00"),   # both revisits fall inside
    ]
    assert rows[0]["phone"] == "138****1234" and rows[0]["resolved"] == "2026-03-02T14:00:00+08:00"


def test_followups_within_counts_days_of_24_hours_across_a_change_of_the_clocks(tmp_path):
    """`--within 1d` reaches 24 hours ahead, also over the night Berlin's clocks turn back
    (2026-10-25 03:00 CEST -> 02:00 CET), not to the same time on the clock the next day (25 h)."""
    from zoneinfo import ZoneInfo
    berlin = ZoneInfo("Europe/Berlin")
    root = make_records(tmp_path / "records", timezone="Europe/Berlin", steps=True)
    # resolved 10-18 12:30 CEST = 10:30 UTC: the message is due 7 x 24 h later, 10-25 10:30 UTC = 11:30 CET
    write_ticket(root, "T-D", [E("10-18 09:00", "reported", tz=berlin), E("10-18 12:30", "resolved", tz=berlin),
                               E("10-18 13:00", "callback", tz=berlin)])

    def due(within):
        result = run("followups", "--records", str(root), "--at", "2026-10-24T12:00:00+02:00", "--within", within,
                     "--format", "json")
        assert result.exit_code == 0, result.output
        return [(r["ticket"], r["target"], r["status"], r["deadline"]) for r in json.loads(result.stdout)]

    assert due("1d") == []   # 24 h ahead is 10-25 11:00 CET (12:00 on the clock would take it in)
    assert due("2d") == [("T-D", "follow-up-message", "due", "2026-10-25T11:30:00+01:00")]


def test_followups_fail_on_overdue_says_nothing_when_nothing_is_late(ladder):
    quiet = run("followups", "--records", str(ladder), "--at", "2026-03-08 12:00", "--fail-on-overdue")
    assert (quiet.exit_code, quiet.output) == (0, "")   # T-A's message is due 03-09: not late yet
    late = run("followups", "--records", str(ladder), "--at", "2026-03-10 12:00", "--fail-on-overdue")
    assert late.exit_code == 1 and "!03-09 14:00" in late.stdout
