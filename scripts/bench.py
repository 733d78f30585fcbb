"""Benchmark: every command people wait for, as a ratio to the parse floor, measured in one run.

For each size (--tickets, default 10,000 and 100,000) the script generates a records
folder with `scripts/make_records.py --tickets N` once and keeps it under the work
folder (default /tmp/aftersales-bench/N; generated folders are reused by later runs).
It then measures, in this one run:

- the floor: a bare process that reads every ticket file and parses it with PyYAML's
  CSafeLoader, nothing else (single process), --runs times before the commands and as
  many after them (the median and minimum are over both: a shared machine's speed drifts
  in the minutes between);
- each command (`python -m aftersales ...`, output thrown away) --runs times: cold
  `validate` (cache folder emptied before each run), warm commands (after an
  untimed `validate` and `sla` have left in the cache what earlier runs leave),
  and a warm command right after one ticket file changed.

Every process runs as an installed package would, with its modules' compiled bytecode
kept (under the caches folder, whatever PYTHONDONTWRITEBYTECODE says).

Each figure is the wall time of a fresh process (median and min over the runs),
its peak memory (ru_maxrss of that child, from os.wait4) and the size of the cache
on disk. The Markdown table gives each command's ratio to the floor and, when two
sizes are measured, the per-ticket cost at the larger size over that at the smaller.

    python scripts/bench.py                                   # 10,000 and 100,000 tickets
    python scripts/bench.py --tickets 10000 --runs 3
    python scripts/bench.py --commands "validate-cold,sla-open"
    python scripts/bench.py --readme                          # put the table in README.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AT = "2026-11-23"       # the generated history ends the day before
QUARTER = "2026Q3"
START_UP = "start-up"
AN_HOUR = 3600

FLOOR = r"""
import os, sys, yaml
loader = yaml.CSafeLoader
base = os.path.join(sys.argv[1], "tickets")
n = 0
for year in sorted(os.listdir(base)):
    folder = os.path.join(base, year)
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as handle:
            yaml.load(handle.read(), Loader=loader)
        n += 1
print(n)
"""


@dataclass(frozen=True)
class Command:
    name: str
    argv: tuple[str, ...]
    setup: str = "warm"       # warm | cold (cache emptied before each run) | changed (one ticket changed)
    group: str = ""           # which target of the issue it answers
    records: bool = True      # run on the folder (`--records`)


def commands(ticket_id: str, asset_id: str) -> list[Command]:
    at = ("--at", AT)
    return [
        Command("validate-cold", ("validate", *at), "cold", "cold ≤ 1.0×"),
        Command("validate", ("validate", *at), "warm", "warm"),
        Command("sla-open", ("sla", "--open", "--format", "json", *at), "warm", "≤ 5 %"),
        Command("ticket-list", ("ticket", "list", *at), "warm", "≤ 5 %"),
        Command("maintenance-due", ("maintenance", "due", *at), "warm", "≤ 5 %"),
        Command("warranty", ("warranty", *at), "warm", "≤ 5 %"),
        Command("parts", ("parts", *at), "warm", "≤ 5 %"),
        Command("report-quarterly", ("report", "quarterly", "--period", QUARTER, "--format", "json", *at),
                "warm", "≤ 10 %"),
        Command("sla-quarter", ("sla", "--period", QUARTER, "--format", "json", *at), "warm", "≤ 10 %"),
        Command("sla-open-after-change", ("sla", "--open", "--format", "json", *at), "changed",
                "≤ 1.2× the warm run"),
        Command("ticket-list-all-json", ("ticket", "list", "--all", "--format", "json", *at), "warm", "streams"),
        Command("ticket-show", ("ticket", "show", ticket_id, *at), "warm", "≤ 1.3× at 1,000"),
        Command("asset-show", ("asset", "show", asset_id), "warm", "≤ 1.3× at 1,000"),
        # Python's start and the command line's, nothing read: the same work at every size, so
        # that the times of `ticket show` and `asset show` can be compared across sizes over it
        Command(START_UP, ("--version",), "warm", "yardstick", records=False),
    ]


@dataclass
class Figure:
    seconds: list[float]
    peak_kb: int
    warm: list[float] = field(default_factory=list)   # `changed`: the same command warm, just before each run

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)


def folder_for(work: Path, size: int) -> Path:
    """The generated records folder of `size` tickets, made once and reused."""
    folder = work / str(size)
    done = folder / ".bench-complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    print(f"generating {size:,} tickets into {folder} ...", file=sys.stderr)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_records.py"), "--tickets", str(size),
                    "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
    _age(folder)
    done.write_text("made by scripts/bench.py\n", encoding="utf-8")
    return folder


def _age(folder: Path) -> None:
    """Files changed an hour ago: the cache keeps them (a file changed in the last seconds is
    always parsed again, see docs/performance.md)."""
    old = time.time() - AN_HOUR
    for dirpath, _, names in os.walk(folder):
        for name in names:
            os.utime(os.path.join(dirpath, name), (old, old))


def run(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak memory (KB) of one child process; its output is thrown away."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0,):
        raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}):\n{err.decode(errors='replace')}")
    return seconds, usage.ru_maxrss   # KB on Linux


def first_ids(folder: Path) -> tuple[str, str, Path]:
    """A ticket id in the latest year, an asset id, and a ticket file the bench may touch."""
    base = folder / "tickets"
    year = sorted(os.listdir(base))[-1]
    names = sorted(n for n in os.listdir(base / year) if n.endswith(".yaml"))
    middle = names[len(names) // 2]
    assets = sorted(n for n in os.listdir(folder / "assets") if n.endswith(".yaml"))
    return middle[:-5], assets[0][:-5], base / year / names[0]


def cache_bytes(cache: Path) -> int:
    return sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) if cache.exists() else 0


def measure(folder: Path, caches: Path, size: int, runs: int, chosen: set[str] | None
            ) -> tuple[Figure, dict[str, Figure], int]:
    cache = caches / f"cache-{size}"
    # Python as installed: the bytecode of every module compiled once and kept (an installed
    # package has it; a shell may have turned writing it off), outside the source tree.
    env = dict(os.environ, AFTERSALES_CACHE_DIR=str(cache), COLUMNS="100",
               PYTHONPYCACHEPREFIX=str(caches / "bytecode"))
    for name in ("AFTERSALES_CACHE", "AFTERSALES_RECORDS", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    ticket_id, asset_id, touched = first_ids(folder)
    floor = Figure([], 0)

    def measure_floor() -> None:
        for _ in range(runs):
            seconds, peak = run([sys.executable, "-c", FLOOR, str(folder)], env)
            floor.seconds.append(seconds)
            floor.peak_kb = max(floor.peak_kb, peak)
        print(f"  floor {floor.median:.2f} s", file=sys.stderr)

    measure_floor()   # before the commands and again after them (below): a shared machine's speed drifts
    figures: dict[str, Figure] = {}
    warm = False   # the first warm command of a run fills the cache first (the code may have changed)
    for command in commands(ticket_id, asset_id):
        if chosen is not None and command.name not in chosen:
            continue
        figure = Figure([], 0)
        for i in range(runs):
            if command.setup == "cold":
                shutil.rmtree(cache, ignore_errors=True)
                warm = False
            else:
                if not warm:   # warm it, untimed: what earlier runs leave (checks, cycles of stopped clocks)
                    run(_argv(folder, ("validate", "--at", AT)), env)
                    run(_argv(folder, ("sla", "--format", "csv", "--at", AT)), env)
                    # the cycles kept by `sla` are rows written since the snapshot: the next run takes
                    # it again, as the first run after a day's work would (see docs/performance.md)
                    run(_argv(folder, ("validate", "--at", AT)), env)
                    warm = True
                if command.setup == "changed":
                    # the warm run it is compared with, just before it: a shared machine's drift
                    # between two commands measured minutes apart would swamp the difference
                    figure.warm.append(run(_argv(folder, command.argv), env)[0])
                    when = time.time() - AN_HOUR + 60 + i   # a new identity, outside the racy window
                    touched.write_bytes(touched.read_bytes())
                    os.utime(touched, (when, when))
            seconds, peak = run(_argv(folder, command.argv) if command.records else
                                [sys.executable, "-m", "aftersales", *command.argv], env)
            figure.seconds.append(seconds)
            figure.peak_kb = max(figure.peak_kb, peak)
        figures[command.name] = figure
        print(f"  {command.name} {figure.median:.2f} s", file=sys.stderr)
    measure_floor()
    return floor, figures, cache_bytes(cache)


def _argv(folder: Path, args: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "aftersales", *args, "--records", str(folder)]


def table(results: dict[int, tuple[Figure, dict[str, Figure], int]], runs: int) -> str:
    sizes = sorted(results)
    lines = []
    for size in sizes:
        floor, figures, cache_size = results[size]
        lines += [f"**{size:,} tickets** — floor (read + CSafeLoader parse of every ticket, one process; "
                  f"{_runs(len(floor.seconds) // 2)} before the commands, {len(floor.seconds) // 2} after): "
                  f"median {floor.median:.2f} s, min {floor.best:.2f} s; cache on disk "
                  f"{cache_size / 1e6:.1f} MB ({cache_size / size / 1024:.2f} KB/ticket)", "",
                  "| command | median | min | ratio to floor | peak memory | KB/ticket | target |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        names = {c.name: c for c in commands("ID", "ID")}
        for name, fig in figures.items():
            target = names[name].group
            if fig.warm:   # over the warm runs just before each of its runs
                target += f": {statistics.median(fig.warm):.2f} s warm, {fig.median / statistics.median(fig.warm):.2f}×"
            lines.append(f"| `{name}` | {fig.median:.2f} s | {fig.best:.2f} s | {fig.median / floor.median:.3f}× | "
                         f"{fig.peak_kb / 1024:.0f} MB | {fig.peak_kb / size:.1f} | {target} |")
        lines.append("")
    if len(sizes) >= 2:
        large = sizes[-1]
        smaller = sizes[:-1]
        l_floor, l_figs, _ = results[large]
        lines += [f"At {large:,} tickets over each smaller size. *Time*: the command's time (`ticket show` "
                  f"and `asset show` should barely grow); *÷ start-up*: the same over `{START_UP}`'s, which "
                  "does the same work at every size (a machine that slowed down between the sizes cancels "
                  "out); *per ticket*: the time per ticket (1.0 is linear); *÷ floor*: the same over the "
                  "floor's, the ratio to the floor at each size:", "",
                  "| command | " + " | ".join(f"time / {s:,} | ÷ start-up | per ticket / {s:,} | ÷ floor"
                                             for s in smaller) + " |",
                  "|---|" + "---:|---:|---:|---:|" * len(smaller)]
        l_start = l_figs.get(START_UP)

        def ratios(l_fig: Figure, small: list[tuple[Figure | None, Figure, Figure | None]]) -> str:
            cells = []
            for size, (fig, s_floor, s_start) in zip(smaller, small, strict=True):
                if fig is None:
                    cells += ["—"] * 4
                    continue
                time_ratio = l_fig.median / fig.median
                per_ticket = time_ratio * size / large
                over_start = (f"{time_ratio / (l_start.median / s_start.median):.2f}"
                              if l_start is not None and s_start is not None else "—")
                cells += [f"{time_ratio:.2f}", over_start, f"{per_ticket:.2f}",
                          f"{per_ticket / ((l_floor.median / large) / (s_floor.median / size)):.2f}"]
            return " | ".join(cells)

        def at_smaller(name: str | None) -> list[tuple[Figure | None, Figure, Figure | None]]:
            return [(results[s][0] if name is None else results[s][1].get(name), results[s][0],
                     results[s][1].get(START_UP)) for s in smaller]

        lines.append(f"| floor | {ratios(l_floor, at_smaller(None))} |")
        for name, fig in l_figs.items():
            lines.append(f"| `{name}` | {ratios(fig, at_smaller(name))} |")
        lines.append("")
    lines.append(f"Measured {dt.date.today().isoformat()} on CPython {platform.python_version()}, "
                 f"{platform.machine()}, {os.cpu_count()} cores, {_runs(runs)} per figure "
                 f"(shared machine: compare within a table, not across tables).")
    return "\n".join(lines)


def _runs(n: int) -> str:
    return f"{n} run{'' if n == 1 else 's'}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", default="10000,100000", help="sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs of each figure (median and min)")
    parser.add_argument("--commands", default="all", help="comma-separated command names, or all")
    parser.add_argument("--work", type=Path, default=Path("/tmp/aftersales-bench"),
                        help="where generated folders and caches are kept")
    parser.add_argument("--caches", type=Path, default=None,
                        help="where the caches are kept (default: the work folder); another folder keeps "
                             "a second checkout's runs from emptying this one's caches")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.tickets.split(",") if s.strip()]
    chosen = None if args.commands == "all" else {c.strip() for c in args.commands.split(",")}
    known = {c.name for c in commands("ID", "ID")}
    if chosen is not None and chosen - known:
        parser.error(f"unknown commands {sorted(chosen - known)}; known: {', '.join(sorted(known))}")
    args.work.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in sizes:
        folder = folder_for(args.work, size)
        print(f"measuring {size:,} tickets ...", file=sys.stderr)
        results[size] = measure(folder, args.caches or args.work, size, args.runs, chosen)
    text = table(results, args.runs)
    print(text)
    if args.readme:
        readme = ROOT / "README.md"
        block = re.compile(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", re.S)
        readme.write_text(block.sub(lambda m: m.group(1) + "\n" + text + "\n\n" + m.group(2),
                                    readme.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated {readme}", file=sys.stderr)


if __name__ == "__main__":
    main()
