"""Spare-part stock (RECORDS.md) and usage."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from aftersales.core.model import Part, Ticket

# Units that count pieces: a quantity in one of them is a whole number (0.5 bolts is a typo).
COUNTED_UNITS = frozenset({"pcs", "pc", "piece", "pieces", "set", "sets", "pair", "pairs", "unit", "units",
                           "件", "个", "套", "对", "把", "张", "块", "根", "只", "台", "副", "条", "颗", "枚"})


def counted(part: Part) -> bool:
    """Whether the part's unit counts pieces."""
    return part.unit.strip().lower() in COUNTED_UNITS


def usage_by_day(tickets: Iterable[Ticket], tz) -> dict[str, dict[dt.date, float]]:
    """{part: {date: qty}} from the `parts` of `resolved` events."""
    return usage_from(((use.part, event.at, use.qty) for ticket in tickets for event in ticket.events
                       if event.type == "resolved" for use in event.parts), tz)


def usage_from(uses: Iterable[tuple[str, dt.datetime, float]], tz) -> dict[str, dict[dt.date, float]]:
    """{part: {date: qty}} from (part, at, qty) uses. Each day's total is correctly rounded
    (`math.fsum`), so it does not depend on the order the uses come in (file order from the cache,
    ticket order otherwise)."""
    quantities: dict[str, dict[dt.date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for part, at, qty in uses:
        quantities[part][at.astimezone(tz).date()].append(qty)
    return {part: {day: math.fsum(qs) for day, qs in days.items()} for part, days in quantities.items()}


def levels(part: Part, used: dict[dt.date, float]) -> Iterator[tuple[dt.date, float]]:
    """The stock at the end of each day something happened, in date order.

    Within one date, deliveries, withdrawals and ticket usage come first and a stock count
    taken that day sets the level after them (a count is the end-of-day truth).
    """
    by_day: dict[dt.date, list] = defaultdict(list)
    for movement in part.movements:
        by_day[movement.date].append(movement)
    level = 0.0
    for current in sorted(set(by_day) | set(used)):
        for movement in by_day[current]:
            level += (movement.received or 0) - (movement.taken or 0)
        level -= used.get(current, 0.0)
        counts = [m.count for m in by_day[current] if m.count is not None]
        if counts:
            level = counts[-1]
        yield current, level


def stock_on(part: Part, used: dict[dt.date, float], day: dt.date) -> float:
    """Stock at the end of `day`."""
    level = 0.0
    for current, value in levels(part, used):
        if current > day:
            break
        level = value
    return level


def first_shortage(part: Part, used: dict[dt.date, float]) -> tuple[dt.date, float] | None:
    """The first day the stock falls below zero (more used than was there), if any."""
    return next(((day, level) for day, level in levels(part, used) if level < 0), None)


@dataclass(frozen=True)
class PartRow:
    part: Part
    stock: float
    used: float
    low: bool


def rows(parts: Iterable[Part], tickets: Iterable[Ticket], tz, day: dt.date,
         period_days: tuple[dt.date, dt.date] | None = None) -> list[PartRow]:
    """Stock at the end of `day` and usage in [first, last) of `period_days` for every part."""
    return rows_from_usage(parts, usage_by_day(tickets, tz), day, period_days)


def rows_from_usage(parts: Iterable[Part], used: dict[str, dict[dt.date, float]], day: dt.date,
                    period_days: tuple[dt.date, dt.date] | None = None) -> list[PartRow]:
    """`rows` from the usage already added up ({part: {date: qty}}, see `usage_from`)."""
    result = []
    for part in sorted(parts, key=lambda p: p.id):
        per_day = used.get(part.id, {})
        level = stock_on(part, per_day, day)
        in_period = sum(q for d, q in per_day.items() if period_days and period_days[0] <= d < period_days[1])
        result.append(PartRow(part, level, in_period, part.min is not None and level <= part.min))
    return result
