"""Plain-language explanations of SLA cycles, for a service-desk person to read to a customer."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aftersales.engine.calendar import WorkCalendar
from aftersales.engine.sla import Cycle
from aftersales.views.fmt import human_seconds, short

STATUS_WORDS = {
    "met": "MET", "breached": "BREACHED", "running": "RUNNING", "at-risk": "AT RISK",
    "paused": "PAUSED", "void": "VOID (cancelled before its deadline: neither met nor breached)",
}


def explain(cycle: Cycle, calendar: WorkCalendar, at) -> list[str]:
    """The story of one cycle: start, what counted, why the deadline is what it is, the result."""
    tz = calendar.tz
    lines = [f"{cycle.target} (cycle {cycle.cycle}): {STATUS_WORDS[cycle.status]}"]
    lines.append(f"  started {short(cycle.start, tz)} at `{cycle.start_event}`")
    lines.append("  allowed " + _allowed_reason(cycle, calendar))
    effective = calendar.next_working_instant(cycle.start) if not calendar.always else cycle.start
    if effective != cycle.start:
        lines.append(f"  the clock started outside working time: counting began {short(effective, tz)}")
    end = cycle.stop or at
    lines.extend(_pieces(cycle, calendar, end))
    if cycle.base_deadline is not None and cycle.agreed:
        lines.append(f"  deadline by the target: {short(cycle.base_deadline, tz)}")
        for event in cycle.agreed:
            lines.append(f"  workaround at {short(event.at, tz)}, before the deadline: the customer agreed "
                         f"to final resolution by {short(event.until, tz)}")
    for event in cycle.late_workarounds:
        lines.append(f"  workaround at {short(event.at, tz)} came after the deadline: it changes nothing")
    lines.append(_result(cycle, tz))
    return lines


def _allowed_reason(cycle: Cycle, calendar: WorkCalendar) -> str:
    by_priority = cycle.definition is not None and isinstance(cycle.definition.within, dict)
    why = f"priority {cycle.priority}" if by_priority else "the same for every priority"
    unit = {"m": "minutes", "h": "hours", "d": "days"}[cycle.within.unit]
    if calendar.always:
        counted = "every minute counts"
    else:
        counted = f"counted on the `{calendar.name}` calendar (working time only)"
        if cycle.within.unit == "d":
            counted += "; the start day does not count, the deadline is 24:00 of the last working day"
    return f"{cycle.within} ({cycle.within.amount} {unit}; {why}; {counted})"


def _pieces(cycle: Cycle, calendar: WorkCalendar, end) -> list[str]:
    tz = calendar.tz
    lines = []
    for pause in cycle.pauses:
        why = f" ({pause.reason})" if pause.reason else ""
        if pause.end is None:   # still paused: it has no end yet
            lines.append(f"  paused since {short(pause.start, tz)}{why}: not counted")
        else:
            lines.append(f"  paused {short(pause.start, tz)} → {short(pause.end, tz)}{why}: not counted")
    if not calendar.always:
        outside = [(a, b) for a, b, counted in calendar.segments(cycle.start, end) if not counted]
        for a, b in outside[:6]:
            lines.append(f"  outside working time {short(a, tz)} → {short(b, tz)}: not counted")
        if len(outside) > 6:
            lines.append(f"  ... and {len(outside) - 6} more stretches outside working time")
    return lines


def _result(cycle: Cycle, tz: ZoneInfo) -> str:
    counted = f"{human_seconds(cycle.elapsed)} counted of {human_seconds(cycle.allowed)} allowed"
    deadline = short(cycle.deadline, tz)
    if cycle.status in ("met", "breached") and cycle.stop is not None and cycle.deadline is not None and (
            cycle.stop_event in (cycle.definition.stop if cycle.definition else ())):
        gap = abs(int((cycle.deadline - cycle.stop).total_seconds()))
        verdict = "in time" if cycle.status == "met" else "late"
        how = f"{human_seconds(gap)} {'before' if cycle.status == 'met' else 'after'} the deadline"
        return (f"  stopped {short(cycle.stop, tz)} at `{cycle.stop_event}`: {counted}; deadline {deadline}; "
                f"{verdict}, {how}")
    if cycle.stop is not None:
        passed = "after" if cycle.status == "breached" else "before"
        return (f"  stopped {short(cycle.stop, tz)} by `{cycle.stop_event}`, {passed} the deadline {deadline}; "
                f"{counted}")
    if cycle.status == "paused" and cycle.agreed:
        return f"  paused now: {counted}; the agreed deadline {deadline} stays where it is"
    if cycle.status == "paused":
        return f"  paused now: {counted}; the deadline moves on when work resumes"
    if cycle.status == "breached":
        return f"  still running past the deadline {deadline}: {counted}"
    return f"  running: {counted}; deadline {deadline}"
