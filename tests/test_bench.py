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
    """scripts/bench_memory.py follows the command's process tree: a `sla` whose tickets are read
    in two halves (a forked child) counts two processes."""
    import os
    import re

    for i in range(2, 12):
        records.ticket(f"T-{i}")
    script = ("import runpy, sys; from aftersales.core import halves; halves.AT_LEAST = 2; "
              "sys.argv = ['aftersales', *sys.argv[1:]]; runpy.run_module('aftersales', run_name='__main__')")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_memory
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    env = dict(os.environ, AFTERSALES_CACHE_DIR=str(tmp_path / "cache"))
    command = [sys.executable, "-c", script, "sla", "--format", "json", "--records", str(records.root)]
    most, processes = bench_memory.peak(command, 0.0005, env)
    assert most > 10_000 and processes in (1, 2)   # (the child may come and go between two looks)
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_memory.py"), "--tickets", "11", "--",
                           "validate", "--records", str(records.root)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"peak Pss of the process tree: \d+ MB \(\d+\.\d KB/ticket\); processes at once: 1\n",
                        done.stdout)
