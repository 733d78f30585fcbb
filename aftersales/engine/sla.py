"""SLA clocks: for each ticket and target, one cycle per opening, as RECORDS.md defines them.

Evaluation is linear in the events of a ticket; all calendar arithmetic is
delegated to `calendar.WorkCalendar`, in the project time zone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import heapq
import pickle
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from aftersales.core import collector, halves
from aftersales.core.durations import Duration
from aftersales.core.errors import AftersalesError
from aftersales.core.model import Asset, CalendarSpec, Event, Records, Settings, Target, Ticket
from aftersales.core.times import Period
from aftersales.engine.calendar import WorkCalendar
from aftersales.engine.ticket_facts import FOLLOW_UPS, Breached, TicketFacts, area_of
from aftersales.store.cache import decode, encode, fingerprint
from aftersales.store.load import Tickets, micros
from aftersales.store.spec import CATEGORIES, KINDS, STATUSES

WEEKDAY_NUMBERS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass(frozen=True)
class Pause:
    start: dt.datetime
    end: dt.datetime | None  # None: still paused
    reason: str | None = None


@dataclass(frozen=True)
class Cycle:
    """One run of one target's clock in one opening of a ticket, as of an instant."""

    ticket: str
    target: str
    cycle: int
    status: str
    start: dt.datetime
    start_event: str
    deadline: dt.datetime | None
    stop: dt.datetime | None
    stop_event: str | None          # the event that stopped it: a stop event, cancelled or reopened
    elapsed: int                    # counted seconds, up to the stop or the evaluation instant
    allowed: int                    # counted seconds from start to deadline
    within: Duration
    priority: str | None
    area: str | None
    calendar: str
    base_deadline: dt.datetime | None = None   # before any agreed workaround
    agreed: tuple[Event, ...] = ()             # workarounds that moved the deadline
    late_workarounds: tuple[Event, ...] = ()   # workarounds after the deadline: no effect
    pauses: tuple[Pause, ...] = ()
    definition: Target | None = field(default=None, compare=False, repr=False)

    @property
    def margin(self) -> int | None:
        """Seconds to spare (negative: late): from the stop to the deadline once stopped; while
        running, the counted time still allowed. None while paused without a deadline."""
        if self.deadline is None:
            return None
        if self.stop is not None:
            return int((self.deadline - self.stop).total_seconds())
        return self.allowed - self.elapsed


def make_calendars(settings: Settings) -> dict[str, WorkCalendar]:
    """The settings' calendars, plus the built-in `always`, in the project time zone."""
    tz = settings.tz
    calendars = {"always": WorkCalendar.always_calendar(tz)}
    for spec in settings.calendars.values():
        calendars[spec.id] = _calendar(spec, tz)
    return calendars


def _calendar(spec: CalendarSpec, tz) -> WorkCalendar:
    return WorkCalendar(
        name=spec.id, tz=tz, week=frozenset(WEEKDAY_NUMBERS[d] for d in spec.week),
        holidays=frozenset(_days(spec.holidays)), extra_workdays=frozenset(_days(spec.extra_workdays)),
        hours=tuple(sorted(spec.hours)),
    )


def _days(ranges: Iterable[tuple[dt.date, dt.date]]) -> Iterator[dt.date]:
    for first, last in ranges:
        day = first
        while day <= last:
            yield day
            day += dt.timedelta(days=1)


def facts(ticket: Ticket, settings: Settings, assets: Mapping[str, Asset]) -> dict[str, str | None]:
    """The ticket fields `when` matches on, with defaults: area from the asset, priority from the area."""
    area = area_of(ticket, assets)
    area_record = settings.areas.get(area or "")
    priority = ticket.priority or (area_record.priority if area_record else None)
    return {"kind": ticket.kind, "priority": priority, "severity": ticket.severity, "area": area,
            "category": ticket.category}


def applicable_targets(settings: Settings, ticket_facts: Mapping[str, str | None]) -> list[Target]:
    """For each target id, in settings order, the first definition whose `when` matches."""
    chosen: dict[str, Target] = {}
    for target in settings.targets:
        if target.id not in chosen and target.matches(ticket_facts):
            chosen[target.id] = target
    return list(chosen.values())


def allowed_duration(target: Target, priority: str | None) -> Duration:
    if isinstance(target.within, Duration):
        return target.within
    if priority is None or priority not in target.within:
        raise AftersalesError(f"target {target.id}: no time for priority {priority!r} in `within`")
    return target.within[priority]


def openings(events: Sequence[Event]) -> list[list[Event]]:
    """The ticket's openings: the first from `reported`, then one from each `reopened`."""
    result: list[list[Event]] = [[]]
    for event in events:
        if event.type == "reopened" and result[-1]:
            result.append([])
        result[-1].append(event)
    return result


class Engine:
    """Evaluates the clocks of tickets under one settings file (the real one or a what-if policy)."""

    def __init__(self, settings: Settings, assets: Mapping[str, Asset]) -> None:
        self.settings = settings
        self.assets = assets
        self.calendars = make_calendars(settings)

    def cycles(self, ticket: Ticket, at: dt.datetime) -> list[Cycle]:
        """Every cycle of every applicable target of `ticket`, as of `at` (None if not yet reported)."""
        seen = ticket.as_of(at)
        if seen is None:
            return []
        ticket_facts = facts(seen, self.settings, self.assets)
        result = []
        for target in applicable_targets(self.settings, ticket_facts):
            calendar = self.calendars.get(target.calendar)
            if calendar is None:
                raise AftersalesError(f"target {target.id}: no calendar {target.calendar!r}")
            within = allowed_duration(target, ticket_facts["priority"])
            parts = openings(seen.events)
            for number, opening in enumerate(parts, 1):
                reopened = parts[number][0] if number < len(parts) else None  # what ends this opening
                cycle = self._cycle(seen, target, calendar, within, number, opening, reopened, at, ticket_facts)
                if cycle is not None:
                    result.append(cycle)
        return result

    def all_cycles(self, tickets: Iterable[Ticket], at: dt.datetime) -> list[Cycle]:
        return [c for t in tickets for c in self.cycles(t, at)]

    def _cycle(self, ticket: Ticket, target: Target, calendar: WorkCalendar, within: Duration,
               number: int, opening: list[Event], reopened: Event | None, at: dt.datetime,
               ticket_facts: Mapping[str, str | None]) -> Cycle | None:
        start_types = {target.start, "reopened"} if target.start == "reported" else {target.start}
        begin = next((i for i, e in enumerate(opening) if e.type in start_types), None)
        if begin is None:
            return None
        start_event = opening[begin]
        start = start_event.at
        stop_event: Event | None = None
        pauses: list[Pause] = []
        agreed_candidates: list[Event] = []
        for event in opening[begin + 1:]:
            if event.type in target.stop or event.type == "cancelled":
                stop_event = event
                break
            if target.pausable and event.type == "paused" and (not pauses or pauses[-1].end is not None):
                pauses.append(Pause(event.at, None, event.reason))
            elif target.pausable and event.type == "resumed" and pauses and pauses[-1].end is None:
                pauses[-1] = Pause(pauses[-1].start, event.at, pauses[-1].reason)
            elif target.agreed == "workaround" and event.type == "workaround" and event.until is not None:
                agreed_candidates.append(event)
        if stop_event is None and reopened is not None:  # the opening ended first: like a cancellation
            stop_event = reopened
        allowed = calendar.working_seconds(start, calendar.add(start, within))
        if stop_event is not None and pauses and pauses[-1].end is None:  # a pause open at the stop ends there
            pauses[-1] = Pause(pauses[-1].start, stop_event.at, pauses[-1].reason)
        base_deadline = _deadline(calendar, start, allowed, pauses, whole_days=within.unit == "d")
        deadline, agreed, late = base_deadline, [], []
        for event in agreed_candidates:
            # while paused the deadline is not known yet, but it lies after every event so far
            if event.until is not None and (deadline is None or event.at <= deadline):
                deadline = event.until
                agreed.append(event)
            else:
                late.append(event)
        if deadline is not None and agreed:
            allowed = _counted(calendar, start, deadline, pauses)
        end = stop_event.at if stop_event is not None else at
        elapsed = _counted(calendar, start, end, pauses)
        status = self._status(target, stop_event, deadline, pauses, end, elapsed, allowed)
        return Cycle(
            ticket=ticket.id, target=target.id, cycle=number, status=status, start=start,
            start_event=start_event.type, deadline=deadline,
            stop=stop_event.at if stop_event is not None else None,
            stop_event=stop_event.type if stop_event is not None else None,
            elapsed=elapsed, allowed=allowed, within=within, priority=ticket_facts["priority"],
            area=ticket_facts["area"], calendar=calendar.name, base_deadline=base_deadline,
            agreed=tuple(agreed), late_workarounds=tuple(late), pauses=tuple(pauses), definition=target,
        )

    def run_on(self, cycle: Cycle, at: dt.datetime) -> tuple[int, str]:
        """The counted time and status as of `at` of a running cycle (no stop) evaluated as of an
        earlier instant, when no event of its ticket lies between the two: `_cycle` would find the
        same start, pauses, deadline and allowed time, and count and decide them as done here."""
        calendar = self.calendars[cycle.calendar]
        if cycle.definition is None:
            raise ValueError("a kept cycle without its target")
        elapsed = _counted(calendar, cycle.start, at, cycle.pauses)
        return elapsed, self._status(cycle.definition, None, cycle.deadline, list(cycle.pauses), at, elapsed,
                                     cycle.allowed)

    def _status(self, target: Target, stop_event: Event | None, deadline: dt.datetime | None,
                pauses: list[Pause], end: dt.datetime, elapsed: int, allowed: int) -> str:
        if stop_event is not None and stop_event.type in target.stop:
            return "met" if deadline is not None and stop_event.at <= deadline else "breached"
        if stop_event is not None:  # cancelled, or the opening ended by a reopen
            return "breached" if deadline is not None and deadline < stop_event.at else "void"
        # two instants of one zone compare by their wall clock, fold ignored; in UTC they do not
        if deadline is not None and micros(end) > micros(deadline):
            return "breached"
        if pauses and pauses[-1].end is None:
            return "paused"
        if allowed and elapsed >= self.settings.at_risk * allowed:
            return "at-risk"
        return "running"


def _counted(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime, pauses: Sequence[Pause]) -> int:
    """Working seconds from start to end, less the working seconds spent paused."""
    total = calendar.working_seconds(start, end)
    for pause in pauses:
        p_start = max(pause.start, start)
        p_end = min(pause.end or end, end)
        if p_end > p_start:
            total -= calendar.working_seconds(p_start, p_end)
    return total


def _deadline(calendar: WorkCalendar, start: dt.datetime, allowed: int, pauses: Sequence[Pause],
              whole_days: bool) -> dt.datetime | None:
    """The instant when `allowed` counted seconds (pauses excluded) are used up; None while paused.

    A target given in days (`3d`) on a working-day calendar ends at 24:00 of its last day, even
    when the calendar's working hours end earlier that day.
    """
    deadline: dt.datetime | None
    if not pauses:
        deadline = calendar.add_seconds(start, allowed)
    else:
        deadline = _deadline_after_pauses(calendar, start, allowed, pauses)
    if deadline is not None and whole_days and not calendar.always:
        local = deadline.astimezone(calendar.tz)
        if local.time() != dt.time(0):
            next_day = local.date() + dt.timedelta(days=1)
            deadline = dt.datetime.combine(next_day, dt.time(0), tzinfo=calendar.tz)
    return deadline


def reached(calendar: WorkCalendar, start: dt.datetime, counted: int,
            pauses: Sequence[Pause]) -> dt.datetime | None:
    """The instant a clock started at `start` has counted `counted` seconds (working time, pauses
    excluded); None when that happens in a pause still open."""
    if not pauses:
        return calendar.add_seconds(start, counted)
    return _deadline_after_pauses(calendar, start, counted, pauses)


def _deadline_after_pauses(calendar: WorkCalendar, start: dt.datetime, allowed: int,
                           pauses: Sequence[Pause]) -> dt.datetime | None:
    remaining, cursor = allowed, start
    for pause in pauses:
        if pause.start < cursor:
            continue
        used = calendar.working_seconds(cursor, pause.start)
        if used >= remaining:
            break
        remaining -= used
        if pause.end is None:
            return None
        cursor = pause.end
    return calendar.add_seconds(cursor, remaining)


def evaluate(records: Records, at: dt.datetime, settings: Settings | None = None,
             tickets: Iterable[Ticket] | None = None) -> list[Cycle]:
    """All cycles of all tickets (or of `tickets`) as of `at`, under `settings` (default: the
    records' own)."""
    engine = Engine(settings or records.settings, records.assets)
    return engine.all_cycles(records.tickets.values() if tickets is None else tickets, at)


def candidate_ids(records: Records, at: dt.datetime, *, open_only: bool = False, ticket: str | None = None,
                  period: Period | None = None) -> list[str]:
    """The ids of the tickets that can have a cycle passing those filters of `select` (open at
    `at`, this one, or with an event in the period: a cycle starts at one of its ticket's events),
    in the records' order, and perhaps a few more: `select` still filters exactly."""
    if ticket is not None:
        return [ticket]
    return records.ticket_ids(open_at=at if open_only else None,
                              period=(period.start, period.end, at) if period is not None else None)


# How many tickets' kept cycles are read from the record cache at once.
KEPT_AT_ONCE = 2000

# The code whose change makes every kept cycle stale.
ENGINE_CODE = ("core", "store", "engine")


@functools.cache
def engine_code() -> str:
    """A hash of the code whose results are kept (what reads files and works them out)."""
    return fingerprint(Path(__file__).resolve().parent.parent, ENGINE_CODE)


def cycles_of(records: Records, at: dt.datetime, ids: Iterable[str]) -> list[Cycle]:
    """The cycles of the tickets `ids` as of `at` under the records' settings (`each_cycle`), made
    with the collector paused (a quarter's 130,000 cycles all live on: see `core.collector`)."""
    with collector.paused():
        return list(each_cycle(records, at, ids))


def each_cycle(records: Records, at: dt.datetime, ids: Iterable[str]) -> Iterator[Cycle]:
    """The cycles of the tickets `ids` as of `at` under the records' settings, ticket by ticket
    (a caller that keeps only what it needs of each holds one batch of them at most): `evaluate`
    of those tickets, read back from the record cache where it can (`each_kept`)."""
    for kept in each_kept(records, at, ids):
        yield from kept.cycles


# What the quarterly report counts of a clock (`kpis.Clocks`), beside the instant its cycle
# started at in UTC microseconds: (start, target, priority, status, its counted seconds when it
# stopped at one of its `stop` events, the promise it ran against: (amount, unit, calendar)).
ClockRow = tuple[int, str, "str | None", str, "int | None", tuple[int, str, str]]


def clock_row(c: Cycle) -> ClockRow:
    stopped = c.stop_event is not None and c.definition is not None and c.stop_event in c.definition.stop
    return (micros(c.start), c.target, c.priority, c.status, c.elapsed if stopped else None,
            (c.within.amount, c.within.unit, c.calendar))


class TicketCycles:
    """One ticket's cycles as of an instant (`each_kept`), what the quarterly report counts of
    each (`clocks`, in the same order) and, when asked for, what its figures ask of the ticket
    (`facts`; None: not asked for, or not reported at the instant). A report reads every ticket's
    clocks but few tickets' cycles (those with a clock running within its deadline), and lists
    its breaches with what `breached` tells of their ticket and their cycles (`listed`): of a
    kept ticket, these are read back when first asked for (`breached` is None when the ticket
    was not kept with it: build the ticket)."""

    __slots__ = ("_clocks", "_cycles", "_read", "_read_shown", "_running", "facts", "ticket")

    def __init__(self, ticket: str, facts: TicketFacts | None, cycles: list[Cycle] | None = None, *,
                 clocks: list[ClockRow] | None = None, read: KeptParts | None = None,
                 running: list[tuple[int, int | None]] | None = None) -> None:
        self.ticket, self.facts = ticket, facts
        self._cycles, self._clocks, self._read, self._running = cycles, clocks, read, running
        self._read_shown: tuple[Breached | None, dict[int, Cycle]] | None = None

    @property
    def running(self) -> list[tuple[int, int | None]]:
        """The clocks that still run, as (position, deadline in UTC microseconds or None): their
        status and counted time change with the instant (nothing else of the ticket's cycles
        does while none of its events is after it)."""
        if self._running is None:
            self._running = [(number, None if c.deadline is None else micros(c.deadline))
                             for number, c in enumerate(self.cycles) if c.stop is None]
        return self._running

    @property
    def cycles(self) -> list[Cycle]:
        if self._cycles is None:
            if self._read is None:
                raise ValueError("a ticket's cycles with nothing to read them from")
            self._cycles = self._read.cycles(None if self._clocks is None else len(self._clocks))
        return self._cycles

    @property
    def clocks(self) -> list[ClockRow]:
        if self._clocks is None:
            self._clocks = [clock_row(c) for c in self.cycles]
        return self._clocks

    @property
    def breached(self) -> Breached | None:
        return self._shown()[0]

    def listed(self, number: int) -> Cycle:
        """The cycle of its clock `number` (breached, or running): read with what the list of
        breaches shows of the ticket (`KeptParts.shown`), unless its cycles were read."""
        if self._cycles is None:
            found = self._shown()[1].get(number)
            if found is not None:
                return found
        return self.cycles[number]

    def _shown(self) -> tuple[Breached | None, dict[int, Cycle]]:
        if self._read_shown is None:
            self._read_shown = self._read.shown() if self._read is not None else (None, {})
        return self._read_shown


def each_kept(records: Records, at: dt.datetime, ids: Iterable[str], *,
              with_facts: bool = False) -> Iterator[TicketCycles]:
    """The cycles of each ticket of `ids` as of `at` under the records' settings, in that order, and
    its `TicketFacts` when `with_facts`. While no event of a ticket is after the instant, what its
    events decide of each cycle (start, stop, pauses, deadline, allowed time) and its facts do not
    change with the instant: the record cache keeps both, with a hash of what they depend on (the
    settings, asset and part files, this code), and a later run reads them back instead of building
    and evaluating the ticket. A stopped clock is read back as it was; a running one is evaluated on
    to the instant (`Engine.run_on`: its counted time and status). With the facts come the clocks
    (`TicketCycles.clocks`), kept apart from the cycles (`KeptValue`): the cycles are read only
    when asked for, or when a clock runs whose status needs its counted time (`_unpack`)."""
    engine = Engine(records.settings, records.assets)
    tickets = records.tickets
    keeper = tickets if isinstance(tickets, Tickets) else None
    context = hashlib.sha256(f"{engine_code()}|{keeper.context}".encode()).hexdigest()[:24] if keeper else ""
    targets = list(records.settings.targets)
    index = {id(t): i for i, t in enumerate(targets)}
    kept_value = KeptValue(records.settings) if keeper is not None else None
    by = micros(at)
    ids = list(ids)
    try:
        for first in range(0, len(ids), KEPT_AT_ONCE):
            chunk = ids[first:first + KEPT_AT_ONCE]
            kept_blobs = keeper.kept_cycles(chunk, context, at) if keeper is not None else {}
            for ident in chunk:
                blob = kept_blobs.get(ident)
                if blob is not None and kept_value is not None:
                    try:
                        kept = _unpack(ident, blob, kept_value, targets, engine, at, by, with_facts,
                                       functools.partial(_evaluated, keeper, engine, ident, at))
                    except Exception:   # a damaged row: evaluated again
                        kept = None
                    if kept is not None:
                        yield kept
                        continue
                ticket = keeper.transient(ident) if keeper is not None else tickets[ident]   # not kept: one at a time
                cycles = engine.cycles(ticket, at)
                seen = ticket.as_of(at)
                keep = keeper is not None and seen is ticket and all(id(c.definition) in index for c in cycles)
                facts = TicketFacts.of(seen, records.assets) if seen is not None and (keep or with_facts) else None
                yield TicketCycles(ident, facts if with_facts else None, cycles)
                if keep and keeper is not None and kept_value is not None and facts is not None:
                    keeper.keep_cycles(ident, context, kept_value.pack(cycles, index, facts, ticket))
    finally:
        if keeper is not None:
            keeper.save_cycles()


def _evaluated(keeper: Tickets | None, engine: Engine, ident: str, at: dt.datetime) -> list[Cycle]:
    """The cycles of a ticket whose kept value turned out damaged, evaluated again."""
    if keeper is None:
        raise ValueError("a kept value without the tickets it was kept for")
    return engine.cycles(keeper.transient(ident), at)


_KEPT_FIELDS = tuple(f.name for f in dataclasses.fields(Cycle) if f.name != "definition")
_LENGTHS = struct.Struct(">II")   # of a kept value's first two parts


class KeptValue:
    """How a ticket's facts and cycles are kept (`each_kept`): in three parts, so that a report
    reads the first alone for most tickets. The first holds the facts, the clocks (`clock_row`)
    and the position and deadline of each clock still running (its status changes with the
    instant: see `_unpack`); the second the cycles as plain values, with the position of each
    cycle's target in the settings instead of the target itself (the settings are part of what
    they are kept under); the third, of a ticket with a clock breached or running, what the list
    of breaches shows of it (`Breached`) and those clocks' cycles again, as the second holds them
    (else None): a report lists a ticket's breaches without reading all its cycles. Each part is
    encoded as the record cache encodes a row (`cache.encode`), against the settings' own preset
    dictionary (`dictionary`); the value starts with the lengths of the first two."""

    def __init__(self, settings: Settings) -> None:
        self.dictionary = dictionary(settings)

    def pack(self, cycles: list[Cycle], index: Mapping[int, int], facts: TicketFacts, ticket: Ticket) -> bytes:
        running = [(number, None if c.deadline is None else micros(c.deadline))
                   for number, c in enumerate(cycles) if c.stop is None]
        values = [(index.get(id(c.definition), -1), tuple(getattr(c, name) for name in _KEPT_FIELDS))
                  for c in cycles]
        listed = [number for number, c in enumerate(cycles) if c.stop is None or c.status == "breached"]
        return self.write((facts.values(), [clock_row(c) for c in cycles], running), values,
                          (Breached.of(ticket).values(), listed, [values[n] for n in listed]) if listed else None)

    def write(self, head: Any, cycles: Any, shown: Any) -> bytes:
        """The kept value of these parts (see `pack`)."""
        parts = [encode(value, self.dictionary) for value in (head, cycles, shown)]
        return _LENGTHS.pack(len(parts[0]), len(parts[1])) + b"".join(parts)

    def head(self, blob: bytes) -> tuple[tuple[Any, ...], list[ClockRow], list[tuple[int, int | None]]]:
        """The facts' values, the clocks, and the position and deadline of each running clock."""
        return self._part(blob, 0)

    def body(self, blob: bytes) -> list[tuple[int, tuple[Any, ...]]]:
        """The cycles' values, each with its target's position."""
        return self._part(blob, 1)

    def shown(self, blob: bytes) -> tuple[tuple[Any, ...], list[int], list[tuple[int, tuple[Any, ...]]]] | None:
        """What the list of breaches shows of the ticket, when kept: its values, and the positions
        and values (as `body` gives them) of the cycles it may list."""
        return self._part(blob, 2)

    def _part(self, blob: bytes, number: int) -> Any:
        first, second = _LENGTHS.unpack_from(blob)
        bounds = (_LENGTHS.size, _LENGTHS.size + first, _LENGTHS.size + first + second, len(blob))
        return decode(blob[bounds[number]:bounds[number + 1]], self.dictionary)


@dataclass(slots=True)   # not frozen: one is made for each ticket a report reads, in a fifth of the time
class KeptParts:
    """The parts of one ticket's kept value that a report reads only when it needs them. Each
    part carries zlib's checksum, so a damaged one is seen when it is read, after the ticket was
    counted: its cycles are then evaluated again (`evaluate`), and what the list of breaches
    shows of it is None (the report builds the ticket)."""

    blob: bytes
    kept: KeptValue
    targets: Sequence[Target]
    engine: Engine
    at: dt.datetime
    evaluate: Callable[[], list[Cycle]]

    def read(self) -> list[Cycle]:
        """The cycles (a damaged part raises)."""
        return _cycles(self.kept.body(self.blob), self.targets, self.engine, self.at)

    def cycles(self, count: int | None) -> list[Cycle]:
        """The cycles, as many as the clocks counted (`count`), read back or evaluated again."""
        try:
            cycles = self.read()
        except Exception:   # a damaged part: evaluated again
            return self.evaluate()
        return cycles if count is None or len(cycles) == count else self.evaluate()

    def shown(self) -> tuple[Breached | None, dict[int, Cycle]]:
        """What the list of breaches shows of the ticket, and the cycles it may list (breached, or
        running) by their position among the ticket's: None and none when not kept, or damaged
        (the report builds the ticket; `TicketCycles.listed` reads all its cycles)."""
        try:
            shown = self.kept.shown(self.blob)
            if shown is None:
                return None, {}
            values, numbers, cycles = shown
            return Breached(*values), dict(zip(numbers, _cycles(cycles, self.targets, self.engine, self.at),
                                               strict=True))
        except Exception:   # a damaged part
            return None, {}


def dictionary(settings: Settings) -> bytes:
    """zlib's preset dictionary for the values kept under `settings` (`KeptValue`): what every
    ticket's value repeats, as pickling writes it: the names of the classes, the time zone, the
    targets with their events and promises, the statuses, kinds and categories, and a made-up
    cycle. Each value is a few hundred bytes; deflated against these it takes about half the room,
    and inflates faster. It depends only on the settings and this code, which the values are kept
    under: any bytes would read back right, but a value reads back only with the dictionary it was
    written with. So each piece is pickled on its own: pickling writes a text twice as one when it
    is the same object twice, which depends on how the settings were read (from their file, or
    from the record cache)."""
    zoned = dt.datetime(2026, 1, 1, 9, tzinfo=settings.tz)
    fixed = zoned.astimezone(dt.timezone(zoned.utcoffset() or dt.timedelta()))   # as events are read
    pieces: list[object] = [
        "T-20260101-ABCDEF", fixed, zoned, micros(zoned), (micros(zoned),), FOLLOW_UPS, (0,), *KINDS, *CATEGORIES,
        "open", "resolved", "cancelled", *STATUSES, *settings.priorities, *settings.areas,
    ]
    for t in settings.targets:
        promises = [t.within] if isinstance(t.within, Duration) else list(t.within.values())
        pieces += [t.id, t.start, *t.stop, t.calendar, *promises]
    pieces.append((1, ("T-20260101-ABCDEF", "response", 1, "met", fixed, "reported", zoned, fixed, "responded",
                       600, 7200, Duration(2, "h"), "normal", "classroom", "always", zoned, (), (), ())))
    return b"".join(pickle.dumps(piece, protocol=pickle.HIGHEST_PROTOCOL) for piece in pieces)


def _unpack(ticket: str, blob: bytes, kept: KeptValue, targets: Sequence[Target], engine: Engine,
            at: dt.datetime, by: int, with_facts: bool, evaluate: Callable[[], list[Cycle]]) -> TicketCycles:
    """`KeptValue.pack`'s value as of `at` (`by`: the same in UTC microseconds): running clocks
    evaluated on to the instant. With the facts, the cycles are read when first asked for: a
    running clock whose deadline passed before the instant is breached (`Engine._status`), and
    what else it counts does not change the report's clock (`clock_row`); of any other running
    clock the status needs its counted time, and the cycles are read at once."""
    parts = KeptParts(blob, kept, targets, engine, at, evaluate)
    if not with_facts:
        return TicketCycles(ticket, None, parts.read())
    facts, clocks, running = kept.head(blob)
    for number, deadline in running:
        if deadline is None or deadline >= by:
            return TicketCycles(ticket, TicketFacts(*facts), parts.read(), read=parts, running=running)
        start, target, priority, _, stopped, promise = clocks[number]
        clocks[number] = (start, target, priority, "breached", stopped, promise)
    return TicketCycles(ticket, TicketFacts(*facts), clocks=clocks, read=parts, running=running)


def _cycles(packed: list[tuple[int, tuple[Any, ...]]], targets: Sequence[Target], engine: Engine,
            at: dt.datetime) -> list[Cycle]:
    cycles = []
    new, fields = object.__new__, _KEPT_FIELDS
    count = len(fields)
    for i, values in packed:   # as unpickling does: the fields set directly, no __init__ to run
        if len(values) != count:
            raise ValueError("a kept cycle of another shape")   # a damaged row: evaluated again
        cycle = new(Cycle)
        kept = cycle.__dict__
        kept.update(zip(fields, values, strict=False))   # (counted above: zip's own check costs more)
        kept["definition"] = targets[i] if i >= 0 else None
        if cycle.stop is None:   # running: counted on to the instant (the cycle is new: set in place)
            kept["elapsed"], kept["status"] = engine.run_on(cycle, at)
        cycles.append(cycle)
    return cycles


# --- selecting and presenting cycles (data only: the command line renders it) ---

URGENCY = {"breached-running": 0, "at-risk": 1, "running": 2, "paused": 3, "breached": 4, "met": 5, "void": 6}


# the deadline of a clock without one, to sort: later than any (in UTC microseconds, as `micros`)
FAR = micros(dt.datetime.max.replace(tzinfo=dt.timezone.utc))
BREACHED = frozenset((URGENCY["breached-running"], URGENCY["breached"]))   # the first value of `urgency`

Urgency = tuple[int, int, str, str, int]


def urgency(cycle: Cycle) -> Urgency:
    """Sort key: open breaches first, then at risk, running, paused; then closed ones; by deadline
    (UTC microseconds: plain numbers, cheap to compare and to send between processes). Only
    cycles of one ticket can share one (it ends with their ticket, target and number)."""
    key = "breached-running" if cycle.status == "breached" and cycle.stop is None else cycle.status
    deadline = cycle.deadline
    return (URGENCY[key], FAR if deadline is None else micros(deadline), cycle.ticket, cycle.target, cycle.cycle)


def most_urgent_first(records: Records, at: dt.datetime, ids: Sequence[str],
                      pick: Callable[[list[Cycle]], list[Cycle]],
                      write: Callable[[list[Cycle]], Iterable[str]]) -> tuple[bool, Iterator[str]]:
    """The cycles of the tickets `ids` as of `at` that `pick` keeps (`select`): whether one of
    them is breached, and the text `write` gives each, most urgent first (`write` gets cycles in
    that order and gives a text for each): what `sla --format json` and `csv` write. On two
    cores, a forked child reads and writes the cycles of half the tickets meanwhile
    (`core.halves`); the two halves' texts, each in order, are merged as they are read (a
    ticket's cycles are all in one half: the order of cycles with the same key is the one
    pass's)."""
    def half(part: Sequence[str]) -> tuple[list[Urgency], list[str]]:
        cycles = pick(cycles_of(records, at, part))
        keys = [urgency(c) for c in cycles]
        order = sorted(range(len(cycles)), key=keys.__getitem__)
        cycles = [cycles[i] for i in order]
        texts = list(write(cycles))
        if len(texts) != len(cycles):
            raise ValueError("a text for each cycle was expected")
        return [keys[i] for i in order], texts

    (first_keys, first_texts), (second_keys, second_texts) = halves.in_two(ids, half)
    breached = any(key[0] in BREACHED for keys in (first_keys, second_keys) for key in keys)
    merged = heapq.merge(zip(first_keys, first_texts, strict=True), zip(second_keys, second_texts, strict=True),
                         key=itemgetter(0))
    return breached, (text for _, text in merged)


def select(cycles: Iterable[Cycle], records: Records, *, open_only: bool = False,
           statuses: Sequence[str] = (), targets: Sequence[str] = (), area: str | None = None,
           ticket: str | None = None, period: Period | None = None, at: dt.datetime | None = None) -> list[Cycle]:
    """The cycles that pass every given filter (a period keeps cycles that started in it), in their
    order. Each filter given is one pass over what the ones before it kept (a quarter's 100,000
    cycles and more: no filter not given is looked at), the open tickets' last."""
    chosen = list(cycles)
    if period is not None:
        first, end = period.start, period.end
        chosen = [c for c in chosen if first <= c.start < end]
    if statuses:
        chosen = [c for c in chosen if c.status in statuses]
    if targets:
        chosen = [c for c in chosen if c.target in targets]
    if area:
        chosen = [c for c in chosen if c.area == area]
    if ticket:
        chosen = [c for c in chosen if c.ticket == ticket]
    if open_only and at is not None:
        seen = {ident: records.tickets[ident].as_of(at) for ident in dict.fromkeys(c.ticket for c in chosen)}
        chosen = [c for c in chosen if (t := seen[c.ticket]) is not None and t.status == "open"]
    return chosen


@dataclass(frozen=True)
class Change:
    ticket: str
    target: str
    cycle: int
    before: Cycle | None
    after: Cycle | None

    @property
    def label(self) -> str:
        return f"{self.before.status if self.before else 'none'} → {self.after.status if self.after else 'none'}"


def compare(before: Iterable[Cycle], after: Iterable[Cycle]) -> list[Change]:
    """Cycles whose status differs between two evaluations of the same tickets."""
    old = {(c.ticket, c.target, c.cycle): c for c in before}
    new = {(c.ticket, c.target, c.cycle): c for c in after}
    changes = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if (a.status if a else None) != (b.status if b else None):
            changes.append(Change(*key, a, b))
    return changes


def with_policy(settings: Settings, policy: Settings) -> Settings:
    """`settings` with the SLA targets, at-risk share and calendars of `policy`."""
    return dataclasses.replace(settings, targets=policy.targets, at_risk=policy.at_risk,
                               calendars=policy.calendars)
