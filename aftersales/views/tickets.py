"""Tickets for people at a terminal: `ticket show` (fields, timeline, every clock explained)
and the `ticket list` table, fitted to the width of the terminal in display cells."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aftersales.core.model import Event, Ticket
from aftersales.engine.queries import TicketRow
from aftersales.engine.sla import Engine, facts
from aftersales.views.explain import explain
from aftersales.views.fmt import human_seconds, short
from aftersales.views.tables import clip, table, wrap

WIDTH = 79  # display cells: fits an 80-column terminal


def show(ticket: Ticket, engine: Engine, at: dt.datetime, width: int = WIDTH) -> str:
    """Everything about one ticket as of `at`: its fields, its timeline and each SLA clock."""
    tz = engine.settings.tz
    known = facts(ticket, engine.settings, engine.assets)
    out = wrap(f"{ticket.id}  {ticket.summary}", width, "", "  ")
    out.append(f"  status    {ticket.status} (as of {short(at, tz)})")
    fields = [("kind", ticket.kind), ("asset", ticket.asset), ("area", known["area"]),
              ("priority", known["priority"]), ("severity", ticket.severity), ("category", ticket.category),
              ("channel", ticket.channel), ("location", ticket.location),
              ("reporter", " ".join(x for x in (ticket.reporter.name, ticket.reporter.phone) if x)
               if ticket.reporter else None),
              ("inspection", ticket.inspection), ("file", ticket.where.path)]
    for name, value in fields:
        if value:
            out += wrap(str(value), width, f"  {name:<9} ", " " * 12)
    out += ["", "Timeline"]
    for event in ticket.events:
        head = f"  {short(event.at, tz)}  {event.type:<10}  "
        out += wrap(event_details(event, tz), width, head, " " * len(head)) or [head.rstrip()]
    out += ["", "SLA clocks"]
    cycles = engine.cycles(ticket, at)
    if not cycles:
        out.append("  no target applies to this ticket")
    for cycle in cycles:
        for line in explain(cycle, engine.calendars[cycle.calendar], at):
            indent = " " * (len(line) - len(line.lstrip()) + 2)
            out += wrap(line.strip(), width, indent, indent + "  ")
    return "\n".join(out)


def event_details(event: Event, tz: ZoneInfo) -> str:
    bits = []
    if event.by:
        bits.append(event.by)
    for name in ("to", "verdict", "reason", "note"):
        value = getattr(event, name)
        if value:
            bits.append(f"{name}: {value}")
    if event.until:
        bits.append(f"until {short(event.until, tz)}")
    if event.parts:
        bits.append("parts: " + ", ".join(f"{p.part} x{p.qty:g}" for p in event.parts))
    if event.cost is not None:
        bits.append(f"cost {event.cost:g}")
    if event.satisfaction is not None:
        bits.append(f"satisfaction {event.satisfaction}/5")
    if event.logged is not None:  # a late entry: say how late it was written
        bits.append(f"(logged {human_seconds(int((event.logged - event.at).total_seconds()))} later)")
    return "  ".join(bits)


def list_table(found: list[TicketRow], at: dt.datetime, tz: ZoneInfo) -> str:
    """id, status, priority, area, age and the next deadline (`!` when already passed), in 80
    columns; the summary and the rest are in JSON and CSV."""
    lines = []
    for r in found:
        age = human_seconds(r.age).split(" ")[0]
        late = "!" if r.next_deadline and r.next_deadline < at else ""  # the deadline has passed
        nxt = f"{late}{short(r.next_deadline, tz)[5:]} {r.next_target}" if r.next_deadline else ""
        lines.append((r.ticket.id, r.status, r.priority or "", r.area or "", age, clip(nxt, 20)))
    return table(lines, ("id", "status", "priority", "area", "age", "next deadline"), tight=True)
