"""Which alerts are true as of an instant, and since when: the facts `aftersales notify` sends.

Pure: no clock, no files, no network. Every alert has a key that names it for
ever (kind, subject, target, cycle), so the sender can remember what it sent,
and the instant it became true (`since`), so a run after downtime can tell a
missed alert from a fresh one.

- **at-risk**: a running clock (not stopped, not paused) has counted at least
  the settings' `sla.at_risk` share of its allowed time. It stays true once
  the clock is breached too (the desk hears of a clock that went from running
  to breached between two runs); the sender then sends the most severe alert
  of a clock only.
- **breached**: a running clock past its deadline.
- **escalation**: a running clock breached by more than `notify.escalate_after`,
  counted like its target (working time on a working calendar, pauses excluded).
- **finding-overdue**: an inspection finding still open after its due date.
- **maintenance-overdue**: a maintenance slot not fulfilled after its due date.
- **warranty-expiring**: a warranty whose last day is within the next
  `notify.warranty_days` days (that day included), as `aftersales warranty` counts.
- **low-stock**: a part at or below its reorder point at the end of today.

A paused clock, a stopped clock and a cancelled ticket's clocks have no alert.
Dates become true at 00:00 of the day, in the project time zone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from aftersales.core.durations import Duration
from aftersales.core.model import Part, Records, Ticket
from aftersales.engine import parts, schedule, warranty
from aftersales.engine.sla import Cycle, Engine, facts, reached
from aftersales.store.spec import ALERT_KINDS

CLOCK_KINDS = ("at-risk", "breached", "escalation")
SEVERITY = {"at-risk": 1, "breached": 2, "escalation": 3}  # a clock's more severe alert covers the others
Facts = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Alert:
    """One alert that is true as of the evaluation instant."""

    kind: str
    subject: str          # the ticket, asset or part id; a finding is INSPECTION/FINDING; a slot its plan
    target: str           # the SLA target of a clock; "" for the others
    cycle: str            # the clock's cycle number; for the others the date that makes it a new alert
    since: dt.datetime    # when it became true
    facts: Facts = field(default_factory=dict, compare=False)  # what the rules' `when` matches
    ticket: Ticket | None = field(default=None, compare=False, repr=False)
    clock: Cycle | None = field(default=None, compare=False, repr=False)
    asset: str | None = None
    area: str | None = None
    priority: str | None = None
    due: dt.date | None = None      # a finding's or slot's due date; a warranty's last day
    days: int | None = None         # days overdue (finding, slot) or left (warranty)
    stock: float | None = None      # low-stock: the stock at the end of today
    inspection: str | None = None
    finding: str | None = None
    lateness: int | None = None     # clocks: counted seconds past the deadline (negative: left)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.subject, self.target, self.cycle)

    @property
    def group(self) -> tuple[str, ...]:
        """What one message is about: a clock's alerts share one group, other alerts are their own."""
        return ("clock", self.subject, self.target, self.cycle) if self.kind in CLOCK_KINDS else self.key


@dataclass(frozen=True)
class Progress:
    """The latest event of a ticket that sends its reporter a progress message."""

    ticket: Ticket
    event: str
    number: int            # the how-manieth event of this type in the ticket (a reopened ticket resolves twice)
    at: dt.datetime

    @property
    def key(self) -> tuple[str, str, str, str]:
        return ("progress", self.ticket.id, self.event, str(self.number))


def alerts(records: Records, at: dt.datetime, *, kinds: Collection[str] = ALERT_KINDS,
           escalate_after: Duration | None = None, warranty_days: int | None = None) -> list[Alert]:
    """Every alert of `kinds` true as of `at`, sorted by kind, then since, then subject.
    `escalate_after` and `warranty_days` default to the settings' `notify` values."""
    n = records.settings.notify
    escalate = escalate_after if escalate_after is not None else n.escalate_after
    days = warranty_days if warranty_days is not None else n.warranty_days
    found: list[Alert] = []
    if any(k in kinds for k in CLOCK_KINDS):
        found += clock_alerts(records, at, escalate)
    today = at.astimezone(records.settings.tz).date()
    if "finding-overdue" in kinds:
        found += finding_alerts(records, today)
    if "maintenance-overdue" in kinds:
        found += maintenance_alerts(records, today)
    if "warranty-expiring" in kinds:
        found += warranty_alerts(records, today, days)
    if "low-stock" in kinds:
        found += stock_alerts(records, at)
    order = {k: i for i, k in enumerate(ALERT_KINDS)}
    return sorted((a for a in found if a.kind in kinds), key=lambda a: (order[a.kind], a.since, a.key))


def clock_alerts(records: Records, at: dt.datetime, escalate_after: Duration) -> list[Alert]:
    """at-risk, breached and escalation alerts of the running, unpaused clocks as of `at`."""
    s = records.settings
    engine = Engine(s, records.assets)
    found = []
    for original in records.tickets.values():
        ticket = original.as_of(at)
        if ticket is None or ticket.status == "cancelled":
            continue
        ticket_facts = facts(ticket, s, records.assets)
        for c in engine.cycles(ticket, at):
            found += _cycle_alerts(engine, ticket, ticket_facts, c, escalate_after)
    return found


def _cycle_alerts(engine: Engine, ticket: Ticket, ticket_facts: Mapping[str, str | None], c: Cycle,
                  escalate_after: Duration) -> list[Alert]:
    if c.stop is not None or c.deadline is None or (c.pauses and c.pauses[-1].end is None):
        return []  # stopped, or paused: nothing to tell anyone
    calendar = engine.calendars[c.calendar]
    share = engine.settings.at_risk
    when = {k: (v,) for k, v in ticket_facts.items() if v is not None} | {"target": (c.target,)}

    def alert(kind: str, since: dt.datetime) -> Alert:
        return Alert(kind, ticket.id, c.target, str(c.cycle), since, when, ticket=ticket, clock=c,
                     asset=ticket.asset, area=ticket_facts["area"], priority=ticket_facts["priority"],
                     lateness=c.elapsed - c.allowed)

    found = []
    if c.allowed and c.elapsed >= share * c.allowed:  # exactly the engine's at-risk test
        found.append(alert("at-risk", reached(calendar, c.start, math.ceil(share * c.allowed), c.pauses) or c.start))
    if c.status == "breached":
        found.append(alert("breached", c.deadline))
        extra = escalate_after.seconds
        if c.elapsed - c.allowed > extra:
            found.append(alert("escalation", reached(calendar, c.start, c.allowed + extra, c.pauses) or c.deadline))
    return found


def _midnight(day: dt.date, records: Records) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=records.settings.tz)


def _area_facts(*areas: str | None) -> Facts:
    present = tuple(a for a in areas if a)
    return {"area": present} if present else {}


def finding_alerts(records: Records, today: dt.date) -> list[Alert]:
    found = []
    for o in schedule.overdue_findings(records.inspections.values(), today):
        f = o.finding
        asset = records.assets.get(f.asset or "")
        area = asset.area if asset else None
        when = dict(_area_facts(area))
        when.update({k: (v,) for k, v in (("severity", f.severity), ("category", f.category)) if v})
        found.append(Alert("finding-overdue", f"{o.inspection.id}/{f.id}", "", o.due.isoformat(),
                           _midnight(o.due + dt.timedelta(days=1), records), when, asset=f.asset, area=area,
                           due=o.due, days=o.days, inspection=o.inspection.id, finding=f.id))
    return found


def maintenance_alerts(records: Records, today: dt.date) -> list[Alert]:
    s = records.settings
    plans = {p.id: p for p in s.plans}
    found = []
    for slot in schedule.all_slots(s, records.inspections.values(), today):
        if slot.status != "overdue":
            continue
        areas = plans[slot.plan].areas
        found.append(Alert("maintenance-overdue", slot.plan, "", slot.due.isoformat(),
                           _midnight(slot.due + dt.timedelta(days=1), records),
                           _area_facts(*(areas if areas is not None else s.areas)),
                           due=slot.due, days=(today - slot.due).days))
    return found


def warranty_alerts(records: Records, today: dt.date, days: int) -> list[Alert]:
    rows = warranty.expiring(warranty.status_rows(records, today), days)
    return [Alert("warranty-expiring", r.asset.id, "", r.end.isoformat(),
                  _midnight(r.end - dt.timedelta(days=days - 1), records), _area_facts(r.asset.area),
                  asset=r.asset.id, area=r.asset.area, due=r.end, days=r.days_left)
            for r in rows if r.end is not None]


def stock_alerts(records: Records, at: dt.datetime) -> list[Alert]:
    tz = records.settings.tz
    today = at.astimezone(tz).date()
    used = parts.usage_by_day(records.tickets_as_of(at), tz)
    found = []
    for part in sorted(records.parts.values(), key=lambda p: p.id):
        if part.min is None:
            continue
        per_day = used.get(part.id, {})
        level = parts.stock_on(part, per_day, today)
        if level > part.min:
            continue
        first = low_since(part, per_day, today)
        found.append(Alert("low-stock", part.id, "", first.isoformat() if first else "",
                           _midnight(first, records) if first else at, stock=level))
    return found


def low_since(part: Part, used: dict[dt.date, float], today: dt.date) -> dt.date | None:
    """The first day of the part's current stretch at or below its reorder point (None: it has
    been low since before its first movement)."""
    assert part.min is not None
    first: dt.date | None = None
    for day, level in parts.levels(part, used):
        if day > today:
            break
        if level > part.min:
            first = None
        elif first is None:
            first = day
    return first


def progress(tickets: Iterable[Ticket], at: dt.datetime, on: Collection[str], within: Duration) -> list[Progress]:
    """For each ticket with a reporter's phone, its latest event of a type in `on` that happened in
    the `within` (real time) before `at`; a cancelled ticket sends nothing."""
    found = []
    oldest = at - dt.timedelta(seconds=within.seconds)
    for original in tickets:
        ticket = original.as_of(at)
        if ticket is None or ticket.status == "cancelled" or not (ticket.reporter and ticket.reporter.phone):
            continue
        counts: dict[str, int] = {}
        latest: Progress | None = None
        for event in sorted(ticket.events, key=lambda e: e.at):  # stable: ties keep file order
            if event.type in on:
                counts[event.type] = counts.get(event.type, 0) + 1
                latest = Progress(ticket, event.type, counts[event.type], event.at)
        if latest is not None and latest.at >= oldest:
            found.append(latest)
    return sorted(found, key=lambda p: (p.at, p.ticket.id))
