"""Benchmark: how reading, validating, SLA evaluation and the quarterly report scale.

Generates 10,000 and 100,000 tickets with make_records.py into a temporary folder,
then measures each stage once per size in this one run, and prints a Markdown
table (with --readme, also writes it into README.md between the bench markers).
The ratio column (100k time / 10k time) shows linearity: about 10 is linear.

    python scripts/bench.py            # print the table
    python scripts/bench.py --readme   # and put it in the README
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aftersales.checks import validate
from aftersales.core.times import parse_instant, quarter
from aftersales.engine import kpis, sla
from aftersales.store.load import load

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000)


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def measure(folder: Path) -> dict[str, tuple[float, int, str]]:
    """Seconds, count and unit of each stage on one generated records folder."""
    old = time.time() - 3600  # files changed an hour ago: the cache may keep them (see aftersales/cache.py)
    for path in folder.rglob("*.yaml"):
        os.utime(path, (old, old))
    _, cold_s = timed(lambda: load(folder, use_cache=True))     # parses every file, fills the cache
    loaded, read_s = timed(lambda: load(folder, use_cache=True))  # unchanged files: nothing parsed
    records = loaded.records()
    files = 1 + len(records.assets) + len(records.tickets) + len(records.inspections) + len(records.parts)
    problems, check_s = timed(lambda: validate(loaded))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SystemExit(f"generated records do not validate: {errors[0]}")
    at = parse_instant("2026-11-23", records.settings.tz)
    cycles, sla_s = timed(lambda: sla.evaluate(records, at))
    events = sum(len(t.events) for t in records.tickets.values())
    period = quarter("2026Q3", records.settings.tz)
    _, report_s = timed(lambda: kpis.report(records, period, at))
    return {
        "read and parse every file": (cold_s, files, "files"),
        "read again (parse cache warm)": (read_s, files, "files"),
        "cross-record checks": (check_s, files, "files"),
        "SLA evaluation": (sla_s, len(cycles), "cycles"),
        "quarterly report numbers": (report_s, events, "events"),
    }


def table(results: dict[int, dict[str, tuple[float, int, str]]]) -> str:
    small, large = SIZES
    lines = [f"| stage | {small:,} tickets | {large:,} tickets | ratio |", "|---|---:|---:|---:|"]
    for stage in results[small]:
        s_sec, s_n, unit = results[small][stage]
        l_sec, l_n, _ = results[large][stage]
        lines.append(f"| {stage} | {s_sec:.2f} s ({s_n / s_sec:,.0f} {unit}/s) | "
                     f"{l_sec:.2f} s ({l_n / l_sec:,.0f} {unit}/s) | {l_sec / s_sec:.1f} |")
    lines.append("")
    lines.append(f"Measured on {platform.python_implementation()} {platform.python_version()}, "
                 f"{platform.machine()}, {_cpus()} (one run; shared machine, so read the ratios, not the "
                 f"absolute times).")
    return "\n".join(lines)


def _cpus() -> str:
    import os
    return f"{os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["AFTERSALES_CACHE_DIR"] = str(Path(tmp) / "cache")
        for size in SIZES:
            folder = Path(tmp) / str(size)
            print(f"generating {size:,} tickets...", file=sys.stderr)
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_records.py"), "--tickets", str(size),
                            "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
            print(f"measuring {size:,} tickets...", file=sys.stderr)
            results[size] = measure(folder)
    text = table(results)
    print(text)
    if args.readme:
        readme = ROOT / "README.md"
        block = re.compile(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", re.S)
        readme.write_text(block.sub(lambda m: m.group(1) + "\n" + text + "\n\n" + m.group(2),
                                    readme.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated {readme}", file=sys.stderr)


if __name__ == "__main__":
    main()
