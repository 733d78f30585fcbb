"""The rows of `ticket list`: status, age and the next SLA deadline of each ticket."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aftersales.core.model import Records, Ticket
from aftersales.core.times import human_seconds, iso, short
from aftersales.engine.sla import Engine, facts
from aftersales.views.tables import clip, table

COLUMNS = ("id", "status", "kind", "priority", "area", "asset", "reported", "age", "next_deadline",
           "next_target", "summary")


@dataclass(frozen=True)
class Row:
    ticket: Ticket
    status: str
    priority: str | None
    area: str | None
    next_deadline: dt.datetime | None
    next_target: str | None
    age: int  # seconds since the report


def rows(records: Records, at: dt.datetime, *, show_all: bool = False, kind: str | None = None,
         area: str | None = None, asset: str | None = None, status: str | None = None,
         since: dt.date | None = None) -> list[Row]:
    engine = Engine(records.settings, records.assets)
    tz = records.settings.tz
    result = []
    for original in records.tickets.values():
        ticket = original.as_of(at)
        if ticket is None:
            continue
        f = facts(ticket, records.settings, records.assets)
        wanted_status = status or (None if show_all else "open")
        if (wanted_status and ticket.status != wanted_status) or (kind and ticket.kind != kind) or (
                area and f["area"] != area) or (asset and ticket.asset != asset) or (
                since and ticket.reported_at.astimezone(tz).date() < since):
            continue
        running = [c for c in engine.cycles(ticket, at) if c.stop is None and c.deadline is not None]
        nearest = min(running, key=lambda c: c.deadline, default=None)
        result.append(Row(ticket, ticket.status, f["priority"], f["area"],
                          nearest.deadline if nearest else None, nearest.target if nearest else None,
                          int((at - ticket.reported_at).total_seconds())))
    result.sort(key=lambda r: (r.ticket.reported_at, r.ticket.id))
    return result


def as_record(row: Row, tz) -> dict[str, object]:
    t = row.ticket
    return {"id": t.id, "status": row.status, "kind": t.kind, "priority": row.priority, "area": row.area,
            "asset": t.asset, "reported": iso(t.reported_at, tz), "age": row.age,
            "next_deadline": iso(row.next_deadline, tz), "next_target": row.next_target, "summary": t.summary}


def table_text(found: list[Row], at: dt.datetime, tz) -> str:
    """id, status, priority, area, age and the next deadline (`!` when already passed), in 80
    columns; the summary and the rest are in JSON and CSV."""
    lines = []
    for r in found:
        age = human_seconds(r.age).split(" ")[0]
        late = "!" if r.next_deadline and r.next_deadline < at else ""  # the deadline has passed
        nxt = f"{late}{short(r.next_deadline, tz)[5:]} {r.next_target}" if r.next_deadline else ""
        lines.append((r.ticket.id, r.status, r.priority or "", r.area or "", age, clip(nxt, 20)))
    return table(lines, ("id", "status", "priority", "area", "age", "next deadline"), tight=True)
