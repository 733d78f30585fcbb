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
                 "report-quarterly", "sla-quarter", "sla-open-after-change", "ticket-show", "asset-show"):
        assert f"| `{name}` |" in table
    assert (tmp_path / "2000" / ".bench-complete").exists()
    assert any((tmp_path / "cache-2000").iterdir())      # the commands filled their cache there
