"""scripts/bench.py works end to end: it generates a small folder, measures the floor and every
command, and prints the table (the figures themselves are a benchmark's, not a test's)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_benchmark_runs_at_2000_tickets(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--tickets", "2000", "--runs", "1",
                           "--work", str(tmp_path)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    table = done.stdout
    assert "**2,000 tickets** — floor" in table
    for name in ("validate-cold", "validate", "sla-open", "ticket-list", "maintenance-due", "warranty", "parts",
                 "report-quarterly", "sla-quarter", "sla-open-after-change", "ticket-show", "asset-show", "start-up"):
        assert f"| `{name}` |" in table
    assert (tmp_path / "2000" / ".bench-complete").exists()
    assert any((tmp_path / "cache-2000").iterdir())      # the commands filled their cache there


def test_the_table_compares_sizes_over_the_start_up_and_over_the_floor():
    """Between the sizes the machine slowed down by half: over `start-up` (the same work at every
    size) and over the floor (linear in the tickets), the drift cancels out."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    f = bench.Figure

    def figures(slower: float, tickets: int) -> dict[str, bench.Figure]:
        return {"ticket-show": f([0.3 * slower], 30_000), "start-up": f([0.1 * slower], 20_000),
                "report-quarterly": f([0.002 * tickets * slower], 100_000)}

    table = bench.table({1000: (f([1.0, 1.0], 1), figures(1, 1000), 2_000_000),
                         100_000: (f([150.0, 150.0], 1), figures(1.5, 100_000), 200_000_000)}, 2)
    assert "| floor | 150.00 | 100.00 | 1.50 | 1.00 |" in table
    assert "| `ticket-show` | 1.50 | 1.00 | 0.01 | 0.01 |" in table
    assert "| `report-quarterly` | 150.00 | 100.00 | 1.50 | 1.00 |" in table
    assert "1 run before the commands, 1 after" in table and "2 runs per figure" in table
    changed = bench.Figure([0.6, 0.7, 0.8], 1024, warm=[0.5, 0.5, 0.6])
    table = bench.table({1000: (f([1.0], 1), {"sla-open-after-change": changed}, 1)}, 3)
    assert "| `sla-open-after-change` | 0.70 s | 0.60 s | 0.700× | 1 MB | 1.0 | ≤ 1.2× the warm run: " \
           "0.50 s warm, 1.40× |" in table


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux's /proc")
def test_the_memory_of_a_command_and_its_helpers_is_added_up(records, tmp_path):
    """scripts/bench_memory.py follows the command's process tree: a process that forks a child
    counts two, each with its own memory; the command line prints the peak for a command."""
    import os
    import re

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_memory
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    alone = [sys.executable, "-c", "import time; data = bytearray(40 << 20); time.sleep(0.6)"]
    forked = [sys.executable, "-c", "import os, time; data = bytearray(40 << 20)\n"
              "if os.fork() == 0:\n    data[:] = bytes(len(data)); time.sleep(0.6); os._exit(0)\n"
              "time.sleep(0.6); os.wait()"]
    one, processes = bench_memory.peak(alone, 0.01)
    assert processes == 1 and one > 40 << 10   # (KB)
    two, processes = bench_memory.peak(forked, 0.01)
    assert processes == 2 and two > one + (30 << 10)   # the child wrote to its copy: its own pages

    env = dict(os.environ, AFTERSALES_CACHE_DIR=str(tmp_path / "cache"))
    script = str(ROOT / "scripts" / "bench_memory.py")
    done = subprocess.run([sys.executable, script, "--tickets", "1", "--", "validate", "--records", str(records.root)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"peak Pss of the process tree: \d+ MB \(\d+\.\d KB/ticket\); processes at once: 1\n",
                        done.stdout)
    for args, told in ((["--every", "0", "--", "validate"], "argument --every: '0' is not more than 0"),
                       (["--tickets", "x", "--", "validate"], "argument --tickets: 'x' is not a number"),
                       ([], "give the command's arguments after --")):
        refused = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, timeout=60)
        assert refused.returncode == 2 and refused.stderr.endswith(f"bench_memory.py: error: {told}\n")
