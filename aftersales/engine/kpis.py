"""The numbers of the quarterly report, each exactly as the KPI definitions (docs/kpis.md) say.

`quarterly(records, period, at)` returns exact values in plain containers: counts,
rates and means as `Fraction`s, durations in seconds, instants as aware datetimes.
Nothing here rounds: the views (`views.quarterly`) round once, when they show a number.

What the figures ask of a ticket (when it was reported, its last `resolved` event, whether it
was reopened, followed up ...) is worked out once (`TicketFacts`, kept with the ticket's SLA
cycles: `sla.each_kept`), with its instants as UTC microseconds; what it counts for in a period
(opened, resolved, cancelled in it) once per period (`Standing`). Each section then reads like
its definition, on those facts. The period before (the trend's base) computes only the figures
the trend compares (`trend_numbers`). What the report counts of its tickets (`Counts`: facts,
clocks tallied, breaches) is kept a bucket of tickets at a time (`engine.buckets`), and counted
again only for the buckets whose files changed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.core import collector, halves
from aftersales.core.durations import Duration
from aftersales.core.model import Records, Ticket
from aftersales.core.times import Period, date_range, quarter_of, seconds_between
from aftersales.engine import parts as parts_mod
from aftersales.engine import schedule, sla, warranty
from aftersales.engine.buckets import Buckets
from aftersales.engine.ticket_facts import Breached, Span, TicketFacts, may_tell_why
from aftersales.store.load import micros
from aftersales.store.spec import CATEGORIES, KINDS

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REPEAT_WINDOW = dt.timedelta(days=90)


def rate(part: int, whole: int) -> Fraction | None:
    """part / whole as an exact fraction (rounded only when shown); None (shown n/a) when whole is 0."""
    return None if whole == 0 else Fraction(part, whole)


def mean(values: Sequence[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


# --- what the figures ask of a ticket, once per report ------------------------------

@dataclass(slots=True, eq=False)
class Standing:
    """What one ticket counts for in one period (docs/kpis.md, Tickets)."""

    facts: TicketFacts
    opened: bool      # its `reported` event is in the period
    resolved: bool    # resolved as of the report instant, its last `resolved` event in the period
    cancelled: bool   # a `cancelled` event in the period


@dataclass(frozen=True)
class PeriodTickets:
    """The report's tickets reported or with an event in one period, in the report's order, with
    what each counts for: every figure of the period but repeat repairs' look-back counts only
    these (the others count for nothing in it)."""

    period: Period
    span: Span
    rows: list[Standing]
    opened: list[TicketFacts]
    resolved: list[TicketFacts]


class ReportTickets:
    """The tickets of a report (`report_ids`) as their facts, in the report's order: by report
    instant, then id."""

    def __init__(self, facts: Iterable[TicketFacts]) -> None:
        self.facts = sorted(facts, key=lambda f: (f.reported, f.id))
        # for repeat repairs: each asset's `resolved` events of repairs not cancelled, in time
        self.repair_fixes: dict[str, list[tuple[int, str]]] = {}
        for f in self.facts:
            if f.kind == "repair" and f.asset and f.status != "cancelled":
                self.repair_fixes.setdefault(f.asset, []).extend((at, f.id) for at in f.fixes)
        for fixes in self.repair_fixes.values():
            fixes.sort()

    def of_period(self, period: Period) -> PeriodTickets:
        span = Span.of(period)
        rows = [Standing(f, f.reported in span, f.resolved in span, any(c in span for c in f.cancels))
                for f in self.facts if f.has_event_in(span)]
        return PeriodTickets(period, span, rows, [r.facts for r in rows if r.opened],
                             [r.facts for r in rows if r.resolved])


# --- tickets ----------------------------------------------------------------

def ticket_counts(rows: Sequence[Standing], group: Callable[[TicketFacts], str | None],
                  keys: Iterable[str]) -> dict[str, dict[str, int]]:
    table = {k: {"opened": 0, "resolved": 0, "cancelled": 0} for k in keys}
    for r in rows:
        key = group(r.facts) or "unknown"
        row = table.setdefault(key, {"opened": 0, "resolved": 0, "cancelled": 0})
        row["opened"] += r.opened
        row["resolved"] += r.resolved
        row["cancelled"] += r.cancelled
    return {k: v for k, v in table.items() if any(v.values())}


def ticket_totals(p: PeriodTickets) -> dict[str, int]:
    return {"opened": len(p.opened), "resolved": len(p.resolved), "cancelled": sum(r.cancelled for r in p.rows)}


def tickets_section(records: Records, p: PeriodTickets) -> dict[str, Any]:
    return {
        **ticket_totals(p),
        "by_kind": ticket_counts(p.rows, lambda f: f.kind, KINDS),
        "by_area": ticket_counts(p.rows, lambda f: f.area, records.settings.areas),
        "by_category": ticket_counts(p.rows, lambda f: f.category, CATEGORIES),
        "by_asset_category": ticket_counts(p.rows, lambda f: f.asset_category,
                                           sorted({a.category for a in records.assets.values()})),
    }


# --- SLA ----------------------------------------------------------------------

def _clock_numbers(tally: Tally) -> dict[str, Any]:
    """Met and breached clocks, compliance, the mean counted time of the clocks stopped at one of
    their `stop` events, and what was promised: the allowed times they ran against, shortest first."""
    allowed = sorted(((Duration(amount, unit), cal) for amount, unit, cal in tally.promised),
                     key=lambda p: (p[0].seconds, p[1], p[0].amount, p[0].unit))   # (2h before 120m: a total order)
    return {"met": tally.met, "breached": tally.breached, "compliance": rate(tally.met, tally.met + tally.breached),
            "mean_seconds": Fraction(tally.counted, tally.stopped) if tally.stopped else None,
            "stopped": tally.stopped, "promised": [{"within": str(w), "calendar": cal} for w, cal in allowed]}


def promises(records: Records, target: str) -> list[dict[str, Any]]:
    """What the settings promise for a target: each entry's condition and allowed time (by priority)."""
    out = []
    for t in records.settings.targets:
        if t.id != target:
            continue
        within = {k: str(v) for k, v in t.within.items()} if isinstance(t.within, Mapping) else str(t.within)
        out.append({"when": {k: list(v) for k, v in t.when.items()}, "within": within, "calendar": t.calendar,
                    "pausable": t.pausable, "start": t.start, "stop": list(t.stop)})
    return out


@dataclass(slots=True)
class Tally:
    """What the SLA figures count of some clocks (`_clock_numbers`): how many were met and
    breached, how many stopped at one of their `stop` events and their counted seconds together,
    and the allowed times they ran against, as (amount, unit, calendar)."""

    met: int = 0
    breached: int = 0
    stopped: int = 0
    counted: int = 0
    promised: set[tuple[int, str, str]] = field(default_factory=set)

    def add(self, other: Tally) -> None:
        self.met += other.met
        self.breached += other.breached
        self.stopped += other.stopped
        self.counted += other.counted
        self.promised |= other.promised


class Clocks:
    """The clocks of a report's tickets (`add`, a ticket's clocks at a time) that belong to each
    of its periods (their cycle started in it), counted as they come: a `Tally` per period,
    target and priority (`started_in`); of the first period's breached clocks also the cycle
    (`breached`), which the list of breaches shows. Nothing else of a clock is kept."""

    def __init__(self, periods: Sequence[Period]) -> None:
        self.started: dict[Period, dict[tuple[str, str | None], Tally]] = {p: {} for p in periods}
        self.breached: list[sla.Cycle] = []
        # each period's span in UTC microseconds, its tallies, and whether its breaches are listed
        self.bounds = [(span.start, span.end, self.started[p], n == 0)
                       for n, (p, span) in enumerate((p, Span.of(p)) for p in periods)]

    def add(self, kept: sla.TicketCycles) -> bool:
        """The clocks of one ticket (`TicketCycles.clocks`: its cycles are read only for the
        breaches); whether one of them is listed as a breach."""
        listed = False
        for number, (start, target, priority, status, stopped, promise) in enumerate(kept.clocks):
            for first, end, tallies, detailed in self.bounds:
                if first <= start < end:
                    tally = tallies.get((target, priority))
                    if tally is None:
                        tally = tallies[target, priority] = Tally()
                    if status == "met":
                        tally.met += 1
                    elif status == "breached":
                        tally.breached += 1
                        if detailed:
                            self.breached.append(kept.listed(number))
                            listed = True
                    if stopped is not None:
                        tally.stopped += 1
                        tally.counted += stopped
                    tally.promised.add(promise)
        return listed

    def running(self, kept: sla.TicketCycles, by: int) -> int | None:
        """Of the ticket's clocks that belong to one of the periods and still run (`running`), the
        latest deadline of those past it at the instant `by` (UTC microseconds; 0: none), or None
        when one runs within its deadline, or has none: what that one counts (met or breached)
        may still change."""
        latest = 0
        for number, deadline in kept.running:
            start = kept.clocks[number][0]
            if any(first <= start < end for first, end, *_ in self.bounds):
                if deadline is None or deadline >= by:
                    return None
                latest = max(latest, deadline)
        return latest

    def tallies(self) -> list[dict[tuple[str, str | None], Tally]]:
        """Each period's tallies (`started_in`), in the order of the periods."""
        return [tallies for *_, tallies, _ in self.bounds]

    def join(self, tallies: Sequence[Mapping[tuple[str, str | None], Tally]]) -> None:
        """Count what other clocks' `tallies` counted (of other tickets, for the same periods)
        too; theirs are left as they were."""
        for (*_, mine, _), theirs in zip(self.bounds, tallies, strict=True):
            for key, tally in theirs.items():
                if key not in mine:
                    mine[key] = Tally()
                mine[key].add(tally)

    def started_in(self, period: Period) -> dict[tuple[str, str | None], Tally]:
        """What the figures count of the clocks that belong to the period (one of the report's:
        their cycle started in it), by target and priority."""
        return self.started[period]


def sla_section(records: Records, started: Mapping[tuple[str, str | None], Tally],
                detailed: bool = True) -> dict[str, Any]:
    """Per target (in settings order), and per priority within it (`detailed`): the clocks that
    started in the period (`Clocks.started_in`)."""
    section = {}
    for target in dict.fromkeys(t.id for t in records.settings.targets):
        of_target = {priority: tally for (of, priority), tally in started.items() if of == target}
        whole = Tally()
        for tally in of_target.values():
            whole.add(tally)
        numbers = _clock_numbers(whole)
        if detailed:
            by_priority = {p: Tally() for p in records.settings.priorities}
            if None in of_target:  # tickets with neither a priority nor an area
                by_priority["unknown"] = Tally()
            for priority, tally in of_target.items():
                group = by_priority.get(priority or "unknown")
                if group is not None:
                    group.add(tally)
            numbers["by_priority"] = {p: _clock_numbers(tally) for p, tally in by_priority.items()}
            numbers["promises"] = promises(records, target)
        section[target] = numbers
    return section


def sla_groups(records: Records) -> list[dict[str, Any]]:
    """The targets as the settings group them for documents (`sla.groups`), in order; the
    targets in no group form a last group with the id `other`."""
    ids = list(dict.fromkeys(t.id for t in records.settings.targets))
    groups = [{"id": g.id, "targets": [t for t in g.targets if t in ids]} for g in records.settings.target_groups]
    grouped = {t for g in groups for t in g["targets"]}
    rest = [t for t in ids if t not in grouped]
    if rest:
        groups.append({"id": "other", "targets": rest})
    return [g for g in groups if g["targets"]]


def listed_breaches(started: Iterable[sla.Cycle]) -> list[sla.Cycle]:
    """The breached clocks among `started` (`Clocks.breached`), in the order the list of breaches
    gives them. Each is shown with what the school needs to read it (`breach_row`): the request,
    the product and where it stands, the promise, by how much it was missed (to the stop, or to
    the report instant when the clock never stopped), and what the events say about why."""
    return sorted((c for c in started if c.status == "breached"), key=breach_order)


def breach_order(c: sla.Cycle) -> tuple[int, str, str, int]:
    """Where a breach stands in the list: by the instant its clock started, then ticket, target, cycle."""
    return micros(c.start), c.ticket, c.target, c.cycle


def breach_row(records: Records, t: Breached | Ticket, c: sla.Cycle, at: dt.datetime) -> dict[str, Any]:
    """One row of the list of breaches (`listed_breaches`): the clock `c` of the ticket `t`."""
    asset = records.assets.get(t.asset or "")
    over = _over(c.stop, c.deadline, at)
    return {"ticket": c.ticket, "target": c.target, "cycle": c.cycle, "kind": t.kind,
            "summary": t.summary, "reported": t.reported_at,
            "asset": t.asset, "asset_name": asset.name if asset else None,
            "location": t.location or (asset.location if asset and asset.location else None),
            "area": c.area, "priority": c.priority, "within": str(c.within), "calendar": c.calendar,
            "start": c.start, "start_event": c.start_event, "deadline": c.deadline,
            "base_deadline": c.base_deadline, "stop": c.stop, "stop_event": c.stop_event,
            "over_seconds": over, "still_open": c.stop is None, "ticket_status": t.status,
            "events": _reasons(t, c, at)}


def _over(stop: dt.datetime | None, deadline: dt.datetime | None, at: dt.datetime) -> int | None:
    """By how many seconds a clock with `deadline` missed it: to its stop, or to `at` while it runs."""
    return seconds_between(deadline, stop or at) if deadline else None


@dataclass(frozen=True)
class WrittenBreaches:
    """The report's list of breaches as the texts its caller's writer gave their rows
    (`quarterly(..., write_breaches=...)`), in the list's order: the rows themselves are never
    held, and on two cores each half of the report's tickets writes its own."""

    texts: list[str]


def _reasons(t: Breached | Ticket, c: sla.Cycle, at: dt.datetime) -> list[dict[str, Any]]:
    """The events inside the clock's run that tell why it took long: pauses, workarounds,
    escalations, diagnoses, progress told to the customer and notes, and the parts the fix needed."""
    end = c.stop or at
    found = []
    for e in t.events:
        if not c.start <= e.at <= end or not may_tell_why(e):
            continue
        if e.type == "resolved" and c.start_event == "resolved":   # the fix a callback follows
            continue
        found.append({"type": e.type, "at": e.at, "by": e.by, "to": e.to, "reason": e.reason,
                      "note": e.note, "until": e.until, "parts": [{"part": p.part, "qty": p.qty} for p in e.parts]})
    return found


# --- quality ------------------------------------------------------------------

def quality_section(p: PeriodTickets, repair_fixes: Mapping[str, Sequence[tuple[int, str]]]) -> dict[str, Any]:
    resolved = p.resolved
    repairs = [f for f in resolved if f.kind == "repair"]
    first_time = [f for f in repairs if f.first_time_fix]
    reopened = [f for f in resolved if f.reopened]
    opened = p.opened
    complaints = sum(f.kind == "complaint" for f in opened)
    repeat_base, repeats = _repeat_repairs(opened, repair_fixes)
    return {
        "first_time_fix_rate": rate(len(first_time), len(repairs)),
        "first_time_fixes": len(first_time), "repairs_resolved": len(repairs),
        "repeat_repair_rate": rate(repeats, repeat_base),
        "repeat_repairs": repeats, "repairs_opened": repeat_base,
        "reopen_rate": rate(len(reopened), len(resolved)), "reopened": len(reopened),
        "resolved": len(resolved),
        "complaints": complaints, "complaint_rate": rate(complaints, len(opened)), "opened": len(opened),
    }


REPEAT_WINDOW_MICROS = REPEAT_WINDOW // dt.timedelta(microseconds=1)


def _repeat_repairs(opened: Iterable[TicketFacts],
                    repair_fixes: Mapping[str, Sequence[tuple[int, str]]]) -> tuple[int, int]:
    """Repairs opened in the period (not cancelled) whose asset had another (not cancelled) repair
    with a `resolved` event in the 90 days (90 x 24 h) before this one was reported
    (`repair_fixes`: each asset's such events as (instant, ticket), in time)."""
    base = repeats = 0
    for f in opened:
        if f.kind != "repair" or f.status == "cancelled":
            continue
        base += 1
        fixes = repair_fixes.get(f.asset or "", [])
        first = bisect.bisect_left(fixes, (f.reported - REPEAT_WINDOW_MICROS, ""))
        last = bisect.bisect_left(fixes, (f.reported, ""))
        if any(other != f.id for _, other in fixes[first:last]):
            repeats += 1
    return base, repeats


def satisfaction_section(p: PeriodTickets, kind: str = "callback") -> dict[str, Any]:
    """The mean of `satisfaction` over the `kind` events (callback, revisit) in the period."""
    scores = [score for r in p.rows for of, at, score in r.facts.scores if of == kind and at in p.span]
    counts = Counter(scores)
    return {"mean": mean(scores), "responses": len(scores),
            "distribution": {str(n): counts[n] for n in range(1, 6)}}


def coverage_section(p: PeriodTickets, kind: str) -> dict[str, Any]:
    """Of the tickets resolved in the period, the share with a `kind` event after their last fix."""
    covered = sum(kind in f.followed_up for f in p.resolved)
    return {"coverage": rate(covered, len(p.resolved)), "covered": covered, "resolved": len(p.resolved)}


def callbacks_section(p: PeriodTickets) -> dict[str, Any]:
    return coverage_section(p, "callback")


def follow_ups_section(p: PeriodTickets) -> dict[str, Any]:
    """Follow-up coverage after the fix: a message (care advice) and an on-site revisit."""
    return {kind: coverage_section(p, kind) for kind in ("message", "revisit")}


# --- maintenance, warranty, parts ----------------------------------------------

def maintenance_slots(records: Records, at: dt.datetime) -> list[schedule.Slot]:
    """Every plan's slots with their status as of `at` (the same for every period of a report)."""
    today = at.astimezone(records.settings.tz).date()
    inspected = [i for i in records.inspections.values() if i.date <= today]
    return schedule.all_slots(records.settings, inspected, today)


def maintenance_section(all_slots: Sequence[schedule.Slot], period: Period) -> dict[str, Any]:
    """Slots due in the period with their status as of the report instant (`maintenance_slots`),
    and PM compliance over them."""
    slots = [s for s in all_slots if period.contains_date(s.due)]
    counts = Counter(s.status for s in slots)
    return {
        "pm_compliance": rate(counts["done"], counts["done"] + counts["late"] + counts["overdue"]),
        "done": counts["done"], "late": counts["late"], "overdue": counts["overdue"],
        "due": counts["due"], "upcoming": counts["upcoming"],
        "slots": [{"plan": s.plan, "due": s.due, "status": s.status, "inspection": s.inspection,
                   "inspected": s.inspected} for s in slots],
    }


def findings_section(records: Records, period: Period, day: dt.date) -> dict[str, Any]:
    """Findings of the inspections dated in the period (up to `day`), with their status as of `day`;
    `open` includes the overdue ones."""
    first, end = period.start.date(), period.end.date()
    counts = schedule.findings_summary(records.inspections.values(), first, end, day)
    dated = sorted((i for i in records.inspections.values() if first <= i.date < end and i.date <= day),
                   key=lambda i: (i.date, i.id))
    return {"open": counts["open"] + counts["overdue"], "closed_on_time": counts["closed-on-time"],
            "closed_late": counts["closed-late"], "overdue": counts["overdue"], "as_of": day,
            "inspections": [{"inspection": i.id, "date": i.date, "plan": i.plan, "findings": len(i.findings)}
                            for i in dated]}


def warranty_section(records: Records, p: PeriodTickets, end: dt.datetime, day: dt.date, within_days: int,
                     known: Iterable[TicketFacts] = ()) -> dict[str, Any]:
    """Warranties as of `day` (the period's last day, or the report's day if earlier) and the
    replacement candidates among the tickets as they stood at `end` (of the repairs with an
    event after it, the state then is read from their facts, `known`, where they are among
    them); the out-of-warranty requests of the period with what was charged for them as of the
    report instant. Each asset's warranty end is worked out once (`warranty.ends`)."""
    s = records.settings
    ends = warranty.ends(records)
    rows = warranty.status_rows(records, day, ends)
    soon = warranty.expiring(rows, within_days)
    gone = warranty.expired(rows)
    out = [f for f in p.opened if warranty.in_warranty(f, records.assets.get(f.asset or ""), s, ends) is False]
    cost = sum(cost for f in out for cost in f.costs)
    by = micros(end)
    statuses = {f.id: f.status_at(by) for f in known if f.kind == "repair" and f.reported <= by < f.latest}
    candidates = warranty.replacement_candidates(records, warranty.repairs_in_warranty(records, end, ends, statuses),
                                                 ends)
    return {
        "as_of": day, "within_days": within_days,
        "expiring": len(soon), "expiring_assets": [_asset_row(r) for r in soon],
        "expired": len(gone), "expired_assets": [_asset_row(r) for r in gone],
        "out_of_warranty_tickets": len(out), "out_of_warranty_cost": cost,
        "replacement_candidates": [{"asset": c.asset.id, "name": c.asset.name, "repairs": len(c.tickets),
                                    "tickets": [t.id for t in c.tickets]} for c in candidates],
    }


def _asset_row(row: warranty.WarrantyRow) -> dict[str, Any]:
    return {"asset": row.asset.id, "name": row.asset.name, "area": row.asset.area, "end": row.end,
            "days_left": row.days_left}


def parts_section(records: Records, period: Period, at: dt.datetime, day: dt.date) -> dict[str, Any]:
    """Stock at the end of `day` (the period's last day, or the report's day if earlier), usage in the
    period, from the parts used by the tickets as of `at` (kept by the loader: no ticket is built)."""
    used = parts_mod.usage_from(records.part_uses(at), records.settings.tz)
    rows = parts_mod.rows_from_usage(records.parts.values(), used, day, (period.start.date(), period.end.date()))
    return {
        "as_of": day, "low": sum(r.low for r in rows),
        "rows": [{"part": r.part.id, "name": r.part.name, "unit": r.part.unit, "stock": r.stock,
                  "min": r.part.min, "used": r.used, "low": r.low} for r in rows],
    }


# --- analysis and trend -----------------------------------------------------------

def analysis_section(records: Records, p: PeriodTickets) -> dict[str, Any]:
    tz = records.settings.tz
    period = p.period
    opened = p.opened
    pairs: Counter[tuple[str, str]] = Counter()
    for f in opened:
        asset = records.assets.get(f.asset or "")
        if asset and f.category:
            pairs[(asset.category, f.category)] += 1
    hours, weekdays = [0] * 24, [0] * 7
    weeks: Counter[dt.date] = Counter()
    for f in opened:
        local = f.reported_at.astimezone(tz)
        hours[local.hour] += 1
        weekdays[local.weekday()] += 1
        weeks[local.date() - dt.timedelta(days=local.weekday())] += 1
    first_monday = period.start.date() - dt.timedelta(days=period.start.weekday())
    per_week, monday = [], first_monday
    while monday < period.end.date():
        per_week.append({"week": monday, "opened": weeks[monday]})
        monday += dt.timedelta(days=7)
    top = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return {
        "top_problems": [{"asset_category": a, "category": c, "count": n} for (a, c), n in top],
        "by_hour": hours, "by_weekday": dict(zip(WEEKDAYS, weekdays, strict=True)), "per_week": per_week,
    }


TREND_FIGURES = (
    ("tickets.opened", lambda r: r["tickets"]["opened"]),
    ("tickets.resolved", lambda r: r["tickets"]["resolved"]),
    ("tickets.cancelled", lambda r: r["tickets"]["cancelled"]),
    ("quality.complaints", lambda r: r["quality"]["complaints"]),
    ("quality.first_time_fix_rate", lambda r: r["quality"]["first_time_fix_rate"]),
    ("quality.repeat_repair_rate", lambda r: r["quality"]["repeat_repair_rate"]),
    ("quality.reopen_rate", lambda r: r["quality"]["reopen_rate"]),
    ("satisfaction.mean", lambda r: r["satisfaction"]["mean"]),
    ("callbacks.coverage", lambda r: r["callbacks"]["coverage"]),
    ("follow_ups.message.coverage", lambda r: r["follow_ups"]["message"]["coverage"]),
    ("follow_ups.revisit.coverage", lambda r: r["follow_ups"]["revisit"]["coverage"]),
    ("revisit_satisfaction.mean", lambda r: r["revisit_satisfaction"]["mean"]),
    ("maintenance.pm_compliance", lambda r: r["maintenance"]["pm_compliance"]),
)


def trend(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    figures = list(TREND_FIGURES) + [
        (f"sla.{target}.compliance", lambda r, t=target: r["sla"].get(t, {}).get("compliance"))
        for target in current["sla"]]
    rows = []
    for key, get in figures:
        now, before = get(current), get(previous)
        change = None if now is None or before is None else now - before
        rows.append({"key": key, "current": now, "previous": before, "change": change})
    return {"previous_period": previous["period"]["name"], "figures": rows, "previous_sla": previous["sla_total"]}


def sla_total(section: Mapping[str, Any]) -> dict[str, Any]:
    """Every target's clocks together: met, breached and compliance (met / (met + breached))."""
    met = sum(n["met"] for n in section.values())
    breached = sum(n["breached"] for n in section.values())
    return {"met": met, "breached": breached, "compliance": rate(met, met + breached)}


def previous_period(period: Period, tz: ZoneInfo) -> Period:
    """The quarter before a quarter; for a custom range, the same number of days just before it."""
    if period.name[4:5] == "Q":
        return quarter_of(period.start.date() - dt.timedelta(days=1), tz)
    days = (period.end.date() - period.start.date()).days
    first = period.start.date() - dt.timedelta(days=days)
    return date_range(first, period.start.date() - dt.timedelta(days=1), tz)


# --- the whole report -------------------------------------------------------------

def quarterly(records: Records, period: Period, at: dt.datetime, previous: Period | None = None,
              within_days: int = 180, write_breaches: BreachWriter | None = None) -> dict[str, Any]:
    """Every number of the quarterly report for `period`, as of `at` (with the trend against
    `previous`). With `write_breaches`, the list of breaches is given as the texts it writes of
    their rows (`WrittenBreaches`: the JSON of the command line), each text written from a row
    `breaches` would give; otherwise as those rows."""
    with collector.paused():   # it builds many objects that all live on (core.collector)
        return _quarterly(records, period, at, previous, within_days, write_breaches)


@dataclass(frozen=True)
class BreachWriter:
    """What writes rows of the list of breaches, a text for each, in their order (see
    `quarterly`); `kind` names the texts it writes (the format, its options, its code): texts
    written before are kept under it (`Counts`), so a writer that writes other texts has another."""

    kind: str
    write: Callable[[list[dict[str, Any]]], list[str]]


# The part of `Counts` of the tickets with a clock that may still be met, counted on every run and
# never kept.
LIVE = -1

# A breach's place in the list (`breach_order`) and its row, or the text written of it.
Listed = tuple[tuple[int, str, str, int], Any]


@dataclass
class Counts:
    """What a report counts of some of its tickets (`_count`): each one's facts (their values),
    what its clocks count for each period (`Clocks.tallies`), and its clocks in the list of
    breaches in their order: those that stopped as the report's `BreachWriter` wrote their rows
    (`listed`; the rows themselves without one), those still running past their deadline as rows
    (`overdue`: by how much they are late changes with the instant; see `_written`).

    Kept a bucket of tickets at a time (`engine.buckets`): nothing a bucket's tickets count
    changes with the instant while none of their events is after it, but for the tickets with a
    clock that may still be met (`Clocks.running`), which are left out and named (`live`),
    to be counted on every run, and the overdue clocks: the value holds while the instant is
    past their deadlines (`since`, the latest of them)."""

    facts: halves.Plain[list[tuple[Any, ...]]]
    tallies: list[dict[tuple[str, str | None], Tally]]
    listed: list[Listed]
    overdue: list[Listed]
    live: list[str]
    since: int


class _Counting:
    """`Counts` of tickets, counted one at a time (`add`)."""

    def __init__(self, periods: Sequence[Period]) -> None:
        self.clocks = Clocks(periods)
        self.facts: list[tuple[Any, ...]] = []
        self.shown: dict[str, Breached] = {}
        self.since = 0

    def add(self, kept: sla.TicketCycles, since: int) -> None:
        assert kept.facts is not None
        self.facts.append(kept.facts.values())
        self.since = max(self.since, since)
        if self.clocks.add(kept) and (breached := kept.breached) is not None:
            self.shown[kept.ticket] = breached

    def counts(self, records: Records, at: dt.datetime, write: BreachWriter | None, live: list[str]) -> Counts:
        # of the tickets, only those of the breaches are built (what the list shows), and only
        # when that was not kept with their cycles
        unknown = [i for i in dict.fromkeys(c.ticket for c in self.clocks.breached) if i not in self.shown]
        built = (t.as_of(at) for t in records.each_ticket(unknown))
        self.shown.update((t.id, Breached.of(t)) for t in built if t is not None)
        listed: list[Listed] = []
        overdue: list[Listed] = []
        for c in listed_breaches(self.clocks.breached):
            (listed if c.stop is not None else overdue).append(
                (breach_order(c), breach_row(records, self.shown[c.ticket], c, at)))
        return Counts(halves.Plain(self.facts), self.clocks.tallies(), _written_rows(listed, write), overdue, live,
                      self.since)


def _written_rows(listed: list[Listed], write: BreachWriter | None) -> list[Listed]:
    """The rows of `listed` as `write` writes them, each in its place (as they are without it)."""
    if write is None or not listed:
        return listed
    return list(zip([order for order, _ in listed], write.write([row for _, row in listed]), strict=True))


def _count(records: Records, periods: Sequence[Period], at: dt.datetime, write: BreachWriter | None,
           groups: Sequence[tuple[int, Sequence[str]]]) -> list[tuple[int, Counts]]:
    """The `Counts` of each group of tickets (bucket, its tickets): of a bucket, those of its
    tickets without a clock that may still be met, naming the others, and of those others
    together (`LIVE`); of the group `LIVE`, of all its tickets. Each ticket's facts and cycles
    are kept from an earlier run where they can be (`sla.each_kept`): no ticket is built."""
    group_of = {ident: bucket for bucket, ids in groups for ident in ids}
    counting: dict[int, _Counting] = {bucket: _Counting(periods) for bucket, _ in groups}
    live: dict[int, list[str]] = {bucket: [] for bucket, _ in groups}
    counting.setdefault(LIVE, _Counting(periods))
    by = micros(at)
    for kept in sla.each_kept(records, at, [ident for _, ids in groups for ident in ids], with_facts=True):
        if kept.facts is None:
            continue
        bucket = group_of[kept.ticket]
        since = counting[bucket].clocks.running(kept, by)
        if since is None:
            if bucket != LIVE:
                live[bucket].append(kept.ticket)
            bucket, since = LIVE, 0
        counting[bucket].add(kept, since)
    return [(bucket, done.counts(records, at, write, live.get(bucket, []))) for bucket, done in counting.items()]


def _written(parts: Sequence[Counts], at: dt.datetime, write: BreachWriter | None) -> list[Any]:
    """The list of breaches of the report's `parts`, in its order: the overdue clocks' rows made
    late as of `at`, written with `write` when given."""
    overdue: list[Listed] = [(order, {**row, "over_seconds": _over(None, row["deadline"], at)})
                             for order, row in heapq.merge(*(counts.overdue for counts in parts), key=itemgetter(0))]
    return [item for _, item in heapq.merge(_written_rows(overdue, write), *(counts.listed for counts in parts),
                                            key=itemgetter(0))]


def _quarterly(records: Records, period: Period, at: dt.datetime, previous: Period | None,
               within_days: int, write_breaches: BreachWriter | None) -> dict[str, Any]:
    periods = [period] + ([previous] if previous is not None else [])
    ids = report_ids(records, periods, at)
    # what the report counts of each bucket of its tickets that did not change since an earlier
    # run is read back; the other buckets and the tickets with a clock that may still be met are
    # counted, and on two cores a forked child counts half of them meanwhile (`core.halves`)
    what = f"quarterly|{[(p.name, p.start.isoformat(), p.end.isoformat()) for p in periods]}|" + (
        "rows" if write_breaches is None else write_breaches.kind)
    buckets = Buckets(records, at, what)
    split = buckets.split(ids)
    kept, inputs = buckets.kept(split)
    found = {bucket: counts for bucket, counts in kept.items() if counts.since < buckets.by}
    live = [ident for counts in found.values() for ident in counts.live]
    groups = [(bucket, members) for bucket, members in split.items() if bucket not in found]
    groups += [(LIVE, live[0::2]), (LIVE, live[1::2])]
    counted = halves.both(lambda: _count(records, periods, at, write_breaches, groups[0::2]),
                          lambda: _count(records, periods, at, write_breaches, groups[1::2]),
                          worth=sum(len(members) for _, members in groups) >= halves.AT_LEAST)
    made = [part for half in counted for part in half]
    # (a bucket counted again only because of the instant keeps its value: it holds for later ones)
    buckets.keep(inputs, {bucket: counts for bucket, counts in made if bucket != LIVE and bucket not in kept})
    parts = [*found.values(), *(counts for _, counts in made)]
    clocks = Clocks(periods)
    for counts in parts:
        clocks.join(counts.tallies)
    known = ReportTickets([TicketFacts(*values) for counts in parts for values in counts.facts.value])
    listed = _written(parts, at, write_breaches)
    slots = maintenance_slots(records, at)
    # and a child works out the figures of the period before and the warranties while this
    # process works out the period's other figures (from the period's tickets, worked out once)
    p = known.of_period(period)
    report, (before, warranties) = halves.both(
        lambda: _numbers(records, known, p, clocks, slots, period, at,
                         listed if write_breaches is None else WrittenBreaches(listed)),
        lambda: (None if previous is None else trend_numbers(records, known, clocks, slots, previous),
                 _warranty_figures(records, known, p, period, at, within_days)),
        worth=len(ids) >= halves.AT_LEAST)
    report["warranty"] = warranties
    if before is not None:
        report["trend"] = trend(report, before)
    return report


def report_ids(records: Records, periods: Sequence[Period], at: dt.datetime) -> list[str]:
    """The ids of the tickets that a report of `periods` as of `at` may count, and perhaps a few
    more: the figures still filter exactly. A figure of a period counts tickets reported or with
    an event in it, or (repeat repairs) the repairs with a `resolved` event in the 90 days before
    one of those was reported; a clock counts in the period it started in, at one of its ticket's
    events. So these are the tickets reported or with an event from the start of the first period
    to the end of the last (first, in the records' order: their clocks come in that order), then
    the repairs with an event in the 90 days before. The figures of the whole history come from
    what the loader keeps: replacement candidates from `Records.heads`, stock from
    `Records.part_uses`."""
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    return list(dict.fromkeys([*records.reaching_ids(at, start, end),
                               *records.reaching_ids(at, start - REPEAT_WINDOW, start, "repair")]))


def state_instant(period: Period, at: dt.datetime) -> dt.datetime:
    """The instant a report describes the state of things at (warranties, replacement candidates,
    findings, stock): the end of the period, or the report instant while the period runs."""
    return min(at, period.end - dt.timedelta(microseconds=1))


def _numbers(records: Records, known: ReportTickets, p: PeriodTickets, clocks: Clocks,
             slots: Sequence[schedule.Slot], period: Period, at: dt.datetime,
             listed: list[dict[str, Any]] | WrittenBreaches) -> dict[str, Any]:
    """The report's figures for `period` in their order, but the trend and the warranties' (None
    in their place: `_warranty_figures`, worked out beside these)."""
    s = records.settings
    tz = s.tz
    end = state_instant(period, at)
    day = end.astimezone(tz).date()
    started = clocks.started_in(period)
    return {
        "period": {"name": period.name, "start": period.start.astimezone(tz), "end": period.end.astimezone(tz),
                   "first_day": period.start.date(), "last_day": period.end.date() - dt.timedelta(days=1)},
        "as_of": at.astimezone(tz), "state_as_of": day,
        "project": {"name": s.name, "customer": s.customer, "supplier": s.supplier, "timezone": s.timezone,
                    "currency": s.currency},
        "tickets": tickets_section(records, p),
        "sla": (section := sla_section(records, started)),
        "sla_total": sla_total(section),
        "sla_groups": sla_groups(records),
        "breaches": listed,
        **_service_figures(p, known, slots, period),
        "findings": findings_section(records, period, day),
        "warranty": None,
        "parts": parts_section(records, period, at, day),
        "analysis": analysis_section(records, p),
    }


def _warranty_figures(records: Records, known: ReportTickets, p: PeriodTickets, period: Period, at: dt.datetime,
                      within_days: int) -> dict[str, Any]:
    """The report's warranty figures for `period` (`p`: its tickets)."""
    end = state_instant(period, at)
    return warranty_section(records, p, end, end.astimezone(records.settings.tz).date(), within_days, known.facts)


def trend_numbers(records: Records, known: ReportTickets, clocks: Clocks,
                  slots: Sequence[schedule.Slot], period: Period) -> dict[str, Any]:
    """The figures of the period before that `trend` compares (TREND_FIGURES, each target's
    compliance, every target's clocks together), under the keys of the report; nothing else of
    that period (breaches, warranty, parts, findings, analysis) is worked out."""
    p = known.of_period(period)
    section = sla_section(records, clocks.started_in(period), detailed=False)
    return {
        "period": {"name": period.name},
        "tickets": ticket_totals(p),
        "sla": section,
        "sla_total": sla_total(section),
        **_service_figures(p, known, slots, period),
    }


def _service_figures(p: PeriodTickets, known: ReportTickets, slots: Sequence[schedule.Slot],
                     period: Period) -> dict[str, Any]:
    """What the report and its trend both work out of a period after its clocks (in the report's
    order): quality, satisfaction, follow-ups and preventive maintenance."""
    return {
        "quality": quality_section(p, known.repair_fixes),
        "satisfaction": satisfaction_section(p),
        "revisit_satisfaction": satisfaction_section(p, "revisit"),
        "callbacks": callbacks_section(p),
        "follow_ups": follow_ups_section(p),
        "maintenance": maintenance_section(slots, period),
    }


def report(records: Records, period: Period, at: dt.datetime, within_days: int = 180,
           write_breaches: BreachWriter | None = None) -> dict[str, Any]:
    """The quarterly report's numbers for `period`, with the trend against the period before it
    (`write_breaches`: see `quarterly`)."""
    return quarterly(records, period, at, previous_period(period, records.settings.tz), within_days,
                     write_breaches)
