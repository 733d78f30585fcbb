"""`inspection new/check/finding/close/signoff`: what they write, byte for byte, and what they refuse.

A refused command leaves the file exactly as it was (its sha256 is unchanged)
and writes no other file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import run, settings_yaml

from aftersales.edit.inspections import default_id
from aftersales.store import build
from aftersales.store.reading import check_bytes

SETTINGS = settings_yaml(customer="某学校", calendars=None, targets=None, warranty=None, maintenance="""\
- id: quarterly
  name: 季度巡检
  areas: all
  rrule: "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
  start: 2026-03-31
  early: 14d
  inspectors: 2
  checklist: [appearance, function, fastening]
- id: office-upkeep
  areas: [office]
  rrule: "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=-1"
  start: 2025-12-31
  early: 30d
  checklist: [waxing, lubrication]
- id: monthly
  areas: [lobby]
  rrule: "FREQ=MONTHLY;BYMONTHDAY=1"
  start: 2026-01-01
  checklist: [cleaning]
""")
INS = "inspections/2026/INS-2026Q1.yaml"
NEW_FILE = """\
id: INS-2026Q1
plan: quarterly
date: 2026-03-27
inspectors: [eng-zhang, eng-wang]
areas: [lobby, office]
checks:  # each item is added when checked: ok, issue or n/a
  - {asset: CHAIR-1}
  - {asset: SOFA-1}
  - {asset: DESK-1}
  - {asset: DESK-2}
"""


@pytest.fixture
def folder(records):
    """The conftest folder (CHAIR-1 in the lobby, part BOLT-M8) with these settings and 3 more assets."""
    records.write("aftersales.yaml", SETTINGS)
    records.asset("SOFA-1")
    for name in ("DESK-2", "DESK-1"):
        records.asset(name, area="office")
    return records


def cmd(records, *args: str):
    return run("inspection", *args, "--records", str(records.root))


def new(records, *extra: str, date: str = "2026-03-27"):
    return cmd(records, "new", "--plan", "quarterly", "--date", date, "--inspector", "eng-zhang",
               "--inspector", "eng-wang", *extra)


def text(records, rel: str = INS) -> str:
    return (records.root / rel).read_text(encoding="utf-8")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".aftersales" not in p.parts}


def assert_valid(records) -> None:
    result = records.run()
    assert result.exit_code == 0, result.output


class Unchanged:
    """`with Unchanged(records, rel): ...` asserts the file's bytes and the set of files stay the same."""

    def __init__(self, records, rel: str = INS) -> None:
        self.root, self.path = records.root, records.root / rel

    def __enter__(self):
        self.before = (digest(self.path), files(self.root))
        return self

    def __exit__(self, *exc) -> None:
        assert (digest(self.path), files(self.root)) == self.before


# --- new --------------------------------------------------------------------

def test_new_writes_a_check_per_asset_of_the_plans_areas(folder):
    result = new(folder)
    assert result.exit_code == 0, result.output
    assert result.stdout == "INS-2026Q1\n"
    assert text(folder) == NEW_FILE
    assert_valid(folder)


def test_new_with_chosen_areas(folder):
    result = new(folder, "--area", "office")
    assert result.exit_code == 0, result.output
    assert "areas: [office]\n" in text(folder)
    assert "CHAIR-1" not in text(folder) and "DESK-1" in text(folder)
    assert new(folder, "--area", "all", "--id", "INS-ALL").exit_code == 0
    assert "areas: [lobby, office]\n" in text(folder, "inspections/2026/INS-ALL.yaml")


def test_new_default_ids():
    plans = {p.id: p for p in _settings().plans}
    assert default_id(plans["quarterly"], _date("2026-03-27")) == "INS-2026Q1"
    assert default_id(plans["quarterly"], _date("2026-04-08")) == "INS-2026Q1"  # late for the Q1 slot
    assert default_id(plans["quarterly"], _date("2026-06-16")) == "INS-2026Q2"
    assert default_id(plans["office-upkeep"], _date("2026-06-05")) == "OFFICE-UPKEEP-2026H1"
    assert default_id(plans["office-upkeep"], _date("2026-03-15")) == "OFFICE-UPKEEP-2025H2"
    assert default_id(plans["monthly"], _date("2026-03-01")) == "MONTHLY-20260301"


def _settings():
    clean, _ = check_bytes(SETTINGS.encode(), "aftersales.yaml", "settings")
    return build.settings(clean)


def _date(text: str):
    import datetime as dt
    return dt.date.fromisoformat(text)


def test_new_refuses_an_existing_id(folder):
    new(folder)
    with Unchanged(folder):
        result = new(folder, date="2026-03-30")
    assert result.exit_code == 1
    assert result.stderr == ("Error: refused, nothing was written: inspection INS-2026Q1 already exists "
                             f"({INS}); an inspection fulfils at most one slot of its plan; for another "
                             "inspection give a new id with --id\n")


def test_new_refuses_fewer_inspectors_than_the_plan_needs(folder):
    result = cmd(folder, "new", "--plan", "quarterly", "--date", "2026-03-27", "--inspector", "eng-zhang")
    assert result.exit_code == 2
    assert result.stderr == "Error: plan quarterly needs 2 inspectors; 1 given (repeat --inspector)\n"
    assert not (folder.root / INS).exists()


@pytest.mark.parametrize(("args", "message"), [
    (("--area", "garden"), "--area 'garden' is not one of the areas (lobby, office) or `all`"),
    (("--id", "../evil"), "--id '../evil' is not an id (letters, digits and '-', starting with a letter)"),
])
def test_new_refuses_bad_input(folder, args, message):
    before = files(folder.root)
    result = new(folder, *args)
    assert result.exit_code == 2 and result.stderr == f"Error: {message}\n"
    assert files(folder.root) == before


def test_new_refuses_an_unknown_plan(folder):
    result = cmd(folder, "new", "--plan", "weekly", "--date", "2026-03-27", "--inspector", "x")
    assert result.exit_code == 2 and "no maintenance plan 'weekly'" in result.stderr


def test_new_stops_on_an_asset_that_does_not_validate(folder):
    folder.write("assets/BAD.yaml", "id: BAD\nname: x\n")
    result = new(folder)
    assert result.exit_code == 1 and "assets/BAD.yaml" in result.stderr
    assert not (folder.root / INS).exists()


# --- check ------------------------------------------------------------------

def test_check_rewrites_the_assets_line_in_checklist_order(folder):
    new(folder)
    result = cmd(folder, "check", "INS-2026", "SOFA", "fastening=ok", "appearance=issue")
    assert result.exit_code == 0, result.output
    assert result.stdout == "INS-2026Q1: SOFA-1 appearance=issue fastening=ok\n"
    cmd(folder, "check", "INS-2026Q1", "SOFA-1", "function=n/a", "fastening=issue")
    assert text(folder) == NEW_FILE.replace(
        "{asset: SOFA-1}", "{asset: SOFA-1, appearance: issue, function: n/a, fastening: issue}")
    assert_valid(folder)


def test_check_adds_an_entry_for_an_asset_not_listed(folder):
    new(folder, "--area", "office")
    cmd(folder, "check", "INS-2026Q1", "CHAIR-1", "appearance=ok")
    assert text(folder).endswith("  - {asset: DESK-2}\n  - {asset: CHAIR-1, appearance: ok}\n")
    assert_valid(folder)


def test_check_of_a_block_entry_keeps_comments_elsewhere(folder):
    folder.write(INS, """\
        # 第一季度巡检
        id: INS-2026Q1
        plan: quarterly
        date: 2026-03-27
        inspectors: [eng-zhang, eng-wang]
        checks:
          - asset: CHAIR-1   # 报告厅
            appearance: ok
          - {asset: SOFA-1}  # 沙发
        signoff: {name: 李主任, date: 2026-03-27}
        """)
    cmd(folder, "check", "INS-2026Q1", "CHAIR-1", "function=ok")
    cmd(folder, "check", "INS-2026Q1", "SOFA-1", "function=ok")
    assert text(folder) == (
        "# 第一季度巡检\nid: INS-2026Q1\nplan: quarterly\ndate: 2026-03-27\ninspectors: [eng-zhang, eng-wang]\n"
        "checks:\n  - {asset: CHAIR-1, appearance: ok, function: ok}\n"
        "  - {asset: SOFA-1, function: ok}  # 沙发\nsignoff: {name: 李主任, date: 2026-03-27}\n")
    assert_valid(folder)


def test_check_refuses_an_item_not_on_the_checklist(folder):
    new(folder)
    with Unchanged(folder):
        result = cmd(folder, "check", "INS-2026Q1", "SOFA-1", "apperance=ok")
    assert result.exit_code == 1
    assert result.stderr == ("Error: refused, nothing was written: 'apperance' is not on the checklist of plan "
                             "quarterly (appearance, function, fastening) (did you mean 'appearance'?)\n")


@pytest.mark.parametrize(("pair", "message"), [
    ("appearance=good", "appearance=good: a result is one of ok, issue, n/a"),
    ("appearance", "'appearance': write ITEM=RESULT, like appearance=ok"),
])
def test_check_refuses_bad_results(folder, pair, message):
    new(folder)
    with Unchanged(folder):
        result = cmd(folder, "check", "INS-2026Q1", "SOFA-1", pair)
    assert result.exit_code == 2 and result.stderr == f"Error: {message}\n"


def test_check_refuses_an_unknown_asset_or_inspection(folder):
    new(folder)
    with Unchanged(folder):
        assert cmd(folder, "check", "INS-2026Q1", "NOPE", "appearance=ok").stderr == "Error: no asset 'NOPE'\n"
        assert cmd(folder, "check", "INS-9", "SOFA-1", "appearance=ok").stderr == "Error: no inspection 'INS-9'\n"


# --- finding ----------------------------------------------------------------

FINDING_ARGS = ("--asset", "CHAIR-1", "--location", "第5排8号", "--category", "function", "--severity", "normal",
                "--problem", "靠背回弹不足", "--action", "更换回弹弹簧", "--owner", "eng-zhang", "--due", "2026-04-03")


def test_finding_appends_lines_and_keeps_every_existing_byte(folder):
    new(folder)
    before = text(folder)
    result = cmd(folder, "finding", "INS-2026Q1", *FINDING_ARGS)
    assert result.exit_code == 0, result.output
    assert result.stdout == "INS-2026Q1 F1\n"
    cmd(folder, "finding", "INS-2026Q1", "--problem", "扶手: 松动 #3")
    assert text(folder) == before + (
        "findings:\n"
        "  - id: F1\n"
        "    asset: CHAIR-1\n"
        "    location: 第5排8号\n"
        "    category: function\n"
        "    severity: normal\n"
        "    problem: 靠背回弹不足\n"
        "    action: 更换回弹弹簧\n"
        "    owner: eng-zhang\n"
        "    due: 2026-04-03\n"
        "  - id: F2\n"
        '    problem: "扶手: 松动 #3"\n')
    assert_valid(folder)


def test_finding_goes_before_the_signoff_and_follows_the_files_style(folder):
    body = ("id: INS-2026Q1\nplan: quarterly\ndate: 2026-03-27\ninspectors: [a, b]\n"
            "findings:\n- {id: F1, problem: 旧问题}   # 已报修\n\n"
            "# 学校签字\nsignoff: {name: 李主任, date: 2026-03-27}\n")
    folder.write_bytes(INS, body.encode())
    cmd(folder, "finding", "INS-2026Q1", "--problem", "新问题", "--due", "2026-04-01")
    assert text(folder) == body.replace("# 已报修\n", "# 已报修\n- {id: F2, problem: 新问题, due: 2026-04-01}\n")
    assert_valid(folder)


def test_finding_ids_are_never_reused(folder):
    folder.write(INS, """\
        id: INS-2026Q1
        date: 2026-03-27
        inspectors: [a]
        findings: []
        """)
    cmd(folder, "finding", "INS-2026Q1", "--problem", "一")
    assert text(folder).endswith("findings:\n  - id: F1\n    problem: 一\n")
    folder.edit(INS, "id: F1", "id: F7")
    assert cmd(folder, "finding", "INS-2026Q1", "--problem", "二").stdout == "INS-2026Q1 F8\n"


def test_finding_refusals_leave_the_file_as_it_was(folder):
    new(folder)
    with Unchanged(folder):
        assert cmd(folder, "finding", "INS-2026Q1", "--problem", "x", "--asset", "NOPE").exit_code == 2
        assert cmd(folder, "finding", "INS-2026Q1", "--problem", "x", "--due", "soon").exit_code == 2
        assert cmd(folder, "finding", "INS-2026Q1", "--problem", " ").exit_code == 1  # empty text
        result = cmd(folder, "finding", "INS-2026Q1", "--problem", "x", "--open-ticket")
        assert result.exit_code == 2
        assert result.stderr == "Error: --open-ticket needs --asset: a repair ticket names its asset\n"


def test_finding_refuses_a_flow_list_of_findings(folder):
    folder.write(INS, "id: INS-2026Q1\ndate: 2026-03-27\ninspectors: [a]\nfindings: [{id: F1, problem: x}]\n")
    with Unchanged(folder):
        result = cmd(folder, "finding", "INS-2026Q1", "--problem", "y")
    assert result.exit_code == 1 and "written as a [flow, list]" in result.stderr


def test_an_invalid_file_is_not_edited(folder):
    folder.write(INS, "id: INS-2026Q1\ndate: 2026-03-27\ninspectors: [a]\nplan: nope\n")
    with Unchanged(folder):
        result = cmd(folder, "signoff", "INS-2026Q1", "--name", "李主任", "--date", "2026-03-28")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: refused, nothing was written: {INS} does not validate (1 error); fix it first:\n"
                             f"  {INS}:4:1: error[unknown-plan]: plan 'nope' is not a maintenance plan\n"
                             "run `aftersales validate` for the full list\n")


def test_open_ticket_opens_a_linked_repair_ticket(folder):
    new(folder)
    result = cmd(folder, "finding", "INS-2026Q1", *FINDING_ARGS, "--open-ticket", "--at", "2026-03-27 16:00")
    assert result.exit_code == 0, result.output
    ins_id, finding_id, ticket_id = result.stdout.split()
    assert (ins_id, finding_id) == ("INS-2026Q1", "F1") and ticket_id.startswith("T-20260327-")
    assert text(folder).endswith(f"    due: 2026-04-03\n    ticket: {ticket_id}\n")
    assert text(folder, f"tickets/2026/{ticket_id}.yaml") == (
        f"id: {ticket_id}\nkind: repair\nasset: CHAIR-1\nseverity: normal\ncategory: function\n"
        "channel: inspection\nlocation: 第5排8号\nsummary: 靠背回弹不足\ninspection: INS-2026Q1\nevents:\n"
        "  - {at: 2026-03-27T16:00:00+08:00, type: reported, by: eng-zhang}\n")
    assert_valid(folder)


def test_open_ticket_opens_nothing_when_the_finding_is_refused(folder):
    folder.write(INS, "id: INS-2026Q1\ndate: 2026-03-27\ninspectors: [a]\nfindings: [{id: F1, problem: x}]\n")
    before = files(folder.root)
    result = cmd(folder, "finding", "INS-2026Q1", "--problem", "y", "--asset", "CHAIR-1", "--open-ticket")
    assert result.exit_code == 1 and files(folder.root) == before


# --- close ------------------------------------------------------------------

def with_finding(records, *extra: str) -> None:
    new(records)
    cmd(records, "finding", "INS-2026Q1", *FINDING_ARGS, *extra)


def test_close_adds_closed_under_the_finding(folder):
    with_finding(folder)
    cmd(folder, "finding", "INS-2026Q1", "--problem", "第二个")
    result = cmd(folder, "close", "INS-2026Q1", "F1", "--date", "2026-04-05")
    assert result.exit_code == 0, result.output
    assert result.stdout == "INS-2026Q1 F1: closed-late\n"
    assert "    due: 2026-04-03\n    closed: 2026-04-05\n  - id: F2\n" in text(folder)
    assert_valid(folder)


def test_close_with_a_ticket_links_it(folder):
    folder.ticket("T-1")
    with_finding(folder)
    result = cmd(folder, "close", "INS-2026Q1", "F1", "--date", "2026-04-02", "--ticket", "T-1")
    assert result.stdout == "INS-2026Q1 F1: closed-on-time\n"
    assert text(folder).endswith("    due: 2026-04-03\n    closed: 2026-04-02\n    ticket: T-1\n")
    assert_valid(folder)


def test_close_a_one_line_finding_inserts_before_its_brace(folder):
    folder.write(INS, "id: INS-2026Q1\ndate: 2026-03-27\ninspectors: [a]\n"
                      "findings:\n  - {id: F1, problem: 松动, due: 2026-04-03}  # 注\n")
    cmd(folder, "close", "INS-2026Q1", "F1", "--date", "2026-04-01")
    assert text(folder).endswith("  - {id: F1, problem: 松动, due: 2026-04-03, closed: 2026-04-01}  # 注\n")
    assert_valid(folder)


@pytest.mark.parametrize(("args", "code", "message"), [
    (("F1", "--date", "2026-04-09"), 1,
     "refused, nothing was written: INS-2026Q1 F1 was already closed on 2026-04-05"),
    (("F9", "--date", "2026-04-09"), 2, "INS-2026Q1 has no finding 'F9' (findings: F1, F2)"),
    (("F2", "--date", "2026-03-01"), 1,
     "refused, nothing was written: finding F2: closed 2026-03-01 before the inspection (2026-03-27)"),
    (("F2", "--date", "2026-04-09", "--ticket", "T-9"), 2, "no ticket 'T-9'"),
    (("F2", "--date", "2026-04-09x"), 2, "'2026-04-09x' is not a date: write it like 2026-03-14"),
])
def test_close_refusals_leave_the_file_as_it_was(folder, args, code, message):
    with_finding(folder)
    cmd(folder, "finding", "INS-2026Q1", "--problem", "第二个")
    cmd(folder, "close", "INS-2026Q1", "F1", "--date", "2026-04-05")
    with Unchanged(folder):
        result = cmd(folder, "close", "INS-2026Q1", *args)
    assert result.exit_code == code and result.stderr == f"Error: {message}\n"


def test_close_refuses_another_ticket_than_the_linked_one(folder):
    folder.ticket("T-1")
    folder.ticket("T-2")
    with_finding(folder)
    cmd(folder, "close", "INS-2026Q1", "F1", "--date", "2026-04-01", "--ticket", "T-1")
    folder.edit(INS, "    closed: 2026-04-01\n", "")
    with Unchanged(folder):
        result = cmd(folder, "close", "INS-2026Q1", "F1", "--date", "2026-04-01", "--ticket", "T-2")
    assert result.stderr == "Error: refused, nothing was written: INS-2026Q1 F1 is linked to ticket T-1, not T-2\n"


# --- signoff ----------------------------------------------------------------

def test_signoff_is_appended_once(folder):
    with_finding(folder)
    before = text(folder)
    result = cmd(folder, "signoff", "INS-2026Q1", "--name", "总务处李主任", "--date", "2026-03-27")
    assert result.stdout == "INS-2026Q1: signed off by 总务处李主任 on 2026-03-27\n"
    assert text(folder) == before + "signoff: {name: 总务处李主任, date: 2026-03-27}\n"
    assert_valid(folder)
    with Unchanged(folder):
        again = cmd(folder, "signoff", "INS-2026Q1", "--name", "王老师", "--date", "2026-03-28")
    assert again.exit_code == 1
    assert again.stderr == ("Error: refused, nothing was written: INS-2026Q1 was already signed off by "
                            "总务处李主任 on 2026-03-27\n")


def test_signoff_fills_an_empty_placeholder_and_refuses_a_date_before_the_inspection(folder):
    folder.write(INS, "id: INS-2026Q1\ndate: 2026-03-27\ninspectors: [a]\nsignoff:\n")
    with Unchanged(folder):
        early = cmd(folder, "signoff", "INS-2026Q1", "--name", "李", "--date", "2026-03-26")
    assert early.exit_code == 1 and "before the inspection" in early.stderr
    cmd(folder, "signoff", "INS-2026Q1", "--name", "李: 主任", "--date", "2026-03-27")
    assert text(folder).endswith('inspectors: [a]\nsignoff: {name: "李: 主任", date: 2026-03-27}\n')
    assert_valid(folder)


def test_crlf_files_stay_crlf(folder):
    body = "id: INS-2026Q1\r\ndate: 2026-03-27\r\ninspectors: [a]\r\nfindings:\r\n  - {id: F1, problem: x}\r\n"
    folder.write_bytes(INS, body.encode())
    cmd(folder, "finding", "INS-2026Q1", "--problem", "y")
    cmd(folder, "close", "INS-2026Q1", "F2", "--date", "2026-03-28")
    assert (folder.root / INS).read_bytes() == (
        body + "  - {id: F2, problem: y, closed: 2026-03-28}\r\n").encode()


def test_close_goes_before_a_linked_ticket(folder):
    folder.ticket("T-1")
    folder.write(INS, "id: INS-2026Q1\ndate: 2026-03-27\ninspectors: [a]\n"
                      "findings:\n  - id: F1\n    problem: 松动\n    ticket: T-1\n  - id: F2\n    problem: x\n")
    cmd(folder, "close", "INS-2026Q1", "F1", "--date", "2026-04-01", "--ticket", "T-1")
    assert "    problem: 松动\n    closed: 2026-04-01\n    ticket: T-1\n  - id: F2\n" in text(folder)
    assert_valid(folder)


def test_inspection_list_of_the_bundled_records():
    bundled = Path(__file__).resolve().parent.parent / "records"
    result = run("inspection", "list", "--records", str(bundled), "--at", "2026-11-23")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["inspection", "plan", "date", "findings", "open", "overdue", "signed"]
    assert lines[2].split() == ["INS-2026Q3", "quarterly-inspection", "2026-09-22", "4", "2", "2", "yes"]
    assert lines[-1].split() == ["INS-2025Q3", "quarterly-inspection", "2025-09-26", "3", "0", "0", "yes"]
    assert max(len(line) for line in lines) <= 80


def test_inspection_list_as_of_an_earlier_day_and_by_plan():
    bundled = Path(__file__).resolve().parent.parent / "records"
    # UPK-2025H2's only finding was closed on 2025-12-18: open on the 15th, closed by the 20th
    for at, still_open in (("2025-12-15", 1), ("2025-12-20", 0)):
        result = run("inspection", "list", "--records", str(bundled), "--at", at, "--plan", "office-upkeep",
                     "--format", "json")
        assert [(r["id"], r["open"]) for r in json.loads(result.output)] == [("UPK-2025H2", still_open)]
