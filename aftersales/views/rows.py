"""The JSON and CSV rows of engine results: one flat mapping per cycle, ticket, slot...

Instants are ISO 8601 with the project's offset, to the second; durations stay
in counted seconds; the column order is the key order.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aftersales.engine.queries import TicketRow
from aftersales.engine.sla import Cycle
from aftersales.views.fmt import iso


def cycle_values(cycle: Cycle, tz: ZoneInfo) -> tuple[object, ...]:
    """The values of a cycle's row, in the order of CYCLE_COLUMNS: instants in ISO 8601 with the
    project's offset. Text, numbers and null only (`tables.flat_json_rows` writes them)."""
    return (cycle.ticket, cycle.target, cycle.cycle, cycle.status, iso(cycle.start, tz), iso(cycle.deadline, tz),
            iso(cycle.stop, tz), cycle.stop_event, cycle.elapsed, cycle.allowed, str(cycle.within), cycle.priority,
            cycle.area, cycle.calendar)


def cycle_row(cycle: Cycle, tz: ZoneInfo) -> dict[str, object]:
    """The JSON / CSV form of a cycle (`cycle_values` under CYCLE_COLUMNS)."""
    return dict(zip(CYCLE_COLUMNS, cycle_values(cycle, tz), strict=True))


CYCLE_COLUMNS = ("ticket", "target", "cycle", "status", "start", "deadline", "stop", "stop_event",
                 "elapsed", "allowed", "within", "priority", "area", "calendar")
TICKET_COLUMNS = ("id", "status", "kind", "priority", "area", "asset", "reported", "age", "next_deadline",
                  "next_target", "summary")


def ticket_row(row: TicketRow, tz: ZoneInfo) -> dict[str, object]:
    t = row.ticket
    return {"id": t.id, "status": row.status, "kind": t.kind, "priority": row.priority, "area": row.area,
            "asset": t.asset, "reported": iso(t.reported_at, tz), "age": row.age,
            "next_deadline": iso(row.next_deadline, tz), "next_target": row.next_target, "summary": t.summary}
