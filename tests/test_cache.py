"""The record cache: a file whose identity (size, mtime, ctime, inode) is unchanged is not parsed
again; anything else (a changed file, changed code, a corrupt or foreign cache, the cache turned
off) falls back to parsing."""

from __future__ import annotations

import contextlib
import json
import os
import time

import pytest

from aftersales.store import cache, reading, yamlio
from aftersales.store import load as store


@pytest.fixture
def parses(monkeypatch):
    """Count the files parsed (the cache's whole point is to skip this)."""
    from aftersales.store import preset
    preset.dictionary()   # its made-up ticket is parsed once in a process: not a file
    count = {"n": 0}
    real = yamlio.parse

    def counting(data):
        count["n"] += 1
        return real(data)

    monkeypatch.setattr(reading, "parse", counting)
    return count


@pytest.fixture
def old_records(records, tmp_path, monkeypatch):
    """A records folder whose files were last changed an hour ago (not 'racy'), with its own cache."""
    monkeypatch.setenv("AFTERSALES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("AFTERSALES_CACHE", raising=False)
    records.ticket("T-1")
    hour_ago = time.time() - 3600
    for path in records.root.rglob("*.yaml"):
        os.utime(path, (hour_ago, hour_ago))
    return records


def test_a_second_load_parses_nothing_and_gives_the_same_records(old_records, parses):
    first = store.load(old_records.root)
    files = parses["n"]
    second = store.load(old_records.root)
    assert files == len(list(old_records.root.rglob("*.yaml")))   # each file once
    assert parses["n"] == files            # nothing parsed the second time
    assert second.records() == first.records()
    assert second.problems == first.problems


def test_a_changed_file_is_parsed_again(old_records, parses):
    store.load(old_records.root)
    before = parses["n"]
    old_records.asset(name="新报告厅剧院椅")
    loaded = store.load(old_records.root)
    assert parses["n"] == before + 1
    assert loaded.assets["CHAIR-1"].name.startswith("新")


def test_a_corrupt_cache_is_rebuilt_not_trusted(old_records, parses):
    store.load(old_records.root)
    path = cache.cache_path(old_records.root)
    path.write_bytes(b"not a database" * 100)
    before = parses["n"]
    loaded = store.load(old_records.root)
    files = len(list(old_records.root.rglob("*.yaml")))
    assert parses["n"] == before + files
    assert "CHAIR-1" in loaded.assets
    store.load(old_records.root)
    assert parses["n"] == before + files   # rebuilt by the previous run


def test_the_cache_lives_outside_the_records_folder(old_records, tmp_path):
    store.load(old_records.root)
    path = cache.cache_path(old_records.root)
    assert path.exists() and path.is_relative_to(tmp_path / "cache")
    assert not path.is_relative_to(old_records.root)


def test_it_can_be_turned_off(old_records, parses, monkeypatch):
    monkeypatch.setenv("AFTERSALES_CACHE", "off")
    store.load(old_records.root)
    store.load(old_records.root)
    assert parses["n"] == 2 * len(list(old_records.root.rglob("*.yaml")))
    assert not cache.cache_path(old_records.root).exists()


def test_files_changed_within_the_last_seconds_are_not_cached(records, tmp_path, monkeypatch, parses):
    monkeypatch.setenv("AFTERSALES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("AFTERSALES_CACHE", raising=False)
    monkeypatch.setattr(cache, "RACY_SECONDS", 3600)  # "just now", however slow the machine running the test
    store.load(records.root)               # the files were written just now: one mtime tick may hide a change
    store.load(records.root)
    assert parses["n"] == 2 * len(list(records.root.rglob("*.yaml")))


def test_an_edit_that_keeps_size_and_mtime_is_noticed(old_records, parses):
    store.load(old_records.root)
    before = parses["n"]
    path = old_records.root / "assets/CHAIR-1.yaml"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("报告厅剧院椅", "报告厅座椅子"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))   # same size, the old mtime restored
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    loaded = store.load(old_records.root)
    assert parses["n"] == before + 1       # its ctime changed
    assert loaded.assets["CHAIR-1"].name == "报告厅座椅子"


def test_a_change_to_the_code_that_reads_files_makes_every_entry_stale(old_records, parses, monkeypatch):
    store.load(old_records.root)
    before = parses["n"]
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "a new rule")
    store.load(old_records.root)
    assert parses["n"] == before + len(list(old_records.root.rglob("*.yaml")))


def test_the_code_fingerprint_changes_with_any_byte_of_the_reading_code(tmp_path):
    import shutil
    from pathlib import Path

    package = Path(cache.__file__).resolve().parent.parent
    for sub in cache.READING_CODE:
        shutil.copytree(package / sub, tmp_path / sub)
    assert cache.fingerprint(tmp_path, cache.READING_CODE) == cache.code_fingerprint()
    spec = tmp_path / "store" / "spec.py"
    spec.write_text(spec.read_text(encoding="utf-8") + "# a new rule\n", encoding="utf-8")
    assert cache.fingerprint(tmp_path, cache.READING_CODE) != cache.code_fingerprint()


def _files(records):
    return len(list(records.root.rglob("*.yaml")))


def test_a_truncated_cache_is_rebuilt(old_records, parses):
    for i in range(30):
        old_records.ticket(f"T-{i + 2}")
    _aged(old_records)
    first = store.load(old_records.root)
    path = cache.cache_path(old_records.root)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = parses["n"]
    again = store.load(old_records.root)
    assert again.records() == first.records() and again.problems == first.problems
    assert before < parses["n"] <= before + _files(old_records)
    after = parses["n"]
    store.load(old_records.root)
    assert parses["n"] == after   # whatever was read again was stored again


def test_a_damaged_row_is_read_again_from_its_file(old_records, parses):
    import sqlite3

    first = store.load(old_records.root)
    with sqlite3.connect(cache.cache_path(old_records.root)) as db:
        db.execute("UPDATE blobs SET payload = ? WHERE rel = 'assets/CHAIR-1.yaml'", (b"garbage",))
        db.execute("DELETE FROM snapshot")   # every row is read, the damaged one with them
    before = parses["n"]
    again = store.load(old_records.root)
    assert parses["n"] == before + 1
    assert again.records() == first.records()


def _cache_table(root, sql):
    import sqlite3

    with sqlite3.connect(cache.cache_path(root)) as db:
        return db.execute(sql).fetchall()


def test_a_warm_run_reads_one_snapshot_and_no_row(old_records, parses, monkeypatch):
    first = store.load(old_records.root)
    assert _cache_table(old_records.root, "SELECT count(*) FROM snapshot") == [(1,)]
    assert _cache_table(old_records.root, "SELECT rel FROM dirty") == []
    monkeypatch.setattr(cache.RecordCache, "lookup", lambda *a, **k: pytest.fail("read every row"))
    monkeypatch.setattr(cache.RecordCache, "_rows", lambda *a, **k: pytest.fail("read a row"))
    before = parses["n"]
    again = store.load(old_records.root)
    assert parses["n"] == before
    assert again.records() == first.records() and again.problems == first.problems
    assert {rel: kept for rel, kept in again.checked.items() if kept is not None} == first.checked


def test_after_a_change_the_snapshot_is_mended_with_the_rows_changed_since(old_records, parses, monkeypatch):
    old_records.ticket("T-2")
    hour_ago = time.time() - 3600
    for path in old_records.root.rglob("*.yaml"):
        os.utime(path, (hour_ago, hour_ago))
    store.load(old_records.root)
    snapshot = _cache_table(old_records.root, "SELECT value FROM snapshot")
    old_records.asset(name="新报告厅剧院椅")   # one file changed ...
    changed = old_records.root / "assets/CHAIR-1.yaml"
    os.utime(changed, (hour_ago + 60, hour_ago + 60))
    (old_records.root / "tickets/2026/T-2.yaml").unlink()   # ... and one gone
    before = parses["n"]
    loaded = store.load(old_records.root)
    assert parses["n"] == before + 1 and loaded.assets["CHAIR-1"].name.startswith("新")
    assert "T-2" not in loaded.tickets
    # the snapshot stays; the two files are marked, their rows read on the next run, nothing parsed
    assert _cache_table(old_records.root, "SELECT value FROM snapshot") == snapshot
    assert _cache_table(old_records.root, "SELECT rel FROM dirty ORDER BY rel") == [
        ("assets/CHAIR-1.yaml",), ("tickets/2026/T-2.yaml",)]
    read: list[list[str]] = []
    real = cache.RecordCache._rows
    monkeypatch.setattr(cache.RecordCache, "_rows", lambda self, rels: read.append(rels) or real(self, rels))
    again = store.load(old_records.root)
    assert parses["n"] == before + 1
    assert read == [["assets/CHAIR-1.yaml", "tickets/2026/T-2.yaml"]]
    assert again.records() == loaded.records() and again.problems == loaded.problems
    # no write when nothing changed: the row of the file gone is not dropped again
    assert _cache_table(old_records.root, "SELECT rel FROM dirty ORDER BY rel") == [
        ("assets/CHAIR-1.yaml",), ("tickets/2026/T-2.yaml",)]


def test_the_snapshot_is_taken_again_once_many_rows_changed(old_records, parses, monkeypatch):
    store.load(old_records.root)
    monkeypatch.setattr(cache, "REWRITE_AFTER", 0)
    old_records.asset(name="新报告厅剧院椅")
    os.utime(old_records.root / "assets/CHAIR-1.yaml", (time.time() - 600, time.time() - 600))
    loaded = store.load(old_records.root)
    assert _cache_table(old_records.root, "SELECT rel FROM dirty") == []
    assert _cache_table(old_records.root, "PRAGMA freelist_count") == [(0,)]   # the old one's pages given back
    monkeypatch.setattr(cache.RecordCache, "_rows", lambda *a, **k: pytest.fail("read a row"))
    before = parses["n"]
    again = store.load(old_records.root)
    assert parses["n"] == before and again.assets == loaded.assets


@pytest.mark.parametrize("broken", ["duplicate id", "broken ticket files"])
def test_a_warm_run_from_the_snapshot_finds_what_a_cold_one_finds_in_a_broken_folder(old_records, parses, broken):
    """Duplicate ids; a ticket file no ticket could be built from and a ticket with a problem of
    its own: the snapshot's quick way to the ticket tables is for folders without them."""
    from conftest import event, ticket_yaml
    old_records.ticket("T-2", event("09:00", "reported"))
    if broken == "duplicate id":
        (old_records.root / "tickets/2025").mkdir()
        (old_records.root / "tickets/2025/T-2.yaml").write_text(ticket_yaml("T-2"), encoding="utf-8")
        paths = {"tickets/2026/T-2.yaml"}   # the later file of the two
    else:
        (old_records.root / "tickets/2026/T-3.yaml").write_text("id: [T-3\n", encoding="utf-8")
        (old_records.root / "tickets/2026/T-4.yaml").write_text(ticket_yaml("T-4", colour="red"), encoding="utf-8")
        paths = {"tickets/2026/T-3.yaml", "tickets/2026/T-4.yaml"}
    _aged(old_records)
    cold = store.load(old_records.root)
    assert paths <= {p.path for p in cold.problems}
    before = parses["n"]
    warm = store.load(old_records.root)
    assert parses["n"] == before
    assert warm.problems == cold.problems
    assert list(warm.tickets) == list(cold.tickets) and warm.tickets.rel == cold.tickets.rel
    assert warm.records() == cold.records() and warm.file_ids == cold.file_ids


@pytest.mark.parametrize("change", ["edited", "added", "removed", "broken", "mended", "duplicate"])
def test_the_snapshot_mended_with_changed_tickets_gives_what_a_run_without_the_cache_gives(
        old_records, parses, monkeypatch, change):
    """The snapshot's tickets, in file order, mended with the tickets changed since: each ticket
    read once, in its place, and the same folder as a run without the cache sees."""
    from conftest import event, ticket_yaml
    for i in (2, 4, 6):
        old_records.ticket(f"T-{i}", event(f"0{i}:00", "reported"))
    if change == "mended":   # a broken file among the tickets: they are assembled one by one
        (old_records.root / "tickets/2026/T-8.yaml").write_text("id: [T-8\n", encoding="utf-8")
    _aged(old_records)
    store.load(old_records.root)   # takes the snapshot
    folder = old_records.root / "tickets/2026"
    if change == "edited":
        old_records.ticket("T-4", event("04:00", "reported"), event("05:00", "resolved"))
    elif change == "added":
        old_records.ticket("T-3", event("03:00", "reported"))
    elif change == "removed":
        (folder / "T-4.yaml").unlink()
    elif change == "broken":
        (folder / "T-4.yaml").write_text("id: T-4\nkind: [\n", encoding="utf-8")
    elif change == "mended":
        (folder / "T-8.yaml").write_text(ticket_yaml("T-8"), encoding="utf-8")
    else:
        (folder / "T-5.yaml").write_text(ticket_yaml("T-2"), encoding="utf-8")
    before = parses["n"]
    warm = store.load(old_records.root)
    read = parses["n"] - before
    assert read == (0 if change == "removed" else 1)
    for ident in warm.tickets:
        warm.tickets[ident]   # a ticket read this run is not read again
    assert parses["n"] - before == read
    monkeypatch.setenv("AFTERSALES_CACHE", "off")
    plain = store.load(old_records.root)
    assert list(warm.tickets) == list(plain.tickets) and warm.tickets.rel == plain.tickets.rel
    assert warm.tickets.facts == plain.tickets.facts
    assert warm.problems == plain.problems and warm.records() == plain.records()
    monkeypatch.delenv("AFTERSALES_CACHE")
    again = store.load(old_records.root)   # the next run mends it with the rows written
    assert list(again.tickets) == list(plain.tickets) and again.problems == plain.problems


@pytest.fixture
def listed(old_records, monkeypatch):
    """The folders listed by each load (folders changed just now count as settled)."""
    from aftersales.store import paths
    monkeypatch.setattr(cache, "RACY_SECONDS", 0)
    found: list[str] = []
    real = paths._entries

    def entries(folder):
        found.append(folder.relative_to(old_records.root).as_posix())
        return real(folder)

    monkeypatch.setattr(paths, "_entries", entries)
    return found


def test_a_year_folder_unchanged_since_the_snapshot_is_not_listed_again(old_records, listed, parses):
    from conftest import event
    old_records.ticket("T-2", event("09:00", "reported"))
    old_records.ticket("T-3", event("2025-05-06 09:00", "reported"))
    _aged(old_records)
    first = store.load(old_records.root)
    assert {"tickets", "tickets/2025", "tickets/2026"} <= set(listed)
    listed.clear()
    again = store.load(old_records.root)
    assert "tickets" in listed and "tickets/2025" not in listed and "tickets/2026" not in listed
    assert again.records() == first.records() and list(again.tickets) == list(first.tickets)
    assert again.file_ids == first.file_ids and again.problems == first.problems
    time.sleep(0.05)   # file times tick coarsely: the folder's next change gets another mtime
    old_records.ticket("T-4", event("11:00", "reported"))
    (old_records.root / "tickets/2026/T-2.yaml").unlink()
    listed.clear()
    changed = store.load(old_records.root)
    assert "tickets/2026" in listed and "tickets/2025" not in listed
    assert list(changed.tickets) == ["T-3", "T-1", "T-4"]
    store.load(old_records.root)   # the snapshot still has the folder as it was: listed again
    assert listed.count("tickets/2026") == 2
    assert list(store.load(old_records.root).tickets) == ["T-3", "T-1", "T-4"]


def test_a_folder_whose_listing_found_a_problem_is_listed_every_time(old_records, listed):
    (old_records.root / "tickets/2026/notes.txt").write_text("call back Friday\n", encoding="utf-8")
    _aged(old_records)
    first = store.load(old_records.root)
    listed.clear()
    again = store.load(old_records.root)
    assert "tickets/2026" in listed
    assert [p.code for p in again.problems] == [p.code for p in first.problems]
    assert any(p.path == "tickets/2026/notes.txt" for p in again.problems)


def test_beyond_the_patch_limit_every_row_is_read_and_the_snapshot_taken_again(old_records, parses, monkeypatch):
    from conftest import event
    old_records.ticket("T-2", event("09:00", "reported"))
    _aged(old_records)
    store.load(old_records.root)
    monkeypatch.setattr(cache, "PATCH_LIMIT", 0)   # one changed file is already too many to mend
    old_records.ticket("T-2", event("09:00", "reported"), event("10:00", "resolved"))
    os.utime(old_records.root / "tickets/2026/T-2.yaml", (time.time() - 600, time.time() - 600))
    read_all: list[int] = []
    real = cache.RecordCache.lookup
    monkeypatch.setattr(cache.RecordCache, "lookup", lambda self, ids, about=None: read_all.append(len(ids))
                        or real(self, ids, about))
    before = parses["n"]
    loaded = store.load(old_records.root)
    assert parses["n"] == before + 1 and read_all == [len(loaded.identities)]
    assert loaded.tickets["T-2"].status == "resolved"
    assert _cache_table(old_records.root, "SELECT rel FROM dirty") == []   # taken again, with T-2 as it is
    read_all.clear()
    again = store.load(old_records.root)
    assert read_all == [] and parses["n"] == before + 1
    assert again.tickets["T-2"].status == "resolved" and list(again.tickets) == ["T-1", "T-2"]


def test_a_damaged_snapshot_is_not_trusted_and_taken_again(old_records, parses):
    first = store.load(old_records.root)
    import sqlite3

    with sqlite3.connect(cache.cache_path(old_records.root)) as db:
        db.execute("UPDATE snapshot SET value = ?", (b"garbage",))
    before = parses["n"]
    again = store.load(old_records.root)
    assert parses["n"] == before   # the rows answer
    assert again.records() == first.records() and again.problems == first.problems
    assert _cache_table(old_records.root, "SELECT value FROM snapshot") != [(b"garbage",)]


def test_the_rows_of_deleted_files_go_and_one_change_writes_one_row(old_records, parses):
    import sqlite3

    old_records.ticket("T-2")
    path = old_records.root / "tickets/2026/T-2.yaml"
    hour_ago = time.time() - 3600
    os.utime(path, (hour_ago, hour_ago))
    store.load(old_records.root)
    db_path = cache.cache_path(old_records.root)

    def rels():
        with sqlite3.connect(db_path) as db:
            return {rel for (rel,) in db.execute("SELECT rel FROM files")}

    assert "tickets/2026/T-2.yaml" in rels()
    path.unlink()
    before = parses["n"]
    loaded = store.load(old_records.root)
    assert parses["n"] == before and "T-2" not in loaded.tickets
    assert "tickets/2026/T-2.yaml" not in rels()


def test_many_files_are_read_in_parallel_processes_with_the_same_result(old_records, monkeypatch):
    from aftersales.store import load as module

    for i in range(12):
        old_records.ticket(f"T-{i + 2}")
    serial = store.load(old_records.root, use_cache=False)
    monkeypatch.setattr(module, "PARALLEL_FILES", 1)
    monkeypatch.setattr(module, "CHUNK", 3)
    monkeypatch.setattr(module, "_workers", lambda: 2)
    seen = []
    parallel = store.load(old_records.root, use_cache=False, progress=seen.append,
                          on_count=lambda n: seen.append(("count", n)))
    assert parallel.records() == serial.records()
    assert parallel.problems == serial.problems
    assert seen[0] == ("count", _files(old_records)) and len(seen) == 1 + _files(old_records)


def test_a_warm_load_reports_nothing_to_read(old_records):
    store.load(old_records.root)
    counts = []
    store.load(old_records.root, on_count=counts.append)
    assert counts == [0]        # no progress bar on a warm run


def test_two_processes_on_one_cache_both_give_the_right_answer(old_records, tmp_path):
    """Race: several commands fill and read one cache at the same time (cold, then warm)."""
    import subprocess
    import sys

    for i in range(40):
        old_records.ticket(f"T-{i + 2}")
    _aged(old_records)
    env = dict(os.environ, AFTERSALES_CACHE_DIR=str(tmp_path / "cache"))
    command = [sys.executable, "-m", "aftersales", "ticket", "list", "--all", "--format", "json",
               "--records", str(old_records.root), "--at", "2026-12-01"]
    expected = subprocess.run(command, env=dict(env, AFTERSALES_CACHE="off"), capture_output=True, text=True)
    assert expected.returncode == 0, expected.stderr
    for _ in range(2):
        running = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(4)]
        for child in running:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
            assert out == expected.stdout


# --- the results of the checks, and tickets built only when asked for -----------------------

@pytest.fixture
def builds(monkeypatch):
    """Count the tickets built from stored bytes or from their files."""
    from aftersales.store import load as module

    count = {"decoded": 0}
    real = module.decode

    def counting(payload):
        value = real(payload)
        if isinstance(value, tuple) and len(value) == 1 and type(value[0]).__name__ == "Ticket":
            count["decoded"] += 1
        return value

    monkeypatch.setattr(module, "decode", counting)
    return count


def _without_cache(monkeypatch, *args):
    """The output of a command run with the cache turned off."""
    from conftest import run
    monkeypatch.setenv("AFTERSALES_CACHE", "off")
    try:
        return run(*args).stdout
    finally:
        monkeypatch.delenv("AFTERSALES_CACHE")


def _aged(records, seconds=3600):
    when = time.time() - seconds
    for p in records.root.rglob("*.yaml"):
        os.utime(p, (when, when))


def _validate(records, at="2026-12-01"):
    from aftersales.project import check_folder
    return check_folder(records.root, at)[1]


def test_a_warm_validate_builds_no_ticket_and_finds_the_same_problems(old_records, builds):
    from conftest import event
    old_records.ticket("T-2", event("09:00", "reported"), event("10:00", "callback", satisfaction=5))
    _aged(old_records)
    cold = _validate(old_records)
    assert any(p.code == "not-resolved" for p in cold)
    builds["decoded"] = 0
    warm = _validate(old_records)
    assert warm == cold
    assert builds["decoded"] == 0


def test_kept_checks_follow_the_assets_the_inspections_and_the_instant(old_records):
    from conftest import event
    old_records.ticket("T-2", event("09:00", "reported"), area="lobby", inspection="INS-9")
    _aged(old_records)
    first = {(p.path, p.code) for p in _validate(old_records)}
    assert ("tickets/2026/T-2.yaml", "unknown-inspection") in first
    old_records.inspection("INS-9")
    _aged(old_records)
    assert ("tickets/2026/T-2.yaml", "unknown-inspection") not in {(p.path, p.code) for p in _validate(old_records)}
    old_records.asset(area="office")          # the asset moves: the ticket's area now differs from it
    _aged(old_records)
    assert ("tickets/2026/T-2.yaml", "area-mismatch") in {(p.path, p.code) for p in _validate(old_records)}
    # as of an instant before its events, a warm cache still reports them as in the future
    early = {(p.path, p.code) for p in _validate(old_records, at="2026-01-01")}
    assert ("tickets/2026/T-2.yaml", "future") in early


def test_open_tickets_are_listed_without_building_the_closed_ones(old_records, builds):
    from conftest import event, run
    for i in range(2, 8):
        old_records.ticket(f"T-{i}", event("09:00", "reported"), event("10:00", "resolved"))
    old_records.ticket("T-8", event("09:00", "reported"))
    _aged(old_records)
    assert run("validate", "--records", str(old_records.root)).exit_code in (0, 1)
    builds["decoded"] = 0
    result = run("ticket", "list", "--records", str(old_records.root), "--format", "json")
    assert result.exit_code == 0, result.output
    listed = [row["id"] for row in json.loads(result.stdout)]
    assert "T-8" in listed and "T-2" not in listed
    assert builds["decoded"] <= 2      # the open ones (T-1 from the fixture, T-8), not the six resolved


def test_a_cold_run_checks_tickets_where_it_reads_them_even_in_parallel(old_records, builds, monkeypatch):
    """The checks of the tickets read run in the worker that builds them; the problems are those of
    a run without the cache, and the next run builds no ticket."""
    from conftest import event

    from aftersales.store import load as module
    old_records.ticket("T-2", event("09:00", "reported"), event("10:00", "callback", satisfaction=5))
    old_records.ticket("T-3", event("09:00", "reported"), asset="CHAIR-9")
    old_records.ticket("T-4", event("09:00", "reported"), area="office")
    for i in range(5, 12):
        old_records.ticket(f"T-{i}", event("09:00", "reported"), event("10:00", "resolved"))
    _aged(old_records)
    monkeypatch.setenv("AFTERSALES_CACHE", "off")
    expected = _validate(old_records)
    monkeypatch.delenv("AFTERSALES_CACHE")
    assert {"not-resolved", "unknown-asset", "area-mismatch"} <= {p.code for p in expected}
    monkeypatch.setattr(module, "PARALLEL_FILES", 1)
    monkeypatch.setattr(module, "CHUNK", 2)
    monkeypatch.setattr(module, "_workers", lambda: 2)
    builds["decoded"] = 0
    assert _validate(old_records) == expected
    assert builds["decoded"] == 0           # checked in the workers, not built again here
    assert _validate(old_records) == expected
    assert builds["decoded"] == 0
    assert _validate(old_records, at="2026-01-01") != expected   # an earlier instant: checked again


def test_asset_show_builds_only_the_tickets_of_its_asset(old_records, builds):
    from conftest import event, run
    old_records.asset("CHAIR-2")
    for i in range(2, 8):
        old_records.ticket(f"T-{i}", event("09:00", "reported"), event("10:00", "resolved"), asset="CHAIR-2")
    old_records.ticket("T-8", event("09:00", "reported"), event("10:00", "resolved"))
    _aged(old_records)
    assert run("validate", "--records", str(old_records.root)).exit_code in (0, 1)
    builds["decoded"] = 0
    result = run("asset", "show", "CHAIR-1", "--records", str(old_records.root))
    assert result.exit_code == 0, result.output
    assert "T-8" in result.stdout and "T-2" not in result.stdout
    assert builds["decoded"] == 2      # T-1 (the fixture's) and T-8


def test_asset_show_builds_only_the_tickets_it_lists(old_records, builds):
    """An asset with a long history: the latest tickets and the open ones are built, the others
    counted from the kept facts; a ticket whose events after the instant are dropped is still
    counted as it stood then."""
    from conftest import event, run
    old_records.ticket("T-1", event("2026-03-01 09:00", "reported"), event("2026-03-01 10:00", "resolved"))
    for i in range(2, 12):   # T-03 stays open
        closing = () if i == 3 else (event(f"2026-03-{10 + i} 10:00", "resolved"),)
        old_records.ticket(f"T-{i:02}", event(f"2026-03-{10 + i} 09:00", "reported"), *closing, asset="CHAIR-1")
    _aged(old_records)
    assert run("validate", "--records", str(old_records.root)).exit_code in (0, 1)
    builds["decoded"] = 0
    result = run("asset", "show", "CHAIR-1", "--last", "2", "--records", str(old_records.root))
    assert result.exit_code == 0, result.output
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("T-")]
    assert listed == ["T-03", "T-10", "T-11"]     # the open one, then the two latest reported
    assert "Tickets (11, 1 open)" in result.stdout
    assert builds["decoded"] == 3
    # at 09:30 on 03-21 T-11 was reported and not resolved yet: open then (built for its status)
    builds["decoded"] = 0
    result = run("asset", "show", "CHAIR-1", "--last", "1", "--at", "2026-03-21 09:30",
                 "--records", str(old_records.root))
    assert result.exit_code == 0, result.output
    assert [line.split()[:5] for line in result.stdout.splitlines() if line.startswith("T-")] == [
        ["T-03", "2026-03-13", "repair", "open", "扶手松动"], ["T-11", "2026-03-21", "repair", "open", "扶手松动"]]
    assert "Tickets (11, 2 open)\nListed: the 1 latest and the 1 open one before them; 9 more not listed" \
        in result.stdout
    assert builds["decoded"] == 2


def test_the_cycles_of_stopped_clocks_are_kept_and_follow_the_settings(old_records, builds, monkeypatch):
    """A second `sla` builds no ticket whose clocks have all stopped; a changed target in the
    settings makes the kept cycles stale; the output is always that of a run without the cache."""
    from conftest import TARGETS, event, run
    for i in range(2, 6):
        old_records.ticket(f"T-{i}", event("09:00", "reported"), event("12:00", "responded"),
                           event("15:00", "resolved"))
    _aged(old_records)
    args = ("sla", "--format", "json", "--at", "2026-12-01", "--records", str(old_records.root))

    def without_cache():
        return _without_cache(monkeypatch, *args)

    first = run(*args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) and first.stdout == without_cache()
    builds["decoded"] = 0
    assert run(*args).stdout == first.stdout
    assert builds["decoded"] <= 1           # T-1 of the fixture is still open; T-2..T-5 come from the cache
    old_records.settings(targets=TARGETS.replace("critical: 2h, normal: 4h", "critical: 1h, normal: 1h"))
    _aged(old_records)
    changed = run(*args).stdout
    assert changed != first.stdout and changed == without_cache()
    builds["decoded"] = 0
    assert run(*args).stdout == changed and builds["decoded"] <= 1


def test_a_kept_cycle_of_another_shape_is_evaluated_again(old_records, builds, monkeypatch):
    """Kept cycles are read back by position, without names: a row whose cycle has a value too
    few (a damaged row) is not trusted; the ticket is built and evaluated again, with the output
    of a run without the cache."""
    import sqlite3

    from conftest import event, run

    from aftersales.engine import sla
    old_records.ticket("T-2", event("09:00", "reported"), event("12:00", "responded"), event("15:00", "resolved"))
    _aged(old_records)
    args = ("sla", "--format", "json", "--at", "2026-12-01", "--records", str(old_records.root))
    first = run(*args).stdout                          # keeps the cycles
    rel = "tickets/2026/T-2.yaml"
    with sqlite3.connect(cache.cache_path(old_records.root)) as db:
        (blob,) = db.execute("SELECT cycles FROM blobs WHERE rel = ?", (rel,)).fetchone()
        kept = sla.KeptValue(store.load(old_records.root).settings)
        packed = kept.body(blob)
        packed[0] = (packed[0][0], packed[0][1][:-1])
        damaged = kept.write(kept.head(blob), packed, kept.shown(blob))
        db.execute("UPDATE blobs SET cycles = ? WHERE rel = ?", (damaged, rel))
    builds["decoded"] = 0
    assert run(*args).stdout == first == _without_cache(monkeypatch, *args)
    assert builds["decoded"] == 1                      # T-2 alone: built and evaluated again


def test_the_reports_facts_are_kept_with_the_cycles_and_follow_the_asset_files(old_records, builds, monkeypatch):
    """A report after `sla` builds no ticket: each ticket's facts, and what the list of breaches
    shows of it, come back with its kept cycles. An asset moved to another area makes them stale
    (its tickets' area is the asset's); the report is always that of a run without the cache."""
    from conftest import event, run
    for i in range(2, 6):   # met: resolved within the hour
        old_records.ticket(f"T-{i}", event("09:00", "reported"), event("09:01", "assigned", to="eng-wang"),
                           event("09:02", "responded"), event("09:30", "arrived"), event("09:50", "resolved"))
    _aged(old_records)
    root = ("--records", str(old_records.root))
    report = ("report", "quarterly", "--period", "2026Q1", "--format", "json", "--at", "2026-12-01", *root)

    def without_cache():
        return _without_cache(monkeypatch, *report)

    assert run("sla", "--format", "csv", "--at", "2026-12-01", *root).exit_code == 0   # keeps cycles and facts
    builds["decoded"] = 0
    first = run(*report)
    assert first.exit_code == 0, first.output
    breached = {b["ticket"] for b in json.loads(first.stdout)["breaches"]}
    assert "T-1" in breached and "T-2" not in breached and builds["decoded"] == 0
    assert first.stdout == without_cache()
    assert json.loads(first.stdout)["tickets"]["by_area"]["lobby"]["opened"] == 5
    old_records.asset(area="office")
    _aged(old_records)
    moved = run(*report).stdout
    assert json.loads(moved)["tickets"]["by_area"]["office"]["opened"] == 5
    assert moved == without_cache()


def test_an_event_pickles_as_its_values_and_comes_back_equal():
    """What the record cache keeps of an event: its values without their names and without the
    defaults at the end, and the fields written as bits; one shared set per combination of them
    comes back, and a field no event has (reported by the checks) survives as it is."""
    import dataclasses
    import datetime as dt
    import pickle

    from aftersales.core.model import Event, PartUse
    at = dt.datetime(2026, 3, 12, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    events = [Event(at, "reported", 3, by="cs-li", keys=frozenset({"at", "type", "by"})),
              Event(at, "resolved", 4, by="eng-wang", parts=(PartUse("BOLT-M8", 2),), cost=12.5,
                    keys=frozenset({"at", "type", "by", "parts", "cost"})),
              Event(at, "note", 5, logged=at, keys=frozenset({"at", "type", "logged", "colour"})),
              Event(at, "note", 6)]
    back = pickle.loads(pickle.dumps(events, pickle.HIGHEST_PROTOCOL))
    assert back == events
    assert [e.keys for e in back] == [e.keys for e in events]
    assert [dataclasses.asdict(e) for e in back] == [dataclasses.asdict(e) for e in events]
    again = pickle.loads(pickle.dumps(events[0], pickle.HIGHEST_PROTOCOL))
    assert again.keys is back[0].keys   # shared, as the builder shares them
    plain = pickle.dumps(events[1].__dict__, pickle.HIGHEST_PROTOCOL)
    assert len(pickle.dumps(events[1], pickle.HIGHEST_PROTOCOL)) < len(plain) * 0.7
    # the bits of a set of fields are kept once worked out: the same bytes every time
    assert pickle.dumps(events, pickle.HIGHEST_PROTOCOL) == pickle.dumps(events, pickle.HIGHEST_PROTOCOL)


def test_an_event_made_from_its_fields_is_the_event_its_init_makes():
    """The loader makes events without the dataclass's __init__ (`Event.made`): the same value,
    fields and hash; every field must be given, and no other."""
    import dataclasses
    import datetime as dt

    import pytest

    from aftersales.core.model import Event, PartUse
    at = dt.datetime(2026, 3, 12, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    fields = {"at": at, "type": "resolved", "line": 4, "by": "eng-wang", "note": None, "to": None,
              "verdict": None, "until": None, "reason": None, "parts": (PartUse("BOLT-M8", 2),), "cost": 12.5,
              "satisfaction": None, "logged": None, "keys": frozenset({"at", "type", "by", "parts", "cost"})}
    made, init = Event.made(**fields), Event(**fields)
    assert made == init and hash(made) == hash(init) and dataclasses.asdict(made) == dataclasses.asdict(init)
    assert made.keys == init.keys and type(made) is Event
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.type = "reported"   # type: ignore[misc]
    for wrong in ({k: v for k, v in fields.items() if k != "note"}, {**fields, "colour": "red"}):
        with pytest.raises(TypeError, match="an event's fields are"):
            Event.made(**wrong)


def test_a_duration_pickles_as_its_values_and_comes_back_one_shared_value():
    """A kept ticket's cycles hold a duration each: it comes back equal, and as one value per
    duration however many times it was pickled."""
    import pickle

    from aftersales.core.durations import Duration
    durations = [Duration(30, "m"), Duration(2, "h"), Duration(30, "m")]
    back = pickle.loads(pickle.dumps(durations, pickle.HIGHEST_PROTOCOL))
    again = pickle.loads(pickle.dumps(Duration(30, "m"), pickle.HIGHEST_PROTOCOL))
    assert back == durations and [str(d) for d in back] == ["30m", "2h", "30m"]
    assert back[0] is back[2] is again


def test_kept_cycles_are_read_in_batches_and_only_while_their_file_is_unchanged(old_records, builds,
                                                                                monkeypatch):
    """The kept cycles of many tickets are read a few hundred at a time (here: two at a time, in
    batches of three tickets); a ticket whose file changed since is built and evaluated again,
    every other one comes from the cache, and the output is that of a run without the cache."""
    from conftest import event, run

    from aftersales.engine import sla
    monkeypatch.setattr(cache, "ROWS_AT_ONCE", 2)
    monkeypatch.setattr(sla, "KEPT_AT_ONCE", 3)
    for i in range(2, 10):
        old_records.ticket(f"T-{i}", event("09:00", "reported"), event("12:00", "responded"),
                           event("15:00", "resolved"))
    _aged(old_records)
    args = ("sla", "--format", "json", "--at", "2026-12-01", "--records", str(old_records.root))
    assert run(*args).exit_code == 0            # keeps the cycles
    changed = old_records.ticket("T-5", event("09:00", "reported"), event("13:00", "responded"),
                                 event("16:00", "resolved"))
    os.utime(changed, (time.time() - 1800,) * 2)   # settled, like the others
    monkeypatch.setenv("AFTERSALES_CACHE", "off")
    expected = run(*args).stdout
    monkeypatch.delenv("AFTERSALES_CACHE")
    assert '"stop": "2026-03-14T13:00:00+08:00"' in expected   # T-5 as it is now
    builds["decoded"] = 0
    assert run(*args).stdout == expected
    assert builds["decoded"] == 0   # T-5 was read from its file; the others' cycles came from the cache


def test_stored_values_are_read_in_batches_for_files_whose_identity_still_holds(old_records, monkeypatch):
    """`RecordCache.blobs`: the payloads of the files asked for, a query per two files here, but
    not of a file whose row is now that of another version of it, nor of one it does not hold."""
    from conftest import event
    monkeypatch.setattr(cache, "ROWS_AT_ONCE", 2)
    for i in range(2, 7):
        old_records.ticket(f"T-{i}", event("09:00", "reported"), event("10:00", "resolved"))
    _aged(old_records)
    identities = store.load(old_records.root).identities
    wanted = {rel: identity for rel, identity in identities.items() if rel.startswith("tickets/")}
    assert len(wanted) == 6
    size, mtime, ctime, inode, kind = wanted["tickets/2026/T-3.yaml"]
    wanted["tickets/2026/T-3.yaml"] = (size, mtime + 1, ctime, inode, kind)   # another version
    wanted["tickets/2026/T-9.yaml"] = (1, 1, 1, 1, "ticket")                    # never stored
    kept = cache.RecordCache(old_records.root)
    try:
        found = kept.blobs(wanted)
        assert sorted(found) == sorted(set(wanted) - {"tickets/2026/T-3.yaml", "tickets/2026/T-9.yaml"})
        for rel, payload in found.items():
            assert payload == kept.blob(rel, wanted[rel])
        assert kept.blobs(wanted, "no such column") == {}
    finally:
        kept.close()


RUNNING_TARGETS = """\
- id: response
  when: {kind: repair}
  start: reported
  stop: [responded, resolved]
  within: {critical: 2h, normal: 4h}
- id: fix
  when: {kind: repair}
  start: reported
  stop: [resolved]
  within: 8h
  calendar: workdays
  pausable: true
- id: callback
  when: {kind: repair}
  start: resolved
  stop: [callback]
  within: 1d
"""


def test_running_clocks_are_kept_and_run_on_to_each_instant(old_records, builds, monkeypatch):
    """Cycles kept while clocks still ran (a fix on working hours, one paused, a callback never
    made) are read back and counted on to any later or earlier instant (after the ticket's
    events): the output is that of a run without the cache, and no ticket is built."""
    from conftest import event, run
    old_records.settings(targets=RUNNING_TARGETS)
    old_records.ticket("T-2", event("09:00", "reported"), event("10:00", "responded"))
    old_records.ticket("T-3", event("09:00", "reported"), event("10:00", "responded"),
                       event("11:00", "paused", reason="waiting-parts"))
    old_records.ticket("T-4", event("09:00", "reported"), event("15:00", "resolved"))
    _aged(old_records)

    def sla(at, cache=True):
        if not cache:
            monkeypatch.setenv("AFTERSALES_CACHE", "off")
        try:
            result = run("sla", "--format", "json", "--at", at, "--records", str(old_records.root))
        finally:
            monkeypatch.delenv("AFTERSALES_CACHE", raising=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    instants = ["2026-03-16T10:00:00+08:00", "2026-03-14T16:00:00+08:00", "2026-03-15", "2026-04-01",
                "2026-03-14T23:59:00+08:00"]
    expected = {at: sla(at, cache=False) for at in instants}
    statuses = {c["status"] for at in instants for c in json.loads(expected[at])}
    assert {"running", "paused", "breached"} <= statuses   # the clocks really run on
    sla(instants[0])                        # keeps the cycles as of the first instant
    builds["decoded"] = 0
    for at in instants:
        assert sla(at) == expected[at], at
    assert builds["decoded"] == 0


def test_a_report_reads_the_cycles_only_of_clocks_running_in_time(old_records, builds, monkeypatch):
    """A report reads each kept ticket's clocks apart from its cycles. It reads all the cycles only
    of the tickets with a clock still running within its deadline (its status needs its counted
    time); of the others whose breaches it lists, only those clocks' cycles, kept with what the
    list shows of the ticket. A clock kept while it ran, and past its deadline at the
    report's instant, is breached. At any instant after the tickets' events, later or earlier
    than the one they were kept at, the report is that of a run without the cache, and no ticket
    is built."""
    from conftest import event, run

    from aftersales.engine import buckets, sla
    old_records.settings(targets=RUNNING_TARGETS)
    old_records.ticket("T-2", event("09:00", "reported"), event("10:00", "responded"))
    old_records.ticket("T-3", event("09:00", "reported"), event("10:00", "responded"),
                       event("11:00", "paused", reason="waiting-parts"))
    old_records.ticket("T-4", event("09:00", "reported"), event("15:00", "resolved"))
    old_records.ticket("T-5", event("09:00", "reported"), event("09:30", "resolved"), event("10:00", "callback"))
    _aged(old_records)
    root = ("--records", str(old_records.root))
    read: list[object] = []
    shown: list[object] = []
    cycles, breaches = sla.KeptParts.read, sla.KeptParts.shown
    # (without the report's kept buckets, which would spare it the tickets counted at an earlier instant)
    monkeypatch.setattr(buckets.Buckets, "kept", lambda self, split: ({}, {}))
    monkeypatch.setattr(sla.KeptParts, "read", lambda parts: (read.append(parts), cycles(parts))[1])
    monkeypatch.setattr(sla.KeptParts, "shown", lambda parts: (shown.append(parts), breaches(parts))[1])

    def command(*args, cache=True):
        if not cache:
            monkeypatch.setenv("AFTERSALES_CACHE", "off")
        try:
            result = run(*args, *root)
        finally:
            monkeypatch.delenv("AFTERSALES_CACHE", raising=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    def report(at, cache=True):
        return command("report", "quarterly", "--period", "2026Q1", "--format", "json", "--at", at, cache=cache)

    instants = ["2026-03-16T10:00:00+08:00", "2026-03-14T16:00:00+08:00", "2026-03-15", "2026-04-01"]
    expected = {at: report(at, cache=False) for at in instants}
    running = {at: {c["ticket"] for c in json.loads(command("sla", "--format", "json", "--at", at, cache=False))
                    if c["status"] in ("running", "at-risk", "paused")} for at in instants}
    assert running["2026-03-14T16:00:00+08:00"] == {"T-1", "T-2", "T-3", "T-4"}
    assert running["2026-04-01"] == {"T-3"}   # the others ran late; T-3 is paused
    command("sla", "--format", "csv", "--at", instants[0])    # keeps cycles, facts and clocks
    builds["decoded"] = 0
    apart = set()   # tickets whose breaches were listed without reading all their cycles
    for at in instants:
        read.clear()
        shown.clear()
        assert report(at) == expected[at], at
        listed = {b["ticket"] for b in json.loads(expected[at])["breaches"]}
        assert (len(read), len(shown)) == (len(running[at]), len(listed)), at
        apart |= listed - running[at]
    assert apart == {"T-1", "T-2", "T-4"} and builds["decoded"] == 0


@pytest.mark.parametrize("part", [1, 2])
def test_a_report_evaluates_again_a_ticket_whose_cycles_or_breach_turn_out_damaged(old_records, monkeypatch, part):
    """A report reads a kept ticket's cycles (1) and what its breaches show (2) only after it
    counted the ticket's clocks: when that part is damaged, the ticket is evaluated again (or
    built), and the report is that of a run without the cache."""
    import sqlite3
    import struct

    from conftest import event, run
    old_records.ticket("T-2", event("09:00", "reported"), event("12:00", "responded"), event("15:00", "resolved"))
    _aged(old_records)
    args = ("report", "quarterly", "--period", "2026Q1", "--format", "json", "--at", "2026-12-01",
            "--records", str(old_records.root))
    first = run(*args)                                 # keeps the values
    assert first.exit_code == 0, first.output
    assert "T-2" in {b["ticket"] for b in json.loads(first.stdout)["breaches"]}
    with sqlite3.connect(cache.cache_path(old_records.root)) as db:
        (blob,) = db.execute("SELECT cycles FROM blobs WHERE rel = 'tickets/2026/T-2.yaml'").fetchone()
        lengths = struct.unpack_from(">II", blob)
        bounds = [8, 8 + lengths[0], 8 + lengths[0] + lengths[1], len(blob)]
        middle = (bounds[part] + bounds[part + 1]) // 2
        damaged = blob[:middle] + bytes([blob[middle] ^ 0xFF]) + blob[middle + 1:]
        db.execute("UPDATE blobs SET cycles = ? WHERE rel = 'tickets/2026/T-2.yaml'", (damaged,))
    again = run(*args)
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout == _without_cache(monkeypatch, *args)


def test_a_report_in_the_hour_a_clock_turns_back_counts_a_running_clock_as_the_engine_does(old_records,
                                                                                           monkeypatch):
    """In the hour Berlin's clocks turn back, 02:10 the second time is 40 minutes after a deadline
    at 02:30 the first time, though its clock face shows an earlier time: the engine compares the
    instants, and calls the clock breached. A report reading the clock kept running earlier, from
    its integers, says the same as one without the cache."""
    from conftest import event, run
    old_records.settings(timezone="Europe/Berlin", targets="""\
- id: response
  when: {kind: repair}
  start: reported
  stop: [responded, resolved]
  within: 1h
""")
    old_records.ticket("T-2", event("2026-10-25T01:30:00+02:00", "reported"))
    _aged(old_records)
    root = ("--records", str(old_records.root))
    at = "2026-10-25T02:10:00+01:00"
    args = ("report", "quarterly", "--period", "2026Q4", "--format", "json", "--at", at, *root)
    expected = _without_cache(monkeypatch, *args)
    assert json.loads(expected)["sla"]["response"]["breached"] == 1
    kept = run("sla", "--format", "csv", "--at", "2026-10-25T02:00:00+02:00", *root)   # keeps it running
    assert kept.exit_code == 0, kept.output
    assert run(*args).stdout == expected


def test_the_presets_zlib_writes_against_depend_on_values_alone(old_records):
    """A kept value reads back only with the preset dictionary it was deflated against: the
    record cache's (a made-up ticket) is the same in another process, with other hash seeds,
    after a whole folder was read; the kept cycles' is the same for settings read from their
    file or from the cache."""
    import hashlib
    import subprocess
    import sys

    from aftersales.engine import sla
    from aftersales.store import preset
    script = ("import hashlib, sys\n"
              "from pathlib import Path\n"
              "from aftersales.store import load, preset\n"
              "list(load.load(Path(sys.argv[1])).tickets.values())\n"
              "print(hashlib.sha256(preset.dictionary()).hexdigest())\n")
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", script, str(old_records.root)], capture_output=True,
                              text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.stdout.strip() == hashlib.sha256(preset.dictionary()).hexdigest()
    cold = store.load(old_records.root)
    warm = store.load(old_records.root)
    assert warm.settings is not cold.settings
    assert sla.dictionary(warm.settings) == sla.dictionary(cold.settings)


def test_a_value_cut_short_or_followed_by_more_is_refused():
    """zlib's checksum catches a damaged value; one cut short (no checksum yet) or with bytes
    after its end is refused too, and the row is read again from its file."""
    import zlib

    value = cache.encode(("a value", 12))
    assert cache.decode(value) == ("a value", 12)
    for damaged in (value[:-4], value + b"\0", value[:5] + bytes([value[5] ^ 1]) + value[6:]):
        with pytest.raises(zlib.error):
            cache.decode(damaged)
    other = b"another preset dictionary"               # a value reads back only with its own
    assert cache.decode(cache.encode(("a value", 12), other), other) == ("a value", 12)
    with pytest.raises(zlib.error):
        cache.decode(cache.encode(("a value", 12), other))


def test_the_caches_made_up_ticket_reads_without_a_problem():
    """The record cache's preset dictionary is a ticket as a valid file gives it: every field a
    ticket's row writes, nothing the checks refuse."""
    from aftersales.store import preset
    from aftersales.store.reading import check_bytes
    clean, problems = check_bytes(preset.SAMPLE.encode(), preset.SAMPLE_FILE, "ticket")
    assert clean is not None and problems == []


# --- asset show: the tickets of one asset, without the rest of the folder -------------------------

@pytest.fixture
def about(old_records, monkeypatch):
    """Count the whole-folder reads and those the cache answered for one asset alone; folders
    changed just now count as settled (the tests cannot wait for the clock)."""
    monkeypatch.setattr(cache, "RACY_SECONDS", 0)
    count = {"whole": 0, "about": 0}
    real_load, real_about = store.load, store.load_about
    from aftersales import project

    def whole(*args, **kwargs):
        count["whole"] += 1
        return real_load(*args, **kwargs)

    def alone(*args, **kwargs):
        found = real_about(*args, **kwargs)
        count["about"] += found is not None
        return found

    monkeypatch.setattr(project, "load", whole)
    monkeypatch.setattr(project, "load_about", alone)
    return count


def _show(records, monkeypatch, asset="CHAIR-1", cache_on=True):
    from conftest import run
    if not cache_on:
        monkeypatch.setenv("AFTERSALES_CACHE", "off")
    try:
        return run("asset", "show", asset, "--at", "2026-12-01", "--records", str(records.root))
    finally:
        monkeypatch.delenv("AFTERSALES_CACHE", raising=False)


def test_asset_show_reads_only_its_tickets_once_the_cache_knows_the_folder(old_records, about, monkeypatch):
    from conftest import event
    old_records.asset("CHAIR-2")
    for i in range(2, 6):
        old_records.ticket(f"T-{i}", event("09:00", "reported"), event("10:00", "resolved"),
                           asset="CHAIR-2" if i % 2 else "CHAIR-1")
    _aged(old_records)
    expected = _show(old_records, monkeypatch, cache_on=False)
    assert expected.exit_code == 0, expected.output
    assert "T-4" in expected.stdout and "T-3" not in expected.stdout
    about.update(whole=0, about=0)
    first = _show(old_records, monkeypatch)            # the cache is empty: the whole folder is read
    assert (first.stdout, about["whole"], about["about"]) == (expected.stdout, 1, 0)
    asked: list[tuple[str, list[str]] | None] = []
    lookup = cache.RecordCache.lookup

    def looking(self, identities, about=None):
        asked.append(None if self.about is None else (self.about[0], [row[0] for row in self.about[1]]))
        return lookup(self, identities, about)

    monkeypatch.setattr(cache.RecordCache, "lookup", looking)
    second = _show(old_records, monkeypatch)           # now only the asset's tickets
    assert (second.stdout, about["whole"], about["about"]) == (expected.stdout, 1, 1)
    # their rows were read once, with their files: the lookup of the asset's rows reads no more
    assert asked == [("CHAIR-1", ["tickets/2026/T-1.yaml", "tickets/2026/T-2.yaml", "tickets/2026/T-4.yaml"])]


@pytest.mark.parametrize("change", ["new ticket", "ticket moved to the asset", "ticket removed", "edited in place"])
def test_asset_show_reads_the_whole_folder_again_after_a_ticket_file_changed(old_records, about, monkeypatch,
                                                                              change):
    from conftest import event
    old_records.asset("CHAIR-2")
    old_records.ticket("T-2", event("09:00", "reported"), asset="CHAIR-2")
    old_records.ticket("T-3", event("09:00", "reported"), event("10:00", "resolved"))
    _aged(old_records)
    assert _show(old_records, monkeypatch).exit_code == 0     # fills the cache
    assert _show(old_records, monkeypatch).exit_code == 0     # takes a snapshot of the page: dropped below
    assert _cache_table(old_records.root, "SELECT asset FROM about") == [("CHAIR-1",)]
    path = old_records.root / "tickets" / "2026" / "T-3.yaml"
    if change == "new ticket":
        old_records.ticket("T-4", event("09:00", "reported"), summary="新的报修")
    elif change == "ticket moved to the asset":   # rewritten as git and aftersales write: a new file
        moved = old_records.root / "tickets" / "2026" / "T-2.yaml"
        old_records.ticket("T-2", event("09:00", "reported"), summary="改到这把椅子")
        moved.with_suffix(".tmp").write_bytes(moved.read_bytes())
        os.replace(moved.with_suffix(".tmp"), moved)
    elif change == "ticket removed":
        path.unlink()
    else:   # the same inode, its folder untouched: only its own identity tells
        with path.open("r+b") as handle:
            text = handle.read().replace(b"10:00", b"11:00")
            handle.seek(0)
            handle.write(text)
    about.update(whole=0, about=0)
    shown = _show(old_records, monkeypatch)
    assert shown.exit_code == 0, shown.output
    assert (about["whole"], about["about"]) == (1, 0)
    assert _show(old_records, monkeypatch).stdout == shown.stdout and about["about"] == 1
    assert shown.stdout == _show(old_records, monkeypatch, cache_on=False).stdout


def _asset_rows_read(monkeypatch):
    """The assets whose tickets' rows a run reads (`lookup` about one), in order."""
    read: list[str] = []
    lookup = cache.RecordCache.lookup

    def looking(self, identities, about=None):
        read.append(about)
        return lookup(self, identities, about)

    monkeypatch.setattr(cache.RecordCache, "lookup", looking)
    return read


def test_asset_show_reads_a_snapshot_of_its_page_the_next_times(old_records, about, monkeypatch):
    """The first page about an asset the cache answers for reads its tickets' rows and keeps
    them at once; the next ones read that snapshot and no row."""
    from conftest import event
    old_records.asset("CHAIR-2")
    for i in range(2, 6):
        old_records.ticket(f"T-{i}", event("09:00", "reported"), event("10:00", "resolved"),
                           asset="CHAIR-2" if i % 2 else "CHAIR-1")
    _aged(old_records)
    expected = {asset: _show(old_records, monkeypatch, asset, cache_on=False).stdout
                for asset in ("CHAIR-1", "CHAIR-2")}
    read = _asset_rows_read(monkeypatch)
    shown = [(asset, _show(old_records, monkeypatch, asset).stdout)
             for asset in ("CHAIR-1", "CHAIR-1", "CHAIR-2", "CHAIR-1", "CHAIR-2")]
    assert shown == [(asset, expected[asset]) for asset, _ in shown]
    # the whole folder (no lookup about an asset), then each asset's rows once
    assert read == [None, "CHAIR-1", "CHAIR-2"]
    assert _cache_table(old_records.root, "SELECT asset FROM about ORDER BY asset") == [("CHAIR-1",), ("CHAIR-2",)]


def test_a_snapshot_of_a_page_reads_again_the_rows_written_since(old_records, about, monkeypatch):
    """Rows written since the snapshot of a page was taken (kept checks and cycles, a file's
    identity unchanged) are read again; the folder's snapshot taken again drops it."""
    from conftest import event, run
    old_records.asset("CHAIR-2")
    old_records.ticket("T-2", event("09:00", "reported"), event("10:00", "resolved"))
    old_records.ticket("T-3", event("09:00", "reported"), event("10:00", "resolved"), asset="CHAIR-2")
    _aged(old_records)
    expected = _show(old_records, monkeypatch, cache_on=False).stdout
    for _ in range(2):
        assert _show(old_records, monkeypatch).stdout == expected
    assert _cache_table(old_records.root, "SELECT asset FROM about") == [("CHAIR-1",)]
    assert run("sla", "--at", "2026-12-01", "--records", str(old_records.root)).exit_code == 0   # keeps cycles
    dirty = {rel for (rel,) in _cache_table(old_records.root, "SELECT rel FROM dirty")}
    assert {"tickets/2026/T-1.yaml", "tickets/2026/T-2.yaml", "tickets/2026/T-3.yaml"} <= dirty
    rows: list[list[str]] = []
    indexed = cache.RecordCache.indexed
    monkeypatch.setattr(cache.RecordCache, "indexed", lambda self, identities, snapshot: (
        rows.append(sorted(snapshot.dirty)), indexed(self, identities, snapshot))[1])
    assert _show(old_records, monkeypatch).stdout == expected
    assert rows == [["tickets/2026/T-1.yaml", "tickets/2026/T-2.yaml"]]   # not T-3's: about another asset
    monkeypatch.setattr(cache, "REWRITE_AFTER", 0)   # the folder's snapshot taken again, the marks cleared
    assert run("validate", "--records", str(old_records.root)).exit_code == 0
    assert _cache_table(old_records.root, "SELECT rel FROM dirty") == []
    assert _cache_table(old_records.root, "SELECT asset FROM about") == []
    assert _show(old_records, monkeypatch).stdout == expected


def test_a_page_read_while_another_command_wrote_keeps_no_snapshot(old_records, about, monkeypatch):
    """A command that wrote to the cache between this page's reading and its saving may have
    written rows newer than those it read: then no snapshot of the page is kept."""
    from conftest import event
    old_records.ticket("T-2", event("09:00", "reported"), event("10:00", "resolved"))
    _aged(old_records)
    expected = _show(old_records, monkeypatch, cache_on=False).stdout
    about.update(whole=0, about=0)
    assert _show(old_records, monkeypatch).stdout == expected   # the whole folder
    rels_about = cache.RecordCache.rels_about

    def meanwhile(self, asset):
        found = rels_about(self, asset)
        with opened_cache(old_records.root) as other, other._writing() as write:
            write.execute("INSERT OR IGNORE INTO dirty VALUES ('tickets/2026/T-2.yaml')")
        return found

    monkeypatch.setattr(cache.RecordCache, "rels_about", meanwhile)
    assert _show(old_records, monkeypatch).stdout == expected
    assert (about["whole"], about["about"]) == (1, 1)
    assert _cache_table(old_records.root, "SELECT asset FROM about") == []
    monkeypatch.setattr(cache.RecordCache, "rels_about", rels_about)
    assert _show(old_records, monkeypatch).stdout == expected
    assert _cache_table(old_records.root, "SELECT asset FROM about") == [("CHAIR-1",)]


def test_a_page_shown_while_another_command_holds_the_cache_keeps_no_snapshot(old_records, about, monkeypatch):
    """The snapshot of a page is written only if the cache is free soon (`ABOUT_BUSY_MS`): while
    another command holds its write lock, the page is shown all the same, and the next one,
    the cache free again, takes the snapshot."""
    import sqlite3

    from conftest import event
    old_records.ticket("T-2", event("09:00", "reported"), event("10:00", "resolved"))
    _aged(old_records)
    expected = _show(old_records, monkeypatch, cache_on=False).stdout
    assert _show(old_records, monkeypatch).stdout == expected   # the whole folder
    about.update(whole=0, about=0)
    other = sqlite3.connect(cache.cache_path(old_records.root), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")   # another command writing
        assert _show(old_records, monkeypatch).stdout == expected
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert (about["whole"], about["about"]) == (0, 1)
    assert _cache_table(old_records.root, "SELECT asset FROM about") == []
    assert _show(old_records, monkeypatch).stdout == expected
    assert _cache_table(old_records.root, "SELECT asset FROM about") == [("CHAIR-1",)]


def test_a_cache_held_by_another_command_is_left_alone_not_deleted(old_records, monkeypatch):
    """A cache that another command holds for longer than a run waits (here one that must be
    emptied for other code) is not mistaken for a damaged file: the run reads the files without
    it, and the file stays as it was."""
    import sqlite3

    first = store.load(old_records.root)
    path = cache.cache_path(old_records.root)
    monkeypatch.setattr(cache, "BUSY_MS", 100)
    monkeypatch.setattr(cache, "FORMAT", cache.FORMAT + 1)   # to be emptied: a write
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        opened = cache.RecordCache(old_records.root)
        assert (opened.active, opened.db) == (False, None)
        assert store.load(old_records.root).records() == first.records()
        other.execute("ROLLBACK")
        assert other.execute("SELECT count(*) FROM files").fetchone()[0] == len(list(old_records.root.rglob("*.yaml")))
    finally:
        other.close()


def test_busy_and_locked_errors_are_told_from_a_damaged_file():
    """What `_busy` tells apart, by SQLite's error code where Python gives it (3.11 and later) and
    by the message where it does not (3.10, or an error made by hand): waiting for another
    command's lock is not damage, and must never delete the cache."""
    import sqlite3

    held = sqlite3.connect(":memory:")
    assert [cache._busy(e) for e in (sqlite3.OperationalError("database is locked"),
                                     sqlite3.OperationalError("database table is locked"),
                                     sqlite3.DatabaseError("file is not a database"),
                                     sqlite3.DatabaseError("database disk image is malformed"))] == [
        True, True, False, False]
    try:
        held.execute("SELECT * FROM nowhere")
    except sqlite3.OperationalError as exc:   # an error SQLite raised: told by its code
        assert cache._busy(exc) is False
    finally:
        held.close()


def test_a_damaged_snapshot_of_a_page_is_taken_again(old_records, about, monkeypatch):
    from conftest import event
    old_records.ticket("T-2", event("09:00", "reported"), event("10:00", "resolved"))
    _aged(old_records)
    expected = _show(old_records, monkeypatch, cache_on=False).stdout
    for _ in range(2):
        assert _show(old_records, monkeypatch).stdout == expected
    import sqlite3
    with sqlite3.connect(cache.cache_path(old_records.root)) as db:
        (value,), = db.execute("SELECT value FROM about").fetchall()
        db.execute("UPDATE about SET value = ?", (value[:len(value) // 2],))
    read = _asset_rows_read(monkeypatch)
    assert _show(old_records, monkeypatch).stdout == expected    # the rows read, the snapshot taken again
    assert _show(old_records, monkeypatch).stdout == expected
    assert read == ["CHAIR-1"] and about["about"] == 3


class _Failing:
    """A connection whose statements holding `text` fail, as a busy, interrupted or damaged
    cache file makes them fail."""

    def __init__(self, db, text, error):
        self.db, self.text, self.error = db, text, error

    def execute(self, sql, *args):
        if self.text in sql:
            raise self.error(f"made to fail: {sql[:40]}")
        return self.db.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.db, name)


@pytest.mark.parametrize("failing", ["the asset's rows", "the page's snapshot"])
def test_a_page_whose_cache_fails_reads_the_whole_folder_and_keeps_nothing_wrong(old_records, about, monkeypatch,
                                                                                  failing):
    """When the query of the asset's rows fails (busy, interrupted) or the page's snapshot cannot
    be read (a damaged page of the file, which is then made again), the page reads the whole
    folder: it never shows an asset without its tickets, nor keeps such a page for the next."""
    import sqlite3

    from conftest import event
    old_records.ticket("T-2", event("09:00", "reported"), event("10:00", "resolved"))
    _aged(old_records)
    expected = _show(old_records, monkeypatch, cache_on=False).stdout
    assert "Tickets (2, 1 open)" in expected
    assert _show(old_records, monkeypatch).stdout == expected   # the whole folder: the cache knows it
    if failing == "the page's snapshot":
        assert _show(old_records, monkeypatch).stdout == expected   # takes the page's snapshot
    method, text, error = (("rels_about", "WHERE asset = ?", sqlite3.OperationalError)
                           if failing == "the asset's rows" else
                           ("snapshot", "FROM about", sqlite3.DatabaseError))
    real = getattr(cache.RecordCache, method)

    def once(self, *args):
        db, self.db = self.db, _Failing(self.db, text, error)
        try:
            return real(self, *args)
        finally:
            if isinstance(self.db, _Failing):   # (not when the file was made again)
                self.db = db

    monkeypatch.setattr(cache.RecordCache, method, once)
    about.update(whole=0, about=0)
    assert _show(old_records, monkeypatch).stdout == expected
    assert (about["whole"], about["about"]) == (1, 0)
    monkeypatch.setattr(cache.RecordCache, method, real)
    for _ in range(2):
        assert _show(old_records, monkeypatch).stdout == expected


@contextlib.contextmanager
def opened_cache(root):
    opened = cache.RecordCache(root)
    try:
        yield opened
    finally:
        opened.close()


def test_asset_show_minds_only_the_files_it_shows_whether_the_cache_answers_or_not(old_records, about,
                                                                                  monkeypatch):
    from conftest import event
    old_records.asset("CHAIR-2")
    old_records.ticket("T-2", event("09:00", "reported"), event("08:00", "resolved"), asset="CHAIR-2")
    _aged(old_records)
    refused = _show(old_records, monkeypatch, asset="CHAIR-2", cache_on=False)
    assert refused.exit_code == 1
    assert ("tickets/2026/T-2.yaml:7:1: error[before-reported]: `resolved` at 2026-03-14T08:00:00+08:00 is "
            "before the request was reported") in refused.output
    shown = _show(old_records, monkeypatch, cache_on=False)   # CHAIR-1: the broken T-2 is not its business
    assert shown.exit_code == 0, shown.output
    about.update(whole=0, about=0)
    for _ in range(2):   # the cache empty (the whole folder read), then answering for the asset alone
        assert (_show(old_records, monkeypatch, asset="CHAIR-2").output, _show(old_records, monkeypatch).output) \
            == (refused.output, shown.output)
    assert (about["whole"], about["about"]) == (1, 3)


def test_asset_show_leaves_the_parts_stock_unchecked(old_records, about, monkeypatch):
    """Only the settings, the asset and its tickets must validate for `asset show`: it does not
    check the parts' stock against the uses of the tickets it read (some of them, when the cache
    answers for the asset alone), which `validate` checks."""
    from conftest import event, run

    from aftersales import checks
    old_records.ticket("T-2", event("09:00", "reported"),
                       event("10:00", "resolved", parts="[{part: BOLT-M8, qty: 400}]"))
    _aged(old_records)
    levels: list[object] = []
    check_levels = checks.check_levels
    monkeypatch.setattr(checks, "check_levels", lambda *args: (levels.append(args), check_levels(*args))[1])
    validated = run("validate", "--records", str(old_records.root))
    assert levels and "BOLT-M8" in validated.output   # the stock runs out: a warning
    about.update(whole=0, about=0)
    for cache_on in (False, True):   # the whole folder read, then the asset's tickets alone
        levels.clear()
        shown = _show(old_records, monkeypatch, cache_on=cache_on)
        assert shown.exit_code == 0 and "T-2" in shown.stdout and "BOLT-M8" not in shown.output
        assert levels == []
    assert (about["whole"], about["about"]) == (1, 1)


def test_a_listing_of_every_ticket_keeps_rows_not_tickets(old_records):
    """`ticket list --all` over ten years of records holds one small row per ticket: the tickets
    it builds from the cache are not kept."""
    import datetime as dt

    from conftest import event

    from aftersales.core.model import Ticket
    from aftersales.engine import queries
    for i in range(2, 9):
        old_records.ticket(f"T-{i}", event("09:00", "reported"), event("10:00", "resolved"))
    _aged(old_records)
    store.load(old_records.root)                       # fills the cache
    loaded = store.load(old_records.root)
    at = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
    listed = queries.ticket_rows(loaded.records(), at, show_all=True)
    assert sorted(r.ticket.id for r in listed) == [f"T-{i}" for i in range(1, 9)]
    assert not any(isinstance(value, Ticket) for value in loaded.tickets._items.values())


def test_a_pass_over_many_tickets_reads_their_stored_values_in_batches_and_keeps_none(old_records,
                                                                                       monkeypatch):
    """`Tickets.each` reads the stored tickets a batch at a time (two here) and gives them in the
    order asked: the tickets a run without the cache reads; one whose stored value is damaged or
    gone is read from its file; none is kept, and a ticket built already is not read again."""
    import sqlite3

    from conftest import event

    from aftersales.core.model import Ticket
    monkeypatch.setattr(store, "BUILT_AT_ONCE", 2)
    reads = []
    real = cache.RecordCache.blobs

    def counting(self, wanted, which="payload"):
        reads.append(sorted(wanted))
        return real(self, wanted, which)

    monkeypatch.setattr(cache.RecordCache, "blobs", counting)
    for i in range(2, 7):
        old_records.ticket(f"T-{i}", event("09:00", "reported"), event(f"1{i}:00", "resolved"))
    _aged(old_records)
    store.load(old_records.root)                       # fills the cache
    with sqlite3.connect(cache.cache_path(old_records.root)) as db:
        db.execute("UPDATE blobs SET payload = x'00' WHERE rel = 'tickets/2026/T-3.yaml'")
        db.execute("DELETE FROM blobs WHERE rel = 'tickets/2026/T-5.yaml'")
    loaded = store.load(old_records.root)
    ids = ["T-6", "T-3", "T-1", "T-5", "T-2"]
    plain = store.load(old_records.root, use_cache=False).tickets
    assert list(loaded.tickets.each(ids)) == [plain[i] for i in ids]
    batches = [["tickets/2026/T-3.yaml", "tickets/2026/T-6.yaml"],
               ["tickets/2026/T-1.yaml", "tickets/2026/T-5.yaml"], ["tickets/2026/T-2.yaml"]]
    assert reads == batches
    assert not any(isinstance(value, Ticket) for value in loaded.tickets._items.values())   # none kept
    reads.clear()
    kept = loaded.tickets["T-1"]                       # built and kept: not read again
    assert list(loaded.tickets.each(ids))[2] is kept
    assert reads == [batches[0], ["tickets/2026/T-5.yaml"], batches[2]]


def test_a_ticket_whose_stored_bytes_are_gone_is_read_from_its_file_or_refused_clearly(old_records):
    """Another command may rewrite the cache between loading and building a ticket: the ticket is
    then read from its file; a file that changed meanwhile into something else is an error that
    says which file and what to do, not a wrong ticket."""
    import sqlite3

    from aftersales.core.errors import AftersalesError
    store.load(old_records.root)                       # fills the cache
    loaded = store.load(old_records.root)              # answered by it: T-1 not built yet
    with sqlite3.connect(cache.cache_path(old_records.root)) as db:
        db.execute("DELETE FROM blobs WHERE rel = 'tickets/2026/T-1.yaml'")
    assert loaded.tickets["T-1"].id == "T-1"           # from its file
    again = store.load(old_records.root)
    with sqlite3.connect(cache.cache_path(old_records.root)) as db:
        db.execute("DELETE FROM blobs WHERE rel = 'tickets/2026/T-1.yaml'")
    (old_records.root / "tickets" / "2026" / "T-1.yaml").write_text("id: [\n", encoding="utf-8")
    with pytest.raises(AftersalesError) as refused:
        again.tickets["T-1"]
    assert str(refused.value) == "tickets/2026/T-1.yaml changed while it was being read: run the command again"


def test_equal_offsets_and_equal_sets_of_fields_are_one_object(old_records):
    """The parser makes an offset object per instant, and the builder a set of the fields each
    event wrote; the loader keeps one of each that are equal, so a pickled ticket (a row of the
    cache) writes and rebuilds it once."""
    from conftest import event
    old_records.ticket("T-2", event("09:00", "reported"), event("10:00", "responded"),
                       event("11:00", "resolved"))
    ticket = store.load(old_records.root, use_cache=False).tickets["T-2"]
    assert len({e.at.utcoffset() for e in ticket.events}) == 1
    assert len({id(e.at.tzinfo) for e in ticket.events}) == 1
    assert len({e.keys for e in ticket.events}) == 1
    assert len({id(e.keys) for e in ticket.events}) == 1
