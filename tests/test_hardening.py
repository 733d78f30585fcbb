"""Defects found by trying the toolkit as an attacker and as a new user: each test failed
before its fix (files, special files, output paths, text that attacks terminals and
spreadsheets)."""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import os
import subprocess
import sys
import time

import pytest
from conftest import TICKET, Records, event, run, ticket, ticket_yaml


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def log(records: Records, *args: str):
    return run("ticket", "log", "--records", str(records.root), *args)


# --- temporary files of killed writes -------------------------------------------------

def test_a_stale_temporary_file_is_removed_by_the_next_write_and_a_live_one_kept(records):
    path = records.write(TICKET, ticket())
    folder = path.parent
    stale = folder / ".T-1.yaml.dead0001.aftersales-tmp"
    live = folder / ".T-1.yaml.live0002.aftersales-tmp"
    young = folder / ".T-1.yaml.new00003.aftersales-tmp"
    for temp in (stale, live, young):
        temp.write_bytes(b"half a ticket")
    old = time.time() - 120
    os.utime(stale, (old, old))
    os.utime(live, (old, old))
    with open(live, "rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)   # a writer still at work
        assert log(records, "T-1", "note", "--at", "2026-03-14 10:00").exit_code == 0
    assert not stale.exists()
    assert live.exists() and young.exists()
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["T-1.yaml"]


def test_temporary_files_are_ignored_by_git_and_by_validate(records, tmp_path):
    result = run("init", str(tmp_path / "new"))
    assert result.exit_code == 0, result.output
    assert "*.aftersales-tmp" in (tmp_path / "new" / ".gitignore").read_text(encoding="utf-8").splitlines()
    records.write(TICKET, ticket())
    (records.root / "tickets/2026/.T-1.yaml.0001beef.aftersales-tmp").write_bytes(b"x")
    result = records.run()
    assert result.exit_code == 0 and "stray-file" not in result.stdout


def test_a_write_never_leaves_its_temporary_file(records):
    records.write(TICKET, ticket())
    assert log(records, "T-1", "responded", "--at", "2026-03-14 10:00").exit_code == 0
    assert log(records, "T-1", "note", "--at", "2026-03-14 09:00").exit_code == 1   # refused
    assert [p.name for p in (records.root / "tickets/2026").iterdir()] == ["T-1.yaml"]


# --- special files and links ------------------------------------------------------------

@pytest.mark.slow
def test_a_fifo_named_like_a_record_is_reported_not_waited_for(records):
    records.write(TICKET, ticket())
    os.mkfifo(records.root / "tickets/2026/T-2.yaml")
    done = subprocess.run([sys.executable, "-m", "aftersales", "validate", "--records", str(records.root)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "tickets/2026/T-2.yaml:1:1: error[unreadable]: cannot read the file: not a regular file" in done.stdout


def test_ticket_log_does_not_follow_a_link_out_of_the_records(records, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(ticket_yaml("T-9"), encoding="utf-8")
    before = sha(outside)
    link = records.root / "tickets/2026/T-9.yaml"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    result = log(records, "T-9", "note", "--at", "2026-03-14 10:00")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: refused, nothing was written: tickets/2026/T-9.yaml: it links to ")
    assert "outside the records folder" in result.stderr
    assert sha(outside) == before and link.is_symlink()


# --- output paths --------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["aftersales.yaml", "tickets/2026/T-1.yaml", "assets/report.md",
                                    "tickets/", "parts/x.md"])
def test_report_output_never_lands_in_the_records(records, target):
    records.write(TICKET, ticket())
    before = {p: sha(p) for p in records.root.rglob("*.yaml")}
    result = run("report", "quarterly", "--period", "2026Q1", "--records", str(records.root), "--at", "2026-04-01",
                 "-o", str(records.root / target))
    assert result.exit_code == 2
    assert "refused to write" in result.stderr and "write reports and schemas outside" in result.stderr
    assert {p: sha(p) for p in records.root.rglob("*.yaml")} == before
    assert not (records.root / "assets/report.md").exists()


def test_schema_output_never_lands_in_a_record_folder(records):
    result = run("schema", "-o", str(records.root / "tickets"))
    assert result.exit_code == 2 and "refused to write" in result.stderr
    assert not list((records.root / "tickets").glob("*.json"))
    assert run("schema", "-o", str(records.root / "schemas")).exit_code == 0   # beside them is fine


# --- text that attacks terminals and spreadsheets -----------------------------------------

EVIL = "=HYPERLINK(\"http://x\")"


def test_csv_cells_a_spreadsheet_would_run_are_neutralised_and_json_is_not(records):
    records.ticket("T-1", summary=f"'{EVIL}'")
    for n, start in enumerate(("+1", "-1", "@SUM(A1)", "\tx"), 2):
        records.ticket(f"T-{n}", summary=json.dumps(start))
    at = ("--records", str(records.root), "--at", "2026-03-15")
    rows = list(csv.DictReader(io.StringIO(run("ticket", "list", *at, "--format", "csv").stdout)))
    assert sorted(r["summary"] for r in rows) == sorted(["'" + EVIL, "'+1", "'-1", "'@SUM(A1)", "'\tx"])
    data = json.loads(run("ticket", "list", *at, "--format", "json").stdout)
    assert sorted(r["summary"] for r in data) == sorted([EVIL, "+1", "-1", "@SUM(A1)", "\tx"])


def test_escape_sequences_are_shown_not_obeyed(records):
    records.asset("CHAIR-1", name='"报告厅\\e[5m剧院椅"', location='"第\\e[2J3排"')
    records.ticket("T-1", event("09:12", "reported", note='"\\e]0;pwned\\a\\e[2J"'), summary='"扶手\\e[31m松动"')
    at = ("--records", str(records.root), "--at", "2026-03-15")
    for args in (("ticket", "show", "T-1"), ("ticket", "list"), ("asset", "show", "CHAIR-1")):
        out = run(*args, *at).stdout
        assert "\x1b" not in out and "\x07" not in out, args
    assert "报告厅\\x1b[5m剧院椅" in run("asset", "show", "CHAIR-1", *at).stdout
    shown = run("ticket", "show", "T-1", *at).stdout
    assert "扶手\\x1b[31m松动" in shown and "\\x1b]0;pwned\\x07\\x1b[2J" in shown


def test_writes_past_the_rename_finish_quietly(records):
    """After the rename, a Ctrl-C cannot turn a saved change into a reported failure."""
    records.write(TICKET, ticket())
    script = ("import signal, sys\n"
              "from pathlib import Path\n"
              "from aftersales.store import fileio\n"
              "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
              "fileio.finish_quietly_after_commits()\n"
              "fileio.write_atomic(Path(sys.argv[1]), b'x: 1\\n')\n"
              "print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)\n")
    done = subprocess.run([sys.executable, "-c", script, str(records.root / "scratch.yaml")],
                          capture_output=True, text=True, check=True)
    assert done.stdout == "True\n"


# --- templates from the records folder --------------------------------------------------------

@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch pwned').read() }}",
    "{{ r.__class__ }}",
    "{% set x = r.tickets.update({'opened': 0}) %}{{ x }}",
])
def test_a_template_in_the_records_cannot_run_code(records, tmp_path, monkeypatch, payload):
    records.write("templates/quarterly.md.j2", payload + "\n")
    monkeypatch.chdir(tmp_path)
    result = run("report", "quarterly", "--period", "2026Q1", "--records", str(records.root), "--at", "2026-04-01")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: template quarterly.md.j2 was refused: ")
    assert "they cannot reach Python's internals" in result.stderr
    assert not (tmp_path / "pwned").exists() and not (records.root / "pwned").exists()


def test_a_template_in_the_records_still_lays_out_the_numbers(records):
    records.write("templates/quarterly.md.j2", "{% extends 'builtin/quarterly.md.j2' %}"
                                              "{% block header %}# 某家具公司 · {{ r.period.name }}\n{% endblock %}")
    result = run("report", "quarterly", "--period", "2026Q1", "--records", str(records.root), "--at", "2026-04-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# 某家具公司 · 2026Q1\n")


# --- bounded messages ----------------------------------------------------------------------------

def test_a_huge_value_is_cut_in_the_message(records):
    records.write(TICKET, ticket().replace("summary: 扶手松动", "summary: 扶手松动\nseverity: " + "x" * 900_000))
    result = records.run()
    assert result.exit_code == 1
    line = result.stdout.splitlines()[0]
    assert line.startswith(f"{TICKET}:5:11: error[value]: severity: 'xxxx")
    assert len(line) < 400 and "…" in line and "is not one of emergency, urgent, normal" in line


def test_ticket_log_refuses_a_file_whose_id_is_not_its_name(records):
    path = records.write("tickets/2026/T-2.yaml", ticket())   # holds `id: T-1`
    before = sha(path)
    result = log(records, "T-2", "note", "--at", "2026-03-14 10:00")
    assert result.exit_code == 1
    assert "id 'T-1' does not match the file name T-2.yaml" in result.stderr
    assert sha(path) == before
