"""`ticket open / log / list / show`: the real commands on small inline records, checked exactly."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import INSPECTION, REPORTED, TICKET, Records, event, run, ticket

from aftersales.cli import cli, ticket_cmds
from aftersales.core import ids, phones
from aftersales.edit.yamltext import scalar
from aftersales.store.load import load
from aftersales.store.yamlio import parse
from aftersales.views.tables import width

ID_RE = re.compile(r"^T-\d{8}-[0-9A-HJKMNP-TV-Z]{6}$")
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- helpers -----------------------------------------------------------------

def ticket_open(records: Records, *args: str) -> Result:
    return run("ticket", "open", "--records", str(records.root), *args)


def ticket_log(records: Records, *args: str) -> Result:
    return run("ticket", "log", "--records", str(records.root), *args)


def ticket_files(records: Records) -> list[Path]:
    return sorted((records.root / "tickets").rglob("*.yaml"))


def only_ticket(records: Records) -> Path:
    files = ticket_files(records)
    assert len(files) == 1, files
    return files[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_ticket(records: Records, ticket_id: str):
    loaded = load(records.root)
    assert [p for p in loaded.problems if p.is_error] == []
    return loaded.tickets[ticket_id]


class _TtyStdin:
    """The stdin CliRunner provides, claiming to be a terminal."""

    def isatty(self) -> bool:
        return True

    def __getattr__(self, name: str):
        return getattr(sys.stdin, name)


class _SysWithTerminal:
    """`sys` as ticket_cmds sees it, with a terminal on stdin."""

    stdin = _TtyStdin()

    def __getattr__(self, name: str):
        return getattr(sys, name)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # CliRunner swaps sys.stdin during invoke, so patch the name the command module reads.
    monkeypatch.setattr(ticket_cmds, "sys", _SysWithTerminal())


@pytest.fixture
def machine_in_new_york():
    """The machine's own time zone is far from the project's: it must not matter."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


# --- ticket open -------------------------------------------------------------

def test_open_writes_the_file_laid_out_as_in_records_md(records):
    records.write("inspections/2026/INS-1.yaml", INSPECTION)
    result = ticket_open(
        records, "--kind", "repair", "--asset", "CHAIR-1", "--area", "lobby", "--priority", "critical",
        "--severity", "urgent", "--category", "structure", "--channel", "phone", "--reporter", "王老师",
        "--phone", "13800001234", "--location", "第3排12号", "--summary", "扶手松动", "--inspection", "INS-1",
        "--at", "2026-03-14T09:12:00+08:00", "--by", "cs-li")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    ticket_id = result.stdout.removesuffix("\n")
    assert result.stdout == ticket_id + "\n"
    assert ID_RE.match(ticket_id), ticket_id
    assert ticket_id.startswith("T-20260314-")
    path = only_ticket(records)
    assert path == records.root / "tickets" / "2026" / f"{ticket_id}.yaml"
    assert path.read_bytes().decode("utf-8") == (
        f"id: {ticket_id}\n"
        "kind: repair\n"
        "asset: CHAIR-1\n"
        "area: lobby\n"
        "priority: critical\n"
        "severity: urgent\n"
        "category: structure\n"
        "channel: phone\n"
        'reporter: {name: 王老师, phone: "13800001234"}\n'
        "location: 第3排12号\n"
        "summary: 扶手松动\n"
        "inspection: INS-1\n"
        "events:\n"
        "  - {at: 2026-03-14T09:12:00+08:00, type: reported, by: cs-li}\n"
    )
    assert records.run().exit_code == 0


def test_open_with_only_the_required_options(records):
    result = ticket_open(records, "--kind", "repair", "--asset", "CHAIR-1", "--summary", "扶手松动",
                         "--at", "2026-03-14 09:12")
    assert result.exit_code == 0, result.output
    ticket_id = result.stdout.strip()
    assert only_ticket(records).read_text(encoding="utf-8") == (
        f"id: {ticket_id}\nkind: repair\nasset: CHAIR-1\nsummary: 扶手松动\nevents:\n"
        "  - {at: 2026-03-14T09:12:00+08:00, type: reported}\n"
    )


def test_an_inquiry_needs_no_asset(records):
    result = ticket_open(records, "--kind", "inquiry", "--summary", "保养咨询", "--channel", "wechat",
                         "--at", "2026-03-14 09:12")
    assert result.exit_code == 0, result.output
    assert "asset" not in only_ticket(records).read_text(encoding="utf-8")
    assert records.run().exit_code == 0


def test_chinese_is_written_as_utf8_text_never_escaped(records):
    result = ticket_open(records, "--kind", "repair", "--asset", "CHAIR-1", "--summary", "靠背螺丝脱落，需更换",
                         "--reporter", "李老师", "--location", "报告厅第3排", "--at", "2026-03-14 09:12")
    assert result.exit_code == 0, result.output
    data = only_ticket(records).read_bytes()
    assert b"\\u" not in data
    assert "summary: 靠背螺丝脱落，需更换\n".encode() in data
    assert "reporter: {name: 李老师}\n".encode() in data
    assert "location: 报告厅第3排\n".encode() in data


def test_texts_that_yaml_would_read_as_something_else_are_quoted_and_read_back_as_text(records):
    result = ticket_open(records, "--kind", "repair", "--asset", "CHAIR-1", "--summary", "yes",
                         "--reporter", "no", "--phone", "05121234567", "--location", "12:30",
                         "--at", "2026-03-14 09:12")
    assert result.exit_code == 0, result.output
    ticket_id = result.stdout.strip()
    text = only_ticket(records).read_text(encoding="utf-8")
    assert 'reporter: {name: "no", phone: "05121234567"}\n' in text
    assert 'summary: "yes"\n' in text
    assert 'location: "12:30"\n' in text
    t = load_ticket(records, ticket_id)
    assert (t.reporter.name, t.reporter.phone, t.summary, t.location) == ("no", "05121234567", "yes", "12:30")
    assert records.run().exit_code == 0


@pytest.mark.parametrize(("missing", "args"), [
    ("kind", ["--asset", "CHAIR-1", "--summary", "扶手松动"]),
    ("asset", ["--kind", "repair", "--summary", "扶手松动"]),
    ("summary", ["--kind", "repair", "--asset", "CHAIR-1"]),
    ("summary", ["--kind", "inquiry"]),
])
def test_without_a_terminal_a_missing_required_option_is_a_usage_error(records, missing, args):
    result = ticket_open(records, *args, "--at", "2026-03-14 09:12")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(f"Error: missing --{missing} (required; no terminal to ask on)\n")
    assert ticket_files(records) == []


def test_on_a_terminal_it_asks_for_the_missing_fields(records, terminal):
    result = CliRunner().invoke(
        cli, ["ticket", "open", "--records", str(records.root), "--at", "2026-03-14 09:12"],
        input="fix\nrepair\nCHAIR-9\nCHAIR-1\n扶手松动\n王老师\nabc\n１３８-0000-1234\n第3排12号\ncs-li\n")
    assert result.exit_code == 0, result.output
    for prompt in ("Kind", "Asset id", "Summary", "Reporter", "Phone", "Location", "Taken by"):
        assert f"{prompt}" in result.output, prompt
    assert "'fix' is not one of" in result.output  # a wrong choice is asked again
    assert "Error: no asset 'CHAIR-9' (did you mean 'CHAIR-1'?)" in result.output   # and a mistyped asset
    assert "Error: --phone 'abc' is not a phone number" in result.output             # and a wrong number
    ticket_id = result.stdout.splitlines()[-1]
    assert ID_RE.match(ticket_id)
    assert only_ticket(records).read_text(encoding="utf-8") == (
        f"id: {ticket_id}\nkind: repair\nasset: CHAIR-1\nreporter: {{name: 王老师, phone: 138-0000-1234}}\n"
        "location: 第3排12号\nsummary: 扶手松动\nevents:\n"
        "  - {at: 2026-03-14T09:12:00+08:00, type: reported, by: cs-li}\n"
    )


def test_on_a_terminal_the_optional_questions_can_be_skipped(records, terminal):
    result = CliRunner().invoke(
        cli, ["ticket", "open", "--records", str(records.root), "--at", "2026-03-14 09:12", "--kind", "repair",
              "--asset", "CHAIR-1"], input="扶手松动\n\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert only_ticket(records).read_text(encoding="utf-8").endswith(
        "asset: CHAIR-1\nsummary: 扶手松动\nevents:\n  - {at: 2026-03-14T09:12:00+08:00, type: reported}\n")


@pytest.mark.parametrize(("phone", "written"), [
    ("13800001234", "13800001234"), ("+86 138 0000 1234", "+86 138 0000 1234"),
    ("０５１２－６２８８８８８８", "0512-62888888"), ("  138-0000-1234 ", "138-0000-1234")])
def test_phone_numbers_are_normalised(records, phone, written):
    result = ticket_open(records, "--kind", "repair", "--asset", "CHAIR-1", "--summary", "x", "--phone", phone,
                         "--at", "2026-03-14 09:12")
    assert result.exit_code == 0, result.output
    ticket_id = result.stdout.strip()
    assert load_ticket(records, ticket_id).reporter.phone == written


@pytest.mark.parametrize("phone", ["abc", "12", "138 0000 1234 ext. 5", "+"])
def test_a_wrong_phone_number_is_a_usage_error(records, phone):
    result = ticket_open(records, "--kind", "repair", "--asset", "CHAIR-1", "--summary", "x", "--phone", phone)
    assert result.exit_code == 2
    assert result.stderr == f"Error: --phone {phone!r} is not {phones.HINT}\n"
    assert ticket_files(records) == []


@pytest.mark.parametrize("summary", ["", "   "])
def test_an_empty_summary_is_a_usage_error_however_it_is_written(records, summary):
    result = ticket_open(records, "--kind", "repair", "--asset", "CHAIR-1", "--summary", summary)
    assert result.exit_code == 2
    assert ticket_files(records) == []


def test_on_a_terminal_given_options_are_not_asked_again(records, terminal):
    result = CliRunner().invoke(
        cli, ["ticket", "open", "--records", str(records.root), "--kind", "inquiry", "--at", "2026-03-14 09:12",
              "--reporter", "王老师"], input="保养咨询\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert "Kind" not in result.output and "Asset" not in result.output and "Reporter" not in result.output
    assert "summary: 保养咨询\n" in only_ticket(records).read_text(encoding="utf-8")


def test_a_loose_date_and_time_is_read_in_the_project_time_zone(records, machine_in_new_york):
    result = ticket_open(records, "--kind", "inquiry", "--summary", "x", "--at", "2026-03-14 09:30")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("T-20260314-")
    assert "  - {at: 2026-03-14T09:30:00+08:00, type: reported}\n" in only_ticket(records).read_text("utf-8")


def test_a_time_alone_is_its_latest_past_occurrence_in_the_project_time_zone(records, machine_in_new_york):
    before = dt.datetime.now(SHANGHAI)
    result = ticket_open(records, "--kind", "inquiry", "--summary", "x", "--at", "09:30")
    after = dt.datetime.now(SHANGHAI)
    assert result.exit_code == 0, result.output
    path = only_ticket(records)
    found = re.search(r"  - \{at: (\S+), type: reported\}\n", path.read_text("utf-8"))
    assert found, path.read_text("utf-8")
    at = dt.datetime.fromisoformat(found[1])
    # 09:30 in Shanghai, and the latest one: not after the command ran, less than a day before it
    assert (at.time(), at.utcoffset()) == (dt.time(9, 30), dt.timedelta(hours=8))
    assert before - dt.timedelta(days=1) < at <= after
    assert path.parent.name == str(at.year) and result.stdout.startswith(f"T-{at:%Y%m%d}-")


def test_a_time_in_the_future_is_refused(records):
    result = ticket_open(records, "--kind", "inquiry", "--summary", "x", "--at", "2099-05-01 10:00")
    assert result.exit_code == 2
    assert "2099-05-01 10:00:00+08:00 is in the future" in result.output
    assert not list((records.root / "tickets").rglob("*.yaml"))


def test_a_summary_is_one_line(records):
    result = ticket_open(records, "--kind", "inquiry", "--summary", "a\nb")
    assert result.exit_code == 2
    assert "--summary is one line" in result.output


def test_another_project_time_zone_gives_its_own_offset(records, machine_in_new_york):
    records.edit("aftersales.yaml", "timezone: Asia/Shanghai", "timezone: Europe/Berlin")
    result = ticket_open(records, "--kind", "inquiry", "--summary", "x", "--at", "2026-07-01 09:30")
    assert result.exit_code == 0, result.output
    assert "  - {at: 2026-07-01T09:30:00+02:00, type: reported}\n" in only_ticket(records).read_text("utf-8")


def test_an_instant_with_another_offset_is_written_in_project_time_and_filed_by_its_local_year(records):
    result = ticket_open(records, "--kind", "inquiry", "--summary", "x", "--at", "2025-12-31T16:30:00Z")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("T-20260101-")
    path = only_ticket(records)
    assert path.parent.name == "2026"
    assert "  - {at: 2026-01-01T00:30:00+08:00, type: reported}\n" in path.read_text("utf-8")
    assert records.run().exit_code == 0


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--asset", "NOPE"], 2, "Error: no asset 'NOPE'\n"),
    (["--asset", "CHAIR-1", "--area", "roof"], 2, "Error: --area 'roof' is not one of lobby, office\n"),
    (["--asset", "CHAIR-1", "--priority", "high"], 2, "Error: --priority 'high' is not one of critical, normal\n"),
    (["--asset", "CHAIR-1", "--inspection", "INS-9"], 2, "Error: no inspection 'INS-9'\n"),
    (["--asset", "CHAIR-1", "--at", "yesterday"], 2, "Error: 'yesterday' is not a time: write it like "
     "2026-03-14 09:12, 09:12, 2026-03-14 or 2026-03-14T09:12:00+08:00\n"),
])
def test_open_refuses_unknown_references_and_writes_nothing(records, args, code, message):
    result = ticket_open(records, "--kind", "repair", "--summary", "扶手松动", *args)
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr.endswith(message)
    assert ticket_files(records) == []


def test_open_never_overwrites_a_ticket_whose_id_it_drew(records, monkeypatch):
    taken = records.ticket("T-20260314-AAAAAA")
    before = taken.read_bytes()
    drawn = iter(["T-20260314-AAAAAA", "T-20260314-BBBBBB"])
    monkeypatch.setattr(ids, "new_ticket_id", lambda day: next(drawn))
    result = ticket_open(records, "--kind", "inquiry", "--summary", "新的咨询", "--at", "2026-03-14 10:00")
    assert result.exit_code == 0, result.output
    assert result.stdout == "T-20260314-BBBBBB\n"
    assert taken.read_bytes() == before
    assert sorted(os.listdir(taken.parent)) == ["T-20260314-AAAAAA.yaml", "T-20260314-BBBBBB.yaml"]
    assert "summary: 新的咨询\n" in (taken.parent / "T-20260314-BBBBBB.yaml").read_text("utf-8")


def test_new_ids_are_crockford_base32_of_the_report_day():
    drawn = {ids.new_ticket_id(dt.date(2026, 3, 14)) for _ in range(200)}
    assert all(ID_RE.match(i) and i.startswith("T-20260314-") for i in drawn)
    assert len(drawn) == 200


# --- ticket log ---------------------------------------------------------------

def test_log_adds_exactly_one_line_after_the_last_event(records):
    path = records.write(TICKET, ticket())
    before = path.read_bytes()
    result = ticket_log(records, "T-1", "responded", "--at", "2026-03-14 09:40", "--by", "eng-zhang",
                        "--note", "电话确认")
    assert result.exit_code == 0, result.output
    assert result.stdout == "T-1: responded at 2026-03-14 09:40; the ticket is open\n"
    after = path.read_bytes()
    assert after.startswith(before)
    assert after[len(before):].decode("utf-8") == (
        "  - {at: 2026-03-14T09:40:00+08:00, type: responded, by: eng-zhang, note: 电话确认}\n")


def test_log_writes_every_field_in_a_fixed_order(records):
    records.write("parts/EDGE-TAPE.yaml", "id: EDGE-TAPE\nname: 封边条\nunit: m\nmovements:\n"
                                          "  - {date: 2026-01-05, in: 50}\n")
    path = records.write(TICKET, ticket())
    before = path.read_bytes()
    result = ticket_log(records, "T-1", "resolved", "--at", "2026-03-14 12:30", "--by", "eng-zhang",
                        "--part", "BOLT-M8:2", "--part", "EDGE：0.5", "--cost", "0", "--note", "更换螺栓")
    assert result.exit_code == 0, result.output
    assert result.stdout == "T-1: resolved at 2026-03-14 12:30; the ticket is resolved\n"
    assert path.read_bytes()[len(before):].decode("utf-8") == (
        "  - {at: 2026-03-14T12:30:00+08:00, type: resolved, by: eng-zhang, "
        "parts: [{part: BOLT-M8, qty: 2}, {part: EDGE-TAPE, qty: 0.5}], cost: 0, note: 更换螺栓}\n")
    assert records.run().exit_code == 0


COMMENTED = """\
# 报修单：王老师来电
id: T-1
kind: repair
asset: CHAIR-1
summary: 扶手松动   # 左侧
events:
  - {at: 2026-03-14T09:12:00+08:00, type: reported}  # 电话

  # 工程师跟进
  - at: 2026-03-14T09:40:00+08:00
    type: responded
  # 以上为当天记录

location: '第3排12号'
reporter:
  name: 王老师
  phone: "13800001234"
"""


def test_log_into_a_file_where_events_are_not_last_changes_only_one_line(records):
    path = records.write(TICKET, COMMENTED)
    result = ticket_log(records, "T-1", "arrived", "--at", "2026-03-14 11:55", "--by", "eng-zhang")
    assert result.exit_code == 0, result.output
    before, after = COMMENTED.splitlines(keepends=True), path.read_text("utf-8").splitlines(keepends=True)
    changed = [line for line in difflib.ndiff(before, after) if line[:1] in "+-?"]
    assert changed == ["+   - {at: 2026-03-14T11:55:00+08:00, type: arrived, by: eng-zhang}\n"]
    assert after[11] == "  - {at: 2026-03-14T11:55:00+08:00, type: arrived, by: eng-zhang}\n"
    assert after[10] == "    type: responded\n"
    assert records.run().exit_code == 0


def test_log_keeps_crlf_line_endings(records):
    path = records.write_bytes(TICKET, ticket(REPORTED, extra="location: x\n").replace("\n", "\r\n").encode())
    before = path.read_bytes()
    assert ticket_log(records, "T-1", "note", "--at", "2026-03-14 10:00", "--note", "n").exit_code == 0
    assert path.read_bytes() == before.replace(
        b"location", b"  - {at: 2026-03-14T10:00:00+08:00, type: note, note: n}\r\nlocation")


def test_log_into_a_file_without_a_final_newline(records):
    path = records.write(TICKET, ticket().removesuffix("\n"))
    before = path.read_bytes()
    assert ticket_log(records, "T-1", "note", "--at", "2026-03-14 10:00", "--note", "n").exit_code == 0
    assert path.read_bytes() == before + b"\n  - {at: 2026-03-14T10:00:00+08:00, type: note, note: n}\n"


def test_log_into_a_crlf_file_without_a_final_newline_keeps_crlf(records):
    path = records.write_bytes(TICKET, ticket().replace("\n", "\r\n").removesuffix("\r\n").encode())
    before = path.read_bytes()
    assert ticket_log(records, "T-1", "note", "--at", "2026-03-14 10:00", "--note", "n").exit_code == 0
    assert path.read_bytes() == before + b"\r\n  - {at: 2026-03-14T10:00:00+08:00, type: note, note: n}\r\n"


RESOLVED = event("10:00", "resolved")
REFUSED = "Error: refused, nothing was written: "


@pytest.mark.parametrize(("events", "args", "message"), [
    pytest.param([REPORTED, event("10:00", "responded")], ["note", "--at", "2026-03-14 09:00"],
                 "`note` at 2026-03-14T09:00:00+08:00 is before the request was reported "
                 "(2026-03-14T09:12:00+08:00); is the date right?", id="before-reported"),
    pytest.param([REPORTED, event("10:00", "resolved")], ["arrived", "--at", "2026-03-14 10:30"],
                 "`arrived` after `resolved`: if it happened before the fix, log it with its time (a late entry); "
                 "if the fix did not hold, log `reopened` first", id="arrived-after-resolved"),
    pytest.param([REPORTED, event("10:00", "cancelled")], ["note", "--at", "2026-03-14 10:30"],
                 "`note` after `cancelled`: only `reopened` may follow a cancellation; if it happened before "
                 "the cancellation, log it with its time (a late entry)", id="note-after-cancel"),
    pytest.param([REPORTED, event("10:00", "cancelled")], ["resolved", "--at", "2026-03-14 10:30"],
                 "`resolved` after `cancelled`: only `reopened` may follow a cancellation; if it happened "
                 "before the cancellation, log it with its time (a late entry)", id="resolved-after-cancel"),
    pytest.param([REPORTED], ["callback", "--at", "2026-03-14 10:30", "--satisfaction", "5"],
                 "`callback` on a ticket that is not resolved", id="callback-before-resolved"),
    pytest.param([REPORTED], ["accepted", "--at", "2026-03-14 10:30"],
                 "`accepted` on a ticket that is not resolved", id="accepted-before-resolved"),
    pytest.param([REPORTED, RESOLVED, event("10:30", "reopened")], ["callback", "--at", "2026-03-14 11:00"],
                 "`callback` on a ticket that is not resolved", id="callback-after-reopened"),
    pytest.param([REPORTED], ["resumed", "--at", "2026-03-14 10:30"],
                 "`resumed` without a `paused` before it", id="resumed-without-paused"),
    pytest.param([REPORTED, event("10:00", "paused")], ["paused", "--at", "2026-03-14 10:30"],
                 "`paused` while already paused", id="paused-twice"),
    pytest.param([REPORTED], ["reported", "--at", "2026-03-14 10:30"],
                 "`reported` can only be the first event", id="reported-again"),
    pytest.param([REPORTED], ["resolved", "--at", "2026-03-14 10:30", "--part", "BOLT-M8:0.5"],
                 "part BOLT-M8 is counted in pcs: 0.5 is not a whole number", id="half-a-bolt"),
    pytest.param([REPORTED, RESOLVED], ["callback", "--at", "2026-03-14 11:00", "--satisfaction", "0"],
                 "events[3].satisfaction: 0 is out of range; expected a whole number from 1 to 5",
                 id="satisfaction-0"),
    pytest.param([REPORTED, RESOLVED], ["callback", "--at", "2026-03-14 11:00", "--satisfaction", "6"],
                 "events[3].satisfaction: 6 is out of range; expected a whole number from 1 to 5",
                 id="satisfaction-6"),
    pytest.param([REPORTED], ["workaround", "--at", "2026-03-14 10:00", "--until", "2026-03-14 09:59"],
                 "`until` 2026-03-14T09:59:00+08:00 is before the event itself", id="until-before-event"),
    pytest.param([REPORTED], ["arrived", "--at", "2026-03-14 10:00", "--satisfaction", "5"],
                 "`arrived` does not carry `satisfaction` (only `callback` and `revisit` events do)",
                 id="satisfaction-on-arrived"),
    pytest.param([REPORTED], ["resolved", "--at", "2026-03-14 10:00", "--verdict", "accept"],
                 "`resolved` does not carry `verdict` (only `inspected` events do)", id="verdict-on-resolved"),
    pytest.param([REPORTED], ["note", "--at", "2026-03-14 10:00", "--until", "2026-03-15 10:00"],
                 "`note` does not carry `until` (only `workaround` events do)", id="until-on-note"),
])
def test_log_refuses_a_rule_break_and_leaves_the_file_untouched(records, events, args, message):
    path = records.write(TICKET, ticket(*events))
    digest = sha256(path)
    result = ticket_log(records, "T-1", *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == REFUSED + message + "\n"
    assert sha256(path) == digest
    assert os.listdir(path.parent) == ["T-1.yaml"]  # no temporary file left behind


@pytest.mark.parametrize(("part", "why"), [
    ("BOLT-M8", "write it as PART:QTY, like BOLT-M8:2"),
    (":2", "write it as PART:QTY, like BOLT-M8:2"),
    ("BOLT-M8:", "write it as PART:QTY, like BOLT-M8:2"),
    ("BOLT-M8:x", "the quantity 'x' is not a number"),
    ("BOLT-M8:0", "the quantity must be more than 0, not 0"),
    ("BOLT-M8:-1", "the quantity must be more than 0, not -1"),
])
def test_a_malformed_part_is_a_usage_error(records, part, why):
    path = records.write(TICKET, ticket())
    digest = sha256(path)
    result = ticket_log(records, "T-1", "resolved", "--at", "2026-03-14 10:00", "--part", part)
    assert result.exit_code == 2
    assert result.stderr == f"Error: --part {part!r}: {why}\n"
    assert sha256(path) == digest


def test_an_unknown_part_is_a_usage_error_with_a_suggestion(records):
    path = records.write(TICKET, ticket())
    digest = sha256(path)
    result = ticket_log(records, "T-1", "resolved", "--at", "2026-03-14 10:00", "--part", "BOLT-M9:2")
    assert result.exit_code == 2
    assert result.stderr == "Error: no part 'BOLT-M9' (did you mean 'BOLT-M8'?)\n"
    assert sha256(path) == digest


@pytest.mark.parametrize(("args", "message"), [
    (["note", "--at", "yesterday"], "'yesterday' is not a time"),
    (["fixed", "--at", "2026-03-14 10:00"], "'fixed' is not one of"),
    (["resolved", "--at", "2026-03-14 10:00", "--cost", "-1"], "-1.0 is not in the range x>=0"),
    (["inspected", "--at", "2026-03-14 10:00", "--verdict", "maybe"], "'maybe' is not one of"),
])
def test_bad_option_values_are_usage_errors(records, args, message):
    path = records.write(TICKET, ticket())
    digest = sha256(path)
    result = ticket_log(records, "T-1", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert sha256(path) == digest


def test_reopened_after_cancelled_is_accepted(records):
    path = records.write(TICKET, ticket(REPORTED, event("10:00", "cancelled")))
    before = path.read_bytes()
    result = ticket_log(records, "T-1", "reopened", "--at", "2026-03-14 11:00", "--by", "cs-li")
    assert result.exit_code == 0, result.output
    assert result.stdout == "T-1: reopened at 2026-03-14 11:00; the ticket is open\n"
    assert path.read_bytes() == before + b"  - {at: 2026-03-14T11:00:00+08:00, type: reopened, by: cs-li}\n"


def test_a_full_service_is_logged_event_by_event(records):
    path = records.write(TICKET, ticket())
    steps = [
        (["assigned", "--at", "2026-03-14 09:20", "--to", "eng-zhang"], "open"),
        (["responded", "--at", "2026-03-14 09:40"], "open"),
        (["paused", "--at", "2026-03-14 10:00", "--reason", "等配件"], "open"),
        (["resumed", "--at", "2026-03-14 11:00"], "open"),
        (["workaround", "--at", "2026-03-14 11:10", "--until", "2026-03-16 17:00"], "open"),
        (["resolved", "--at", "2026-03-14 12:30", "--part", "BOLT-M8:2", "--cost", "0"], "resolved"),
        (["accepted", "--at", "2026-03-14 12:40"], "resolved"),
        (["callback", "--at", "2026-03-15 10:00", "--satisfaction", "5"], "resolved"),
    ]
    for args, status in steps:
        result = ticket_log(records, "T-1", *args)
        assert result.exit_code == 0, result.output
        assert result.stdout.endswith(f"the ticket is {status}\n")
    assert path.read_text("utf-8") == ticket(
        REPORTED,
        "{at: 2026-03-14T09:20:00+08:00, type: assigned, to: eng-zhang}",
        "{at: 2026-03-14T09:40:00+08:00, type: responded}",
        "{at: 2026-03-14T10:00:00+08:00, type: paused, reason: 等配件}",
        "{at: 2026-03-14T11:00:00+08:00, type: resumed}",
        "{at: 2026-03-14T11:10:00+08:00, type: workaround, until: 2026-03-16T17:00:00+08:00}",
        "{at: 2026-03-14T12:30:00+08:00, type: resolved, parts: [{part: BOLT-M8, qty: 2}], cost: 0}",
        "{at: 2026-03-14T12:40:00+08:00, type: accepted}",
        "{at: 2026-03-15T10:00:00+08:00, type: callback, satisfaction: 5}",
    )
    assert records.run().exit_code == 0


def test_an_event_at_the_same_time_as_the_last_is_allowed(records):
    path = records.write(TICKET, ticket())
    assert ticket_log(records, "T-1", "note", "--at", "2026-03-14 09:12", "--note", "同时").exit_code == 0
    assert path.read_text("utf-8").endswith("  - {at: 2026-03-14T09:12:00+08:00, type: note, note: 同时}\n")


def _two_tickets(records: Records) -> tuple[Path, Path]:
    return records.ticket("T-20260314-AAAAAA"), records.ticket("T-20260314-ABBBBB")


def test_log_accepts_a_unique_prefix_in_any_case(records):
    a, b = _two_tickets(records)
    before_a = a.read_bytes()
    result = ticket_log(records, "t-20260314-ab", "note", "--at", "2026-03-14 10:00", "--note", "n")
    assert result.exit_code == 0, result.output
    assert result.stdout == "T-20260314-ABBBBB: note at 2026-03-14 10:00; the ticket is open\n"
    assert a.read_bytes() == before_a
    assert b.read_text("utf-8").endswith("type: note, note: n}\n")


def test_an_ambiguous_prefix_lists_the_candidates(records):
    a, b = _two_tickets(records)
    digests = sha256(a), sha256(b)
    result = ticket_log(records, "T-20260314-A", "note", "--at", "2026-03-14 10:00")
    assert result.exit_code == 2
    assert result.stderr == ("Error: ticket 'T-20260314-A' is ambiguous: it could be "
                             "T-20260314-AAAAAA, T-20260314-ABBBBB\n")
    assert (sha256(a), sha256(b)) == digests


def test_an_unknown_ticket_is_a_usage_error(records):
    _two_tickets(records)
    result = ticket_log(records, "T-2025", "note", "--at", "2026-03-14 10:00")
    assert result.exit_code == 2
    assert result.stderr == "Error: no ticket 'T-2025'\n"


def test_a_note_with_a_carriage_return_reads_back_exactly_or_is_refused(records):
    path = records.write(TICKET, ticket())
    result = ticket_log(records, "T-1", "note", "--at", "2026-03-14 10:00", "--note", "电话确认\r")
    if result.exit_code == 0:
        assert load_ticket(records, "T-1").events[-1].note == "电话确认\r"
    else:
        assert path.read_text("utf-8") == ticket()


@pytest.mark.parametrize("text", [
    "plain", "扶手松动", "no", "yes", "null", "~", "0512", "1e3", "12:30", "2026-03-14", "- x", "? x", "a: b",
    "x #y", "'", '"', "a\\b", " lead", "trail ", "tab\tx", "line\nbreak", "=", "<<", "%x", "@x", "`x", "!x",
    "a\u2028b", "第3排, 12号", "[x]", "{x}",
    "a\rb",
    "a\x85b",
    "a\x07b",
])
def test_scalar_reads_back_as_exactly_the_text(text):
    value, _ = parse(f"k: {scalar(text)}\n".encode())
    assert value["k"] == text


# --- ticket list ----------------------------------------------------------------

LONG = "报告厅第三排座椅扶手松动并伴有异响，需尽快安排工程师上门检修更换"


@pytest.fixture
def listed(records) -> Records:
    """Four tickets whose id order differs from their report order."""
    records.asset("DESK-1", name="教师办公桌", category="desk", area="office")
    records.ticket("T-20260315-AAAAAA", event("03-15 10:00", "reported"), kind="inquiry", asset=None, summary=LONG,
                   area="office")
    records.ticket("T-20260314-BBBBBB", event("03-14 09:00", "reported"))
    records.ticket("T-20260313-CCCCCC", event("03-13 08:00", "reported"), event("03-13 10:00", "resolved"),
                   asset="DESK-1", summary="抽屉卡住")
    records.ticket("T-20260312-DDDDDD", event("03-12 08:00", "reported"), event("03-12 09:00", "cancelled"),
                   kind="complaint", asset=None, summary="投诉", area="lobby")
    assert records.run().exit_code == 0
    return records


def list_ids(records: Records, *args: str) -> list[str]:
    result = run("ticket", "list", "--records", str(records.root), "--at", "2026-03-20 12:00",
                 "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [row["id"] for row in json.loads(result.stdout)]


@pytest.mark.parametrize(("args", "expected"), [
    ([], ["T-20260314-BBBBBB", "T-20260315-AAAAAA"]),
    (["--all"], ["T-20260312-DDDDDD", "T-20260313-CCCCCC", "T-20260314-BBBBBB", "T-20260315-AAAAAA"]),
    (["--all", "--kind", "repair"], ["T-20260313-CCCCCC", "T-20260314-BBBBBB"]),
    (["--kind", "repair"], ["T-20260314-BBBBBB"]),
    (["--all", "--area", "office"], ["T-20260313-CCCCCC", "T-20260315-AAAAAA"]),
    (["--area", "lobby"], ["T-20260314-BBBBBB"]),
    (["--all", "--asset", "DESK-1"], ["T-20260313-CCCCCC"]),
    (["--status", "resolved"], ["T-20260313-CCCCCC"]),
    (["--status", "cancelled"], ["T-20260312-DDDDDD"]),
    (["--status", "open"], ["T-20260314-BBBBBB", "T-20260315-AAAAAA"]),
    (["--all", "--since", "2026-03-14"], ["T-20260314-BBBBBB", "T-20260315-AAAAAA"]),
    (["--since", "2026-03-15"], ["T-20260315-AAAAAA"]),
    (["--all", "--kind", "exchange"], []),
])
def test_list_filters_and_sorts_by_report_time(listed, args, expected):
    assert list_ids(listed, *args) == expected


def test_list_as_of_an_earlier_time_sees_the_tickets_as_they_stood(listed):
    # at 03-13 09:00 the resolved ticket was still open and the two later ones did not exist
    result = run("ticket", "list", "--records", str(listed.root), "--at", "2026-03-13 09:00", "--format", "json")
    assert [(r["id"], r["status"]) for r in json.loads(result.stdout)] == [("T-20260313-CCCCCC", "open")]


def test_list_json_rows(listed):
    result = run("ticket", "list", "--records", str(listed.root), "--at", "2026-03-20 12:00", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows[0] == {
        "id": "T-20260314-BBBBBB", "status": "open", "kind": "repair", "priority": "critical", "area": "lobby",
        "asset": "CHAIR-1", "reported": "2026-03-14T09:00:00+08:00", "age": 6 * 86400 + 3 * 3600,
        "next_deadline": "2026-03-14T11:00:00+08:00", "next_target": "response", "summary": "扶手松动"}
    assert list(rows[1]) == list(rows[0])
    assert rows[1]["summary"] == LONG  # never clipped in json


def test_list_csv_header_and_rows(listed):
    result = run("ticket", "list", "--records", str(listed.root), "--at", "2026-03-20 12:00", "--format", "csv")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "id,status,kind,priority,area,asset,reported,age,next_deadline,next_target,summary"
    assert lines[1] == ("T-20260314-BBBBBB,open,repair,critical,lobby,CHAIR-1,2026-03-14T09:00:00+08:00,529200,"
                        "2026-03-14T11:00:00+08:00,response,扶手松动")
    assert len(lines) == 3


def test_list_table_fits_80_columns_and_uses_a_wider_terminal(listed, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = run("ticket", "list", "--records", str(listed.root), "--at", "2026-03-20 12:00", "--all")
    assert result.exit_code == 0
    assert result.stdout == (
        "id                 status     priority  area   asset   age  deadline     summary\n"
        "-----------------  ---------  --------  -----  ------  ---  -----------  -------\n"
        "T-20260312-DDDDDD  cancelled  critical  lobby          8d                投诉\n"
        "T-20260313-CCCCCC  resolved   normal    offi…  DESK-1  7d                抽屉卡…\n"
        "T-20260314-BBBBBB  open       critical  lobby  CHAIR…  6d   !03-14 11:…  扶手松…\n"
        "T-20260315-AAAAAA  open       normal    offi…          5d                报告厅…\n")
    assert max(width(line) for line in result.stdout.splitlines()) == 80
    monkeypatch.setenv("COLUMNS", "200")
    wide = run("ticket", "list", "--records", str(listed.root), "--at", "2026-03-20 12:00").stdout.splitlines()
    assert wide == [   # all open: no status column; nothing cut
        "id                 priority  area    asset    age  deadline               summary",
        "-----------------  --------  ------  -------  ---  ---------------------  "
        "----------------------------------------------------------------",
        "T-20260314-BBBBBB  critical  lobby   CHAIR-1  6d   !03-14 11:00 response  扶手松动",
        "T-20260315-AAAAAA  normal    office           5d                          "
        "报告厅第三排座椅扶手松动并伴有异响，需尽快安排工程师上门检修更换"]


def test_list_with_nothing_to_show(records):
    result = run("ticket", "list", "--records", str(records.root), "--at", "2026-03-20 12:00")
    assert (result.exit_code, result.stdout) == (0, "no tickets match\n")


def test_list_refuses_records_that_do_not_validate(records):
    records.write(TICKET, ticket(REPORTED, event("09:00", "note")))
    result = run("ticket", "list", "--records", str(records.root))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the records do not validate (1 error); nothing was computed:\n")


# --- ticket show -------------------------------------------------------------------

def test_show_prints_fields_timeline_and_clocks(records):
    records.write(TICKET, ticket(
        "{at: 2026-03-14T09:12:00+08:00, type: reported, by: cs-li}",
        event("09:40", "responded", ", by: eng-zhang, note: 电话确认"),
        event("12:30", "resolved", ", parts: [{part: BOLT-M8, qty: 2}], cost: 0"),
        extra='reporter: {name: 王老师, phone: "13800001234"}\n'))
    result = run("ticket", "show", "--records", str(records.root), "T-1", "--at", "2026-03-14 13:00")
    assert result.exit_code == 0, result.output
    out = result.stdout
    head, rest = out.split("\nTimeline\n")
    timeline, clocks = rest.split("\nSLA clocks\n")
    assert head.splitlines() == [
        "T-1  扶手松动",
        "  status    resolved (as of 2026-03-14 13:00)",
        "  kind      repair",
        "  asset     CHAIR-1",
        "  area      lobby",
        "  priority  critical",
        "  severity  normal",
        "  reporter  王老师 13800001234",
        "  file      tickets/2026/T-1.yaml",
    ]
    assert timeline.splitlines() == [
        "  2026-03-14 09:12  reported    cs-li",
        "  2026-03-14 09:40  responded   eng-zhang  note: 电话确认",
        "  2026-03-14 12:30  resolved    parts: BOLT-M8 x2  cost 0",
    ]
    assert clocks.startswith("  response (cycle 1): MET\n")


def test_show_as_of_a_time_drops_later_events(records):
    records.write(TICKET, ticket(REPORTED, event("12:30", "resolved")))
    result = run("ticket", "show", "--records", str(records.root), "T", "--at", "2026-03-14 10:00")
    assert result.exit_code == 0, result.output
    assert "  status    open (as of 2026-03-14 10:00)\n" in result.stdout
    assert "resolved" not in result.stdout.split("Timeline")[1].split("SLA clocks")[0]


def test_show_before_the_report_and_unknown_ids(records):
    records.write(TICKET, ticket())
    early = run("ticket", "show", "--records", str(records.root), "T-1", "--at", "2026-03-14 09:00")
    assert early.exit_code == 2
    assert "T-1 was reported after 2026-03-14 09:00: it did not exist yet" in early.stderr
    unknown = run("ticket", "show", "--records", str(records.root), "T-9")
    assert (unknown.exit_code, unknown.stderr) == (2, "Error: no ticket 'T-9' (did you mean 'T-1'?)\n")


def test_what_open_writes_log_can_extend_and_yaml_reads(records):
    opened = ticket_open(records, "--kind", "repair", "--asset", "CHAIR", "--summary", "扶手: 松动 #2",
                         "--at", "2026-03-14 09:12", "--by", "cs-li")
    assert opened.exit_code == 0, opened.output
    ticket_id = opened.stdout.strip()
    assert ticket_log(records, ticket_id[:13], "responded", "--at", "2026-03-14 09:40").exit_code == 0
    data = yaml.load(only_ticket(records).read_text("utf-8"), Loader=yaml.BaseLoader)
    assert data["asset"] == "CHAIR-1"  # the prefix was resolved before writing
    assert data["summary"] == "扶手: 松动 #2"
    assert [e["type"] for e in data["events"]] == ["reported", "responded"]
    assert records.run().exit_code == 0


def test_list_an_unknown_area_is_a_usage_error(listed):
    result = run("ticket", "list", "--records", str(listed.root), "--area", "lobi")
    assert result.exit_code == 2
    assert "no area 'lobi'; areas are" in result.output


def test_list_marks_a_deadline_that_has_passed(listed):
    result = run("ticket", "list", "--records", str(listed.root), "--at", "2026-03-20 12:00")
    late = [line for line in result.output.splitlines() if line.startswith("T-20260314-BBBBBB")]
    assert late and " !03-" in late[0], result.output


def test_a_part_may_be_named_by_a_unique_prefix(records):
    path = records.write(TICKET, ticket())
    result = ticket_log(records, "T-1", "resolved", "--at", "2026-03-14 12:00", "--part", "bolt:2")
    assert result.exit_code == 0, result.output
    assert "parts: [{part: BOLT-M8, qty: 2}]" in path.read_text("utf-8")


# --- late entries ----------------------------------------------------------------------------

NOW = dt.datetime(2026, 3, 14, 15, 5, tzinfo=SHANGHAI)


@pytest.fixture
def frozen_now(records, monkeypatch):
    """The writers' clock reads 2026-03-14 15:05 (Shanghai), and lateness counts from 15 minutes."""
    from aftersales.edit import tickets
    monkeypatch.setattr(tickets.Folder, "now", lambda self: NOW)
    records.edit("aftersales.yaml", "late_after: 3650d", "late_after: 15m")


def test_a_forgotten_event_is_appended_as_a_late_entry_with_logged(records, frozen_now):
    path = records.write(TICKET, ticket(REPORTED, event("12:30", "resolved", ", cost: 0")))
    before = path.read_bytes()
    result = ticket_log(records, "T-1", "arrived", "--at", "2026-03-14 11:55", "--by", "eng-zhang")
    assert result.exit_code == 0, result.output
    assert result.stdout == "T-1: arrived at 2026-03-14 11:55; the ticket is resolved\n"
    added = path.read_bytes()[len(before):].decode("utf-8")
    assert path.read_bytes().startswith(before)   # the diff is one added line
    assert added == ("  - {at: 2026-03-14T11:55:00+08:00, type: arrived, by: eng-zhang, "
                     "logged: 2026-03-14T15:05:00+08:00}\n")
    assert [e.type for e in load_ticket(records, "T-1").events] == ["reported", "arrived", "resolved"]


def test_an_event_logged_within_late_after_of_its_time_is_not_late(records, frozen_now):
    path = records.write(TICKET, ticket())
    assert ticket_log(records, "T-1", "responded", "--at", "2026-03-14 14:50").exit_code == 0   # 15 min
    assert path.read_text(encoding="utf-8").endswith("{at: 2026-03-14T14:50:00+08:00, type: responded}\n")
    assert ticket_log(records, "T-1", "arrived", "--at", "2026-03-14 14:49").exit_code == 0    # 16 min
    assert path.read_text(encoding="utf-8").endswith(
        "{at: 2026-03-14T14:49:00+08:00, type: arrived, logged: 2026-03-14T15:05:00+08:00}\n")


def test_late_after_is_a_setting(records, frozen_now):
    records.edit("aftersales.yaml", "late_after: 15m", "late_after: 1h")
    path = records.write(TICKET, ticket())
    assert ticket_log(records, "T-1", "responded", "--at", "2026-03-14 14:10").exit_code == 0   # 55 min
    assert path.read_text(encoding="utf-8").endswith("{at: 2026-03-14T14:10:00+08:00, type: responded}\n")


def test_ticket_show_marks_late_entries(records, frozen_now):
    records.write(TICKET, ticket(REPORTED, event("12:30", "resolved")))
    assert ticket_log(records, "T-1", "arrived", "--at", "2026-03-14 11:55", "--by", "eng-zhang").exit_code == 0
    shown = run("ticket", "show", "T-1", "--records", str(records.root), "--at", "2026-03-14 16:00").stdout
    assert "  2026-03-14 11:55  arrived     eng-zhang  (logged 3h 10m later)\n" in shown
