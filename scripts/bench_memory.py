"""Peak memory of a command and every process it starts, together (Linux only).

`scripts/bench.py` reports the peak resident memory of each command's process (`ru_maxrss`).
A command that forks a helper (`sla` and `report quarterly` over many tickets: see
`core.halves`) or starts worker processes (a cold `validate`) uses more than that at once,
but not twice as much: a forked child shares its parent's pages until one of them writes to
one. This script runs a command and, every few milliseconds while it runs, adds up the
proportional set size (Pss: each shared page split between the processes that share it) of
the process and its descendants, from /proc/PID/smaps_rollup; it prints the largest sum seen.
The polling costs CPU, so the command runs slower than in the bench: its time is not printed.

    python scripts/bench_memory.py -- sla --period 2026Q3 --format json --records /tmp/aftersales-bench/100000
    python scripts/bench_memory.py --tickets 100000 -- report quarterly --period 2026Q3 --records ...
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def tree(pid: int) -> list[int]:
    """The process and its descendants, as /proc tells them now."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as listed:
                todo += [int(child) for child in listed.read().split()]
        except OSError:   # gone meanwhile
            continue
    return found


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):   # gone meanwhile
        pass
    return 0


def peak(argv: list[str], every: float, env: dict[str, str] | None = None) -> tuple[int, int]:
    """The largest sum of Pss seen over the process tree (KB), and the most processes seen at once."""
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, env=env)
    most, processes = 0, 0
    while child.poll() is None:
        pids = tree(child.pid)
        most = max(most, sum(pss_kb(pid) for pid in pids))
        processes = max(processes, len(pids))
        time.sleep(every)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({child.returncode})")
    return most, processes


def _positive(kind: type) -> Callable[[str], Any]:
    def read(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r} is not more than 0")
        return value
    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="examples:\n" + "\n".join(
                                         line for line in __doc__.splitlines() if "bench_memory.py" in line))
    parser.add_argument("--every", type=_positive(float), default=0.005,
                        help="seconds between two looks (default 0.005)")
    parser.add_argument("--tickets", type=_positive(int),
                        help="the folder's tickets: the peak is also given per ticket")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the command's arguments, after --")
    options = parser.parse_args()
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    if not args:
        parser.error("give the command's arguments after --")
    if not os.path.exists("/proc/self/smaps_rollup"):
        raise SystemExit("needs Linux's /proc/PID/smaps_rollup")
    most, processes = peak([sys.executable, "-m", "aftersales", *args], options.every)
    per_ticket = f" ({most / options.tickets:.1f} KB/ticket)" if options.tickets else ""
    print(f"peak Pss of the process tree: {most / 1024:.0f} MB{per_ticket}; processes at once: {processes}")


if __name__ == "__main__":
    main()
