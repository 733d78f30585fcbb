"""`aftersales audit`: every change in the history of the records that rewrites the past rather
than adding to it, with its effect on SLA outcomes.

Events are identified across versions by what they say (`revisions.plain`: every field, instants
in UTC), never by their place in the file, so an event appended in time, a merge made by the
ticket merge driver (which sorts events by time) or a restyled line is not a finding.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from aftersales.core.errors import AftersalesError
from aftersales.core.model import Asset, Event, Settings, Ticket
from aftersales.engine import sla
from aftersales.engine.revisions import EventKey, Side, Version, Versions, changed_events
from aftersales.store import appends
from aftersales.store.git import NULL_OID, FileChange, Repo

KINDS = ("event-changed", "event-removed", "field-changed", "backdated", "record-removed", "settings-changed")
# the ticket fields that decide which targets apply and how the KPIs group a ticket
DECIDING = ("kind", "asset", "area", "priority", "severity", "category")
# the settings that decide SLA outcomes
SLA_SETTINGS = ("targets", "calendars", "areas", "priorities", "at_risk")
DAY = 24 * 3600
HOUR = 3600


@dataclass(frozen=True)
class Rules:
    late_after: int = DAY        # seconds: an event committed later than this after its `at` is backdated
    stamp_within: int = HOUR     # seconds: a `logged` stamp further than this from its commit is forged


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Author:
    """Who made a change and when: a commit, or a change not committed yet (commit None)."""

    commit: str | None
    name: str
    email: str
    date: dt.datetime
    previous: dt.datetime | None = None   # the date of the commit it follows (the latest parent)


@dataclass(frozen=True)
class Finding:
    kind: str
    who: Author
    path: str
    ticket: str | None
    record: str | None = None          # the record's id (record-removed of any kind)
    event: Event | None = None         # the event as it was (changed, removed) or as it came (backdated)
    new_event: Event | None = None     # event-changed: the event as it is now
    field: str | None = None           # field-changed: the field; settings-changed: the sections, joined
    before: Any = None
    after: Any = None
    late: int | None = None            # backdated: seconds from the event's `at` to its commit
    stamp_gap: int | None = None       # backdated: seconds from its `logged` to its commit, when forged
    sla_effect: tuple[sla.Change, ...] = ()
    quarters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compared:
    """One record file on both sides of a change: its versions before (one per parent) and after."""

    path: str
    kind: str
    before: tuple[Version | None, ...]
    after: Version | None
    base: Version | None = None        # a merge: the version of the merge base


def audit(repo: Repo, revisions: Sequence[str], rules: Rules = DEFAULT_RULES) -> list[Finding]:
    """Every finding in the commits of `revisions` (as `git log` takes them), oldest first."""
    versions = Versions(repo)
    findings: list[Finding] = []
    dates: dict[str, dt.datetime] = {}
    try:
        for commit in repo.log(revisions):
            dates[commit.oid] = commit.date
            if not commit.changes:
                continue
            before = Side(versions, commit.parents[0] if commit.parents else None)
            after = Side(versions, commit.oid)
            previous = max((dates.get(p) or dates.setdefault(p, repo.commit(p).date) for p in commit.parents),
                           default=None)
            who = Author(commit.oid, commit.author, commit.email, commit.date, previous)
            compared = compare_changes(versions, commit.changes)
            if commit.is_merge:
                compared = _with_base(repo, versions, commit.parents, compared)
                if not compared:
                    continue
            # the first commit brings the records as they stood: their history starts there
            findings += check(compared, before, after, who, rules, backdating=bool(commit.parents))
    finally:
        repo.close()
    return findings


def _with_base(repo: Repo, versions: Versions, parents: Sequence[str], compared: list[Compared]) -> list[Compared]:
    """What a merge did itself. A file it took whole from one side was that side's change (checked
    at that side's commit), except for a ticket: a side's appended events it lost are found with
    the merge base's version of the ticket."""
    tickets = [c for c in compared if c.kind == "ticket" and any(b is not c.after for b in c.before)]
    base = repo.merge_base(parents) if tickets else None
    kept = []
    for item in compared:
        taken = any(b is item.after for b in item.before)
        if item.kind != "ticket" or base is None or item.after is None:
            if not taken:
                kept.append(item)
            continue
        at_base = versions.named(base, item.path, item.kind)
        if all(b is item.after or b is at_base for b in item.before):
            continue   # each side left it as it was or made it what it is: nothing lost
        kept.append(dataclasses.replace(item, base=at_base))
    return kept


def compare_changes(versions: Versions, changes: Iterable[FileChange],
                    after_of: Any = None) -> list[Compared]:
    """The parsed versions of each changed file; a ticket moved to another folder in the same change
    (deleted here, added there with the same name) is one file changed, not one removed."""
    changes = list(changes)
    added = {(c.kind, _stem(c.path)): c for c in changes if all(b == NULL_OID for b in c.before)}
    moved: dict[str, FileChange] = {}
    for c in changes:
        partner = added.get((c.kind, _stem(c.path)))
        if c.after == NULL_OID and partner is not None and partner is not c:
            moved[partner.path] = c
    result = []
    for c in changes:
        if c.after == NULL_OID and added.get((c.kind, _stem(c.path))) not in (None, c):
            continue  # the old place of a moved file
        source = moved.get(c.path, c)
        before = tuple(versions.blob(b, source.path, c.kind) for b in source.before)
        after = after_of(c) if c.after is None and after_of else versions.blob(c.after, c.path, c.kind)
        result.append(Compared(c.path, c.kind, before, after))
    return result


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def check(compared: Iterable[Compared], before: Side, after: Side, who: Author, rules: Rules,
          backdating: bool = True) -> list[Finding]:
    """The findings of one change (a commit, or what is staged or in the working tree); without
    `backdating`, events are not checked for the time they were committed (the first commit)."""
    findings: list[Finding] = []
    for item in compared:
        old = [v for v in item.before if v is not None]
        if item.after is None:
            if old:
                findings += _removed(item, old[0], before, who)
        elif item.kind == "ticket":
            findings += _ticket(item, old, before, after, who, rules if backdating else None)
        elif item.kind == "settings" and old:
            found = _settings(item, old[0], after, who)
            if found is not None:
                findings.append(found)
    return findings


def _removed(item: Compared, old: Version, before: Side, who: Author) -> list[Finding]:
    record = old.record
    ident = getattr(record, "id", None) if record is not None else _stem(item.path)[: -len(".yaml")]
    effect: tuple[sla.Change, ...] = ()
    ticket = old.ticket
    if ticket is not None:
        effect = _effect(ticket, None, before, before, who.date)
    return [Finding("record-removed", who, item.path, ticket.id if ticket else None, record=ident,
                    sla_effect=effect, quarters=_quarters(effect, (), _tz(before)))]


def _ticket(item: Compared, old: list[Version], before: Side, after: Side, who: Author,
            rules: Rules | None) -> list[Finding]:
    new = item.after
    assert new is not None
    if _in_time(old, new, who, rules):
        return []
    ticket = new.ticket
    ticket_id = ticket.id if ticket else _stem(item.path)[: -len(".yaml")]
    base = item.base.event_counts() if item.base is not None else None
    gone, came = changed_events((v.event_counts() for v in old), new.event_counts(), base)
    gone_events = pick(gone, [e for v in old for e in v.events])
    came_events = pick(came, list(new.events))
    pairs, removed, appended = pair(gone_events, came_events)
    late = [(e, *_lateness(e, who, rules)) for e in appended] if rules else []
    late = [x for x in late if x[1] is not None or x[2] is not None]
    fields = _fields(old, new, before, after) if old else []
    if not (pairs or removed or late or fields):
        return []
    previous = old[0].ticket if old else None
    effect = _effect(previous, ticket, before, after, who.date)
    tz = _tz(after)
    found = []
    for was, now in pairs:
        found.append(Finding("event-changed", who, item.path, ticket_id, ticket_id, event=was, new_event=now,
                             sla_effect=effect, quarters=_quarters(effect, (was.at, now.at), tz)))
    for was in removed:
        found.append(Finding("event-removed", who, item.path, ticket_id, ticket_id, event=was, sla_effect=effect,
                             quarters=_quarters(effect, (was.at,), tz)))
    for name, was_value, now_value in fields:
        found.append(Finding("field-changed", who, item.path, ticket_id, ticket_id, field=name, before=was_value,
                             after=now_value, sla_effect=effect, quarters=_quarters(effect, (), tz)))
    for event, seconds, gap in late:
        found.append(Finding("backdated", who, item.path, ticket_id, ticket_id, event=event, late=seconds,
                             stamp_gap=gap, sla_effect=effect, quarters=_quarters(effect, (event.at,), tz)))
    return found


def _in_time(old: list[Version], new: Version, who: Author, rules: Rules | None) -> bool:
    """True when a quick look at the bytes shows that the change only adds events in time (see
    `store.appends`): neither version need be parsed."""
    if len(old) > 1:
        return False
    if not old and rules is None:
        return True   # a new file of the first commit: nothing to check
    stamps = appends.listed(new.data) if not old else appends.inserted(old[0].data, new.data)
    if stamps is None:
        return False
    return rules is None or not any(_late(at, logged, who, rules) != (None, None) for at, logged in stamps)


def pick(wanted: Any, events: list[tuple[EventKey, Event]]) -> list[Event]:
    """The events of `events` (in order) that `wanted` counts, each as many times as counted."""
    left = wanted.copy()
    chosen = []
    for key, event in events:
        if left[key] > 0:
            left[key] -= 1
            chosen.append(event)
    return chosen


def pair(gone: list[Event], came: list[Event]) -> tuple[list[tuple[Event, Event]], list[Event], list[Event]]:
    """An event gone and one new of the same type are one event changed (the same instant first,
    then in file order); the rest were removed, or appended."""
    pairs, removed, left = [], [], list(came)
    for was in gone:
        same = [e for e in left if e.type == was.type]
        match = next((e for e in same if e.at == was.at), same[0] if same else None)
        if match is None:
            removed.append(was)
        else:
            left.remove(match)
            pairs.append((was, match))
    return pairs, removed, left


def _lateness(event: Event, who: Author, rules: Rules) -> tuple[int | None, int | None]:
    return _late(event.at, event.logged, who, rules)


def _late(at: dt.datetime, logged: dt.datetime | None, who: Author, rules: Rules) -> tuple[int | None, int | None]:
    """(seconds from `at` to the commit, when more than --late-after; seconds from `logged` to the
    commit, when the stamp is forged): a backdated or a forged entry.

    A `logged` stamp is forged when it lies more than --stamp-within after the commit (it was
    written later than it was committed), or before the commit this one follows (that commit did
    not hold the event, so it was not written yet). A late entry committed at the end of the day
    is honest."""
    late = int((who.date - at).total_seconds())
    gap = None
    if logged is not None:
        seconds = int((who.date - logged).total_seconds())
        after_commit = -seconds > rules.stamp_within
        previous = who.previous
        before_previous = previous is not None and (previous - logged).total_seconds() > rules.stamp_within
        gap = seconds if after_commit or before_previous else None
    return (late if late > rules.late_after else None), gap


def _fields(old: list[Version], new: Version, before: Side, after: Side) -> list[tuple[str, Any, Any]]:
    """Deciding fields whose value now differs from every version before. Area and priority are
    the ones that apply (from the asset and the area when the ticket does not say): writing down
    the priority a ticket already had changes nothing."""
    now_facts = _facts(new, after)
    was_facts = [_facts(v, before) for v in old]
    return [(name, was_facts[0].get(name), now_facts.get(name)) for name in DECIDING
            if all(w.get(name) != now_facts.get(name) for w in was_facts)]


def _facts(version: Version, side: Side) -> dict[str, Any]:
    ticket = version.ticket
    if ticket is None:
        clean = version.clean or {}
        return {name: clean.get(name) for name in DECIDING}
    facts: dict[str, Any] = {"asset": ticket.asset}
    settings = side.settings
    if settings is not None:
        facts.update(sla.facts(ticket, settings, side.asset(ticket.asset)))
    else:
        facts.update({name: getattr(ticket, name) for name in DECIDING if name != "asset"})
    return facts


def _settings(item: Compared, old: Version, after: Side, who: Author) -> Finding | None:
    was, now = old.record, item.after.record if item.after else None
    if not isinstance(was, Settings) or not isinstance(now, Settings):
        return None
    sections = changed_sections(was, now, SLA_SETTINGS)
    if not sections:
        return None
    effect = settings_effect(was, now, after.tickets(), after.assets(), who.date)
    return Finding("settings-changed", who, item.path, None, field=", ".join(sections), sla_effect=effect,
                   quarters=_quarters(effect, (), now.tz))


def changed_sections(was: Settings, now: Settings, names: Sequence[str] | None = None) -> list[str]:
    """The settings (by field name) that differ between two versions."""
    chosen = names or [f.name for f in dataclasses.fields(Settings) if f.compare]
    return [n for n in chosen if getattr(was, n) != getattr(now, n)]


def settings_effect(was: Settings, now: Settings, tickets: Iterable[Ticket], assets: dict[str, Asset],
                    at: dt.datetime) -> tuple[sla.Change, ...]:
    """Closed cycles (stopped by an event) whose outcome differs under the new settings."""
    tickets = list(tickets)
    try:
        before = sla.Engine(was, assets).all_cycles(tickets, at)
        after = sla.Engine(now, assets).all_cycles(tickets, at)
    except AftersalesError:
        return ()
    return tuple(c for c in sla.compare(before, after)
                 if (c.before is not None and c.before.stop is not None)
                 or (c.after is not None and c.after.stop is not None))


def ticket_effect(was: Ticket | None, now: Ticket | None, settings_was: Settings | None,
                  settings_now: Settings | None, assets_was: dict[str, Asset], assets_now: dict[str, Asset],
                  at: dt.datetime) -> list[sla.Change]:
    """Cycles of one ticket whose status differs between two versions, as of `at`."""
    try:
        before = sla.Engine(settings_was, assets_was).cycles(was, at) if was and settings_was else []
        after = sla.Engine(settings_now, assets_now).cycles(now, at) if now and settings_now else []
    except AftersalesError:  # settings that give no time for a priority: `validate` says so
        return []
    return sla.compare(before, after)


def _effect(was: Ticket | None, now: Ticket | None, before: Side, after: Side,
            at: dt.datetime) -> tuple[sla.Change, ...]:
    """What a change did to one ticket's cycles, as of the change; under the settings of after
    the change, so that only the ticket's own change counts (a settings change is its own finding)."""
    settings = after.settings or before.settings
    either = now or was
    asset_id = either.asset if either is not None else None
    assets = after.asset(asset_id) or before.asset(asset_id)
    return tuple(ticket_effect(was, now, settings, settings, assets, assets, at))


def _tz(side: Side) -> Any:
    settings = side.settings
    return settings.tz if settings is not None else dt.timezone.utc


def _quarters(effect: Iterable[sla.Change], instants: Iterable[dt.datetime], tz: Any) -> tuple[str, ...]:
    """The quarters whose KPIs the change touches: those of the cycles it changes and of the events."""
    found = {_quarter(cycle.start, tz) for c in effect for cycle in (c.after or c.before,) if cycle is not None}
    found |= {_quarter(i, tz) for i in instants}
    return tuple(sorted(found))


def quarter_effect(effect: Iterable[sla.Change], tz: Any) -> list[tuple[str, str, dict[str, int]]]:
    """Per quarter (of each cycle's start, as the quarterly report counts them) and target, how many
    cycles of each status the change adds or takes away: what that quarter's rate of that promise
    sees of it (met and breached are its numerator and denominator)."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for change in effect:
        for cycle, sign in ((change.before, -1), (change.after, 1)):
            if cycle is not None:
                counts.setdefault((_quarter(cycle.start, tz), change.target), Counter())[cycle.status] += sign
    shown = [(q, target, {status: n for status, n in sorted(c.items()) if n})
             for (q, target), c in sorted(counts.items())]
    return [row for row in shown if row[2]]


def _quarter(instant: dt.datetime, tz: Any) -> str:
    local = instant.astimezone(tz)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def failing(findings: Iterable[Finding], kinds: Iterable[str]) -> Iterator[Finding]:
    wanted = set(kinds)
    return (f for f in findings if f.kind in wanted)
