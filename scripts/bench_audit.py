"""Benchmark: `aftersales audit` against `git log -p` over the same paths.

Builds a synthetic records repository with `git fast-import` (a commit every 20 minutes; each
opens new tickets and appends the next event to tickets already open, as a desk does in a day),
then times, in this one run, `git log -p` of the records folder (read to the end through a pipe)
and `aftersales audit --format json` (a subprocess, Python start-up included). Prints the sizes,
both times and their ratio.

    python scripts/bench_audit.py                                   # 1,000 commits, 4,000 tickets
    python scripts/bench_audit.py --commits 5000 --tickets 20000    # the size the issue names
    python scripts/bench_audit.py --keep DIR                        # build into DIR and keep it
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aftersales.edit import init as scaffold

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=TZ)
STEP = dt.timedelta(minutes=20)
ASSETS = [("LOB-SOFA-1", "lobby"), ("CLS-DESK-1", "classroom"), ("OFF-CHAIR-1", "office"), ("DORM-BED-1", "dorm"),
          ("AUD-CHAIR-1", "auditorium"), ("BB-SHELF-1", "bookbar")]
# what happens to an open ticket, one event a commit, minutes before the commit that records it
STEPS = ("responded", "arrived", "resolved", "callback")


def asset_text(asset_id: str, area: str) -> str:
    return (f"id: {asset_id}\nname: 测试家具 {asset_id}\ncategory: chair\narea: {area}\nquantity: 10\n"
            f"installed: 2025-08-20\n")


def ticket_text(ident: str, asset: str, events: list[str]) -> str:
    return (f"id: {ident}\nkind: repair\nasset: {asset}\nseverity: normal\ncategory: function\nchannel: phone\n"
            f"summary: 椅子松动 {ident}\nevents:\n" + "".join(f"  - {e}\n" for e in events))


def event(at: dt.datetime, kind: str, by: str) -> str:
    extra = ", satisfaction: 5" if kind == "callback" else ""
    return f"{{at: {at.isoformat()}, type: {kind}, by: {by}{extra}}}"


def build(top: Path, commits: int, tickets: int, seed: int = 7) -> None:
    """A repository at `top` whose records folder is top/records, written by one fast-import."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(top)], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        scaffold.create(Path(tmp) / "r")
        settings = (Path(tmp) / "r" / "aftersales.yaml").read_bytes()
    rng = random.Random(seed)
    per_commit = max(1, tickets // commits)
    process = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=top, stdin=subprocess.PIPE)
    assert process.stdin is not None
    out = process.stdin

    def blob(path: str, data: bytes) -> None:
        out.write(f"M 100644 inline records/{path}\ndata {len(data)}\n".encode() + data + b"\n")

    open_tickets: list[tuple[str, str, str, list[str], int]] = []   # id, path, asset, events, next step
    made = 0
    for n in range(commits):
        when = START + n * STEP
        stamp = f"{int(when.timestamp())} +0800"
        message = f"records of {when:%Y-%m-%d %H:%M}".encode()
        out.write(f"commit refs/heads/main\nauthor eng-li <eng-li@example.com> {stamp}\n"
                  f"committer eng-li <eng-li@example.com> {stamp}\ndata {len(message)}\n".encode() + message + b"\n")
        if n == 0:
            blob("aftersales.yaml", settings)
            for asset_id, area in ASSETS:
                blob(f"assets/{asset_id}.yaml", asset_text(asset_id, area).encode())
        # the next event of a few open tickets, written minutes before this commit
        for _ in range(min(len(open_tickets), per_commit)):
            i = rng.randrange(len(open_tickets))
            ident, path, asset, events, step = open_tickets[i]
            events.append(event(when - dt.timedelta(minutes=rng.randint(1, 15)), STEPS[step], "eng-zhang"))
            blob(path, ticket_text(ident, asset, events).encode())
            if step + 1 < len(STEPS):
                open_tickets[i] = (ident, path, asset, events, step + 1)
            else:
                open_tickets[i] = open_tickets[-1]
                open_tickets.pop()
        count = per_commit if n < commits - 1 else tickets - made
        for _ in range(max(0, min(count, tickets - made))):
            made += 1
            at = when - dt.timedelta(minutes=rng.randint(1, 15))
            ident = f"T-{at:%Y%m%d}-{made:06d}"
            path = f"tickets/{at:%Y}/{ident}.yaml"
            asset = rng.choice(ASSETS)[0]
            events = [event(at, "reported", "cs-li")]
            blob(path, ticket_text(ident, asset, events).encode())
            open_tickets.append((ident, path, asset, events, 0))
    out.close()
    if process.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=top, check=True)


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Seconds to run `command` with its output read to the end through a pipe, and the bytes read."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode(errors='replace')}")
    return seconds, len(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=4000)
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        top = args.keep or Path(tmp) / "repo"
        start = time.perf_counter()
        build(top, args.commits, args.tickets)
        print(f"built {args.commits:,} commits, {args.tickets:,} tickets in {time.perf_counter() - start:.1f} s")
        env_python = [sys.executable, "-m", "aftersales"]
        git_s, git_bytes = timed(["git", "log", "-p", "--", "records"], top)
        audit_s, audit_bytes = timed([*env_python, "audit", "--records", "records", "--format", "json"], top)
        if audit_bytes > 3:   # "[]": the synthetic history appends in time only
            print(f"note: audit reported findings ({audit_bytes:,} bytes of JSON)")
        print(f"git log -p:        {git_s:6.2f} s ({git_bytes / 1e6:.1f} MB of patches)")
        print(f"aftersales audit:  {audit_s:6.2f} s")
        print(f"ratio:             {audit_s / git_s:6.2f}x")
        print(f"(CPython {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, one run)")


if __name__ == "__main__":
    main()
