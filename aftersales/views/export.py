"""The export tables: every record and every computed clock and slot, as flat rows for
spreadsheets, SQL engines and BI tools.

One description per table (`TABLES`): its columns (name, type, meaning), its primary key,
foreign keys and indexes. The writers (`exportfiles`), the SQL schema and docs/export.md all
come from it, so a column has one name everywhere. Every row carries the `project` it comes
from, so the tables of several records folders (one per contract) stack into one.

Record tables (assets, tickets, events, inspections, checks, findings, parts, part movements)
hold every record as written; the computed values (a ticket's status, a cycle's status and
margin, a finding's status, stock, maintenance slots) are as of the export's instant.
Values stay exact and typed here (dates, aware datetimes, whole numbers of seconds); each
writer turns them into what its format holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from aftersales.core.model import Event, Records
from aftersales.core.times import quarter_of
from aftersales.engine import parts, schedule, sla, warranty
from aftersales.project import Project
from aftersales.store import spec

TYPES = ("text", "integer", "number", "boolean", "date", "instant")


@dataclass(frozen=True)
class Column:
    name: str
    type: str           # one of TYPES
    doc: str


@dataclass(frozen=True)
class Table:
    """One table: its columns, primary key, foreign keys ((columns), table, (columns)) and indexes."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _c(name: str, kind: str, doc: str) -> Column:
    assert kind in TYPES, kind
    return Column(name, kind, doc)


PROJECT = _c("project", "text", "the project (contract) the row belongs to: `project.id`, else the records "
             "folder's name")
QUARTER = "calendar quarter, like 2026Q3, in the project time zone, of "


def _event_columns() -> list[Column]:
    """A column per field of an event, named, typed and explained as the field spec does, so a
    field added to the records format is exported at once."""
    found = []
    for f in spec.EVENT.fields.values():
        if isinstance(f.type, spec.ListOf):  # the parts used: PART:QTY words, rows in part_movements
            found.append(_c(f.name, "text", f"{f.doc}, as PART:QTY separated by spaces (rows in part_movements)"))
        else:
            found.append(_c(f.name, _spec_type(f.type), f.doc))
    return found


def _spec_type(kind: spec.Type) -> str:
    if isinstance(kind, spec.Instant):
        return "instant"
    if isinstance(kind, spec.Date):
        return "date"
    if isinstance(kind, spec.Integer):
        return "integer"
    if isinstance(kind, spec.Number):
        return "number"
    if isinstance(kind, spec.Boolean):
        return "boolean"
    return "text"


def _to(table: str, *columns: str) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """A foreign key from (project, columns) to the same columns of `table`."""
    return (("project", *columns), table, ("project", *columns))


TABLES: tuple[Table, ...] = (
    Table("projects", "one row per records folder exported", (
        PROJECT,
        _c("name", "text", "project name (`project.name`)"),
        _c("customer", "text", "the customer"),
        _c("supplier", "text", "who gives the service"),
        _c("timezone", "text", "IANA time zone every time of the project is computed in"),
        _c("as_of", "instant", "the instant the computed values are as of (`--at`)"),
    ), ("project",)),
    Table("assets", "one row per asset file", (
        PROJECT,
        _c("asset", "text", "asset id"),
        _c("name", "text", "what it is"),
        _c("category", "text", "product category"),
        _c("area", "text", "area id"),
        _c("area_name", "text", "the area's display name"),
        _c("priority", "text", "the area's priority"),
        _c("location", "text", "where it stands"),
        _c("quantity", "integer", "identical pieces"),
        _c("model", "text", "model number"),
        _c("installed", "date", "acceptance date: the warranty starts here"),
        _c("warranty_years", "integer", "base years plus extensions"),
        _c("warranty_end", "date", "the last day of the warranty"),
        _c("in_warranty", "boolean", "the warranty has not ended as of `as_of` (empty without `installed`)"),
    ), ("project", "asset"), (_to("projects"),), (("project", "area"),)),
    Table("tickets", "one row per ticket", (
        PROJECT,
        _c("ticket", "text", "ticket id"),
        _c("kind", "text", "repair, maintenance, return, exchange, complaint or inquiry"),
        _c("status", "text", "open, resolved or cancelled as of `as_of` (empty if reported after it)"),
        _c("asset", "text", "the asset concerned"),
        _c("area", "text", "the ticket's area, else the asset's"),
        _c("priority", "text", "the ticket's priority, else the area's"),
        _c("severity", "text", "emergency, urgent or normal"),
        _c("category", "text", "the kind of problem"),
        _c("channel", "text", "how the request came in"),
        _c("reporter", "text", "who reported it (the phone number is not exported)"),
        _c("location", "text", "where exactly"),
        _c("summary", "text", "one line describing the request"),
        _c("inspection", "text", "the inspection that found it"),
        _c("reported", "instant", "the `reported` event"),
        _c("quarter", "text", QUARTER + "`reported`"),
        _c("resolved", "instant", "the last `resolved` event, if the ticket is resolved as of `as_of`"),
        _c("cancelled", "instant", "the `cancelled` event, if the ticket is cancelled as of `as_of`"),
        _c("reopened", "integer", "`reopened` events up to `as_of`"),
        _c("visits", "integer", "`arrived` events up to `as_of`"),
        _c("cost", "number", "amount charged: the sum of `cost` on `resolved` events up to `as_of`"),
        _c("satisfaction", "integer", "the score of the last `callback` event up to `as_of`"),
        _c("in_warranty", "boolean", "reported on or before the asset's last warranty day"),
    ), ("project", "ticket"), (_to("projects"), _to("assets", "asset"), _to("inspections", "inspection")),
        (("project", "asset"), ("reported",), ("quarter",))),
    Table("events", "one row per event of a ticket, in file order; a column per event field of the records "
          "format", (
        PROJECT,
        _c("ticket", "text", "ticket id"),
        _c("seq", "integer", "position in the ticket's event list, from 1"),
        *_event_columns(),
    ), ("project", "ticket", "seq"), (_to("tickets", "ticket"),), (("at",), ("type",))),
    Table("sla_cycles", "one row per SLA clock cycle (target and opening of a ticket) as of `as_of`, "
          "as `aftersales sla` lists them", (
        PROJECT,
        _c("ticket", "text", "ticket id"),
        _c("target", "text", "SLA target id (response, on-site, resolution...)"),
        _c("cycle", "integer", "opening of the ticket, from 1 (a `reopened` starts the next)"),
        _c("status", "text", "met, breached, running, at-risk, paused or void"),
        _c("start", "instant", "the event that started the clock"),
        _c("quarter", "text", QUARTER + "`start`: the period the clock belongs to"),
        _c("deadline", "instant", "when the target is due (empty while paused)"),
        _c("stop", "instant", "the event that stopped the clock"),
        _c("stop_event", "text", "its type (a stop event, cancelled or reopened)"),
        _c("elapsed", "integer", "counted seconds up to the stop, or `as_of`"),
        _c("allowed", "integer", "counted seconds from start to deadline"),
        _c("margin", "integer", "seconds to spare, negative when late: deadline - stop once stopped, "
           "allowed - elapsed while running"),
        _c("within", "text", "the target's time, like 4h or 3d"),
        _c("priority", "text", "the ticket's priority"),
        _c("area", "text", "the ticket's area"),
        _c("calendar", "text", "the calendar that counts the time"),
    ), ("project", "ticket", "target", "cycle"), (_to("tickets", "ticket"),),
        (("start",), ("deadline",), ("quarter", "target"))),
    Table("inspections", "one row per inspection", (
        PROJECT,
        _c("inspection", "text", "inspection id"),
        _c("plan", "text", "the maintenance plan it fulfils"),
        _c("date", "date", "when it was done"),
        _c("quarter", "text", QUARTER + "`date`"),
        _c("inspectors", "text", "who inspected, separated by `, `"),
        _c("areas", "text", "areas inspected, separated by `, `"),
        _c("checks", "integer", "assets checked"),
        _c("findings", "integer", "problems found"),
        _c("signoff_name", "text", "who signed for the customer"),
        _c("signoff_date", "date", "when"),
    ), ("project", "inspection"), (_to("projects"),), (("date",),)),
    Table("checks", "one row per checklist result of an asset in an inspection", (
        PROJECT,
        _c("inspection", "text", "inspection id"),
        _c("entry", "integer", "position of the asset's entry in the inspection's checks, from 1"),
        _c("asset", "text", "asset id"),
        _c("item", "text", "checklist item (appearance, function, fastening...)"),
        _c("result", "text", "ok, issue or n/a"),
    ), ("project", "inspection", "entry", "item"), (_to("inspections", "inspection"), _to("assets", "asset")),
        (("project", "asset"),)),
    Table("findings", "one row per finding of an inspection", (
        PROJECT,
        _c("inspection", "text", "inspection id"),
        _c("finding", "text", "finding id (F1, F2...)"),
        _c("asset", "text", "the asset concerned"),
        _c("location", "text", "where exactly"),
        _c("category", "text", "the kind of problem"),
        _c("severity", "text", "how urgent"),
        _c("problem", "text", "what is wrong"),
        _c("action", "text", "the solution"),
        _c("owner", "text", "who fixes it"),
        _c("due", "date", "by when"),
        _c("closed", "date", "when it was fixed"),
        _c("ticket", "text", "the ticket that did the work"),
        _c("status", "text", "open, closed-on-time, closed-late or overdue as of `as_of`"),
    ), ("project", "inspection", "finding"),
        (_to("inspections", "inspection"), _to("assets", "asset"), _to("tickets", "ticket")),
        (("project", "asset"), ("due",))),
    Table("parts", "one row per spare part", (
        PROJECT,
        _c("part", "text", "part id"),
        _c("name", "text", "what it is"),
        _c("unit", "text", "unit of quantities"),
        _c("min", "number", "reorder point"),
        _c("stock", "number", "stock at the end of the day of `as_of`"),
        _c("low", "boolean", "stock at or below `min`"),
    ), ("project", "part"), (_to("projects"),)),
    Table("part_movements", "one row per stock movement: the part file's deliveries, withdrawals and counts, "
          "and the parts used by `resolved` events, by date", (
        PROJECT,
        _c("part", "text", "part id"),
        _c("seq", "integer", "position in the part's movements by date, from 1"),
        _c("date", "date", "the day (of a `resolved` event: its day in the project time zone)"),
        _c("kind", "text", "in (received), out (taken out), count (stock take: sets the level) or used (by a "
           "ticket)"),
        _c("quantity", "number", "how much, in the part's unit"),
        _c("ticket", "text", "used: the ticket whose `resolved` event used it"),
        _c("note", "text", "free text"),
    ), ("project", "part", "seq"), (_to("parts", "part"), _to("tickets", "ticket")),
        (("date",), ("project", "ticket"))),
    Table("maintenance_slots", "one row per due date of a maintenance plan as of `as_of`: every slot whose "
          "window has opened, and the next one", (
        PROJECT,
        _c("plan", "text", "maintenance plan id"),
        _c("plan_name", "text", "what the plan is called"),
        _c("due", "date", "the due date"),
        _c("quarter", "text", QUARTER + "`due`"),
        _c("opens", "date", "the first day an inspection counts for it (`due` - `early`)"),
        _c("status", "text", "done, late, overdue, due or upcoming"),
        _c("inspection", "text", "the inspection that fulfilled it"),
        _c("inspected", "date", "that inspection's date"),
    ), ("project", "plan", "due"), (_to("projects"), _to("inspections", "inspection")), (("due",),)),
)
BY_NAME = {t.name: t for t in TABLES}


# --- rows -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """One records folder to export and the id its rows carry."""

    project_id: str
    project: Project


@dataclass
class Export:
    """The rows of every table, in table order; rows are mappings from column name to value."""

    sources: Sequence[Source]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def tz_of(self, project_id: str) -> Any:
        return next(s.project.tz for s in self.sources if s.project_id == project_id)


def build(sources: Sequence[Source]) -> Export:
    """Every table's rows, the sources in the order given."""
    out = Export(sources, {t.name: [] for t in TABLES})
    for source in sources:
        for name, rows in _project_rows(source).items():
            out.rows[name].extend(rows)
    return out


def _project_rows(source: Source) -> dict[str, list[dict[str, Any]]]:
    p = source.project
    records = p.records
    pid = source.project_id
    engine = sla.Engine(records.settings, records.assets)
    tickets = sorted(records.tickets.values(), key=lambda t: t.id)
    return {
        "projects": [{"project": pid, "name": records.settings.name, "customer": records.settings.customer or None,
                      "supplier": records.settings.supplier or None, "timezone": records.settings.timezone,
                      "as_of": p.at}],
        "assets": list(_assets(pid, records, p.today)),
        "tickets": list(_tickets(pid, p)),
        "events": [_event(pid, t.id, n, e) for t in tickets for n, e in enumerate(t.events, 1)],
        "sla_cycles": [_cycle(pid, c, p) for t in tickets for c in engine.cycles(t, p.at)],
        "inspections": list(_inspections(pid, records, p)),
        "checks": [{"project": pid, "inspection": i.id, "entry": n, "asset": c.asset, "item": item, "result": result}
                   for i in _by_id(records.inspections) for n, c in enumerate(i.checks, 1)
                   for item, result in c.results.items()],
        "findings": [_finding(pid, i.id, f, p.today) for i in _by_id(records.inspections) for f in i.findings],
        "parts": list(_parts(pid, p)),
        "part_movements": list(_movements(pid, p)),
        "maintenance_slots": list(_slots(pid, p)),
    }


def _by_id(table: Any) -> list[Any]:
    return [table[k] for k in sorted(table)]


def _assets(pid: str, records: Records, today: dt.date) -> Iterator[dict[str, Any]]:
    s = records.settings
    for asset in _by_id(records.assets):
        area = s.areas.get(asset.area)
        end = warranty.warranty_end(asset, s)
        yield {"project": pid, "asset": asset.id, "name": asset.name, "category": asset.category, "area": asset.area,
               "area_name": area.name if area else None, "priority": area.priority if area else None,
               "location": asset.location or None, "quantity": asset.quantity, "model": asset.model or None,
               "installed": asset.installed, "warranty_years": warranty.warranty_years(asset, s),
               "warranty_end": end, "in_warranty": None if end is None else today <= end}


def _tickets(pid: str, p: Project) -> Iterator[dict[str, Any]]:
    """Tickets; the columns computed from the events count the events up to `as_of`."""
    records, tz = p.records, p.tz
    for t in _by_id(records.tickets):
        now = t.as_of(p.at)
        seen = now.events if now is not None else ()
        facts = sla.facts(t, records.settings, records.assets)
        resolved = [e.at for e in seen if e.type == "resolved"]
        cancelled = [e.at for e in seen if e.type == "cancelled"]
        callbacks = [e.satisfaction for e in seen if e.type == "callback" and e.satisfaction is not None]
        costs = [e.cost for e in seen if e.type == "resolved" and e.cost is not None]
        asset = records.assets.get(t.asset or "")
        status = now.status if now is not None else None
        yield {"project": pid, "ticket": t.id, "kind": t.kind, "status": status, "asset": t.asset,
               "area": facts["area"], "priority": facts["priority"], "severity": t.severity, "category": t.category,
               "channel": t.channel, "reporter": t.reporter.name if t.reporter else None, "location": t.location,
               "summary": t.summary, "inspection": t.inspection, "reported": t.reported_at,
               "quarter": quarter_of(t.reported_at.astimezone(tz).date(), tz).name,
               "resolved": resolved[-1] if status == "resolved" else None,
               "cancelled": cancelled[-1] if status == "cancelled" else None,
               "reopened": sum(e.type == "reopened" for e in seen) if now else None,
               "visits": sum(e.type == "arrived" for e in seen) if now else None,
               "cost": sum(costs) if costs else None, "satisfaction": callbacks[-1] if callbacks else None,
               "in_warranty": warranty.in_warranty(t, asset, records.settings) if asset else None}


def _event(pid: str, ticket: str, seq: int, e: Event) -> dict[str, Any]:
    row: dict[str, Any] = {"project": pid, "ticket": ticket, "seq": seq}
    for name in spec.EVENT.order:
        row[name] = getattr(e, name)
    row["parts"] = " ".join(f"{u.part}:{u.qty:g}" for u in e.parts) or None
    return row


def _cycle(pid: str, c: sla.Cycle, p: Project) -> dict[str, Any]:
    return {"project": pid, "ticket": c.ticket, "target": c.target, "cycle": c.cycle, "status": c.status,
            "start": c.start, "quarter": quarter_of(c.start.astimezone(p.tz).date(), p.tz).name,
            "deadline": c.deadline, "stop": c.stop, "stop_event": c.stop_event, "elapsed": c.elapsed,
            "allowed": c.allowed, "margin": c.margin, "within": str(c.within), "priority": c.priority,
            "area": c.area, "calendar": c.calendar}


def _inspections(pid: str, records: Records, p: Project) -> Iterator[dict[str, Any]]:
    for i in _by_id(records.inspections):
        yield {"project": pid, "inspection": i.id, "plan": i.plan, "date": i.date,
               "quarter": quarter_of(i.date, p.tz).name, "inspectors": ", ".join(i.inspectors),
               "areas": ", ".join(i.areas) or None, "checks": len(i.checks), "findings": len(i.findings),
               "signoff_name": i.signoff.name if i.signoff else None,
               "signoff_date": i.signoff.date if i.signoff else None}


def _finding(pid: str, inspection: str, f: Any, today: dt.date) -> dict[str, Any]:
    return {"project": pid, "inspection": inspection, "finding": f.id, "asset": f.asset, "location": f.location,
            "category": f.category, "severity": f.severity, "problem": f.problem, "action": f.action,
            "owner": f.owner, "due": f.due, "closed": f.closed, "ticket": f.ticket,
            "status": schedule.finding_status(f, today)}


def _parts(pid: str, p: Project) -> Iterator[dict[str, Any]]:
    for row in parts.rows(p.records.parts.values(), p.records.tickets_as_of(p.at), p.tz, p.today):
        yield {"project": pid, "part": row.part.id, "name": row.part.name, "unit": row.part.unit,
               "min": row.part.min, "stock": row.stock, "low": row.low}


def _movements(pid: str, p: Project) -> Iterator[dict[str, Any]]:
    used: dict[str, list[tuple[dt.date, int, float, str]]] = {}
    for n, t in enumerate(_by_id(p.records.tickets)):
        for e in t.events:
            if e.type == "resolved":
                for use in e.parts:
                    used.setdefault(use.part, []).append((e.at.astimezone(p.tz).date(), n, use.qty, t.id))
    for part in _by_id(p.records.parts):
        rows: list[tuple[tuple[dt.date, int, int], dict[str, Any]]] = []
        for n, m in enumerate(part.movements):
            kind, qty = next((k, q) for k, q in (("in", m.received), ("out", m.taken), ("count", m.count))
                             if q is not None)
            # within a day, the file's deliveries first, then usage, then counts (the end-of-day truth)
            rows.append(((m.date, 2 if kind == "count" else 0, n), {"kind": kind, "quantity": qty,
                                                                      "ticket": None, "note": m.note, "date": m.date}))
        for day, n, qty, ticket in used.get(part.id, []):
            rows.append(((day, 1, n), {"kind": "used", "quantity": qty, "ticket": ticket, "note": None, "date": day}))
        rows.sort(key=lambda r: r[0])
        for seq, (_, row) in enumerate(rows, 1):
            yield {"project": pid, "part": part.id, "seq": seq, "date": row["date"], "kind": row["kind"],
                   "quantity": row["quantity"], "ticket": row["ticket"], "note": row["note"]}


def _slots(pid: str, p: Project) -> Iterator[dict[str, Any]]:
    names = {plan.id: plan.name or None for plan in p.settings.plans}
    for slot in sorted(schedule.all_slots(p.settings, p.records.inspections.values(), p.today),
                       key=lambda s: (s.plan, s.due)):
        yield {"project": pid, "plan": slot.plan, "plan_name": names.get(slot.plan), "due": slot.due,
               "quarter": quarter_of(slot.due, p.tz).name, "opens": slot.opens, "status": slot.status,
               "inspection": slot.inspection, "inspected": slot.inspected}


# --- the documentation of the columns --------------------------------------------------------

TYPE_WORDS = {"text": "text", "integer": "whole number", "number": "number", "boolean": "true / false",
              "date": "date", "instant": "date and time"}


def columns_markdown() -> str:
    """A Markdown section per table with its columns, keys and indexes (shown in docs/export.md)."""
    parts_out = []
    for t in TABLES:
        lines = [f"### `{t.name}`", "", t.doc[0].upper() + t.doc[1:] + ".", "",
                 "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {TYPE_WORDS[c.type]} | {c.doc} |" for c in t.columns]
        lines += ["", f"Primary key: ({', '.join(t.key)})."]
        if t.foreign:
            lines.append("References: " + "; ".join(f"({', '.join(cols)}) → `{table}`" for cols, table, _ in t.foreign)
                         + ".")
        if t.indexes:
            lines.append("Indexes: " + "; ".join(f"({', '.join(i)})" for i in t.indexes) + ".")
        parts_out.append("\n".join(lines))
    return "\n\n".join(parts_out) + "\n"
