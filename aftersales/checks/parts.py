"""Checks of spare parts: each movement says one thing, and stock never falls below zero."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from aftersales.checks.common import error, warning
from aftersales.core.model import Part, Ticket
from aftersales.core.problems import Problem
from aftersales.engine import parts


def check_part(part: Part) -> Iterator[Problem]:
    for movement in part.movements:
        given = [k for k, v in (("in", movement.received), ("out", movement.taken), ("count", movement.count))
                 if v is not None]
        if len(given) != 1:
            yield error(part.where.path, movement.line, "movement",
                        "a movement has exactly one of `in`, `out` or `count`"
                        + (f" (it has {', '.join(given)})" if given else ""))


def check_stock(all_parts: Iterable[Part], tickets: Iterable[Ticket], tz: ZoneInfo) -> Iterator[Problem]:
    """A part whose stock falls below zero: a delivery or a count is missing, or a quantity is wrong."""
    return check_levels(all_parts, parts.usage_by_day(tickets, tz))


def check_levels(all_parts: Iterable[Part], used: dict[str, dict[dt.date, float]]) -> Iterator[Problem]:
    """`check_stock` from the usage already added up ({part: {date: qty}})."""
    for part in all_parts:
        shortage = parts.first_shortage(part, used.get(part.id, {}))
        if shortage:
            day, level = shortage
            yield warning(part.where.path, part.where.line, "stock",
                          f"the stock of {part.id} falls to {level:g} {part.unit} on {day}: more was used "
                          "than received; record the delivery or a stock count, or correct the quantity")
