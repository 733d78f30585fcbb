"""What the quarterly report's figures ask of one ticket (`TicketFacts`) and what its list of
breaches shows of one (`Breached`), and periods as spans of UTC microseconds (`Span`) to test
their instants against.

Below the SLA engine, which keeps each ticket's facts with its cycles (`sla.each_kept`), and
the figures (`kpis`), which count them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from operator import attrgetter

from aftersales.core.model import Asset, Event, Ticket
from aftersales.core.times import Period
from aftersales.store.load import EPOCH, micros

FOLLOW_UPS = ("callback", "message", "revisit")   # the events that may follow a fix
SCORED = ("callback", "revisit")                   # the events whose `satisfaction` is averaged


def area_of(ticket: Ticket, assets: Mapping[str, Asset]) -> str | None:
    """The ticket's area, or its asset's."""
    asset = assets.get(ticket.asset or "")
    return ticket.area or (asset.area if asset else None)


@dataclass(frozen=True, slots=True)
class Span:
    """A period as UTC microseconds, [start, end): `instant in span` compares two ints."""

    start: int
    end: int

    @classmethod
    def of(cls, period: Period) -> Span:
        return cls(micros(period.start), micros(period.end))

    def __contains__(self, instant: int | None) -> bool:
        return instant is not None and self.start <= instant < self.end


@dataclass(slots=True, eq=False)
class TicketFacts:
    """What the figures ask of one ticket as it stands at the report instant, instants as UTC
    microseconds (`micros`). It holds no event: a report's tickets are built one at a time and
    only those of its breaches are kept (`kpis.ReportTickets`); it is kept with the ticket's
    cycles (`sla.each_kept`), so that a later report need not build the ticket at all."""

    id: str
    kind: str
    category: str | None
    asset: str | None
    status: str
    reported: int                    # its `reported` event (the first one)
    latest: int                      # its latest event
    instants: tuple[int, ...]        # every event's, in time (`has_event_in`)
    fixes: tuple[int, ...]           # its `resolved` events
    resolved: int | None             # its last `resolved` event, when it is resolved (not open or cancelled)
    cancels: tuple[int, ...]         # its `cancelled` events
    costs: tuple[float, ...]         # the `cost` of its `resolved` events (0 when none), in time
    reopened: bool                   # it has a `reopened` event
    first_time_fix: bool             # no `reopened` and at most one `arrived` event
    followed_up: tuple[str, ...]     # the FOLLOW_UPS at or after its last `resolved` event (if resolved)
    scores: tuple[tuple[str, int, int], ...]   # (callback or revisit, at, satisfaction) of the scored events
    area: str | None                 # the ticket's, or its asset's
    asset_category: str | None
    turns: tuple[tuple[int, str], ...]   # (at, type) of its `resolved`, `cancelled` and `reopened` events

    @classmethod
    def of(cls, t: Ticket, assets: Mapping[str, Asset]) -> TicketFacts:
        fixes: list[int] = []
        cancels: list[int] = []
        costs: list[float] = []
        scores: list[tuple[str, int, int]] = []
        turns: list[tuple[int, str]] = []
        arrivals, reopened = 0, False
        for e in t.events:
            if e.type == "resolved":
                fixes.append(micros(e.at))
                costs.append(e.cost or 0)
                turns.append((fixes[-1], e.type))
            elif e.type == "cancelled":
                cancels.append(micros(e.at))
                turns.append((cancels[-1], e.type))
            elif e.type == "reopened":
                reopened = True
                turns.append((micros(e.at), e.type))
            elif e.type == "arrived":
                arrivals += 1
            elif e.type in SCORED and e.satisfaction is not None:
                scores.append((e.type, micros(e.at), e.satisfaction))
        resolved = fixes[-1] if t.status == "resolved" else None
        followed: tuple[str, ...] = ()
        if resolved is not None:
            fixed = max(e.at for e in t.events if e.type == "resolved")
            followed = tuple(sorted({e.type for e in t.events if e.type in FOLLOW_UPS and e.at >= fixed}))
        asset = assets.get(t.asset or "")
        instants = tuple(micros(e.at) for e in t.events)
        return cls(t.id, t.kind, t.category, t.asset, t.status, instants[0], max(instants),
                   instants, tuple(fixes), resolved, tuple(cancels), tuple(costs),
                   reopened, not reopened and arrivals <= 1, followed, tuple(scores),
                   area_of(t, assets), asset.category if asset else None, tuple(turns))

    @property
    def reported_at(self) -> dt.datetime:
        """When it was reported, in UTC (kept as an integer: a datetime unpickles slowly)."""
        return EPOCH + dt.timedelta(microseconds=self.reported)

    def status_at(self, instant: int) -> str:
        """Its status as it stood at `instant` (`Ticket.status` of `Ticket.as_of`): that of its last
        event at or before it that turns it (open when none does)."""
        state = "open"
        for at, kind in self.turns:
            if at <= instant:
                state = "open" if kind == "reopened" else kind
        return state

    def has_event_in(self, span: Span) -> bool:
        """Reported or with an event in the period."""
        if self.latest < span.start or self.reported >= span.end:
            return False   # every event before it, or after it
        if self.reported >= span.start or self.latest < span.end:
            return True    # the first or the latest event in it
        return any(at in span for at in self.instants)   # reported before, latest after it

    def values(self) -> tuple[object, ...]:
        """Its fields in order, as plain values (`TicketFacts(*values)` makes it again): what
        the record cache keeps."""
        return _VALUES(self)


_FIELDS = tuple(f.name for f in fields(TicketFacts))
_VALUES: Callable[[TicketFacts], tuple[object, ...]] = attrgetter(*_FIELDS)


REASON_EVENTS = ("paused", "resumed", "workaround", "escalated", "diagnosed", "informed", "note")


def may_tell_why(e: Event) -> bool:
    """An event that may tell why a clock took long (`kpis._reasons`): one of REASON_EVENTS, or a fix
    that needed parts."""
    return e.type in REASON_EVENTS or (e.type == "resolved" and bool(e.parts))


@dataclass(frozen=True, slots=True)
class Breached:
    """What the list of breaches shows of a ticket (`kpis.breach_row`): a few fields and, of its
    events, only those that may tell why a clock took long (`kpis._reasons` picks those inside each clock's
    run): a report keeps this for each of its thousands of breaches' tickets, not the ticket. It
    is kept with the ticket's cycles (`sla.each_kept`), so that a later report need not build
    the ticket to list its breaches."""

    id: str
    kind: str
    summary: str
    reported_at: dt.datetime
    asset: str | None
    location: str | None
    status: str
    events: tuple[Event, ...]

    @classmethod
    def of(cls, t: Ticket) -> Breached:
        return cls(t.id, t.kind, t.summary, t.reported_at, t.asset, t.location, t.status,
                   tuple(e for e in t.events if may_tell_why(e)))

    def values(self) -> tuple[object, ...]:
        """Its fields in order, as plain values (`Breached(*values)` makes it again): what the
        record cache keeps (`sla.KeptValue`)."""
        return tuple(getattr(self, name) for name in _BREACHED_FIELDS)


_BREACHED_FIELDS = tuple(f.name for f in fields(Breached))
