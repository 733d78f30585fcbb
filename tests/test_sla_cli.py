"""`aftersales sla` and `aftersales ticket show` on a small records folder made by `aftersales init`.

The folder (default settings, Asia/Shanghai) holds five tickets; every expected value was worked out by
hand (arithmetic in the comments). 2026-03-02 is a Monday.

  A01 office (normal): reported 03-02 09:00, responded 09:30, arrived 11:30, resolved 12:00, callback 16:00
  B02 lobby (critical): reported 03-02 09:00, responded 12:18, arrived 13:00, paused 14:00 -> 03-03 09:00,
      workaround 03-03 10:00 until 03-04 12:00, resolved 03-04 11:00, callback 03-05 12:18
  C03 classroom (high): reported 03-03 09:00, workaround 03-03 18:00 until 03-05 12:00 (after the deadline)
  D04 return (office): reported Wed 04-01 10:00, inspected Tue 04-07 17:00 (Qingming 04-04..04-06)
  E05 dorm (normal): reported 03-04 09:00, cancelled 11:30
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import run
from sla_fixtures import PLAN_STEPS, E, make_records, without_targets, write_ticket

from aftersales.cli import cli
from aftersales.edit import init as scaffold

A01, B02, C03, D04, E05 = ("T-20260302-AAAA01", "T-20260302-BBBB02", "T-20260303-CCCC03", "T-20260401-DDDD04",
                           "T-20260304-EEEE05")
AT = "2026-04-10 12:00"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
NY = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_records(tmp_path_factory.mktemp("cli") / "records")
    write_ticket(root, A01, [E("03-02 09:00", "reported"), E("03-02 09:30", "responded"),
                             E("03-02 11:30", "arrived"), E("03-02 12:00", "resolved"),
                             E("03-02 16:00", "callback", satisfaction="5")], asset="OFFICE-1")
    write_ticket(root, B02, [E("03-02 09:00", "reported"), E("03-02 12:18", "responded"),
                             E("03-02 13:00", "arrived"), E("03-02 14:00", "paused", reason="等待配件"),
                             E("03-03 09:00", "resumed"), E("03-03 10:00", "workaround", until="03-04 12:00"),
                             E("03-04 11:00", "resolved"), E("03-05 12:18", "callback")], asset="LOBBY-1")
    write_ticket(root, C03, [E("03-03 09:00", "reported"), E("03-03 18:00", "workaround", until="03-05 12:00")],
                 asset="CLASS-1")
    write_ticket(root, D04, [E("04-01 10:00", "reported"), E("04-07 17:00", "inspected", verdict="accept")],
                 kind="return", asset="OFFICE-1")
    write_ticket(root, E05, [E("03-04 09:00", "reported"), E("03-04 11:30", "cancelled")], asset="DORM-1")
    return root


def sla_json(folder: Path, *args: str, at: str = AT) -> list[dict]:
    result = run("sla", "--records", str(folder), "--at", at, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def keys(rows: list[dict]) -> list[tuple[str, str, int, str]]:
    return [(r["ticket"], r["target"], r["cycle"], r["status"]) for r in rows]


def as_set(rows: list[dict]) -> set[tuple[str, str, int, str]]:
    return set(keys(rows))


# Every cycle as of 2026-04-10 12:00, most urgent first: running breaches by deadline, then the closed
# breaches, then met and void by deadline (ties by ticket then target).
ALL = [
    (C03, "response", 1, "breached"),     # high 2h: due 03-03 11:00, still running
    (C03, "on-site", 1, "breached"),      # high 4h: due 03-03 13:00
    (C03, "resolution", 1, "breached"),   # 8h: due 03-03 17:00; the 18:00 workaround changes nothing
    (B02, "response", 1, "breached"),     # critical 2h: due 03-02 11:00, responded 12:18
    (B02, "callback", 1, "breached"),     # resolved 03-04 11:00 + 24h = 03-05 11:00, called 12:18
    (A01, "response", 1, "met"),          # due 03-02 13:00
    (B02, "on-site", 1, "met"),           # critical 4h: due 03-02 13:00, arrived 13:00 exactly
    (A01, "on-site", 1, "met"),           # normal 8h: due 17:00
    (A01, "resolution", 1, "met"),        # due 17:00
    (A01, "callback", 1, "met"),          # due 03-03 12:00
    (B02, "resolution", 1, "met"),        # agreed 03-04 12:00, resolved 11:00
    (D04, "return-inspection", 1, "met"),  # due 04-08 00:00
    (E05, "response", 1, "void"),         # due 03-04 13:00, cancelled 11:30
    (E05, "on-site", 1, "void"),          # due 17:00
    (E05, "resolution", 1, "void"),       # due 17:00
]


def test_json_lists_every_cycle_most_urgent_first(folder: Path) -> None:
    assert keys(sla_json(folder)) == ALL


def test_json_objects_have_the_documented_keys_and_iso_instants(folder: Path) -> None:
    rows = sla_json(folder)
    required = {"ticket", "target", "cycle", "status", "start", "deadline", "stop", "elapsed", "allowed",
                "priority", "area"}
    for row in rows:
        assert required <= set(row)
        for name in ("start", "deadline", "stop"):
            assert row[name] is None or ISO.match(row[name]), row[name]
        assert isinstance(row["elapsed"], int) and isinstance(row["allowed"], int)


def test_json_values_of_a_breach_and_an_agreed_deadline(folder: Path) -> None:
    rows = {(r["ticket"], r["target"]): r for r in sla_json(folder)}
    # B02 response: critical 2h from 09:00 -> 11:00; responded 12:18 = 3h 18m = 11880 s
    assert {k: rows[B02, "response"][k] for k in
            ("status", "start", "deadline", "stop", "elapsed", "allowed", "priority", "area")} == {
        "status": "breached", "start": "2026-03-02T09:00:00+08:00", "deadline": "2026-03-02T11:00:00+08:00",
        "stop": "2026-03-02T12:18:00+08:00", "elapsed": 11880, "allowed": 7200, "priority": "critical",
        "area": "lobby"}
    # B02 resolution: paused 14:00 -> 03-03 09:00 (19h); agreed 03-04 12:00.
    # allowed 03-02 09:00 -> 03-04 12:00 = 51h - 19h = 32h = 115200; counted to 11:00 = 50h - 19h = 31h
    res = rows[B02, "resolution"]
    assert (res["deadline"], res["stop"], res["elapsed"], res["allowed"]) == (
        "2026-03-04T12:00:00+08:00", "2026-03-04T11:00:00+08:00", 111600, 115200)
    # D04: Thu 04-02 (1), Fri 04-03 (2), Qingming 04-04..06, Tue 04-07 (3) -> 04-08 00:00;
    # allowed 14h + 72h = 86h; counted 14h + 24h + 24h + 17h = 79h
    ret = rows[D04, "return-inspection"]
    assert (ret["deadline"], ret["elapsed"], ret["allowed"]) == ("2026-04-08T00:00:00+08:00", 284400, 309600)
    # C03 running: no stop
    assert rows[C03, "response"]["stop"] is None


def test_as_of_an_earlier_instant(folder: Path) -> None:
    # 03-03 10:30: C03 response 1h 30m of 2h = 0.75 -> at risk; on-site 1.5h of 4h running; resolution
    # 1.5h of 8h running. B02 resolution: 5h + 1.5h (after the pause) = 6.5h counted, agreed 03-04 12:00.
    # D04 and E05 were not reported yet.
    rows = sla_json(folder, at="2026-03-03 10:30")
    got = {(r["ticket"], r["target"]): (r["status"], r["elapsed"]) for r in rows}
    assert got[C03, "response"] == ("at-risk", 5400)
    assert got[C03, "on-site"] == ("running", 5400)
    assert got[C03, "resolution"] == ("running", 5400)
    assert got[B02, "resolution"] == ("running", 23400)
    assert got[A01, "callback"] == ("met", 14400)
    assert not {D04, E05} & {r["ticket"] for r in rows}
    # B02 callback had not started (resolved 03-04)
    assert (B02, "callback") not in got


def test_at_in_local_form_and_iso_form_agree(folder: Path) -> None:
    assert sla_json(folder, at="2026-03-03 10:30") == sla_json(folder, at="2026-03-03T02:30:00Z")


def test_open_filter(folder: Path) -> None:
    # open at 04-10: C03 (nothing closes it) and D04 (a return is never resolved here); A01 and B02 are
    # resolved, E05 cancelled
    assert as_set(sla_json(folder, "--open")) == {k for k in ALL if k[0] in (C03, D04)}


def test_status_filter(folder: Path) -> None:
    assert keys(sla_json(folder, "--status", "breached")) == ALL[:5]
    assert as_set(sla_json(folder, "--status", "void", "--status", "met")) == set(ALL[5:])
    assert sla_json(folder, "--status", "paused") == []


def test_target_filter(folder: Path) -> None:
    assert keys(sla_json(folder, "--target", "callback")) == [(B02, "callback", 1, "breached"),
                                                                (A01, "callback", 1, "met")]
    assert as_set(sla_json(folder, "--target", "callback", "--target", "return-inspection")) == {
        (B02, "callback", 1, "breached"), (A01, "callback", 1, "met"), (D04, "return-inspection", 1, "met")}


def test_area_filter(folder: Path) -> None:
    assert as_set(sla_json(folder, "--area", "lobby")) == {k for k in ALL if k[0] == B02}
    # D04 (return of the office asset) and A01
    assert {r["ticket"] for r in sla_json(folder, "--area", "office")} == {A01, D04}
    result = run("sla", "--records", str(folder), "--at", AT, "--area", "garden")
    assert result.exit_code == 2 and "no area 'garden'" in result.output


def test_ticket_filter_by_prefix(folder: Path) -> None:
    assert as_set(sla_json(folder, "--ticket", "T-20260302-B")) == {k for k in ALL if k[0] == B02}
    assert as_set(sla_json(folder, "--ticket", "t-20260401")) == {(D04, "return-inspection", 1, "met")}


def test_ambiguous_ticket_prefix_lists_the_candidates(folder: Path) -> None:
    for command in (["sla", "--ticket", "T-20260302"], ["ticket", "show", "T-20260302"]):
        result = run(*command, "--records", str(folder), "--at", AT)
        assert result.exit_code == 2
        assert f"'T-20260302' is ambiguous: it could be {A01}, {B02}" in result.output
        assert "Traceback" not in result.output
    result = run("sla", "--records", str(folder), "--ticket", "T-2099")
    assert result.exit_code == 2 and "no ticket 'T-2099'" in result.output


def test_period_filter(folder: Path) -> None:
    # a period keeps the cycles that started in it: D04 alone started in Q2
    assert as_set(sla_json(folder, "--period", "2026Q1")) == {k for k in ALL if k[0] != D04}
    assert as_set(sla_json(folder, "--period", "2026q2")) == {(D04, "return-inspection", 1, "met")}
    assert sla_json(folder, "--period", "2025Q4") == []


def test_from_to_filter_includes_both_days(folder: Path) -> None:
    # started 03-03 00:00 .. 03-05 00:00: C03 (03-03 09:00), B02 callback (03-04 11:00), E05 (03-04 09:00)
    expected = {k for k in ALL if k[0] in (C03, E05)} | {(B02, "callback", 1, "breached")}
    assert as_set(sla_json(folder, "--from", "2026-03-03", "--to", "2026-03-04")) == expected
    # 03-02 00:00 up to 03-02 24:00: A01's four cycles and B02's three started on 03-02
    on_0302 = {k for k in ALL if k[0] == A01} | {k for k in ALL if k[0] == B02 and k[1] != "callback"}
    assert as_set(sla_json(folder, "--from", "2026-03-02", "--to", "2026-03-02")) == on_0302
    # an open end
    assert as_set(sla_json(folder, "--from", "2026-04-01")) == {(D04, "return-inspection", 1, "met")}
    assert as_set(sla_json(folder, "--from", "2026-04-08")) == set()


def test_to_without_from(folder: Path) -> None:
    result = CliRunner().invoke(cli, ["sla", "--records", str(folder), "--at", AT, "--format", "json",
                                      "--to", "2026-03-02"])
    assert result.exception is None, result.exc_info
    on_0302 = {k for k in ALL if k[0] == A01} | {k for k in ALL if k[0] == B02 and k[1] != "callback"}
    assert as_set(json.loads(result.stdout)) == on_0302


@pytest.mark.parametrize("args", [["--period", "2026Q5"], ["--period", "2026Q1", "--from", "2026-01-01"],
                                  ["--from", "2026-03-05", "--to", "2026-03-01"], ["--from", "March"]])
def test_bad_periods_are_usage_errors(folder: Path, args: list[str]) -> None:
    result = run("sla", "--records", str(folder), "--at", AT, *args)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.output and "Traceback" not in result.output


def test_fail_on_breach(folder: Path) -> None:
    base = ["sla", "--records", str(folder), "--at", AT, "--fail-on-breach"]
    assert run(*base).exit_code == 1
    assert run(*base, "--format", "json").exit_code == 1
    assert run(*base, "--area", "lobby").exit_code == 1
    # only listed cycles count: none of these is breached
    assert run(*base, "--ticket", A01).exit_code == 0
    assert run(*base, "--status", "met").exit_code == 0
    assert run(*base, "--period", "2026Q2").exit_code == 0
    # as of 03-02 10:00 nothing had passed its deadline yet
    result = run("sla", "--records", str(folder), "--at", "2026-03-02 10:00", "--fail-on-breach")
    assert (result.exit_code, result.output) == (0, "")   # nothing breached: cron hears nothing
    assert "breached" in run(*base).stdout                  # a breach is listed
    # without the flag a breach is no failure
    assert run("sla", "--records", str(folder), "--at", AT).exit_code == 0


def test_table_counts_statuses(folder: Path) -> None:
    result = run("sla", "--records", str(folder), "--at", AT)
    assert result.exit_code == 0
    assert result.stdout.rstrip().splitlines()[-1] == "5 breached, 7 met, 3 void"


def test_csv_has_a_header_and_one_line_per_cycle(folder: Path) -> None:
    result = run("sla", "--records", str(folder), "--at", AT, "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ticket,target,cycle,status,start,deadline,stop")
    assert len(lines) == 1 + len(ALL)


def test_each_instant_written_once_gives_the_texts_of_each_cycle(folder: Path, monkeypatch) -> None:
    """`sla`'s rows write each instant once and keep a bounded number of texts: with room for
    only two, or for all, every row holds each instant as `iso` writes it on its own, whatever
    zone its instants were given in (the same instant in another zone is the same text), and
    the two instants a clock turned back gives one local time stay an hour apart. Its JSON
    (`rows.cycle_json`, which keeps the texts it writes too) is the general writer's text."""
    import datetime as dt

    from aftersales.engine import sla
    from aftersales.project import load_project
    from aftersales.views import rows, tables
    from aftersales.views.fmt import iso
    from aftersales.views.tables import json_list, json_rows
    records = load_project(folder).records
    at = dt.datetime(2026, 4, 10, 4, tzinfo=dt.timezone.utc)
    cycles = sla.cycles_of(records, at, list(records.tickets))
    berlin = ZoneInfo("Europe/Berlin")   # 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 comes twice
    first, second = (dt.datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=fold) for fold in (0, 1))
    assert first == second and first.utcoffset() != second.utcoffset()
    turned = [dataclasses.replace(cycles[0], start=first, deadline=second, stop=first),
              dataclasses.replace(cycles[1], start=second, deadline=first, stop=None)]
    shifted = [dataclasses.replace(c, start=c.start.astimezone(dt.timezone.utc)) for c in cycles]
    assert len({c.start for c in cycles}) < len(cycles)   # instants shared: the texts are reused
    quoted = [dataclasses.replace(cycles[2], area='教学楼 "A"\\1', priority=None, stop_event="\u2028")]
    given = cycles + shifted + turned + quoted
    for tz in (records.settings.tz, berlin):
        alone = [(iso(c.start, tz), iso(c.deadline, tz), iso(c.stop, tz)) for c in given]
        for kept in (tables.TEXTS_KEPT, 2):
            monkeypatch.setattr(tables, "TEXTS_KEPT", kept)
            written = list(rows.each_cycle_values(given, tz))
            assert [values[4:7] for values in written] == alone
            assert written == [rows.cycle_values(c, tz) for c in given]
            as_json = "".join(json_list(rows.cycle_json(given, tz)))
            assert as_json == "".join(json_rows(rows.each_cycle_row(given, tz)))
            assert [tuple(row[k] for k in ("start", "deadline", "stop")) for row in json.loads(as_json)] == alone
    assert [v[4:7] for v in rows.each_cycle_values(turned, berlin)] == [
        ("2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", "2026-10-25T02:30:00+02:00"),
        ("2026-10-25T02:30:00+01:00", "2026-10-25T02:30:00+02:00", None)]


# --- the machine's time zone never matters -----------------------------------------------------

def subprocess_json(folder: Path, tz: str, at: str) -> bytes:
    env = {k: v for k, v in os.environ.items() if k != "AFTERSALES_RECORDS"}
    env["TZ"] = tz
    done = subprocess.run([sys.executable, "-m", "aftersales", "sla", "--records", str(folder), "--at", at,
                           "--format", "json"], env=env, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("at", [AT, "2026-03-03 10:30"])
def test_same_json_under_any_machine_time_zone(folder: Path, at: str) -> None:
    utc = subprocess_json(folder, "UTC", at)
    new_york = subprocess_json(folder, "America/New_York", at)
    assert utc == new_york
    assert json.loads(utc) == sla_json(folder, at=at)


# --- a project in a time zone with daylight saving ---------------------------------------------

@pytest.fixture(scope="module")
def new_york(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_records(tmp_path_factory.mktemp("ny") / "records", timezone="America/New_York")
    # DST starts 2026-03-08 02:00 EST (-05:00) -> 03:00 EDT (-04:00)
    write_ticket(root, "T-20260307-NY0001", [
        E("03-07 09:00", "reported", tz=NY), E("03-07 09:30", "responded", tz=NY), E("03-07 10:00", "arrived", tz=NY),
        E("03-07 12:00", "resolved", tz=NY), E("03-08 12:30", "callback", tz=NY)])
    write_ticket(root, "T-20260307-NY0002", [E("03-07 20:00", "reported", tz=NY), E("03-08 05:00", "resolved", tz=NY)])
    return root


def test_dst_callback_is_24_real_hours(new_york: Path) -> None:
    rows = sla_json(new_york, "--ticket", "T-20260307-NY0001", "--target", "callback", at="2026-03-10 00:00")
    # resolved 03-07 12:00 EST = 17:00 UTC; + 24h = 03-08 17:00 UTC = 13:00 EDT (a wall-clock day would give
    # 12:00 EDT, and the 12:30 callback would look late). 17:00 UTC -> 16:30 UTC next day = 23h 30m
    assert [{k: r[k] for k in ("status", "start", "deadline", "stop", "elapsed", "allowed")} for r in rows] == [{
        "status": "met", "start": "2026-03-07T12:00:00-05:00", "deadline": "2026-03-08T13:00:00-04:00",
        "stop": "2026-03-08T12:30:00-04:00", "elapsed": 84600, "allowed": 86400}]


def test_dst_resolution_over_the_change(new_york: Path) -> None:
    rows = {r["target"]: r for r in sla_json(new_york, "--ticket", "T-20260307-NY0002", at="2026-03-08 05:00")}
    # reported 20:00 EST = 01:00 UTC; resolution 8h -> 09:00 UTC = 05:00 EDT: resolved exactly then, met
    assert (rows["resolution"]["status"], rows["resolution"]["deadline"], rows["resolution"]["elapsed"]) == (
        "met", "2026-03-08T05:00:00-04:00", 28800)
    # response 4h -> 05:00 UTC = 00:00 EST; stopped by the resolve at 09:00 UTC: 8h counted, breached
    assert (rows["response"]["status"], rows["response"]["deadline"], rows["response"]["elapsed"]) == (
        "breached", "2026-03-08T00:00:00-05:00", 28800)


def test_dst_at_is_read_in_the_project_time_zone(new_york: Path) -> None:
    # 2026-03-08 04:59 EDT = 08:59 UTC: 7h 59m after the report, resolution still running (at risk)
    rows = {r["target"]: r for r in sla_json(new_york, "--ticket", "T-20260307-NY0002", at="2026-03-08 04:59")}
    assert (rows["resolution"]["status"], rows["resolution"]["elapsed"]) == ("at-risk", 8 * 3600 - 60)


BERLIN = ZoneInfo("Europe/Berlin")   # 2026-10-25 03:00 CEST (+02:00) -> 02:00 CET (+01:00): 02:00-03:00 twice


@pytest.fixture(scope="module")
def berlin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_records(tmp_path_factory.mktemp("berlin") / "records", timezone="Europe/Berlin")
    # resolved 10-24 02:30 CEST = 00:30 UTC: the callback is due 24 h later, 10-25 00:30 UTC = 02:30 CEST,
    # the first time the clocks show 02:30 that night
    write_ticket(root, "T-20261024-BE0001", [E("10-23 20:00", "reported", tz=BERLIN),
                                            E("10-24 02:30", "resolved", tz=BERLIN)])
    return root


@pytest.mark.parametrize(("at", "status", "elapsed"), [
    ("2026-10-25T02:20:00+02:00", "at-risk", 24 * 3600 - 600),    # ten minutes before the deadline
    ("2026-10-25T02:10:00+01:00", "breached", 24 * 3600 + 2400),  # 40 minutes after it, at 02:10 again
    ("2026-10-25T02:40:00+01:00", "breached", 24 * 3600 + 4200),
])
def test_dst_a_clock_past_its_deadline_in_the_repeated_hour_is_breached(berlin: Path, at: str, status: str,
                                                                        elapsed: int) -> None:
    """The second 02:10 of the night shows an earlier wall clock than the deadline (02:30 the first
    time), yet comes 40 minutes after it: the instants are compared, not the clock faces."""
    (row,) = sla_json(berlin, "--target", "callback", at=at)
    assert (row["status"], row["deadline"], row["elapsed"]) == (status, "2026-10-25T02:30:00+02:00", elapsed)


def test_dst_a_follow_up_past_due_in_the_repeated_hour_is_overdue(berlin: Path) -> None:
    """The follow-ups due by an instant in the repeated hour are those due before it in time."""
    import datetime as dt

    from aftersales.engine import queries
    from aftersales.project import load_project
    records = load_project(berlin).records
    ids = {}
    for at in (dt.datetime(2026, 10, 25, 2, 20, tzinfo=BERLIN),             # 02:20 CEST: due in ten minutes
               dt.datetime(2026, 10, 25, 2, 10, tzinfo=BERLIN, fold=1)):    # 02:10 CET: 40 minutes late
        found = queries.follow_ups(records, at, dt.timedelta(0))
        ids[at.utcoffset()] = [(f.ticket.id, f.cycle.target, f.overdue) for f in found]
    assert ids == {dt.timedelta(hours=2): [], dt.timedelta(hours=1): [("T-20261024-BE0001", "callback", True)]}


def test_paused_clock_in_json_and_table(tmp_path: Path) -> None:
    root = make_records(tmp_path / "records")
    # office: reported 09:00, paused 15:00 (6h of the 8h resolution used), still paused the next morning
    write_ticket(root, "T-20260302-PAUSE1", [E("03-02 09:00", "reported"), E("03-02 15:00", "paused")])
    (row,) = sla_json(root, "--status", "paused", at="2026-03-03 08:00")
    assert {k: row[k] for k in ("target", "status", "deadline", "stop", "elapsed", "allowed")} == {
        "target": "resolution", "status": "paused", "deadline": None, "stop": None, "elapsed": 21600,
        "allowed": 28800}
    table = run("sla", "--records", str(root), "--at", "2026-03-03 08:00").stdout
    assert any("paused" in line and "(paused)" in line for line in table.splitlines())
    # response (13:00) and on-site (17:00) are not pausable: breached, and the paused one is no breach
    assert table.rstrip().splitlines()[-1] == "2 breached, 1 paused"
    text = show(root, "T-20260302-PAUSE1", at="2026-03-03 08:00")
    assert "resolution (cycle 1): PAUSED" in text
    assert "paused since 2026-03-02 15:00: not counted" in text   # an open pause has no end yet
    assert "paused now: 6h 00m counted of 8h 00m allowed; the deadline moves on when work resumes" in text


# --- what-if: another policy --------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_hour_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = without_targets(scaffold.default_settings_text(), PLAN_STEPS)   # the folder's own targets
    old = "within: {critical: 4h, high: 4h, normal: 8h}"
    assert text.count(old) == 1
    path = tmp_path_factory.mktemp("policy") / "two-hours.yaml"
    path.write_text(text.replace(old, "within: 2h"), encoding="utf-8")
    return path


def test_policy_lists_changed_cycles_and_counts(folder: Path, two_hour_policy: Path) -> None:
    # on-site within 2h everywhere: A01 arrived 11:30 > 11:00 (met -> breached); B02 arrived 13:00 > 11:00
    # (met -> breached); E05 cancelled 11:30 > 11:00 (void -> breached); C03 stays breached
    result = run("sla", "--records", str(folder), "--at", AT, "--policy", str(two_hour_policy))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    changed = [line.split()[:2] for line in lines if line.startswith("T-")]
    assert changed == [[A01, "on-site"], [B02, "on-site"], [E05, "on-site"]]
    assert lines[-2:] == ["    2  met → breached", "    1  void → breached"]


def test_policy_json(folder: Path, two_hour_policy: Path) -> None:
    result = run("sla", "--records", str(folder), "--at", AT, "--policy", str(two_hour_policy), "--format", "json")
    data = json.loads(result.stdout)
    assert data["changes"] == {"met → breached": 2, "void → breached": 1}
    assert [(c["ticket"], c["target"], c["before"], c["after"], c["deadline_before"], c["deadline_after"])
            for c in data["cycles"]] == [
        (A01, "on-site", "met", "breached", "2026-03-02T17:00:00+08:00", "2026-03-02T11:00:00+08:00"),
        (B02, "on-site", "met", "breached", "2026-03-02T13:00:00+08:00", "2026-03-02T11:00:00+08:00"),
        (E05, "on-site", "void", "breached", "2026-03-04T17:00:00+08:00", "2026-03-04T11:00:00+08:00"),
    ]


def test_policy_with_filters_and_no_change(folder: Path, two_hour_policy: Path) -> None:
    result = run("sla", "--records", str(folder), "--at", AT, "--policy", str(two_hour_policy), "--area", "lobby")
    assert "    1  met → breached" in result.stdout and A01 not in result.stdout
    result = run("sla", "--records", str(folder), "--at", AT, "--policy", str(two_hour_policy), "--period", "2026Q2")
    assert result.stdout.strip() == "no cycle would change status under this policy"


def test_policy_that_is_not_valid_settings(folder: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: 1\nsla: {targets: nope}\n", encoding="utf-8")
    result = run("sla", "--records", str(folder), "--at", AT, "--policy", str(bad))
    assert result.exit_code == 2 and "does not validate as settings (4 errors); nothing was compared:" in result.output


# --- bad --at ------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["sla"], ["ticket", "show", A01]])
@pytest.mark.parametrize("at", ["soon", "2026-02-30", "25:00", ""])
def test_invalid_at_is_a_usage_error(folder: Path, command: list[str], at: str) -> None:
    result = run(*command, "--records", str(folder), "--at", at)
    assert result.exit_code == 2
    assert f"Error: {at!r} is not a time: write it like 2026-03-14 09:12" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("at", ["0001-01-01", "9999-12-31T23:59:59-12:00"])
def test_out_of_range_at_is_a_usage_error(folder: Path, at: str) -> None:
    result = CliRunner().invoke(cli, ["sla", "--records", str(folder), "--at", at])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 2
    assert "is too far in the past or future" in result.output


@pytest.mark.parametrize("args", [["--from", "0001-01-01"], ["--from", "2026-01-01", "--to", "9999-12-31"],
                                  ["--period", "9999Q4"], ["--period", "0001Q1"]])
def test_period_bounds_out_of_range_are_usage_errors(folder: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["sla", "--records", str(folder), "--at", AT, *args])
    assert isinstance(result.exception, SystemExit) and result.exit_code in (0, 2), result.exc_info


@pytest.mark.slow
def test_invalid_at_in_a_real_process_has_no_traceback(folder: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AFTERSALES_RECORDS"}
    done = subprocess.run([sys.executable, "-m", "aftersales", "sla", "--records", str(folder), "--at", "soon"],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("Error: 'soon' is not a time") and "Traceback" not in done.stderr


# --- ticket show: the explanation ---------------------------------------------------------------

def show(folder: Path, ticket: str, at: str = AT) -> str:
    """The output of `ticket show` as one line: long lines are wrapped to 80 columns (also after a hyphen,
    as in `on-` / `site`), so the words are joined again and whitespace runs collapsed to one space."""
    result = run("ticket", "show", ticket, "--records", str(folder), "--at", at)
    assert result.exit_code == 0, result.output
    return re.sub(r"\s+", " ", re.sub(r"-\n\s+", "-", result.stdout))


def test_show_explains_a_late_response_and_a_late_callback(folder: Path) -> None:
    text = show(folder, "T-20260302-B")
    assert "response (cycle 1): BREACHED" in text
    # 2h from 09:00 -> 11:00; responded 12:18: 3h 18m counted, 1h 18m late
    assert ("stopped 2026-03-02 12:18 at `responded`: 3h 18m counted of 2h 00m allowed; deadline 2026-03-02 11:00; "
            "late, 1h 18m after the deadline") in text
    # callback: 03-04 11:00 + 24h = 03-05 11:00; called 12:18: 25h 18m counted
    assert ("stopped 2026-03-05 12:18 at `callback`: 1d 1h 18m counted of 1d 0h 00m allowed; "
            "deadline 2026-03-05 11:00; late, 1h 18m after the deadline") in text
    assert "on-site (cycle 1): MET" in text
    # arrived exactly at the deadline
    assert "deadline 2026-03-02 13:00; in time, 0s before the deadline" in text


def test_show_explains_the_pause_and_the_workaround(folder: Path) -> None:
    text = show(folder, B02)
    assert "resolution (cycle 1): MET" in text
    assert "paused 2026-03-02 14:00 → 2026-03-03 09:00 (等待配件): not counted" in text
    assert "deadline by the target: 2026-03-03 12:00" in text   # 5h used by 14:00, 3h left from 09:00
    assert ("workaround at 2026-03-03 10:00, before the deadline: the customer agreed to final resolution by "
            "2026-03-04 12:00") in text
    assert ("stopped 2026-03-04 11:00 at `resolved`: 1d 7h 00m counted of 1d 8h 00m allowed; "
            "deadline 2026-03-04 12:00; in time, 1h 00m before the deadline") in text


def test_show_explains_a_late_workaround(folder: Path) -> None:
    text = show(folder, C03)
    assert "workaround at 2026-03-03 18:00 came after the deadline: it changes nothing" in text
    assert "still running past the deadline 2026-03-03 17:00" in text
    assert "resolution (cycle 1): BREACHED" in text


def test_show_explains_a_cancellation(folder: Path) -> None:
    text = show(folder, E05)
    assert "response (cycle 1): VOID (cancelled before its deadline: neither met nor breached)" in text
    assert ("stopped 2026-03-04 11:30 by `cancelled`, before the deadline 2026-03-04 13:00; "
            "2h 30m counted of 4h 00m allowed") in text


def test_show_explains_whole_working_days(folder: Path) -> None:
    text = show(folder, D04)
    assert "the start day does not count, the deadline is 24:00 of the last working day" in text
    assert "outside working time 2026-04-04 00:00 → 2026-04-07 00:00: not counted" in text
    assert ("stopped 2026-04-07 17:00 at `inspected`: 3d 7h 00m counted of 3d 14h 00m allowed; "
            "deadline 2026-04-08 00:00; in time, 7h 00m before the deadline") in text


def test_show_as_of_before_the_stop(folder: Path) -> None:
    text = show(folder, C03, at="2026-03-03 10:30")
    assert "response (cycle 1): AT RISK" in text
    assert "running: 1h 30m counted of 2h 00m allowed; deadline 2026-03-03 11:00" in text
    # the workaround at 18:00 is not in the timeline yet
    assert "workaround" not in text


def test_show_before_the_report(folder: Path) -> None:
    result = run("ticket", "show", D04, "--records", str(folder), "--at", "2026-03-31 00:00")
    assert result.exit_code == 2
    assert "was reported after 2026-03-31 00:00: it did not exist yet" in result.output


def test_an_unknown_target_is_a_usage_error(folder: Path) -> None:
    result = CliRunner().invoke(cli, ["sla", "--records", str(folder), "--at", AT, "--target", "respons"])
    assert result.exit_code == 2
    assert "no target 'respons'; targets are response, on-site, resolution, callback, return-inspection" in (
        result.output)


@pytest.mark.slow
def test_output_cut_short_by_a_pipe_prints_no_error(folder: Path) -> None:
    done = subprocess.run(f"{sys.executable} -m aftersales sla --records {folder} --at {AT!r} | head -c 10",
                          shell=True, capture_output=True, text=True, check=False)
    assert len(done.stdout) == 10
    assert "Error" not in done.stderr and "Traceback" not in done.stderr


def test_the_table_shows_the_margin_of_each_cycle_in_80_columns() -> None:
    records = Path(__file__).resolve().parent.parent / "records"
    result = CliRunner().invoke(cli, ["sla", "--records", str(records), "--at", "2026-11-23",
                                      "--ticket", "T-20260309-9G9Y0X"])
    assert result.exit_code == 0, result.output
    # reported 07:50 (an emergency in the lobby): assigned 07:56 (due 07:55), responded 08:05 (contact due
    # 08:00, the 30-minute emergency response due 08:20), diagnosed 08:05, arrived 08:55 (progress due
    # 09:55, told at 09:25; on site due 11:50), workaround agreed 16:00, resolved 15:55, callback due
    # 03-10 15:55 (made 09:30), message due 03-16 15:55 (sent 03-11 10:00), revisit due 04-08 15:55 (03-29 10:00)
    assert result.output.splitlines()[2:12] == [
        "T-20260309-9G9Y0X  assign               1  breached  03-09 07:55          -1m",
        "T-20260309-9G9Y0X  contact              1  breached  03-09 08:00          -5m",
        "T-20260309-9G9Y0X  diagnosis            1  met       03-09 08:20         +15m",
        "T-20260309-9G9Y0X  response             1  met       03-09 08:20         +15m",
        "T-20260309-9G9Y0X  progress             1  met       03-09 09:55         +30m",
        "T-20260309-9G9Y0X  on-site              1  met       03-09 11:50      +2h 55m",
        "T-20260309-9G9Y0X  resolution           1  met       03-09 16:00          +5m",
        "T-20260309-9G9Y0X  callback             1  met       03-10 15:55      +6h 25m",
        "T-20260309-9G9Y0X  follow-up-message    1  met       03-16 15:55   +5d 5h 55m",
        "T-20260309-9G9Y0X  revisit              1  met       04-08 15:55  +10d 5h 55m",
    ]
    assert max(len(line) for line in result.output.splitlines()) <= 80
