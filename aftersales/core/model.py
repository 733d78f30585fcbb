"""Immutable records: what the files say, typed. Built from values `spec` has cleaned."""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from aftersales.core.durations import Duration


@dataclass(frozen=True)
class Where:
    """The file (relative to the records root) and line a record or part of it comes from."""

    path: str
    line: int = 1
    column: int = 1


LATE_AFTER = Duration(15, "m")  # an event written later than this after its `at` carries `logged`


# --- settings ---------------------------------------------------------------

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")  # Chinese characters

@dataclass(frozen=True)
class Name:
    """A display name from the settings: plain `text` as the records write it, or one text per
    language. Records are written in Simplified Chinese (the customer's words), so plain text is
    the Chinese name; an English document uses it only when it holds no Chinese character, so
    that one document speaks one language. `get(lang)` is None where there is no name in `lang`:
    the document shows the id."""

    text: str = ""
    by_lang: Mapping[str, str] = field(default_factory=dict)

    def get(self, lang: str) -> str | None:
        if lang in self.by_lang:
            return self.by_lang[lang] or None
        if self.text and (lang == "zh" or not _HAN.search(self.text)):
            return self.text
        return None

    def __str__(self) -> str:
        """The name where no language is chosen (command-line tables): as written, Chinese first."""
        return self.text or self.by_lang.get("zh") or self.by_lang.get("en") or ""


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    priority: str
    line: int = field(default=1, compare=False)
    names: Name = field(default_factory=Name, compare=False)


@dataclass(frozen=True)
class Person:
    """Someone whose id appears in the records (`by`, `to`, inspectors, owners)."""

    id: str
    name: Name
    role: Name = field(default_factory=Name)
    phone: str = ""


@dataclass(frozen=True)
class TargetGroup:
    """SLA targets shown together in documents (`sla.groups`)."""

    id: str
    name: Name
    targets: tuple[str, ...]
    line: int = field(default=1, compare=False)


@dataclass(frozen=True)
class CalendarSpec:
    id: str
    week: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    hours: tuple[tuple[dt.time, dt.time], ...] = ()
    holidays: tuple[tuple[dt.date, dt.date], ...] = ()
    extra_workdays: tuple[tuple[dt.date, dt.date], ...] = ()
    line: int = field(default=1, compare=False)


@dataclass(frozen=True)
class Target:
    id: str
    start: str
    stop: tuple[str, ...]
    within: Duration | Mapping[str, Duration]
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pausable: bool = False
    agreed: str | None = None
    calendar: str = "always"
    line: int = field(default=1, compare=False)

    def matches(self, facts: Mapping[str, str | None]) -> bool:
        """True when every `when` key lists the ticket's value."""
        return all(facts.get(key) in values for key, values in self.when.items())


@dataclass(frozen=True)
class Plan:
    id: str
    rrule: str
    start: dt.date
    checklist: tuple[str, ...]
    areas: tuple[str, ...] | None  # None means all areas
    name: str = ""
    early: Duration | None = None
    inspectors: int = 1
    line: int = field(default=1, compare=False)
    names: Name = field(default_factory=Name, compare=False)


MERGE_WITHIN = Duration(10, "m")


@dataclass(frozen=True)
class Serve:
    """The settings of the web app (`serve:`); secrets are never here but in the environment."""

    base_url: str = ""             # empty: not set, labels cannot be printed
    hotline: str = ""
    language: str = "zh"
    merge_within: Duration = MERGE_WITHIN
    per_address: int = 30          # QR reports an hour from one client address
    per_asset: int = 20            # QR reports an hour about one asset


@dataclass(frozen=True)
class Channel:
    """Where `notify` sends: a group robot, a JSON webhook or email. Secrets are never here, only
    the names of the environment variables that hold them."""

    id: str
    kind: str                       # wecom | dingtalk | feishu | webhook | email
    url_env: str | None = None      # the variable holding the robot's or webhook's URL
    secret_env: str | None = None   # dingtalk / feishu: the variable holding the signing secret
    smtp_env: str | None = None     # email: the variable holding smtp://user:password@host:port
    to: tuple[str, ...] = ()        # email: recipients
    sender: str | None = None       # email: the From address
    per_minute: int | None = None   # messages a minute at most (None: the robot's documented limit)
    line: int = field(default=1, compare=False)


@dataclass(frozen=True)
class NotifyRule:
    """Alerts of these kinds, about what matches `when`, go to these channels."""

    on: tuple[str, ...]
    to: tuple[str, ...]
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    line: int = field(default=1, compare=False)


DAY = Duration(24, "h")
HOUR = Duration(1, "h")
QUARTER_HOUR = Duration(15, "m")


@dataclass(frozen=True)
class CustomerMessages:
    """Progress messages to the reporter of a ticket, through a webhook channel (SMS / WeChat gateway)."""

    channel: str
    on: tuple[str, ...] = ("responded", "arrived", "resolved", "callback")
    within: Duration = DAY
    line: int = field(default=1, compare=False)


@dataclass(frozen=True)
class Notify:
    """The `notify:` settings; without them `aftersales notify` has nowhere to send."""

    language: str = "zh"
    escalate_after: Duration = HOUR
    warranty_days: int = 30
    summary_after: Duration = QUARTER_HOUR
    channels: tuple[Channel, ...] = ()
    rules: tuple[NotifyRule, ...] = ()
    customer: CustomerMessages | None = None
    line: int = field(default=1, compare=False)


@dataclass(frozen=True)
class Settings:
    name: str
    timezone: str
    areas: Mapping[str, Area]
    priorities: tuple[str, ...]
    customer: str = ""
    supplier: str = ""
    calendars: Mapping[str, CalendarSpec] = field(default_factory=dict)
    at_risk: float = 0.75
    targets: tuple[Target, ...] = ()
    warranty_years: int = 5
    max_extension_years: int = 3
    replace_failures: int | None = None
    replace_within: Duration | None = None
    plans: tuple[Plan, ...] = ()
    serve: Serve = field(default_factory=Serve)
    late_after: Duration = LATE_AFTER
    currency: str = "CNY"
    people: Mapping[str, Person] = field(default_factory=dict)
    categories: Mapping[str, Name] = field(default_factory=dict)  # asset category -> name
    units: Mapping[str, Name] = field(default_factory=dict)       # part unit -> name
    target_names: Mapping[str, Name] = field(default_factory=dict)
    target_groups: tuple[TargetGroup, ...] = ()
    notify: Notify = field(default_factory=Notify)
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    project_id: str | None = None  # `project.id`; exports default to the records folder's name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# --- assets -----------------------------------------------------------------

@dataclass(frozen=True)
class Extension:
    years: int
    fee: float | None = None
    contract: str | None = None


@dataclass(frozen=True)
class Asset:
    id: str
    name: str
    category: str
    area: str
    where: Where
    location: str = ""
    quantity: int = 1
    model: str = ""
    installed: dt.date | None = None
    warranty_years: int | None = None  # None: the settings' default
    extensions: tuple[Extension, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


# --- tickets ----------------------------------------------------------------

@dataclass(frozen=True)
class PartUse:
    part: str
    qty: float


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    type: str
    line: int
    by: str | None = None
    note: str | None = None
    to: str | None = None
    verdict: str | None = None
    until: dt.datetime | None = None
    reason: str | None = None
    parts: tuple[PartUse, ...] = ()
    cost: float | None = None
    satisfaction: int | None = None
    logged: dt.datetime | None = None   # a late entry: when it was written
    keys: frozenset[str] = field(default=frozenset(), compare=False, repr=False)  # the fields written

    @classmethod
    def made(cls, **fields: Any) -> Event:
        """An event of every field given by name, made as unpickling makes one: the loader makes
        one for each event of every ticket it reads, and a frozen dataclass's __init__ sets each
        field through object.__setattr__ (three times as long). A field left out or unknown is
        refused."""
        if fields.keys() != _EVENT_FIELD_NAMES:
            raise TypeError(f"an event's fields are {', '.join(_EVENT_FIELDS)}; given {', '.join(fields)}")
        event = object.__new__(cls)
        event.__dict__.update(fields)
        return event

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickled as its values without their names, trailing defaults left out, and the fields
        written as bits: a cached ticket (store.cache) is a tenth smaller and reads faster."""
        keys = self.keys
        bits = _BITS_OF_KEYS.get(keys)
        values = (*_event_values(self), _key_bits(keys) if bits is None else bits)
        n = len(values)
        while values[n - 1] == _EVENT_DEFAULTS[n - 1]:   # (never `at`: it has no default)
            n -= 1
        return _event, values[:n]


def _key_bits(keys: frozenset[str]) -> int | frozenset[str]:
    """The fields written as bits of `_EVENT_FIELDS` (an unknown key, which the checks report: the
    set), kept for the sets of known fields (a few dozen: `store.build` shares one per combination)."""
    bits = 0
    for key in keys:
        bit = _EVENT_BITS.get(key)
        if bit is None:
            return keys
        bits |= bit
    if len(_BITS_OF_KEYS) < len(_EVENT_BITS) ** 2:
        _BITS_OF_KEYS[keys] = bits
    return bits


def _event(*values: object) -> Event:
    """An event from `Event.__reduce__`'s values, as unpickling sets fields: no __init__ to run."""
    event = object.__new__(Event)
    fields = event.__dict__
    fields.update(zip(_EVENT_FIELDS, (*values, *_EVENT_DEFAULTS[len(values):]), strict=True))
    keys = fields["keys"]
    if isinstance(keys, int):   # one shared set per combination, as `store.build` gives them
        fields["keys"] = _KEYS_OF_BITS.get(keys) or _KEYS_OF_BITS.setdefault(
            keys, frozenset(name for name, bit in _EVENT_BITS.items() if keys & bit))
    return event


_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(Event))
_EVENT_DEFAULTS = (*(f.default for f in dataclasses.fields(Event)[:-1]), 0)   # no field written: no bits
_EVENT_FIELD_NAMES = frozenset(_EVENT_FIELDS)
_EVENT_BITS = {name: 1 << i for i, name in enumerate(_EVENT_FIELDS)}
_BITS_OF_KEYS: dict[frozenset[str], int] = {}
_event_values = operator.attrgetter(*_EVENT_FIELDS[:-1])   # all but `keys`, in one call
_KEYS_OF_BITS: dict[int, frozenset[str]] = {}


@dataclass(frozen=True)
class Reporter:
    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Ticket:
    id: str
    kind: str
    summary: str
    events: tuple[Event, ...]
    where: Where
    asset: str | None = None
    area: str | None = None
    priority: str | None = None
    severity: str = "normal"
    category: str | None = None
    channel: str | None = None
    reporter: Reporter | None = None
    location: str | None = None
    inspection: str | None = None
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def reported_at(self) -> dt.datetime:
        """When the `reported` event happened (the first event in time)."""
        return self.events[0].at

    def as_of(self, at: dt.datetime) -> Ticket | None:
        """The ticket as it stood at `at`: later events dropped; None if not yet reported."""
        if self.reported_at > at:
            return None
        kept = tuple(e for e in self.events if e.at <= at)
        if len(kept) == len(self.events):
            return self
        return dataclasses.replace(self, events=kept)

    @cached_property
    def status(self) -> str:
        """open, resolved or cancelled, derived from the events (never stored)."""
        state = "open"
        for event in self.events:
            if event.type in ("resolved", "cancelled"):
                state = event.type
            elif event.type == "reopened":
                state = "open"
        return state


class TicketHead(NamedTuple):
    """What a ticket says that some figures need of every ticket of the history (replacement
    candidates): its id, kind, status and asset, and when it was reported. The loader gives it
    from what it keeps, without building the ticket (`Records.heads`); a tuple, made for tens of
    thousands of tickets at a time (a frozen dataclass takes two and a half times as long)."""

    id: str
    kind: str
    status: str
    asset: str | None
    reported_at: dt.datetime

    @classmethod
    def of(cls, ticket: Ticket) -> TicketHead:
        return cls(ticket.id, ticket.kind, ticket.status, ticket.asset, ticket.reported_at)


# --- inspections ------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    asset: str
    results: Mapping[str, str]
    line: int


@dataclass(frozen=True)
class Finding:
    id: str
    problem: str
    line: int
    asset: str | None = None
    location: str | None = None
    category: str | None = None
    severity: str | None = None
    action: str | None = None
    owner: str | None = None
    due: dt.date | None = None
    closed: dt.date | None = None
    ticket: str | None = None


@dataclass(frozen=True)
class Signoff:
    name: str
    date: dt.date


@dataclass(frozen=True)
class Inspection:
    id: str
    date: dt.date
    inspectors: tuple[str, ...]
    where: Where
    plan: str | None = None
    areas: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()
    findings: tuple[Finding, ...] = ()
    signoff: Signoff | None = None
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


# --- parts ------------------------------------------------------------------

@dataclass(frozen=True)
class Movement:
    date: dt.date
    line: int
    received: float | None = None
    taken: float | None = None
    count: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Part:
    id: str
    name: str
    where: Where
    unit: str = "pcs"
    min: float | None = None
    movements: tuple[Movement, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Records:
    """Everything one valid records folder holds."""

    root: str
    settings: Settings
    assets: Mapping[str, Asset]
    tickets: Mapping[str, Ticket]
    inspections: Mapping[str, Inspection]
    parts: Mapping[str, Part]

    def tickets_as_of(self, at: dt.datetime) -> list[Ticket]:
        """Every ticket as it stood at `at` (later events dropped, later tickets absent)."""
        return [t for t in (t.as_of(at) for t in self.tickets.values()) if t is not None]

    def maybe_tickets(self, *, open_at: dt.datetime | None = None,
                      period: tuple[dt.datetime, dt.datetime, dt.datetime] | None = None,
                      asset: str | None = None) -> Iterator[Ticket]:
        """The tickets that may be open at `open_at`, may have an event in [start, end) at or
        before `at` (`period`) and are about `asset` (each when given), in the records' order: all
        of those, and perhaps a few others, so the caller still filters exactly. A ticket table
        that can tell from what it keeps without building every ticket (the loader's, see
        `Narrowing`) is asked; any other gives them all."""
        if isinstance(self.tickets, Narrowing):
            return (self.tickets[i] for i in self.tickets.candidates(open_at=open_at, period=period, asset=asset))
        return iter(self.tickets.values())

    def each_ticket(self, ids: Iterable[str]) -> Iterator[Ticket]:
        """The tickets `ids`, one at a time, each built for one use when the ticket table can
        (`Narrowing.each`: it reads many stored tickets at once and keeps none of them)."""
        if isinstance(self.tickets, Narrowing):
            return self.tickets.each(ids)
        return (self.tickets[i] for i in ids)

    def ticket_once(self, ident: str) -> Ticket:
        """Ticket `ident`, built for one use when the ticket table can build it without keeping
        it (`Narrowing.transient`): a pass over every ticket then holds one at a time."""
        if isinstance(self.tickets, Narrowing):
            return self.tickets.transient(ident)
        return self.tickets[ident]

    def ticket_ids(self, *, open_at: dt.datetime | None = None,
                   period: tuple[dt.datetime, dt.datetime, dt.datetime] | None = None) -> list[str]:
        """The ids of `maybe_tickets`, without building any ticket."""
        if isinstance(self.tickets, Narrowing):
            return self.tickets.candidates(open_at=open_at, period=period)
        return list(self.tickets)

    def reaching_ids(self, until: dt.datetime, start: dt.datetime, end: dt.datetime,
                     kind: str | None = None) -> list[str]:
        """The ids of the tickets reported at or before `until` that may have been reported or had
        an event in [start, end) (and are of `kind`, when given), in the records' order: all of
        those, and perhaps a few others, so the caller still filters exactly (a ticket table that
        is no `Narrowing` gives them all)."""
        if isinstance(self.tickets, Narrowing):
            return self.tickets.reaching(until, start, end, kind)
        return list(self.tickets)

    def heads(self, until: dt.datetime, covered: Mapping[str, dt.datetime], kind: str | None,
              statuses: Mapping[str, str] | None = None) -> list[TicketHead]:
        """The tickets as they stood at `until`, as heads, of `kind` (None: any), about an asset in
        `covered` and reported before the instant given for it, in the records' order: all of those,
        and perhaps others, so the caller still filters exactly. The loader's table answers from what it keeps
        and builds only the tickets with an event after `until` whose status then `statuses` does
        not give (the caller knows it); any other gives every ticket."""
        if isinstance(self.tickets, Narrowing):
            return self.tickets.heads(until, covered, kind, statuses)
        return [TicketHead.of(t) for t in self.tickets_as_of(until)]

    def part_uses(self, at: dt.datetime) -> Iterator[tuple[str, dt.datetime, float]]:
        """The spare parts used by `resolved` events at or before `at`, as (part, at, qty) in the
        order of the tickets and their events (the loader's table answers without building tickets)."""
        if isinstance(self.tickets, Narrowing):
            return self.tickets.part_uses(at)
        return ((use.part, e.at, use.qty) for t in self.tickets_as_of(at) for e in t.events
                if e.type == "resolved" for use in e.parts)


@runtime_checkable
class Narrowing(Protocol):
    """A ticket table that names the tickets that may match, without building the others."""

    def candidates(self, *, open_at: dt.datetime | None = None,
                   period: tuple[dt.datetime, dt.datetime, dt.datetime] | None = None,
                   asset: str | None = None) -> list[str]: ...

    def reaching(self, until: dt.datetime, start: dt.datetime, end: dt.datetime,
                 kind: str | None = None) -> list[str]: ...

    def heads(self, until: dt.datetime, covered: Mapping[str, dt.datetime], kind: str | None,
              statuses: Mapping[str, str] | None = None) -> list[TicketHead]: ...

    def part_uses(self, at: dt.datetime) -> Iterator[tuple[str, dt.datetime, float]]: ...

    def transient(self, ident: str) -> Ticket: ...

    def each(self, ids: Iterable[str]) -> Iterator[Ticket]: ...
