"""Work split in two (`core.halves`): half in a forked child, half here, and always the result of
one pass; done here when it cannot fork safely, and again here when the child fails."""

from __future__ import annotations

import json
import os
import threading

import pytest

from aftersales.core import halves
from aftersales.engine.sla import URGENCY
from aftersales.store import cache


@pytest.fixture(autouse=True)
def one_shot(monkeypatch):
    """This process may fork, as the command line's may (`halves.one_shot`)."""
    monkeypatch.setattr(halves, "_allowed", True)


def _could_fork():
    before, halves._allowed = halves._allowed, True
    try:
        return halves.can_fork()
    finally:
        halves._allowed = before


forking = pytest.mark.skipif(not _could_fork(), reason="needs Linux, two cores and no other thread")


def _where(items):
    """Each item doubled, and the process that did it."""
    return [item * 2 for item in items], os.getpid()


@forking
def test_every_other_item_is_worked_on_in_a_child():
    (first, here), (second, there) = halves.in_two(list(range(11)), _where, at_least=2)
    assert first == [0, 4, 8, 12, 16, 20] and second == [2, 6, 10, 14, 18]
    assert here == os.getpid() and there != os.getpid()


def test_a_short_list_is_worked_on_here():
    (first, here), (second, there) = halves.in_two([1, 2, 3], _where, at_least=4)
    assert (first, second) == ([2, 6], [4]) and here == there == os.getpid()


@forking
def test_a_failed_child_has_its_half_done_again_here():
    parent = os.getpid()

    def failing_in_a_child(items):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return _where(items)

    (first, here), (second, there) = halves.in_two(list(range(10)), failing_in_a_child, at_least=2)
    assert sorted(first + second) == [n * 2 for n in range(10)] and here == there == parent


@forking
def test_a_child_that_dies_without_a_word_has_its_half_done_again_here():
    parent = os.getpid()

    def dying_in_a_child(items):
        if os.getpid() != parent:
            os._exit(0)   # ends before it writes: nothing comes back
        return _where(items)

    (first, _), (second, there) = halves.in_two(list(range(10)), dying_in_a_child, at_least=2)
    assert sorted(first + second) == [n * 2 for n in range(10)] and there == parent


@forking
def test_a_failure_here_stops_the_child_and_is_raised():
    parent = os.getpid()

    def failing_here(items):
        if os.getpid() == parent:
            raise KeyError("here")
        return _where(items)

    with pytest.raises(KeyError):
        halves.in_two(list(range(10)), failing_here, at_least=2)
    with pytest.raises(ChildProcessError):   # the child was reaped: none is left behind
        os.waitpid(-1, os.WNOHANG)


def test_no_child_is_forked_while_another_thread_runs():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not halves.can_fork()
        (_, here), (_, there) = halves.in_two(list(range(10)), _where, at_least=2)
        assert here == there == os.getpid()
    finally:
        stop.set()
        other.join()


@forking
def test_no_cache_connection_is_shared_with_a_child(tmp_path, monkeypatch):
    """The record cache closes its connections before a child is forked (SQLite: a connection
    never crosses a fork); each process opens its own when it reads again."""
    monkeypatch.setenv("AFTERSALES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("AFTERSALES_CACHE", raising=False)
    opened = cache.RecordCache(tmp_path / "records")
    assert opened.db is not None

    def connection(items):
        before = opened.db is None   # closed before the fork
        reader = opened._reader()    # and opened again to read
        return before, reader is not None and reader.execute("SELECT 1").fetchone(), os.getpid()

    try:
        here, there = halves.in_two([1, 2], connection, at_least=2)
    finally:
        opened.close()
    assert here[:2] == there[:2] == (True, (1,)) and here[2] != there[2]


def test_an_embedding_program_forks_nothing_unless_it_asks(monkeypatch):
    monkeypatch.setattr(halves, "_allowed", False)   # (the web app, a test: not the command line)
    assert not halves.can_fork()
    (_, here), (_, there) = halves.in_two(list(range(10)), _where, at_least=2)
    assert here == there == os.getpid()


def test_no_child_is_forked_when_children_are_reaped_by_the_system(monkeypatch):
    """With SIGCHLD ignored (some supervisors start commands so) the system reaps a child at
    once and its end cannot be told: the work is done here."""
    import signal

    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert not halves.can_fork()
        (_, here), (_, there) = halves.in_two(list(range(10)), _where, at_least=2)
    finally:
        signal.signal(signal.SIGCHLD, before)
    assert here == there == os.getpid()


@forking
def test_a_child_ends_when_its_parent_is_killed(tmp_path):
    """A command killed mid-way (by `timeout`, say) takes its child with it."""
    import signal
    import subprocess
    import sys
    import time

    pid_file = tmp_path / "child"
    script = f"""
import os, time
from aftersales.core import halves
halves.one_shot()
def sleeper():
    with open({str(pid_file)!r}, "w") as out:
        out.write(str(os.getpid()))
    time.sleep(60)
halves.both(lambda: time.sleep(60), sleeper)
"""
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        for _ in range(200):
            if pid_file.exists() and pid_file.read_text():
                break
            time.sleep(0.05)
        child = int(pid_file.read_text())
        os.kill(child, 0)   # it runs
    finally:
        parent.kill()
        parent.wait()
    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the child outlived its parent")


@forking
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_sla_of_two_halves_writes_what_one_pass_writes_and_keeps_every_cycle(records, tmp_path, monkeypatch, fmt):
    """The child of `sla --format json/csv` reads its half of the kept cycles through its own
    connection, and keeps those it had to evaluate: the next run finds them all."""
    import time

    from conftest import event, run

    from aftersales.store import load as module

    for i in range(2, 30):   # open (its clock breached and running), met, breached
        day = f"2026-03-{i % 28 + 1:02d}"
        answer = [] if i % 3 == 0 else [event(f"{day} {'09:30' if i % 3 == 1 else '15:00'}", "responded")]
        records.ticket(f"T-{i}", event(f"{day} 09:00", "reported"), *answer)
    hour_ago = time.time() - 3600
    for path in records.root.rglob("*.yaml"):
        os.utime(path, (hour_ago, hour_ago))
    args = ("sla", "--format", fmt, "--at", "2026-12-01", "--records", str(records.root))
    monkeypatch.setenv("AFTERSALES_CACHE", "off")
    one_pass = run(*args)
    assert one_pass.exit_code == 0, one_pass.output
    assert len(one_pass.stdout.splitlines()) >= 29   # a row per ticket (and a header, or the brackets)
    monkeypatch.delenv("AFTERSALES_CACHE")
    monkeypatch.setenv("AFTERSALES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(halves, "AT_LEAST", 2)
    assert run(*args).stdout == one_pass.stdout   # cold: each half evaluated, and kept
    built = []
    real = module.decode
    monkeypatch.setattr(module, "decode", lambda payload: built.append(1) or real(payload))
    monkeypatch.setattr(halves, "AT_LEAST", 10**9)   # here alone, to count what it builds
    assert run(*args).stdout == one_pass.stdout
    assert built == []   # every ticket kept (its running clocks are counted on from what was kept)
    monkeypatch.setattr(halves, "AT_LEAST", 2)
    assert run(*args).stdout == one_pass.stdout   # warm
    if fmt == "json":   # the halves' rows merged most urgent first: open breaches, running clocks, the met
        ranks = [URGENCY["breached-running" if r["status"] == "breached" and r["stop"] is None else r["status"]]
                 for r in json.loads(one_pass.stdout)]
        assert ranks == sorted(ranks) and len(set(ranks)) >= 3


@forking
def test_a_report_of_two_halves_counts_what_one_pass_counts(records, tmp_path, monkeypatch):
    """The quarterly report's tickets read in two halves (their facts, clocks and breaches joined)
    give the report one pass gives, with the cache cold and warm."""
    from conftest import event, run

    for i in range(2, 40):
        day = f"2026-0{1 + i % 3}-{i % 27 + 1:02d}"
        answer = [] if i % 4 == 0 else [event(f"{day} {'09:30' if i % 4 == 1 else '15:00'}", "responded")]
        fixed = [event(f"{day} 16:00", "resolved", cost=i)] if i % 4 > 1 else []
        records.ticket(f"T-{i}", event(f"{day} 09:00", "reported"), *answer, *fixed,
                       *([event(f"{day} 17:00", "callback", satisfaction=1 + i % 5)] if fixed else []))
    args = ("report", "quarterly", "--period", "2026Q1", "--format", "json", "--at", "2026-05-01",
            "--records", str(records.root))
    monkeypatch.setenv("AFTERSALES_CACHE", "off")
    one_pass = run(*args)
    assert one_pass.exit_code == 0, one_pass.output
    report = json.loads(one_pass.stdout)
    # 38 tickets, 20 resolved; responses met by 9, missed by 10 answered late, 10 fixed late
    # without an answer, and 9 still waiting (their clocks running)
    assert (report["tickets"]["opened"], report["tickets"]["resolved"]) == (38, 20)
    assert (len(report["breaches"]), sum(b["still_open"] for b in report["breaches"])) == (29, 9)
    monkeypatch.setattr(halves, "AT_LEAST", 2)
    assert run(*args).stdout == one_pass.stdout
    monkeypatch.delenv("AFTERSALES_CACHE")
    monkeypatch.setenv("AFTERSALES_CACHE_DIR", str(tmp_path / "cache"))
    for _ in range(2):   # cold, then warm
        assert run(*args).stdout == one_pass.stdout


def test_breaches_written_by_the_engine_are_the_rows_written_by_the_view(records, monkeypatch):
    """`report quarterly --format json` has the engine write each half's breaches where it reads
    them (`write_breaches`): the text is that of the rows the engine gives without a writer."""
    from conftest import event

    from aftersales.core.times import period_from_options
    from aftersales.engine import kpis
    from aftersales.project import load_project
    from aftersales.views import quarterly

    for i in range(2, 30):
        day = f"2026-0{1 + i % 3}-{i % 27 + 1:02d}"
        records.ticket(f"T-{i}", event(f"{day} 09:00", "reported"),
                       event(f"{day} 10:00", "paused", reason="customer", note=f'"{i}"') if i % 4 else
                       event(f"{day} 11:00", "note", note="等待配件"),
                       *([event(f"{day} 15:00", "responded")] if i % 3 else []))
    monkeypatch.setenv("AFTERSALES_CACHE", "off")
    project = load_project(records.root, "2026-05-01")
    period = period_from_options("2026Q1", None, None, project.tz)
    rows = kpis.report(project.records, period, project.at)
    expected = "".join(quarterly.json_text(project.records, rows))
    assert len(rows["breaches"]) >= 10 and any(b["events"] for b in rows["breaches"])
    for at_least in (10**9, 2):   # one process, and two
        monkeypatch.setattr(halves, "AT_LEAST", at_least)
        written = kpis.report(project.records, period, project.at, write_breaches=quarterly.breach_writer(project.tz))
        assert isinstance(written["breaches"], kpis.WrittenBreaches)
        assert "".join(quarterly.json_text(project.records, written)) == expected


def test_a_cpu_quota_limits_the_cores(tmp_path, monkeypatch):
    """A container limited to one CPU's time (cgroup v2 `cpu.max`) forks no child, whatever
    cores it sees."""
    limit = tmp_path / "cpu.max"
    for text, quota in (("max 100000\n", None), ("100000 100000\n", 1.0), ("150000 100000\n", 1.5),
                        ("garbled\n", None), ("50000 0\n", None)):
        limit.write_text(text)
        assert halves.cpu_quota(str(limit)) == quota
    assert halves.cpu_quota(str(tmp_path / "absent")) is None
    limit.write_text("50000 100000\n")
    monkeypatch.setattr(halves, "CPU_MAX", str(limit))
    assert halves.cpu_quota() == 0.5
    assert halves.cores() == 1 and not halves.can_fork()
