"""Checks of a ticket: its references to other records and the rules of its event log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from aftersales.checks.common import Known, error, warning
from aftersales.core.model import Event, Ticket
from aftersales.core.problems import Problem, did_you_mean
from aftersales.engine.parts import counted
from aftersales.store.spec import COMMON_EVENT_FIELDS, EVENT, KINDS_WITH_ASSET, event_fields


def check_ticket(t: Ticket, known: Known) -> Iterator[Problem]:
    s = known.settings
    path, line = t.where.path, t.lines.get
    if t.kind in KINDS_WITH_ASSET and t.asset is None:
        yield error(path, t.where.line, "required", f"asset: required for a {t.kind} ticket")
    if t.asset is not None and known.missing("asset", t.asset):
        yield error(path, line("asset", 1), "unknown-asset",
                    f"asset {t.asset!r} does not exist (no assets/{t.asset}.yaml)" + known.suggest("asset", t.asset))
    if s is not None:
        if t.area is not None and t.area not in s.areas:
            yield error(path, line("area", 1), "unknown-area",
                        f"area {t.area!r} is not one of the settings' areas" + did_you_mean(t.area, s.areas))
        if t.priority is not None and t.priority not in s.priorities:
            yield error(path, line("priority", 1), "unknown-priority",
                        f"priority {t.priority!r} is not one of {', '.join(s.priorities)}"
                        + did_you_mean(t.priority, s.priorities))
    asset = known.assets.get(t.asset or "")
    if asset is not None and t.area and t.area != asset.area:
        yield warning(path, line("area", 1), "area-mismatch",
                      f"area {t.area!r} differs from the asset's area {asset.area!r}")
    if t.inspection is not None and known.missing("inspection", t.inspection):
        yield error(path, line("inspection", 1), "unknown-inspection",
                    f"inspection {t.inspection!r} does not exist" + known.suggest("inspection", t.inspection))
    yield from check_events(t, known, known.now)


# What may happen in which state of an opening (the order rules, read in the order of `at`).
WHILE_OPEN = frozenset({"assigned", "responded", "arrived", "inspected", "diagnosed", "informed", "workaround",
                        "paused", "resumed", "escalated", "resolved", "cancelled", "note"})
AFTER_RESOLVED = frozenset({"callback", "accepted", "message", "revisit", "reopened", "note"})
AFTER_CANCELLED = frozenset({"reopened"})
FUTURE_TOLERANCE = dt.timedelta(minutes=1)  # clocks of two laptops never agree to the second


def check_events(t: Ticket, known: Known | None, now: dt.datetime | None = None) -> Iterator[Problem]:
    """The event log's rules. The file starts with `reported`; nothing happens before it; events
    are then read in the order of `at` (ties in file order) for what may follow what within an
    opening; late entries carry `logged`; nothing happened after `now`; each type carries only
    its own fields; and, when the other records are known, the parts used exist."""
    path = t.where.path
    in_file = sorted(t.events, key=lambda e: e.line)
    first = in_file[0]
    if first.type != "reported":
        yield error(path, first.line, "first-event", f"the first event must be `reported`, not `{first.type}`")
    before = {e.line for e in t.events if first.type == "reported" and e.at < first.at}
    for event in in_file:
        if event.line in before:
            yield error(path, event.line, "before-reported",
                        f"`{event.type}` at {event.at.isoformat()} is before the request was reported "
                        f"({first.at.isoformat()}); is the date right?")
    yield from _late_entries(in_file, path, before)
    state, paused = "open", False
    for event in t.events:
        if event.line in before:
            continue
        if event is not first and event.type == "reported":
            yield error(path, event.line, "first-event", "`reported` can only be the first event")
        if now is not None and event.at > now + FUTURE_TOLERANCE:
            yield error(path, event.line, "future",
                        f"`{event.type}` at {event.at.isoformat()} is after now ({now.isoformat(timespec='seconds')}); "
                        "a typo in the date?")
        yield from _event_fields(path, event)
        problem = _out_of_order(event.type, state, paused)
        if problem:
            yield error(path, event.line, *problem)
        if event.until is not None and event.until < event.at:
            yield error(path, event.line, "until-before",
                        f"`until` {event.until.isoformat()} is before the event itself")
        for use in event.parts:
            part = known.parts.get(use.part) if known is not None else None
            if known is not None and known.missing("part", use.part):
                yield error(path, event.line, "unknown-part",
                            f"part {use.part!r} does not exist (no parts/{use.part}.yaml)"
                            + known.suggest("part", use.part))
            elif part is not None and counted(part) and not float(use.qty).is_integer():
                yield error(path, event.line, "part-quantity",
                            f"part {use.part} is counted in {part.unit}: {use.qty:g} is not a whole number")
        state, paused = _next_state(state, paused, event.type)


def _out_of_order(kind: str, state: str, paused: bool) -> tuple[str, str] | None:
    """The code and message of an event that cannot happen in this state, with the way out."""
    if kind == "reported":
        return None
    if state == "cancelled" and kind not in AFTER_CANCELLED:
        return ("after-cancel", f"`{kind}` after `cancelled`: only `reopened` may follow a cancellation; "
                                "if it happened before the cancellation, log it with its time (a late entry)")
    if state == "resolved" and kind not in AFTER_RESOLVED:
        if kind == "resolved":
            return "already-resolved", "`resolved` on a ticket that is already resolved; log `reopened` first"
        return ("after-resolved", f"`{kind}` after `resolved`: if it happened before the fix, log it with its "
                                  "time (a late entry); if the fix did not hold, log `reopened` first")
    if state == "open" and kind not in WHILE_OPEN:
        if kind == "reopened":
            return ("not-closed",
                    "`reopened` on an open ticket: only a resolved or cancelled ticket can be reopened")
        return "not-resolved", f"`{kind}` on a ticket that is not resolved"
    if kind == "resumed" and not paused:
        return "not-paused", "`resumed` without a `paused` before it"
    if kind == "paused" and paused:
        return "already-paused", "`paused` while already paused"
    return None


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


def _late_entries(in_file: list[Event], path: str, skip: set[int]) -> Iterator[Problem]:
    """An event written after a later one (in the file) is a late entry and carries `logged`,
    which is never before its `at`."""
    latest = None
    for event in in_file:
        if event.logged is not None and event.logged < event.at:
            yield error(path, event.line, "logged-before",
                        f"`logged` {event.logged.isoformat()} is before the event itself ({event.at.isoformat()})")
        if latest is not None and event.at < latest and event.logged is None and event.line not in skip:
            yield error(path, event.line, "late-entry",
                        f"`{event.type}` at {event.at.isoformat()} comes after a later event in the file; "
                        "a late entry carries `logged` (`ticket log --at` writes it)")
        latest = event.at if latest is None else max(latest, event.at)


def _event_fields(path: str, event: Event) -> Iterator[Problem]:
    carried = event_fields()
    allowed = set(COMMON_EVENT_FIELDS) | set(carried[event.type])
    for name in sorted(event.keys - allowed, key=EVENT.order.index):
        carriers = [t for t, fields in carried.items() if name in fields]
        yield error(path, event.line, "event-field",
                    f"`{event.type}` does not carry `{name}` (only "
                    + " and ".join(f"`{t}`" for t in carriers) + " events do)")
    if event.type == "inspected" and event.verdict is None:
        yield warning(path, event.line, "event-field", "`inspected` without a `verdict` (accept / reject)")
    if event.type == "workaround" and event.until is None:
        yield warning(path, event.line, "event-field", "`workaround` without `until`: no agreed date")
