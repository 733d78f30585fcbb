"""Parallel writers: real processes racing on one records folder lose nothing and break nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import INSPECTION, TICKET, Records, ticket

from aftersales.store.load import load

pytestmark = pytest.mark.slow  # each test starts 20 processes at once

N = 20

# `python -m aftersales ARGS`, but only once every process is ready: start-up takes longer than the
# write itself, so without this start line the processes would mostly run one after the other.
AT_THE_START_LINE = """\
import pathlib, runpy, sys, time
import aftersales.cli
start, ready = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
ready.touch()
while not start.exists():
    time.sleep(0.001)
sys.argv = ["aftersales", *sys.argv[3:]]
runpy.run_module("aftersales", run_name="__main__", alter_sys=True)
"""


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("AFTERSALES_RECORDS", None)
    return env


def aftersales(records: Records, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aftersales", *args, "--records", str(records.root)],
                          capture_output=True, text=True, encoding="utf-8", env=_env(), timeout=60, check=False,
                          cwd=records.root)


def in_parallel(records: Records, commands: list[list[str]], tmp: Path) -> list[subprocess.CompletedProcess[str]]:
    """Run `aftersales COMMAND --records ROOT` for every command at once, all let go together."""
    start = tmp / "start"
    ready = [tmp / f"ready-{i}" for i in range(len(commands))]
    procs = [subprocess.Popen([sys.executable, "-c", AT_THE_START_LINE, str(start), str(ready[i]), *args,
                               "--records", str(records.root)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                              env=_env(), cwd=tmp)
             for i, args in enumerate(commands)]
    try:
        deadline = time.monotonic() + 30
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.01)
        start.touch()
        with ThreadPoolExecutor(max_workers=len(procs)) as pool:
            outputs = list(pool.map(lambda p: p.communicate(timeout=60), procs))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    return [subprocess.CompletedProcess(p.args, p.returncode, out, err)
            for p, (out, err) in zip(procs, outputs, strict=True)]


def no_temporary_files(root: Path) -> bool:
    return not [p for p in (root / "tickets").rglob("*") if p.name.endswith(".aftersales-tmp")]


def test_parallel_opens_make_distinct_valid_tickets(records, tmp_path):
    done = in_parallel(records, [
        ["ticket", "open", "--kind", "repair", "--asset", "CHAIR-1", "--summary", f"扶手松动 {i}",
         "--at", "2026-03-14 09:12", "--by", f"cs-{i}"]
        for i in range(N)], tmp_path)
    assert [d.returncode for d in done] == [0] * N, [d.stderr for d in done if d.returncode]
    opened = [d.stdout.strip() for d in done]
    assert len(set(opened)) == N
    files = sorted(p.stem for p in (records.root / "tickets" / "2026").glob("*.yaml"))
    assert files == sorted(opened)
    assert no_temporary_files(records.root)
    valid = aftersales(records, "validate")
    assert valid.returncode == 0, valid.stdout
    assert valid.stdout == f"ok: 1 asset, {N} tickets, 0 inspections, 1 part, no problems\n"
    summaries = {t.summary for t in load(records.root).tickets.values()}
    assert summaries == {f"扶手松动 {i}" for i in range(N)}


def test_parallel_logs_on_one_ticket_lose_no_event(records, tmp_path):
    path = records.write(TICKET, ticket())
    before = path.read_bytes()
    # the order of parallel writers is unknown: one time for all (equal times are allowed)
    done = in_parallel(records, [
        ["ticket", "log", "T-1", "note", "--note", f"n{i}", "--at", "2026-03-14 10:00"] for i in range(N)], tmp_path)
    assert [d.returncode for d in done] == [0] * N, [d.stderr for d in done if d.returncode]
    after = path.read_bytes()
    assert after.startswith(before)
    added = after[len(before):].decode("utf-8").splitlines()
    assert sorted(added) == sorted(
        f"  - {{at: 2026-03-14T10:00:00+08:00, type: note, note: n{i}}}" for i in range(N))
    assert no_temporary_files(records.root)
    valid = aftersales(records, "validate")
    assert valid.returncode == 0, valid.stdout
    events = load(records.root).tickets["T-1"].events
    assert len(events) == N + 1
    assert sorted(e.note for e in events[1:]) == sorted(f"n{i}" for i in range(N))


def test_parallel_logs_at_the_default_time_are_all_taken_in_order(records, tmp_path):
    """Without --at the time is read once the ticket is locked: writers queued on one ticket
    each log `now` after the one before, so none is refused as earlier than the last event."""
    path = records.write(TICKET, ticket())
    done = in_parallel(records, [["ticket", "log", "T-1", "note", "--note", f"n{i}"] for i in range(N)], tmp_path)
    assert [d.returncode for d in done] == [0] * N, [d.stderr for d in done if d.returncode]
    events = load(records.root).tickets["T-1"].events
    assert sorted(e.note for e in events[1:]) == sorted(f"n{i}" for i in range(N))
    assert [e.at for e in events[1:]] == sorted(e.at for e in events[1:])
    assert path.read_text(encoding="utf-8").count("type: note") == N


def test_parallel_findings_that_open_tickets_all_land(records, tmp_path):
    """Each writer reads the other records' names once it holds the inspection's lock, so a
    finding linked to a ticket another writer opened a moment ago is no false 'does not validate'."""
    records.write("inspections/2026/INS-1.yaml", INSPECTION)
    done = in_parallel(records, [
        ["inspection", "finding", "INS-1", "--asset", "CHAIR-1", "--problem", f"问题 {i}", "--open-ticket",
         "--at", "2026-03-27 16:00"] for i in range(N)], tmp_path)
    assert [d.returncode for d in done] == [0] * N, [d.stderr for d in done if d.returncode]
    loaded = load(records.root)
    findings = loaded.inspections["INS-1"].findings
    assert sorted(f.problem for f in findings[1:]) == sorted(f"问题 {i}" for i in range(N))
    assert len({f.id for f in findings}) == N + 1
    assert {f.ticket for f in findings[1:]} == set(loaded.tickets)
    valid = aftersales(records, "validate")
    assert valid.returncode == 0, valid.stdout
