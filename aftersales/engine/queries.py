"""Questions the commands ask of the records: the rows of `ticket list`, an asset's history,
the inspections with their findings' status, the warranty overview. Values only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import attrgetter

from aftersales.core.model import Asset, Inspection, Records, Ticket
from aftersales.engine import schedule, warranty
from aftersales.engine.sla import Cycle, Engine, cycles_of, facts
from aftersales.store.load import MICROSECOND, micros


@dataclass(frozen=True, slots=True)
class Listed:
    """What a row of `ticket list` shows of its ticket (kept instead of the ticket: a listing of
    100,000 tickets holds these, not the tickets)."""

    id: str
    kind: str
    asset: str | None
    reported_at: dt.datetime
    summary: str
    status: str


@dataclass(frozen=True)
class TicketRow:
    ticket: Listed
    status: str
    priority: str | None
    area: str | None
    next_deadline: dt.datetime | None
    next_target: str | None
    age: int  # seconds since the report


def ticket_rows(records: Records, at: dt.datetime, *, show_all: bool = False, kind: str | None = None,
         area: str | None = None, asset: str | None = None, status: str | None = None,
         since: dt.date | None = None) -> list[TicketRow]:
    tz = records.settings.tz
    chosen = []
    wanted_status = status or (None if show_all else "open")
    if wanted_status == "open":   # a few: kept, their clocks are evaluated next
        ids, build = records.ticket_ids(open_at=at), records.tickets.__getitem__
    else:   # perhaps every ticket: each built for one use, the listing holds rows, not tickets
        ids, build = list(records.tickets), records.ticket_once
    for ident in ids:
        ticket = build(ident).as_of(at)
        if ticket is None:
            continue
        if (wanted_status and ticket.status != wanted_status) or (kind and ticket.kind != kind) or (
                asset and ticket.asset != asset) or (since and ticket.reported_at.astimezone(tz).date() < since):
            continue   # the cheap filters first: most tickets of a long history are closed
        f = facts(ticket, records.settings, records.assets)
        if area and f["area"] != area:
            continue
        chosen.append((Listed(ticket.id, ticket.kind, ticket.asset, ticket.reported_at, ticket.summary,
                              ticket.status), f))
    running: dict[str, list[tuple[dt.datetime, str]]] = {}
    for start in range(0, len(chosen), 1000):   # kept from an earlier run; a few at a time
        for c in cycles_of(records, at, [t.id for t, _ in chosen[start:start + 1000]]):
            if c.stop is None and c.deadline is not None:
                running.setdefault(c.ticket, []).append((c.deadline, c.target))
    result = []
    for listed, f in chosen:
        nearest = min(running.get(listed.id, ()), default=(None, None))
        result.append(TicketRow(listed, listed.status, f["priority"], f["area"], nearest[0], nearest[1],
                                int((at - listed.reported_at).total_seconds())))
    result.sort(key=lambda r: (r.ticket.reported_at, r.ticket.id))
    return result


@dataclass(frozen=True)
class AssetHistory:
    """An asset, its warranty as of a date and the tickets reported about it: all of them, or
    (`asset_history`'s `last`) the latest few and every one still open."""

    asset: Asset
    warranty_end: dt.date | None
    warranty_years: int
    extension_years: int
    days_left: int | None    # negative once the warranty has ended; None without an install date
    tickets: tuple[Ticket, ...]   # those shown, in the order they were reported
    count: int                    # every ticket about the asset, shown or not
    open: int                     # of those, how many are open

    @property
    def left_out(self) -> int:
        return self.count - len(self.tickets)


def asset_history(records: Records, asset_id: str, at: dt.datetime, last: int | None = None) -> AssetHistory:
    """The asset and its tickets as of `at`. With `last`, only the `last` latest tickets and the
    open ones before them are built and shown (an asset of a ten-year history has thousands);
    the others are counted from what the loader keeps (`Records.heads`), without building them."""
    asset = records.assets[asset_id]
    s = records.settings
    end = warranty.warranty_end(asset, s)
    today = at.astimezone(s.tz).date()
    reported_by = {asset.id: at + dt.timedelta(microseconds=1)}   # `heads` takes those reported before it
    # in UTC, as the loader gives the heads: instants of one zone compare without working out offsets
    by = at.astimezone(dt.timezone.utc)
    heads = sorted((h for h in records.heads(at, reported_by, None) if h.asset == asset.id and h.reported_at <= by),
                   key=attrgetter("reported_at", "id"))
    shown = heads
    if last is not None and len(heads) > last:
        cut = len(heads) - last
        shown = [h for h in heads[:cut] if h.status == "open"] + heads[cut:]
    built = {t.id: t for t in records.each_ticket(h.id for h in shown)}   # only the shown ones
    history = tuple(t for t in (built[h.id].as_of(at) for h in shown) if t is not None)
    return AssetHistory(asset, end, warranty.warranty_years(asset, s), sum(e.years for e in asset.extensions),
                        (end - today).days if end else None, history, len(heads),
                        sum(h.status == "open" for h in heads))


@dataclass(frozen=True)
class InspectionRow:
    inspection: Inspection
    findings: dict[str, int]   # counts by finding status as of the date
    signed: bool               # signed off on or before the date

    @property
    def open(self) -> int:
        """Findings not closed yet, overdue ones included."""
        return self.findings["open"] + self.findings["overdue"]


def inspection_rows(records: Records, day: dt.date, plan: str | None = None) -> list[InspectionRow]:
    """The inspections dated on or before `day` (of one plan, or all), newest first."""
    found = sorted((i for i in records.inspections.values() if i.date <= day and (not plan or i.plan == plan)),
                   key=lambda i: (i.date, i.id), reverse=True)
    return [InspectionRow(ins, schedule.count_findings(ins.findings, day),
                          ins.signoff is not None and ins.signoff.date <= day) for ins in found]


@dataclass(frozen=True)
class FollowUp:
    """A clock of the ladder after a fix (a target that starts at `resolved`) still to stop."""

    ticket: Ticket
    cycle: Cycle
    overdue: bool

    @property
    def deadline(self) -> dt.datetime:
        assert self.cycle.deadline is not None  # these clocks never pause
        return self.cycle.deadline


def follow_ups(records: Records, at: dt.datetime, within: dt.timedelta) -> list[FollowUp]:
    """The follow-ups (callbacks, messages, revisits: whatever targets start at `resolved`) that are
    overdue or due by `at + within` (elapsed time: 7 days are 168 hours, also when the clocks
    change), overdue first, then by deadline."""
    engine = Engine(records.settings, records.assets)
    found = []
    for original in records.tickets.values():
        ticket = original.as_of(at)
        if ticket is None or ticket.status != "resolved":
            continue
        for cycle in engine.cycles(ticket, at):
            if (cycle.start_event == "resolved" and cycle.stop is None and cycle.deadline is not None
                    and micros(cycle.deadline) <= micros(at) + within // MICROSECOND):   # in UTC
                found.append(FollowUp(ticket, cycle, cycle.status == "breached"))
    return sorted(found, key=lambda f: (not f.overdue, f.deadline, f.ticket.id, f.cycle.target))
