"""What the web pages show of tickets: the reporter's progress page in plain words, and the
staff's ticket board with each ticket's most urgent clock.

The progress page is public to whoever holds its link: it shows the steps of the repair
and the promises kept or not, and never a note, a name, a phone number or another ticket.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from aftersales.core.model import Asset, Records, Settings, Ticket
from aftersales.core.times import seconds_between
from aftersales.engine.sla import FAR, Cycle, Engine, facts, urgency
from aftersales.views.fmt import human_seconds, short
from aftersales.views.labels import Names

# Event types a reporter sees, as steps; anything else (notes, types added later) stays internal.
STEPS = ("reported", "assigned", "responded", "diagnosed", "informed", "arrived", "inspected", "workaround",
         "paused", "resumed", "escalated", "resolved", "accepted", "callback", "message", "revisit", "reopened",
         "cancelled")


@dataclass(frozen=True)
class Step:
    at: str
    text: str


@dataclass(frozen=True)
class Promise:
    what: str
    due: str          # the deadline in words, or "" while paused
    state: str        # on time, late, done on time, ...
    late: bool


@dataclass(frozen=True)
class Progress:
    ticket: str
    asset: str
    location: str
    summary: str
    status: str
    steps: tuple[Step, ...]
    promises: tuple[Promise, ...]


def progress(ticket: Ticket, asset: Asset | None, settings: Settings, at: dt.datetime,
             words: Mapping[str, str]) -> Progress:
    """The reporter's view of `ticket` as of `at`, in the language of `words` (`webtexts`)."""
    tz = settings.tz
    seen = ticket.as_of(at) or ticket
    steps = tuple(Step(short(e.at, tz), words[f"step_{e.type}"].format(until=short(e.until, tz)))
                  for e in seen.events if e.type in STEPS)
    engine = Engine(settings, {asset.id: asset} if asset else {})
    latest: dict[str, Cycle] = {}
    for cycle in engine.cycles(seen, at):
        latest[cycle.target] = cycle
    promises = tuple(_promise(c, words, tz) for c in latest.values() if c.status != "void")
    return Progress(seen.id, asset.name if asset else "", seen.location or (asset.location if asset else ""),
                    seen.summary, words[f"state_{seen.status}"], steps, promises)


def _promise(cycle: Cycle, words: Mapping[str, str], tz: ZoneInfo) -> Promise:
    what = words.get(f"promise_{cycle.target}", cycle.target)
    due = words["promise_due"].format(deadline=short(cycle.deadline, tz)) if cycle.deadline else ""
    stopped = cycle.stop is not None
    if cycle.status == "breached":
        state = words["done_late"] if stopped else words["late"]
    elif cycle.status == "met":
        state = words["done_on_time"]
    elif cycle.status == "paused":
        state = words["on_hold"]
    else:  # running or at risk: still on time
        state = words["on_time"]
    return Promise(what, due, state, cycle.status == "breached")


# --- the staff's board -----------------------------------------------------------------

@dataclass(frozen=True)
class BoardRow:
    ticket: Ticket
    status: str
    area: str
    priority: str
    assignee: str | None
    age: str
    clock: Cycle | None       # the most urgent running clock
    clock_text: str           # its deadline and what is left (or over)
    late: bool
    sort_key: tuple


def assignee(ticket: Ticket) -> str | None:
    """Whom the ticket was last assigned or escalated to (None: nobody yet)."""
    for event in reversed(ticket.events):
        if event.type in ("assigned", "escalated") and event.to:
            return event.to
    return None


def board(records: Records, tickets: Iterable[Ticket], at: dt.datetime, names: Names,
          words: Mapping[str, str]) -> list[BoardRow]:
    """Rows of the given tickets as of `at`, the most urgent first: breached and at-risk clocks,
    then running ones by deadline, then tickets without a running clock, oldest first."""
    engine = Engine(records.settings, records.assets)
    tz = records.settings.tz
    rows = []
    for ticket in tickets:
        seen = ticket.as_of(at)
        if seen is None:
            continue
        known = facts(seen, records.settings, records.assets)
        running = sorted((c for c in engine.cycles(seen, at) if c.stop is None and c.status != "void"), key=urgency)
        clock = running[0] if running else None
        text, late = "", False
        if clock is not None and clock.deadline is not None:
            left = seconds_between(at, clock.deadline)
            late = left < 0
            text = (f"{short(clock.deadline, tz)} ({human_seconds(abs(left))} "
                    f"{words['over'] if late else words['left']})")
        far = (99, FAR, "", "", 0)
        rows.append(BoardRow(
            seen, seen.status, names("area", known["area"]), names("priority", known["priority"]), assignee(seen),
            human_seconds(int((at - seen.reported_at).total_seconds())).split(" ")[0], clock, text, late,
            (urgency(clock) if clock else far, seen.reported_at, seen.id)))
    rows.sort(key=lambda r: r.sort_key)
    return rows


def visible_to_engineer(ticket: Ticket, name: str) -> bool:
    """An engineer's tickets: open, and assigned to them or to nobody yet."""
    return ticket.status == "open" and assignee(ticket) in (None, name)


def clocks(ticket: Ticket, records: Records, at: dt.datetime) -> Sequence[Cycle]:
    """Every clock of one ticket as of `at`, the most urgent first."""
    return sorted(Engine(records.settings, records.assets).cycles(ticket, at), key=urgency)
