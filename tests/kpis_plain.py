"""The quarterly report's figures the plain way: each one straight from its definition in
docs/kpis.md, ticket by ticket and section by section, for the period and (in full) for the period
before it. This is `engine.kpis` as it was before its figures were worked out from facts kept per
ticket and per period (issue 12); tests/test_narrowed_reports.py checks that both give the same
report. The parts that did not change (promises, findings, parts, each row of the list of
breaches, the trend itself ...) come from `engine.kpis`. A new figure of the report needs its
plain reading here too.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from aftersales.core.durations import Duration
from aftersales.core.model import Records, Ticket
from aftersales.core.times import Period
from aftersales.engine import schedule, sla, warranty
from aftersales.engine.kpis import (
    REPEAT_WINDOW,
    WEEKDAYS,
    _asset_row,
    breach_row,
    findings_section,
    mean,
    parts_section,
    previous_period,
    promises,
    rate,
    report_ids,
    sla_groups,
    sla_total,
    state_instant,
    trend,
)
from aftersales.store.spec import CATEGORIES, KINDS


def _in(instant: dt.datetime | None, period: Period) -> bool:
    return instant is not None and instant in period


def _last(ticket: Ticket, kind: str) -> dt.datetime | None:
    return next((e.at for e in reversed(ticket.events) if e.type == kind), None)


# --- tickets ----------------------------------------------------------------

def is_opened(t: Ticket, period: Period) -> bool:
    return t.reported_at in period


def is_resolved(t: Ticket, period: Period) -> bool:
    """Resolved as of the report instant, with its last `resolved` event in the period."""
    return t.status == "resolved" and _in(_last(t, "resolved"), period)


def is_cancelled(t: Ticket, period: Period) -> bool:
    return any(e.type == "cancelled" and e.at in period for e in t.events)


def ticket_counts(tickets: Sequence[Ticket], period: Period, group: Callable[[Ticket], str | None],
                  keys: Iterable[str]) -> dict[str, dict[str, int]]:
    table = {k: {"opened": 0, "resolved": 0, "cancelled": 0} for k in keys}
    for t in tickets:
        key = group(t) or "unknown"
        row = table.setdefault(key, {"opened": 0, "resolved": 0, "cancelled": 0})
        row["opened"] += is_opened(t, period)
        row["resolved"] += is_resolved(t, period)
        row["cancelled"] += is_cancelled(t, period)
    return {k: v for k, v in table.items() if any(v.values())}


def tickets_section(records: Records, tickets: Sequence[Ticket], period: Period) -> dict[str, Any]:
    s = records.settings

    def area(t: Ticket) -> str | None:
        return sla.facts(t, s, records.assets)["area"]

    def asset_category(t: Ticket) -> str | None:
        asset = records.assets.get(t.asset or "")
        return asset.category if asset else None

    return {
        "opened": sum(is_opened(t, period) for t in tickets),
        "resolved": sum(is_resolved(t, period) for t in tickets),
        "cancelled": sum(is_cancelled(t, period) for t in tickets),
        "by_kind": ticket_counts(tickets, period, lambda t: t.kind, KINDS),
        "by_area": ticket_counts(tickets, period, area, s.areas),
        "by_category": ticket_counts(tickets, period, lambda t: t.category, CATEGORIES),
        "by_asset_category": ticket_counts(tickets, period, asset_category,
                                           sorted({a.category for a in records.assets.values()})),
    }


def _clock_numbers(cycles: list[sla.Cycle]) -> dict[str, Any]:
    """Met, breached, compliance, the mean counted time of the clocks stopped at one of their
    `stop` events, and the allowed times they ran against (shortest first), from the cycles."""
    met = sum(c.status == "met" for c in cycles)
    breached = sum(c.status == "breached" for c in cycles)
    stopped = [c.elapsed for c in cycles
               if c.stop_event is not None and c.definition is not None and c.stop_event in c.definition.stop]
    promised = {(c.within.amount, c.within.unit, c.calendar) for c in cycles}
    allowed = sorted(((Duration(amount, unit), cal) for amount, unit, cal in promised),
                     key=lambda p: (p[0].seconds, p[1]))
    return {"met": met, "breached": breached, "compliance": rate(met, met + breached),
            "mean_seconds": mean(stopped), "stopped": len(stopped),
            "promised": [{"within": str(w), "calendar": cal} for w, cal in allowed]}


def sla_section(records: Records, cycles: Sequence[sla.Cycle], period: Period) -> dict[str, Any]:
    """Per target (in settings order), and per priority within it: clocks that started in the period."""
    mine = [c for c in cycles if c.start in period]
    targets = list(dict.fromkeys(t.id for t in records.settings.targets))
    section = {}
    for target in targets:
        of_target = [c for c in mine if c.target == target]
        numbers = _clock_numbers(of_target)
        keys = list(records.settings.priorities)
        if any(c.priority is None for c in of_target):  # tickets with neither a priority nor an area
            keys.append("unknown")
        numbers["by_priority"] = {p: _clock_numbers([c for c in of_target if (c.priority or "unknown") == p])
                                  for p in keys}
        numbers["promises"] = promises(records, target)
        section[target] = numbers
    return section


def breaches(records: Records, tickets: Mapping[str, Ticket], cycles: Sequence[sla.Cycle], period: Period,
             at: dt.datetime) -> list[dict[str, Any]]:
    """The breached clocks that started in the period, with what the school needs to read each one:
    the request, the product and where it stands, the promise, by how much it was missed (to the
    stop, or to `at` when the clock never stopped), and what the events say about why."""
    # (each row as the engine makes it, `breach_row`: only which clocks and in what order are read here)
    return [breach_row(records, tickets[c.ticket], c, at)
            for c in sorted((c for c in cycles if c.start in period and c.status == "breached"),
                            key=lambda c: (c.start, c.ticket, c.target, c.cycle))]


# --- quality ------------------------------------------------------------------

def _first_time_fix(t: Ticket) -> bool:
    """No `reopened` and at most one `arrived` event."""
    return not any(e.type == "reopened" for e in t.events) and sum(e.type == "arrived" for e in t.events) <= 1


def quality_section(tickets: Sequence[Ticket], period: Period) -> dict[str, Any]:
    resolved = [t for t in tickets if is_resolved(t, period)]
    repairs = [t for t in resolved if t.kind == "repair"]
    first_time = [t for t in repairs if _first_time_fix(t)]
    reopened = [t for t in resolved if any(e.type == "reopened" for e in t.events)]
    opened = [t for t in tickets if is_opened(t, period)]
    complaints = sum(t.kind == "complaint" for t in opened)
    repeat_base, repeats = _repeat_repairs(tickets, period)
    return {
        "first_time_fix_rate": rate(len(first_time), len(repairs)),
        "first_time_fixes": len(first_time), "repairs_resolved": len(repairs),
        "repeat_repair_rate": rate(repeats, repeat_base),
        "repeat_repairs": repeats, "repairs_opened": repeat_base,
        "reopen_rate": rate(len(reopened), len(resolved)), "reopened": len(reopened),
        "resolved": len(resolved),
        "complaints": complaints, "complaint_rate": rate(complaints, len(opened)), "opened": len(opened),
    }


def _repeat_repairs(tickets: Sequence[Ticket], period: Period) -> tuple[int, int]:
    """Repairs opened in the period (not cancelled) whose asset had another (not cancelled) repair
    with a `resolved` event in the 90 days (90 x 24 h) before this one was reported."""
    resolutions: dict[str, list[tuple[dt.datetime, str]]] = {}
    for t in tickets:
        if t.kind == "repair" and t.asset and t.status != "cancelled":
            for e in t.events:
                if e.type == "resolved":
                    resolutions.setdefault(t.asset, []).append((e.at, t.id))
    for times in resolutions.values():
        times.sort()
    base = repeats = 0
    for t in tickets:
        if t.kind != "repair" or not is_opened(t, period) or t.status == "cancelled":
            continue
        base += 1
        times = resolutions.get(t.asset or "", [])
        first = bisect.bisect_left(times, (t.reported_at - REPEAT_WINDOW, ""))
        last = bisect.bisect_left(times, (t.reported_at, ""))
        if any(other != t.id for _, other in times[first:last]):
            repeats += 1
    return base, repeats


def satisfaction_section(tickets: Sequence[Ticket], period: Period, kind: str = "callback") -> dict[str, Any]:
    """The mean of `satisfaction` over the `kind` events (callback, revisit) in the period."""
    scores = [e.satisfaction for t in tickets for e in t.events
              if e.type == kind and e.satisfaction is not None and e.at in period]
    counts = Counter(scores)
    return {"mean": mean(scores), "responses": len(scores),
            "distribution": {str(n): counts[n] for n in range(1, 6)}}


def _followed_up(t: Ticket, kind: str) -> bool:
    """A `kind` event (callback, message, revisit) after the ticket's last `resolved` event."""
    last = max(e.at for e in t.events if e.type == "resolved")
    return any(e.type == kind and e.at >= last for e in t.events)


def coverage_section(tickets: Sequence[Ticket], period: Period, kind: str) -> dict[str, Any]:
    """Of the tickets resolved in the period, the share with a `kind` event after their last fix."""
    resolved = [t for t in tickets if is_resolved(t, period)]
    covered = sum(_followed_up(t, kind) for t in resolved)
    return {"coverage": rate(covered, len(resolved)), "covered": covered, "resolved": len(resolved)}


def callbacks_section(tickets: Sequence[Ticket], period: Period) -> dict[str, Any]:
    return coverage_section(tickets, period, "callback")


def follow_ups_section(tickets: Sequence[Ticket], period: Period) -> dict[str, Any]:
    """Follow-up coverage after the fix: a message (care advice) and an on-site revisit."""
    return {kind: coverage_section(tickets, period, kind) for kind in ("message", "revisit")}


def _inspections_by(records: Records, today: dt.date) -> list:
    return [i for i in records.inspections.values() if i.date <= today]


def maintenance_section(records: Records, period: Period, at: dt.datetime) -> dict[str, Any]:
    """Slots due in the period with their status as of `at`, and PM compliance over them."""
    today = at.astimezone(records.settings.tz).date()
    slots = [s for s in schedule.all_slots(records.settings, _inspections_by(records, today), today)
             if period.contains_date(s.due)]
    counts = Counter(s.status for s in slots)
    return {
        "pm_compliance": rate(counts["done"], counts["done"] + counts["late"] + counts["overdue"]),
        "done": counts["done"], "late": counts["late"], "overdue": counts["overdue"],
        "due": counts["due"], "upcoming": counts["upcoming"],
        "slots": [{"plan": s.plan, "due": s.due, "status": s.status, "inspection": s.inspection,
                   "inspected": s.inspected} for s in slots],
    }


def warranty_section(records: Records, tickets: Sequence[Ticket], period: Period, end: dt.datetime,
                     day: dt.date, within_days: int) -> dict[str, Any]:
    """Warranties as of `day` (the period's last day, or the report's day if earlier) and the
    replacement candidates among the tickets as they stood at `end`; the out-of-warranty
    requests of the period with what was charged for them as of the report instant."""
    s = records.settings
    rows = warranty.status_rows(records, day)
    soon = warranty.expiring(rows, within_days)
    gone = warranty.expired(rows)
    out = [t for t in tickets if is_opened(t, period)
           and warranty.in_warranty(t, records.assets.get(t.asset or ""), s) is False]
    cost = sum(e.cost or 0 for t in out for e in t.events if e.type == "resolved")
    candidates = warranty.replacement_candidates(records, warranty.repairs_in_warranty(records, end))
    return {
        "as_of": day, "within_days": within_days,
        "expiring": len(soon), "expiring_assets": [_asset_row(r) for r in soon],
        "expired": len(gone), "expired_assets": [_asset_row(r) for r in gone],
        "out_of_warranty_tickets": len(out), "out_of_warranty_cost": cost,
        "replacement_candidates": [{"asset": c.asset.id, "name": c.asset.name, "repairs": len(c.tickets),
                                    "tickets": [t.id for t in c.tickets]} for c in candidates],
    }


def analysis_section(records: Records, tickets: Sequence[Ticket], period: Period) -> dict[str, Any]:
    tz = records.settings.tz
    opened = [t for t in tickets if is_opened(t, period)]
    pairs: Counter[tuple[str, str]] = Counter()
    for t in opened:
        asset = records.assets.get(t.asset or "")
        if asset and t.category:
            pairs[(asset.category, t.category)] += 1
    hours, weekdays = [0] * 24, [0] * 7
    weeks: Counter[dt.date] = Counter()
    for t in opened:
        local = t.reported_at.astimezone(tz)
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


def report_tickets(records: Records, periods: Sequence[Period], at: dt.datetime) -> Iterator[Ticket]:
    """The tickets of `kpis.report_ids` as of `at` (those reported by then), each built for one use."""
    for t in records.each_ticket(report_ids(records, periods, at)):
        seen = t.as_of(at)
        if seen is not None:
            yield seen


def quarterly(records: Records, period: Period, at: dt.datetime, previous: Period | None = None,
              within_days: int = 180) -> dict[str, Any]:
    """Every number of the quarterly report for `period`, as of `at` (with the trend against `previous`)."""
    periods = [period] + ([previous] if previous is not None else [])
    tickets = list(report_tickets(records, periods, at))
    tickets.sort(key=lambda t: (t.reported_at, t.id))
    first = min(p.start for p in periods)   # a clock starts at an event: those of the periods' tickets
    timed = [t.id for t in tickets if t.reported_at >= first or any(e.at >= first for e in t.events)]
    cycles = sla.cycles_of(records, at, timed)   # stopped clocks: kept from an earlier run
    report = _numbers(records, tickets, cycles, period, at, within_days)
    if previous is not None:
        report["trend"] = trend(report, _numbers(records, tickets, cycles, previous, at, within_days))
    return report


def _numbers(records: Records, tickets: Sequence[Ticket], cycles: Sequence[sla.Cycle], period: Period,
             at: dt.datetime, within_days: int) -> dict[str, Any]:
    s = records.settings
    tz = s.tz
    end = state_instant(period, at)
    day = end.astimezone(tz).date()
    # every figure of the period but repeat repairs (which look 90 days back) counts only tickets
    # reported or with an event in the period: those are looked at, in the same order
    inside = [t for t in tickets if t.reported_at in period or any(e.at in period for e in t.events)]
    return {
        "period": {"name": period.name, "start": period.start.astimezone(tz), "end": period.end.astimezone(tz),
                   "first_day": period.start.date(), "last_day": period.end.date() - dt.timedelta(days=1)},
        "as_of": at.astimezone(tz), "state_as_of": day,
        "project": {"name": s.name, "customer": s.customer, "supplier": s.supplier, "timezone": s.timezone,
                    "currency": s.currency},
        "tickets": tickets_section(records, inside, period),
        "sla": (section := sla_section(records, cycles, period)),
        "sla_total": sla_total(section),
        "sla_groups": sla_groups(records),
        "breaches": breaches(records, {t.id: t for t in tickets}, cycles, period, at),
        "quality": quality_section(tickets, period),
        "satisfaction": satisfaction_section(inside, period),
        "revisit_satisfaction": satisfaction_section(inside, period, "revisit"),
        "callbacks": callbacks_section(inside, period),
        "follow_ups": follow_ups_section(inside, period),
        "maintenance": maintenance_section(records, period, at),
        "findings": findings_section(records, period, day),
        "warranty": warranty_section(records, inside, period, end, day, within_days),
        "parts": parts_section(records, period, at, day),
        "analysis": analysis_section(records, inside, period),
    }


def report(records: Records, period: Period, at: dt.datetime, within_days: int = 180) -> dict[str, Any]:
    """The quarterly report's numbers for `period`, with the trend against the period before it."""
    return quarterly(records, period, at, previous_period(period, records.settings.tz), within_days)
