"""Checks across fields and records: each a small function yielding located problems.

Types, required keys, allowed values and unknown keys are checked by `spec`
while files are read; what needs more than one field or more than one record
is checked here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
from collections.abc import Callable, Iterable, Iterator

from dateutil.rrule import rrulestr

from aftersales.core.model import Asset, Inspection, Part, Records, Settings, Ticket
from aftersales.engine import parts
from aftersales.store.files import SETTINGS_FILE, Loaded
from aftersales.store.spec import CATEGORIES, EVENT_FIELDS, KINDS, KINDS_WITH_ASSET, SEVERITIES, Problem

COMMON_EVENT_FIELDS = ("at", "type", "by", "note")


def _error(path: str, line: int, code: str, message: str) -> Problem:
    return Problem(path, line, 1, "error", code, message)


def _warning(path: str, line: int, code: str, message: str) -> Problem:
    return Problem(path, line, 1, "warning", code, message)


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _missing(records: Records, kind: str, ident: str) -> bool:
    """No such record, and no file of that name either (a broken file has its own problems)."""
    table = {"asset": records.assets, "ticket": records.tickets, "inspection": records.inspections,
             "part": records.parts}[kind]
    return ident not in table and not records.has_file(kind, ident)


# --- settings ---------------------------------------------------------------

def check_settings(s: Settings) -> Iterator[Problem]:
    line = s.lines.get
    for area in s.areas.values():
        if area.priority not in s.priorities:
            yield _error(SETTINGS_FILE, area.line, "unknown-priority",
                         f"areas.{area.id}.priority: {area.priority!r} is not one of priorities "
                         f"({', '.join(s.priorities)})" + _suggest(area.priority, s.priorities))
    if "always" in s.calendars:
        yield _error(SETTINGS_FILE, line("calendars", 1), "reserved",
                     "calendars.always: `always` is built in (24 x 7) and cannot be redefined")
    for cal in s.calendars.values():
        yield from _check_calendar(cal, cal.line)
    for index, target in enumerate(s.targets, 1):
        yield from _check_target(s, index, target, target.line)
    yield from _check_plans(s)


def _check_calendar(cal, line: int) -> Iterator[Problem]:
    if not cal.week and not cal.extra_workdays:
        yield _error(SETTINGS_FILE, line, "calendar", f"calendars.{cal.id}: it has no working day at all")
    windows = sorted(cal.hours)
    for (_, end), (start, _) in itertools.pairwise(windows):
        if start < end:
            yield _error(SETTINGS_FILE, line, "calendar",
                         f"calendars.{cal.id}.hours: windows overlap at {start:%H:%M}")


_WHEN_VALUES: dict[str, Callable[[Settings], Iterable[str]]] = {
    "kind": lambda s: KINDS, "severity": lambda s: SEVERITIES, "category": lambda s: CATEGORIES,
    "priority": lambda s: s.priorities, "area": lambda s: s.areas,
}


def _check_target(s: Settings, index: int, target, line: int) -> Iterator[Problem]:
    name = f"sla.targets[{index}] ({target.id})"
    for key, values in target.when.items():
        allowed = list(_WHEN_VALUES[key](s))
        for value in values:
            if value not in allowed:
                yield _error(SETTINGS_FILE, line, "value", f"{name}.when.{key}: {value!r} is not one of "
                             f"{', '.join(allowed)}" + _suggest(value, allowed))
    if isinstance(target.within, dict):
        for key in target.within:
            if key not in s.priorities:
                yield _error(SETTINGS_FILE, line, "unknown-priority",
                             f"{name}.within: {key!r} is not one of priorities ({', '.join(s.priorities)})")
        missing = [p for p in s.priorities if p not in target.within]
        if missing:
            yield _error(SETTINGS_FILE, line, "required",
                         f"{name}.within: no time for priority {', '.join(missing)}")
    if target.calendar != "always" and target.calendar not in s.calendars:
        yield _error(SETTINGS_FILE, line, "unknown-calendar",
                     f"{name}.calendar: no calendar {target.calendar!r}" + _suggest(target.calendar, s.calendars))
    if target.start in target.stop:
        yield _error(SETTINGS_FILE, line, "value", f"{name}: `{target.start}` both starts and stops the clock")
    if target.pausable and "paused" in target.stop:
        yield _error(SETTINGS_FILE, line, "value", f"{name}: a pausable clock cannot stop at `paused`")


def _check_plans(s: Settings) -> Iterator[Problem]:
    seen: set[str] = set()
    for plan in s.plans:
        line = plan.line
        if plan.id in seen:
            yield _error(SETTINGS_FILE, line, "duplicate-id", f"maintenance: plan id {plan.id!r} is used twice")
        seen.add(plan.id)
        for area in plan.areas or ():
            if area not in s.areas:
                yield _error(SETTINGS_FILE, line, "unknown-area",
                             f"maintenance.{plan.id}.areas: no area {area!r}" + _suggest(area, s.areas))
        if not _has_dates(plan):
            yield _error(SETTINGS_FILE, line, "rrule",
                         f"maintenance.{plan.id}.rrule: gives no date in the {RULE_HORIZON_YEARS} years "
                         f"from {plan.start}")
        if plan.early is not None and plan.early.unit != "d":
            yield _error(SETTINGS_FILE, line, "duration",
                         f"maintenance.{plan.id}.early: give it in days, like 14d (not {plan.early})")


RULE_HORIZON_YEARS = 10


def _has_dates(plan) -> bool:
    """A rule such as BYMONTH=2;BYMONTHDAY=30 parses but never happens."""
    start = dt.datetime.combine(plan.start, dt.time(0))
    rule = rrulestr(plan.rrule, dtstart=start)
    return bool(rule.between(start, start.replace(year=start.year + RULE_HORIZON_YEARS), inc=True))


# --- assets -----------------------------------------------------------------

def check_asset(asset: Asset, s: Settings) -> Iterator[Problem]:
    path, line = asset.where.path, asset.where.line
    if asset.area not in s.areas:
        yield _error(path, asset.lines.get("area", line), "unknown-area",
                     f"area {asset.area!r} is not one of the settings' areas ({', '.join(s.areas)})"
                     + _suggest(asset.area, s.areas))
    extension = sum(e.years for e in asset.extensions)
    if extension > s.max_extension_years:
        yield _error(path, asset.lines.get("warranty", line), "warranty-cap",
                     f"warranty extensions add up to {extension} years; at most "
                     f"{s.max_extension_years} are allowed (warranty.max_extension_years)")
    if asset.extensions and asset.installed is None:
        yield _warning(path, line, "warranty", "a warranty is extended but `installed` is missing")


# --- tickets ----------------------------------------------------------------

def check_ticket(t: Ticket, records: Records) -> Iterator[Problem]:
    s = records.settings
    path, line = t.where.path, t.lines.get
    if t.kind in KINDS_WITH_ASSET and t.asset is None:
        yield _error(path, t.where.line, "required", f"asset: required for a {t.kind} ticket")
    if t.asset is not None and _missing(records, "asset", t.asset):
        yield _error(path, line("asset", 1), "unknown-asset",
                     f"asset {t.asset!r} does not exist (no assets/{t.asset}.yaml)"
                     + _suggest(t.asset, records.assets))
    if s is not None:
        if t.area is not None and t.area not in s.areas:
            yield _error(path, line("area", 1), "unknown-area",
                         f"area {t.area!r} is not one of the settings' areas" + _suggest(t.area, s.areas))
        if t.priority is not None and t.priority not in s.priorities:
            yield _error(path, line("priority", 1), "unknown-priority",
                         f"priority {t.priority!r} is not one of {', '.join(s.priorities)}"
                         + _suggest(t.priority, s.priorities))
    asset = records.assets.get(t.asset or "")
    if isinstance(asset, Asset) and t.area and t.area != asset.area:
        yield _warning(path, line("area", 1), "area-mismatch",
                       f"area {t.area!r} differs from the asset's area {asset.area!r}")
    if t.inspection is not None and _missing(records, "inspection", t.inspection):
        yield _error(path, line("inspection", 1), "unknown-inspection",
                     f"inspection {t.inspection!r} does not exist" + _suggest(t.inspection, records.inspections))
    yield from check_events(t, records)


def check_events(t: Ticket, records: Records | None) -> Iterator[Problem]:
    """The event log's rules: order, first event, what may follow what, fields per type
    (and, given the records, that the parts used exist)."""
    path = t.where.path
    if t.events[0].type != "reported":
        yield _error(path, t.events[0].line, "first-event",
                     f"the first event must be `reported`, not `{t.events[0].type}`")
    previous = None
    state, paused = "open", False
    for event in t.events:
        if previous is not None and event.at < previous.at:
            yield _error(path, event.line, "event-order",
                         f"`{event.type}` at {event.at.isoformat()} is earlier than the event before it "
                         f"({previous.at.isoformat()}); events are in time order")
        if previous is not None and event.type == "reported":
            yield _error(path, event.line, "first-event", "`reported` can only be the first event")
        yield from _event_fields(path, event)
        if state == "cancelled" and event.type != "reopened":
            yield _error(path, event.line, "after-cancel",
                         f"`{event.type}` after `cancelled`: only `reopened` may follow a cancellation")
        if event.type in ("callback", "accepted") and state != "resolved":
            yield _error(path, event.line, "not-resolved",
                         f"`{event.type}` on a ticket that is not resolved")
        if event.type == "reopened" and state == "open":
            yield _error(path, event.line, "not-closed",
                         "`reopened` on an open ticket: only a resolved or cancelled ticket can be reopened")
        if event.type == "resolved" and state == "resolved":
            yield _error(path, event.line, "already-resolved",
                         "`resolved` on a ticket that is already resolved; log `reopened` first")
        if event.type == "resumed" and not paused:
            yield _error(path, event.line, "not-paused", "`resumed` without a `paused` before it")
        if event.type == "paused" and paused:
            yield _error(path, event.line, "already-paused", "`paused` while already paused")
        if event.until is not None and event.until < event.at:
            yield _error(path, event.line, "until-before",
                         f"`until` {event.until.isoformat()} is before the event itself")
        for use in event.parts:
            if records is not None and _missing(records, "part", use.part):
                yield _error(path, event.line, "unknown-part",
                             f"part {use.part!r} does not exist (no parts/{use.part}.yaml)"
                             + _suggest(use.part, records.parts))
        state, paused = _next_state(state, paused, event.type)
        previous = event


def _next_state(state: str, paused: bool, kind: str) -> tuple[str, bool]:
    if kind == "paused":
        return state, True
    if kind == "resumed":
        return state, False
    if kind in ("resolved", "cancelled"):
        return kind, False
    if kind == "reopened":
        return "open", False
    return state, paused


def _events(types: list[str]) -> str:
    return " and ".join(f"`{t}`" for t in types) + " events"


def _event_fields(path: str, event) -> Iterator[Problem]:
    allowed = EVENT_FIELDS[event.type]
    carried = {"to": event.to, "verdict": event.verdict, "until": event.until, "reason": event.reason,
               "parts": event.parts or None, "cost": event.cost, "satisfaction": event.satisfaction}
    for name, value in carried.items():
        if value is not None and name not in allowed:
            carriers = [t for t, fields in EVENT_FIELDS.items() if name in fields]
            yield _error(path, event.line, "event-field",
                         f"`{event.type}` does not carry `{name}` (only {_events(carriers)} do)")
    if event.type == "inspected" and event.verdict is None:
        yield _warning(path, event.line, "event-field", "`inspected` without a `verdict` (accept / reject)")
    if event.type == "workaround" and event.until is None:
        yield _warning(path, event.line, "event-field", "`workaround` without `until`: no agreed date")


# --- inspections ------------------------------------------------------------

def check_inspection(ins: Inspection, records: Records) -> Iterator[Problem]:
    s = records.settings
    path, line = ins.where.path, ins.lines.get
    plan = next((p for p in s.plans if p.id == ins.plan), None) if s else None
    if ins.plan is not None and s is not None and plan is None:
        yield _error(path, line("plan", 1), "unknown-plan", f"plan {ins.plan!r} is not a maintenance plan"
                     + _suggest(ins.plan, [p.id for p in s.plans]))
    if s is not None:
        for area in ins.areas:
            if area not in s.areas:
                yield _error(path, line("areas", 1), "unknown-area",
                             f"area {area!r} is not one of the settings' areas" + _suggest(area, s.areas))
    if plan is not None and len(ins.inspectors) < plan.inspectors:
        yield _warning(path, line("inspectors", 1), "inspectors",
                       f"plan {plan.id} needs {plan.inspectors} inspectors; {len(ins.inspectors)} listed")
    for check in ins.checks:
        if _missing(records, "asset", check.asset):
            yield _error(path, check.line, "unknown-asset", f"asset {check.asset!r} does not exist"
                         + _suggest(check.asset, records.assets))
        if plan is not None:
            for item in check.results:
                if item not in plan.checklist:
                    yield _error(path, check.line, "unknown-key", f"{item!r} is not on the checklist of "
                                 f"plan {plan.id} ({', '.join(plan.checklist)})" + _suggest(item, plan.checklist))
    if ins.signoff is not None and ins.signoff.date < ins.date:
        yield _error(path, line("signoff", 1), "date-order",
                     f"signed off {ins.signoff.date}, before the inspection ({ins.date})")
    seen: set[str] = set()
    for finding in ins.findings:
        if finding.id in seen:
            yield _error(path, finding.line, "duplicate-id", f"finding id {finding.id!r} is used twice")
        seen.add(finding.id)
        if finding.asset is not None and _missing(records, "asset", finding.asset):
            yield _error(path, finding.line, "unknown-asset", f"finding {finding.id}: asset {finding.asset!r} "
                         "does not exist" + _suggest(finding.asset, records.assets))
        if finding.ticket is not None and _missing(records, "ticket", finding.ticket):
            yield _error(path, finding.line, "unknown-ticket",
                         f"finding {finding.id}: ticket {finding.ticket!r} does not exist")
        if finding.closed is not None and finding.closed < ins.date:
            yield _error(path, finding.line, "date-order",
                         f"finding {finding.id}: closed {finding.closed} before the inspection ({ins.date})")


# --- parts ------------------------------------------------------------------

def check_part(part: Part) -> Iterator[Problem]:
    for movement in part.movements:
        given = [k for k, v in (("in", movement.received), ("out", movement.taken), ("count", movement.count))
                 if v is not None]
        if len(given) != 1:
            yield _error(part.where.path, movement.line, "movement",
                         "a movement has exactly one of `in`, `out` or `count`"
                         + (f" (it has {', '.join(given)})" if given else ""))


def check_stock(records: Records) -> Iterator[Problem]:
    """A part whose stock falls below zero: a delivery or a count is missing, or a quantity is wrong."""
    tz = records.settings.tz
    used = parts.usage_by_day(records.tickets.values(), tz)
    for part in records.parts.values():
        shortage = parts.first_shortage(part, used.get(part.id, {}))
        if shortage:
            day, level = shortage
            yield _warning(part.where.path, part.where.line, "stock",
                           f"the stock of {part.id} falls to {level:g} {part.unit} on {day}: more was used "
                           "than received; record the delivery or a stock count, or correct the quantity")


def validate(loaded: Loaded) -> list[Problem]:
    """Every problem of a loaded records folder, sorted by file and line."""
    records = loaded.records
    problems = list(loaded.problems)
    s = records.settings
    if s is not None:
        problems.extend(check_settings(s))
        for asset in records.assets.values():
            problems.extend(check_asset(asset, s))
    for ticket in records.tickets.values():
        problems.extend(check_ticket(ticket, records))
    for inspection in records.inspections.values():
        problems.extend(check_inspection(inspection, records))
    for part in records.parts.values():
        problems.extend(check_part(part))
    if s is not None:
        problems.extend(check_stock(records))
    return sorted(set(problems), key=lambda p: (p.path != SETTINGS_FILE, p.path, p.line, p.column, p.code))
