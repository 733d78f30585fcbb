"""Checks of aftersales.yaml that need more than one field: references between its parts."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlsplit

from dateutil.rrule import rrulestr

from aftersales.checks.common import error, warning
from aftersales.core.model import CalendarSpec, Settings, Target
from aftersales.core.problems import Problem, did_you_mean
from aftersales.store.paths import SETTINGS_FILE
from aftersales.store.spec import CATEGORIES, KINDS, SEVERITIES

RULE_HORIZON_YEARS = 10


def _error(line: int, code: str, message: str) -> Problem:
    return error(SETTINGS_FILE, line, code, message)


def check_settings(s: Settings) -> Iterator[Problem]:
    for area in s.areas.values():
        if area.priority not in s.priorities:
            yield _error(area.line, "unknown-priority",
                         f"areas.{area.id}.priority: {area.priority!r} is not one of priorities "
                         f"({', '.join(s.priorities)})" + did_you_mean(area.priority, s.priorities))
    if "always" in s.calendars:
        yield _error(s.lines.get("calendars", 1), "reserved",
                     "calendars.always: `always` is built in (24 x 7) and cannot be redefined")
    for cal in s.calendars.values():
        yield from _check_calendar(cal)
    for index, target in enumerate(s.targets, 1):
        yield from _check_target(s, index, target)
    yield from _check_plans(s)
    yield from _check_serve(s)
    yield from _check_target_names(s)


def _check_target_names(s: Settings) -> Iterator[Problem]:
    """`sla.names` and `sla.groups` name target ids that exist (a warning: a target taken out of the
    settings may keep its name and place); a target is in one group at most."""
    ids = list(dict.fromkeys(t.id for t in s.targets))
    for key in s.target_names:
        if key not in ids:
            yield warning(SETTINGS_FILE, s.lines.get("sla", 1), "unknown-target",
                         f"sla.names.{key}: no target {key!r}" + did_you_mean(key, ids))
    seen: dict[str, str] = {}
    for group in s.target_groups:
        if group.id in {g.id for g in s.target_groups[:s.target_groups.index(group)]}:
            yield _error(group.line, "duplicate-id", f"sla.groups: group id {group.id!r} is used twice")
        for target in group.targets:
            if target not in ids:
                yield warning(SETTINGS_FILE, group.line, "unknown-target",
                             f"sla.groups ({group.id}).targets: no target {target!r}" + did_you_mean(target, ids))
            elif target in seen:
                yield _error(group.line, "duplicate",
                             f"sla.groups ({group.id}).targets: {target!r} is already in group {seen[target]!r}")
            else:
                seen[target] = group.id


def _check_calendar(cal: CalendarSpec) -> Iterator[Problem]:
    if not cal.week and not cal.extra_workdays:
        yield _error(cal.line, "calendar", f"calendars.{cal.id}: it has no working day at all")
    windows = sorted(cal.hours)
    for (_, end), (start, _) in itertools.pairwise(windows):
        if start < end:
            yield _error(cal.line, "calendar", f"calendars.{cal.id}.hours: windows overlap at {start:%H:%M}")


_WHEN_VALUES: dict[str, Callable[[Settings], Iterable[str]]] = {
    "kind": lambda s: KINDS, "severity": lambda s: SEVERITIES, "category": lambda s: CATEGORIES,
    "priority": lambda s: s.priorities, "area": lambda s: s.areas,
}


def _check_target(s: Settings, index: int, target: Target) -> Iterator[Problem]:
    name, line = f"sla.targets[{index}] ({target.id})", target.line
    for key, values in target.when.items():
        allowed = list(_WHEN_VALUES[key](s))
        for value in values:
            if value not in allowed:
                yield _error(line, "value", f"{name}.when.{key}: {value!r} is not one of "
                             f"{', '.join(allowed)}" + did_you_mean(value, allowed))
    if isinstance(target.within, dict):
        for key in target.within:
            if key not in s.priorities:
                yield _error(line, "unknown-priority",
                             f"{name}.within: {key!r} is not one of priorities ({', '.join(s.priorities)})")
        missing = [p for p in s.priorities if p not in target.within]
        if missing:
            yield _error(line, "required", f"{name}.within: no time for priority {', '.join(missing)}")
    if target.calendar != "always" and target.calendar not in s.calendars:
        yield _error(line, "unknown-calendar",
                     f"{name}.calendar: no calendar {target.calendar!r}" + did_you_mean(target.calendar, s.calendars))
    if target.start in target.stop:
        yield _error(line, "value", f"{name}: `{target.start}` both starts and stops the clock")
    if target.pausable and "paused" in target.stop:
        yield _error(line, "value", f"{name}: a pausable clock cannot stop at `paused`")


def _check_plans(s: Settings) -> Iterator[Problem]:
    seen: set[str] = set()
    for plan in s.plans:
        line = plan.line
        if plan.id in seen:
            yield _error(line, "duplicate-id", f"maintenance: plan id {plan.id!r} is used twice")
        seen.add(plan.id)
        for area in plan.areas or ():
            if area not in s.areas:
                yield _error(line, "unknown-area",
                             f"maintenance.{plan.id}.areas: no area {area!r}" + did_you_mean(area, s.areas))
        if not _has_dates(plan.rrule, plan.start):
            yield _error(line, "rrule", f"maintenance.{plan.id}.rrule: gives no date in the {RULE_HORIZON_YEARS} "
                         f"years from {plan.start}")
        if plan.early is not None and plan.early.unit != "d":
            yield _error(line, "duration",
                         f"maintenance.{plan.id}.early: give it in days, like 14d (not {plan.early})")


def _has_dates(rule_text: str, first: dt.date) -> bool:
    """A rule such as BYMONTH=2;BYMONTHDAY=30 parses but never happens."""
    start = dt.datetime.combine(first, dt.time(0))
    rule = rrulestr(rule_text, dtstart=start)
    return bool(rule.between(start, start.replace(year=start.year + RULE_HORIZON_YEARS), inc=True))


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def _check_serve(s: Settings) -> Iterator[Problem]:
    url = urlsplit(s.serve.base_url)
    if url.scheme == "http" and url.hostname not in LOCAL_HOSTS:
        yield warning(SETTINGS_FILE, s.lines.get("serve", 1), "insecure-url",
                      f"serve.base_url: {s.serve.base_url} is plain http: reports and sign-ins would cross the "
                      "network unencrypted; serve the app behind a TLS proxy and write https://")
