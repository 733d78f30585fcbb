"""`aftersales diff`: what changed between two revisions of the records, in the words of the
records (tickets opened, events logged, outcomes that changed), computed from both versions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aftersales.core.errors import AftersalesError
from aftersales.core.model import Asset, Event, Finding, Inspection, Movement, Part, Settings, Ticket
from aftersales.engine import audit, sla
from aftersales.engine.revisions import Side, Version, Versions, changed_events, read_disk
from aftersales.store.git import EMPTY_TREE, Repo


@dataclass(frozen=True)
class Span:
    """The two sides compared: labels for people, and the instant outcomes are computed as of."""

    before: str
    after: str
    at: dt.datetime


@dataclass
class Summary:
    span: Span
    settings: Settings | None                       # of the after side (time zone, names)
    tickets_opened: list[Ticket] = field(default_factory=list)
    assets: dict[str, Asset] = field(default_factory=dict)          # the after side's, for names
    events_added: list[tuple[Ticket, Event]] = field(default_factory=list)
    status_changes: list[tuple[Ticket, str, str]] = field(default_factory=list)   # ticket, before, after
    sla_changes: list[sla.Change] = field(default_factory=list)
    inspections_added: list[Inspection] = field(default_factory=list)
    inspections_changed: list[Inspection] = field(default_factory=list)
    findings_opened: list[tuple[str, Finding]] = field(default_factory=list)
    findings_closed: list[tuple[str, Finding]] = field(default_factory=list)
    movements: list[tuple[Part, Movement]] = field(default_factory=list)
    parts_added: list[Part] = field(default_factory=list)
    assets_added: list[Asset] = field(default_factory=list)
    assets_changed: list[tuple[Asset, list[tuple[str, Any, Any]]]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)    # kind, path
    settings_changed: list[str] = field(default_factory=list)
    settings_effect: list[sla.Change] = field(default_factory=list)
    findings: list[audit.Finding] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)             # files no record could be built from


ASSET_FIELDS = ("name", "category", "area", "location", "quantity", "model", "installed", "warranty_years",
                "extensions")
# tickets' clocks that have only just started are no news: `tickets_opened` says so
QUIET = ("running", "paused")


def between(repo: Repo, a: str, b: str, rules: audit.Rules = audit.DEFAULT_RULES) -> Summary:
    """What changed from commit `a` to commit `b` (full hashes), as of `b`'s date; the audit
    findings are those of the commits in a..b."""
    try:
        versions = Versions(repo)
        head = repo.commit(b)
        span = Span(a, b, head.date)
        compared = audit.compare_changes(versions, repo.diff(a, b))
        summary = summarise(compared, Side(versions, a), Side(versions, b), span)
        summary.findings = audit.audit(repo, [b] if a == EMPTY_TREE else [f"{a}..{b}"], rules)
    finally:
        repo.close()
    return summary


def uncommitted(repo: Repo, staged: bool, now: dt.datetime, author: tuple[str, str],
                rules: audit.Rules = audit.DEFAULT_RULES) -> Summary:
    """What the index (`staged`) or the working tree changes against HEAD, as of now; the audit
    findings are those a commit of it now would have."""
    try:
        versions = Versions(repo)
        head = repo.resolve("HEAD") if repo.has_commits() else None
        changes = repo.diff(head or EMPTY_TREE, None, cached=staged)

        def after_of(change: Any) -> Version | None:
            return read_disk(repo.root, change.path, change.kind)

        compared = audit.compare_changes(versions, changes, after_of)
        overlay = {c.path: c.after for c in compared}
        span = Span(head or "(no commit)", "the index" if staged else "the working tree", now)
        before, after = Side(versions, head), Side(versions, head, overlay)
        summary = summarise(compared, before, after, span)
        who = audit.Author(None, author[0], author[1], now, repo.commit(head).date if head else None)
        summary.findings = audit.check(compared, before, after, who, rules)
    finally:
        repo.close()
    return summary


def summarise(compared: Sequence[audit.Compared], before: Side, after: Side, span: Span) -> Summary:
    settings = after.settings or before.settings
    summary = Summary(span, settings)
    global_change = False
    changed_tickets: list[tuple[Ticket | None, Ticket | None]] = []
    for item in compared:
        old = item.before[0] if item.before else None
        new = item.after
        if new is None:
            if old is not None:
                summary.removed.append((item.kind, item.path))
                global_change |= item.kind in ("asset", "settings")
                if old.ticket is not None:
                    changed_tickets.append((old.ticket, None))
            continue
        if new.record is None:
            summary.unreadable.append(item.path)
            continue
        if item.kind == "ticket":
            changed_tickets.append((old.ticket if old else None, new.ticket))
            _ticket(summary, old, new)
        elif item.kind == "inspection":
            _inspection(summary, old, new)
        elif item.kind == "part":
            _part(summary, old, new)
        elif item.kind == "asset":
            global_change |= _asset(summary, old, new)
        elif item.kind == "settings" and old is not None and old.record is not None:
            summary.settings_changed = audit.changed_sections(old.record, new.record)
            global_change |= bool(audit.changed_sections(old.record, new.record, audit.SLA_SETTINGS))
    summary.events_added.sort(key=lambda pair: (pair[0].id, pair[1].at))   # by ticket, then in time order
    summary.assets = after.assets() if summary.tickets_opened else {}
    summary.sla_changes = _sla_changes(before, after, changed_tickets, global_change, span.at)
    if summary.settings_changed and before.settings and after.settings:
        summary.settings_effect = list(audit.settings_effect(before.settings, after.settings, after.tickets(),
                                                             after.assets(), span.at))
    return summary


def _ticket(summary: Summary, old: Version | None, new: Version) -> None:
    ticket = new.ticket
    assert ticket is not None
    if old is None or old.ticket is None:
        summary.tickets_opened.append(ticket)
    gone, came = changed_events([old.event_counts()] if old else [], new.event_counts())
    # an event changed (one gone, one new of its type) is an audit finding, not an event logged
    _, _, appended = audit.pair(audit.pick(gone, list(old.events) if old else []), audit.pick(came, list(new.events)))
    summary.events_added += [(ticket, event) for event in appended]
    was = old.ticket.status if old is not None and old.ticket is not None else None
    if was is not None and was != ticket.status:
        summary.status_changes.append((ticket, was, ticket.status))
    elif was is None and ticket.status != "open":
        summary.status_changes.append((ticket, "open", ticket.status))
    reopened = any(e.type == "reopened" for t, e in summary.events_added if t is ticket)
    if reopened and was == ticket.status == "open":
        summary.status_changes.append((ticket, "open", "reopened"))


def _inspection(summary: Summary, old: Version | None, new: Version) -> None:
    inspection: Inspection = new.record
    previous: Inspection | None = old.record if old is not None else None
    (summary.inspections_changed if previous else summary.inspections_added).append(inspection)
    before = {f.id: f for f in previous.findings} if previous else {}
    for found in inspection.findings:
        was = before.get(found.id)
        if was is None:
            summary.findings_opened.append((inspection.id, found))
        if found.closed is not None and (was is None or was.closed is None):
            summary.findings_closed.append((inspection.id, found))


def _part(summary: Summary, old: Version | None, new: Version) -> None:
    part: Part = new.record
    previous: Part | None = old.record if old is not None else None
    if previous is None:
        summary.parts_added.append(part)

    def key(m: Movement) -> tuple[Any, ...]:
        return (m.date, m.received, m.taken, m.count, m.note)

    left = Counter(key(m) for m in part.movements) - Counter(key(m) for m in (previous.movements if previous else ()))
    for movement in part.movements:
        if left[key(movement)] > 0:
            left[key(movement)] -= 1
            summary.movements.append((part, movement))


def _asset(summary: Summary, old: Version | None, new: Version) -> bool:
    """Adds the asset; True when a change of it can change tickets' clocks (its area)."""
    asset: Asset = new.record
    previous: Asset | None = old.record if old is not None else None
    if previous is None:
        summary.assets_added.append(asset)
        return False
    fields = [(n, getattr(previous, n), getattr(asset, n)) for n in ASSET_FIELDS
              if getattr(previous, n) != getattr(asset, n)]
    if fields:
        summary.assets_changed.append((asset, fields))
    return any(n == "area" for n, _, _ in fields)


def _sla_changes(before: Side, after: Side, changed: list[tuple[Ticket | None, Ticket | None]],
                 everything: bool, at: dt.datetime) -> list[sla.Change]:
    """Cycles whose status differs between the two sides, as of `at`: of the changed tickets, or of
    every ticket when the settings or an asset's area changed."""
    if everything and before.settings and after.settings:
        try:
            old = sla.Engine(before.settings, before.assets()).all_cycles(before.tickets(), at)
            new = sla.Engine(after.settings, after.assets()).all_cycles(after.tickets(), at)
        except AftersalesError:  # settings `validate` refuses: no outcome to compare
            return []
        changes = sla.compare(old, new)
    else:
        changes = []
        for was, now in changed:
            either = now or was
            asset_id = either.asset if either is not None else None
            changes += audit.ticket_effect(was, now, before.settings, after.settings, before.asset(asset_id),
                                           after.asset(asset_id), at)
        changes.sort(key=lambda c: (c.ticket, c.target, c.cycle))
    return [c for c in changes if not (c.before is None and c.after is not None and c.after.status in QUIET)
            and not (c.after is None and c.before is not None and c.before.status in QUIET)]
