"""Helpers for the SLA tests: a records folder made by `aftersales init` (the shipped default
settings), one asset per area, and tickets written with the conftest factory."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import Records, Value, at, event, ticket_yaml

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
    return dt.datetime.fromisoformat(at(text, tz))


def E(when_text: str, kind: str, *, tz: ZoneInfo = SH, **fields: Value) -> str:
    """One event, `until` read like its time: `E("03-02 09:00", "reported")`,
    `E(..., "workaround", until="03-04 12:00")`, `E(..., tz=NY)`."""
    if isinstance(fields.get("until"), str):
        fields["until"] = at(fields["until"], tz)
    return event(when_text, kind, tz=tz, **fields)


# The service plan's steps (issue "every step of the service plan") came after the engine's
# hand-computed suites: those keep the six targets they were computed for, and the steps have
# their own suite (test_plan_steps.py) on the full default settings.
PLAN_STEPS = ("assign", "contact", "diagnosis", "progress", "follow-up-message", "revisit")


def without_targets(text: str, ids: tuple[str, ...]) -> str:
    """Settings text with the targets of these ids (and their comment lines) taken out."""
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("    - id: "):
            skipping = line.split()[2] in ids
        elif not line.startswith("      ") and not line.startswith("    #"):
            skipping = False
        if line.startswith("    # --"):
            continue
        if not skipping:
            kept.append(line)
    return "".join(kept)


def make_records(root: Path, timezone: str | None = None, steps: bool = False) -> Path:
    """`aftersales init ROOT` plus one asset per area; without the service plan's steps unless asked."""
    scaffold.create(root, timezone=timezone)
    if not steps:
        settings = root / "aftersales.yaml"
        settings.write_text(without_targets(settings.read_text(encoding="utf-8"), PLAN_STEPS), encoding="utf-8")
    records = Records(root, starter=False)
    for asset_id, area in ASSETS.items():
        records.asset(asset_id, name="测试家具", category="chair", area=area)
    return root


def write_ticket(root: Path, ticket_id: str, events: list[str], **fields: Value) -> Path:
    """A ticket about OFFICE-1 unless `asset` says otherwise."""
    return Records(root, starter=False).ticket(ticket_id, *events, **{"asset": "OFFICE-1", **fields})


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

    def ticket(self, events: list[str], **fields: Value) -> Ticket:
        ticket_id = f"T-{next(self._ids):06d}"
        path = self.root / "scratch" / f"{ticket_id}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(ticket_yaml(ticket_id, *events, **{"asset": "OFFICE-1", **fields}), encoding="utf-8")
        clean, problems = read_file(path, path.name, "ticket")
        assert clean is not None and not [p for p in problems if p.severity == "error"], problems
        ticket = build.ticket(clean, path.name)
        known = Known(self.settings, {"asset": self.records.assets}, self.records.assets)
        errors = [p for p in check_ticket(ticket, known) if p.severity == "error"]
        assert not errors, errors
        return ticket

    def cycles(self, events: list[str], at: str = "2026-12-31 00:00", **fields: Value) -> list[sla.Cycle]:
        return self.engine.cycles(self.ticket(events, **fields), when(at))

    def cycle(self, events: list[str], target: str, number: int = 1, at: str = "2026-12-31 00:00",
              **fields: Value) -> sla.Cycle:
        found = [c for c in self.cycles(events, at, **fields) if c.target == target and c.cycle == number]
        assert len(found) == 1, f"{len(found)} cycles of {target} #{number}"
        return found[0]
