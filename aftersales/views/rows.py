"""The JSON and CSV rows of engine results: one flat mapping per cycle, ticket, slot...

Instants are ISO 8601 with the project's offset, to the second; durations stay
in counted seconds; the column order is the key order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.core.model import Asset
from aftersales.engine.queries import AssetHistory, TicketRow
from aftersales.engine.sla import Cycle
from aftersales.engine.warranty import Overview, WarrantyRow
from aftersales.views import tables
from aftersales.views.fmt import iso, iso_once
from aftersales.views.tables import Written, instant_json, json_text, row_template


def cycle_values(cycle: Cycle, tz: ZoneInfo) -> tuple[object, ...]:
    """The values of a cycle's row, in the order of CYCLE_COLUMNS: instants in ISO 8601 with the
    project's offset. Text, numbers and null only."""
    return _values(cycle, lambda instant: iso(instant, tz))


def each_cycle_values(cycles: Iterable[Cycle], tz: ZoneInfo) -> Iterator[tuple[object, ...]]:
    """`cycle_values` of each cycle, each instant written once (`fmt.iso_once`: a quarter's
    100,000 rows hold 300,000 instants, a quarter of them distinct)."""
    text = iso_once(tz, tables.TEXTS_KEPT)
    for c in cycles:
        yield _values(c, text)


def cycle_json(cycles: Iterable[Cycle], tz: ZoneInfo) -> Iterator[str]:
    """The text of `tables.json_rows(each_cycle_row(cycles, tz))` without its brackets, a row at a
    time (`tables.json_list` adds them), written straight from each cycle into a template of its
    keys (`tables.row_template`): the texts a listing repeats (its targets, statuses,
    areas, durations and instants) are escaped once, each other value written as it is (`sla
    --format json` of a quarter: 100,000 rows in two thirds of the time)."""
    fill, text = row_template(CYCLE_COLUMNS), json_text
    words, instant = Written(json_text), instant_json(tz)
    for c in cycles:
        yield fill(text(c.ticket), words[c.target], c.cycle, words[c.status], instant(c.start),
                   instant(c.deadline), instant(c.stop), words[c.stop_event], c.elapsed, c.allowed,
                   words[str(c.within)], words[c.priority], words[c.area], words[c.calendar])


def each_cycle_row(cycles: Iterable[Cycle], tz: ZoneInfo) -> Iterator[dict[str, object]]:
    """`cycle_row` of each cycle (`each_cycle_values` under CYCLE_COLUMNS)."""
    for values in each_cycle_values(cycles, tz):
        yield dict(zip(CYCLE_COLUMNS, values, strict=True))


def cycle_row(cycle: Cycle, tz: ZoneInfo) -> dict[str, object]:
    """The JSON / CSV form of a cycle (`cycle_values` under CYCLE_COLUMNS)."""
    return dict(zip(CYCLE_COLUMNS, cycle_values(cycle, tz), strict=True))


def _values(c: Cycle, text: Callable[[dt.datetime | None], str | None]) -> tuple[object, ...]:
    return (c.ticket, c.target, c.cycle, c.status, text(c.start), text(c.deadline), text(c.stop), c.stop_event,
            c.elapsed, c.allowed, str(c.within), c.priority, c.area, c.calendar)



CYCLE_COLUMNS = ("ticket", "target", "cycle", "status", "start", "deadline", "stop", "stop_event",
                 "elapsed", "allowed", "within", "priority", "area", "calendar")
TICKET_COLUMNS = ("id", "status", "kind", "priority", "area", "asset", "reported", "age", "next_deadline",
                  "next_target", "summary")


def ticket_row(row: TicketRow, tz: ZoneInfo) -> dict[str, object]:
    t = row.ticket
    return {"id": t.id, "status": row.status, "kind": t.kind, "priority": row.priority, "area": row.area,
            "asset": t.asset, "reported": iso(t.reported_at, tz), "age": row.age,
            "next_deadline": iso(row.next_deadline, tz), "next_target": row.next_target, "summary": t.summary}


def asset_fields(a: Asset) -> dict[str, Any]:
    """An asset's fields after its id, as JSON and CSV rows give them (empty text as null)."""
    return {"name": a.name, "category": a.category, "area": a.area, "location": a.location or None,
            "quantity": a.quantity, "model": a.model or None,
            "installed": a.installed.isoformat() if a.installed else None}


def warranty_overview_row(found: Overview) -> dict[str, Any]:
    """The JSON form of `warranty`: the warranties ending within its days and those ended, the
    assets without an install date and the replacement candidates with their repairs."""
    return {
        "as_of": found.today.isoformat(), "within_days": found.within_days,
        "expiring": [_warranty_row(r) for r in found.expiring],
        "expired": [_warranty_row(r) for r in found.expired],
        "missing_installed": [r.asset.id for r in found.missing_installed],
        "replacement_candidates": [{"asset": c.asset.id, "repairs": [t.id for t in c.tickets]}
                                   for c in found.candidates],
    }


def _warranty_row(r: WarrantyRow) -> dict[str, object]:
    return {"asset": r.asset.id, "name": r.asset.name, "area": r.asset.area,
            "end": r.end.isoformat() if r.end else None, "days_left": r.days_left}


def asset_history_row(found: AssetHistory, at: dt.datetime, tz: ZoneInfo) -> dict[str, Any]:
    """The JSON form of `asset show`: the asset, its warranty as of `at`, and its tickets (how many,
    how many open, how many not listed, and those listed)."""
    return {
        "asset": {"id": found.asset.id, **asset_fields(found.asset)},
        "as_of": iso(at, tz),
        "warranty": {"end": found.warranty_end.isoformat() if found.warranty_end else None,
                     "years": found.warranty_years, "extension_years": found.extension_years,
                     "days_left": found.days_left},
        "tickets": {"count": found.count, "open": found.open, "not_listed": found.left_out,
                    "listed": [{"id": t.id, "reported": iso(t.reported_at, tz), "kind": t.kind, "status": t.status,
                                "summary": t.summary} for t in found.tickets]},
    }
