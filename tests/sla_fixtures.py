"""Helpers for the SLA tests: a records folder made by `aftersales init` (the shipped default
settings), one asset per area, and tickets written inline as short event lists."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

from aftersales.checks import Known, check_ticket, validate
from aftersales.core.model import Ticket
from aftersales.edit import init as scaffold
from aftersales.engine import sla
from aftersales.store import build
from aftersales.store.load import load
from aftersales.store.reading import read_file

SH = ZoneInfo("Asia/Shanghai")

# One asset per area of the default settings: lobby is critical, classroom and auditorium high,
# office, dorm and bookbar normal.
ASSETS = {
    "LOBBY-1": "lobby",
    "CLASS-1": "classroom",
    "AUD-1": "auditorium",
    "OFFICE-1": "office",
    "DORM-1": "dorm",
    "BOOK-1": "bookbar",
}


def when(text: str, tz: ZoneInfo = SH) -> dt.datetime:
    """`03-02 09:00` (year 2026), `2026-03-02 09:00` or `2026-03-02 09:00:01`, in `tz`."""
    if not re.match(r"\d{4}-", text):
        text = "2026-" + text
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz)


def E(at: str, type_: str, **extra: str) -> dict[str, str]:
    """One event: `E("03-02 09:00", "reported")`, `E(..., "workaround", until="03-04 12:00")`."""
    return {"at": at, "type": type_, **extra}


def event_yaml(event: dict[str, str], tz: ZoneInfo = SH) -> str:
    bits = [f"at: {when(event['at'], tz).isoformat()}", f"type: {event['type']}"]
    for key, value in event.items():
        if key == "until":
            bits.append(f"until: {when(value, tz).isoformat()}")
        elif key not in ("at", "type"):
            bits.append(f"{key}: {value}")
    return "{" + ", ".join(bits) + "}"


def ticket_yaml(ticket_id: str, events: list[dict[str, str]], *, kind: str = "repair",
                asset: str | None = "OFFICE-1", tz: ZoneInfo = SH, **fields: str) -> str:
    lines = [f"id: {ticket_id}", f"kind: {kind}"]
    if asset is not None:
        lines.append(f"asset: {asset}")
    lines += [f"{k}: {v}" for k, v in fields.items()]
    lines += ["summary: 测试", "events:"]
    lines += [f"  - {event_yaml(e, tz)}" for e in events]
    return "\n".join(lines) + "\n"


def make_records(root: Path, timezone: str | None = None) -> Path:
    """`aftersales init ROOT` plus one asset per area."""
    scaffold.create(root, timezone=timezone)
    for asset_id, area in ASSETS.items():
        text = f"""\
            id: {asset_id}
            name: 测试家具
            category: chair
            area: {area}
            installed: 2025-08-20
            """
        (root / "assets" / f"{asset_id}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def write_ticket(root: Path, ticket_id: str, events: list[dict[str, str]], *, tz: ZoneInfo = SH,
                 **fields: str) -> Path:
    year = when(events[0]["at"], tz).year
    path = root / "tickets" / str(year) / f"{ticket_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ticket_yaml(ticket_id, events, tz=tz, **fields), encoding="utf-8")
    return path


class World:
    """The default settings and assets of a records folder, and an SLA engine over them.

    `cycles()` reads an inline ticket through the real file reader and checks that it is a valid
    record (a scenario the validator refuses proves nothing) before the engine evaluates it.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        loaded = load(root)
        assert not [p for p in validate(loaded) if p.severity == "error"]
        self.records = loaded.records()
        self.settings = self.records.settings
        self.engine = sla.Engine(self.settings, self.records.assets)
        self._ids = itertools.count(1)

    def ticket(self, events: list[dict[str, str]], **fields: str) -> Ticket:
        ticket_id = f"T-{next(self._ids):06d}"
        path = self.root / "scratch" / f"{ticket_id}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(ticket_yaml(ticket_id, events, **fields), encoding="utf-8")
        clean, problems = read_file(path, path.name, "ticket")
        assert clean is not None and not [p for p in problems if p.severity == "error"], problems
        ticket = build.ticket(clean, path.name)
        known = Known(self.settings, {"asset": self.records.assets}, self.records.assets)
        errors = [p for p in check_ticket(ticket, known) if p.severity == "error"]
        assert not errors, errors
        return ticket

    def cycles(self, events: list[dict[str, str]], at: str = "2026-12-31 00:00", **fields: str) -> list[sla.Cycle]:
        return self.engine.cycles(self.ticket(events, **fields), when(at))

    def cycle(self, events: list[dict[str, str]], target: str, number: int = 1, at: str = "2026-12-31 00:00",
              **fields: str) -> sla.Cycle:
        found = [c for c in self.cycles(events, at, **fields) if c.target == target and c.cycle == number]
        assert len(found) == 1, f"{len(found)} cycles of {target} #{number}"
        return found[0]
