"""What the quarterly report counts of its tickets is kept a bucket of tickets at a time
(`engine.buckets`): a run reads back the buckets whose tickets' files did not change and counts
only the others, and the tickets with a clock that may still be met; whatever the cache holds,
the report is the one a run without the cache gives."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest
from conftest import event, run

from aftersales.engine import buckets, kpis
from aftersales.store import cache


def _age(root: Path) -> None:
    """Files changed an hour ago (a file changed in the last seconds is never kept)."""
    when = time.time() - 3600
    for path in [root] if root.is_file() else root.rglob("*.yaml"):
        os.utime(path, (when, when))


@pytest.fixture
def quarter(records, tmp_path, monkeypatch):
    """38 tickets of 2026Q1: answered in time, late, or not at all (their response clock still
    running, long past its deadline), some fixed and called back; and one reported on 2026-03-30
    whose response is due at 11:00 and whose fix comes on 2026-04-02."""
    for i in range(2, 40):
        day = f"2026-0{1 + i % 3}-{i % 27 + 1:02d}"
        answer = [] if i % 4 == 0 else [event(f"{day} {'09:30' if i % 4 == 1 else '15:00'}", "responded")]
        fixed = [event(f"{day} 16:00", "resolved", cost=i)] if i % 4 > 1 else []
        records.ticket(f"T-{i}", event(f"{day} 09:00", "reported"), *answer, *fixed,
                       *([event(f"{day} 17:00", "callback", satisfaction=1 + i % 5)] if fixed else []))
    records.ticket("T-99", event("2026-03-30 09:00", "reported"), event("2026-04-02 10:00", "responded"))
    _age(records.root)
    monkeypatch.setenv("AFTERSALES_CACHE_DIR", str(tmp_path / "cache"))
    return records


def _report(records, at: str, fmt: str = "json", period: str = "2026Q1", cache_on: bool = True) -> str:
    env = os.environ
    saved = env.get("AFTERSALES_CACHE")
    if cache_on:
        env.pop("AFTERSALES_CACHE", None)
    else:
        env["AFTERSALES_CACHE"] = "off"
    try:
        result = run("report", "quarterly", "--period", period, "--format", fmt, "--at", at,
                     "--records", str(records.root))
    finally:
        env.pop("AFTERSALES_CACHE", None)
        if saved is not None:
            env["AFTERSALES_CACHE"] = saved
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def counted(monkeypatch):
    """The tickets each run counts (instead of reading their bucket back), by group."""
    seen: list[tuple[int, str]] = []
    real = kpis._count

    def spy(records, periods, at, write, groups):
        seen.extend((bucket, ident) for bucket, ids in groups for ident in ids)
        return real(records, periods, at, write, groups)
    monkeypatch.setattr(kpis, "_count", spy)
    return seen


def _same(records, counted, at: str, fmt: str = "json", period: str = "2026Q1") -> list[tuple[int, str]]:
    """The report with the cache is the one without; the tickets it counted."""
    expected = _report(records, at, fmt, period, cache_on=False)
    counted.clear()
    assert _report(records, at, fmt, period) == expected
    return list(counted)


def _rows(tmp_path: Path) -> list[tuple[str, int, bytes]]:
    [path] = (tmp_path / "cache").glob("records-*.sqlite3")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT scope, bucket, value FROM buckets ORDER BY scope, bucket").fetchall()


def test_a_warm_report_reads_its_buckets_back(quarter, counted, tmp_path):
    expected = _report(quarter, "2026-05-01", cache_on=False)
    report = json.loads(expected)
    assert report["tickets"]["opened"] == 39 and sum(b["still_open"] for b in report["breaches"]) == 9
    counted.clear()
    assert _report(quarter, "2026-05-01") == expected   # cold: every bucket counted, and kept
    assert len(counted) == 39
    kept = _rows(tmp_path)
    assert len(kept) == len({buckets.bucket_of(f"T-{i}") for i in (*range(2, 40), 99)})
    counted.clear()
    assert _report(quarter, "2026-05-01") == expected   # warm: nothing counted again
    assert counted == []


def test_a_changed_ticket_has_its_bucket_alone_counted_again(quarter, counted):
    _report(quarter, "2026-05-01")
    quarter.edit("tickets/2026/T-7.yaml", "cost: 7", "cost: 70")
    _age(quarter.root / "tickets/2026/T-7.yaml")
    bucket = buckets.bucket_of("T-7")
    assert {ident for _, ident in _same(quarter, counted, "2026-05-01")} == {f"T-{i}" for i in (*range(2, 40), 99)
                                               if buckets.bucket_of(f"T-{i}") == bucket}


def test_overdue_clocks_are_late_by_each_run_s_instant(quarter, counted):
    """A kept bucket holds while no event of its tickets is after the instant and its clocks that
    still run are past their deadlines: by how much they are late is worked out on each run."""
    assert len(_same(quarter, counted, "2026-05-01")) == 39
    assert _same(quarter, counted, "2026-06-15 08:00") == []
    assert _same(quarter, counted, "2026-05-01") == []
    lates = [b["over_minutes"] for b in json.loads(_report(quarter, "2026-06-15 08:00"))["breaches"]
             if b["still_open"]]
    assert lates != [b["over_minutes"] for b in json.loads(_report(quarter, "2026-05-01"))["breaches"]
                     if b["still_open"]]


def test_a_bucket_is_counted_again_before_its_deadlines_and_events(quarter, counted):
    """As of an instant before one of its tickets' events, or before the deadline of one of its
    running clocks, a bucket is counted again, and what was kept of it for later instants stays."""
    quarter.ticket("T-98", event("2026-03-30 09:00", "reported"))   # never answered
    _age(quarter.root / "tickets/2026/T-98.yaml")

    def bucket(of: str) -> set[str]:
        return {i for i in (f"T-{n}" for n in (*range(2, 40), 98, 99)) if buckets.bucket_of(i) == buckets.bucket_of(of)}
    assert bucket("T-98") != bucket("T-99") and len(bucket("T-98")) > 1
    assert _same(quarter, counted, "2026-05-01")   # T-98's response overdue: kept with its bucket
    # before T-98's deadline: its bucket counted again, and T-99's (answered after); as often as asked
    for _ in range(2):
        again = _same(quarter, counted, "2026-03-30 09:05")
        assert sorted(ident for _, ident in again) == sorted(bucket("T-98") | bucket("T-99"))
    assert _same(quarter, counted, "2026-05-01") == []   # what was kept for later instants holds


def test_a_damaged_bucket_is_counted_again_and_kept_again(quarter, counted, tmp_path):
    expected = _report(quarter, "2026-05-01")
    [path] = (tmp_path / "cache").glob("records-*.sqlite3")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE buckets SET value = substr(value, 1, length(value) / 2)")
    counted.clear()
    assert _report(quarter, "2026-05-01") == expected
    assert len(counted) == 39
    assert all(cache.decode(value) for _, _, value in _rows(tmp_path))


def test_each_format_and_period_is_kept_apart_and_old_ones_dropped(quarter, counted, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "SCOPES_KEPT", 2)
    for fmt, period in (("json", "2026Q1"), ("md", "2026Q1"), ("json", "2026Q2")):
        assert _same(quarter, counted, "2026-07-01", fmt, period)
    assert len({scope for scope, _, _ in _rows(tmp_path)}) == 2
    assert _same(quarter, counted, "2026-07-01", "md") == []   # the report in Markdown was among the two kept
    assert _same(quarter, counted, "2026-07-01", "json")   # the first dropped


def test_files_changed_in_the_last_seconds_are_not_kept(records, tmp_path, monkeypatch):
    records.ticket("T-2", event("2026-02-02 09:00", "reported"))
    monkeypatch.setenv("AFTERSALES_CACHE_DIR", str(tmp_path / "cache"))
    assert _report(records, "2026-05-01") == _report(records, "2026-05-01", cache_on=False)
    assert _rows(tmp_path) == []


def test_nothing_is_kept_while_the_settings_changed_in_the_last_seconds(quarter, tmp_path):
    """A settings, asset or part file changed in the last two seconds may change again within the
    same modification time, its identity unchanged: nothing is kept under it (no bucket, no
    ticket's cycles or checks) until it is older."""
    quarter.settings()   # written again: just now
    assert _report(quarter, "2026-05-01") == _report(quarter, "2026-05-01", cache_on=False)
    assert run("validate", "--records", str(quarter.root), "--at", "2026-05-01").exit_code == 0
    [path] = (tmp_path / "cache").glob("records-*.sqlite3")

    def kept() -> tuple[int, int, int]:
        with sqlite3.connect(path) as db:
            return (db.execute("SELECT count(*) FROM buckets").fetchone()[0],
                    *db.execute("SELECT count(cycles_context), count(checked_context) FROM files").fetchone())
    assert kept() == (0, 0, 0)
    _age(quarter.root / "aftersales.yaml")
    _report(quarter, "2026-05-01")
    assert run("validate", "--records", str(quarter.root), "--at", "2026-05-01").exit_code == 0
    tickets = [f"T-{i}" for i in (*range(2, 40), 99)]
    assert kept() == (len({buckets.bucket_of(ident) for ident in tickets}), len(tickets), len(tickets))


def test_tied_promises_are_listed_in_one_order():
    """2h and 120m allow the same time: they are listed in one order whatever order the clocks
    came in (a kept bucket's tallies are added before those counted)."""
    promised = [(120, "m", "always"), (2, "h", "always"), (1, "d", "always"), (24, "h", "always")]
    orders = {tuple(p["within"] for p in kpis._clock_numbers(kpis.Tally(promised=ordered))["promised"])
              for ordered in (promised, promised[::-1], promised[1:] + promised[:1])}
    assert orders == {("2h", "120m", "1d", "24h")}   # the larger unit first
