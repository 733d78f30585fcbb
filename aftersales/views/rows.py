"""The JSON and CSV rows of engine results: one flat mapping per cycle, ticket, slot...

Instants are ISO 8601 with the project's offset, to the second; durations stay
in counted seconds; the column order is the key order.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aftersales.engine.queries import TicketRow
from aftersales.engine.sla import Cycle
from aftersales.views.fmt import iso


def cycle_row(cycle: Cycle, tz: ZoneInfo) -> dict[str, object]:
    """The JSON / CSV form of a cycle: instants in ISO 8601 with the project's offset."""
    return {
        "ticket": cycle.ticket, "target": cycle.target, "cycle": cycle.cycle, "status": cycle.status,
        "start": iso(cycle.start, tz), "deadline": iso(cycle.deadline, tz), "stop": iso(cycle.stop, tz),
        "stop_event": cycle.stop_event, "elapsed": cycle.elapsed, "allowed": cycle.allowed,
        "within": str(cycle.within), "priority": cycle.priority, "area": cycle.area,
        "calendar": cycle.calendar,
    }


CYCLE_COLUMNS = ("ticket", "target", "cycle", "status", "start", "deadline", "stop", "stop_event",
                 "elapsed", "allowed", "within", "priority", "area", "calendar")
TICKET_COLUMNS = ("id", "status", "kind", "priority", "area", "asset", "reported", "age", "next_deadline",
                  "next_target", "summary")


def ticket_row(row: TicketRow, tz: ZoneInfo) -> dict[str, object]:
    t = row.ticket
    return {"id": t.id, "status": row.status, "kind": t.kind, "priority": row.priority, "area": row.area,
            "asset": t.asset, "reported": iso(t.reported_at, tz), "age": row.age,
            "next_deadline": iso(row.next_deadline, tz), "next_target": row.next_target, "summary": t.summary}
