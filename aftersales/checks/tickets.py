"""Checks of a ticket: its references to other records and the rules of its event log."""

from __future__ import annotations

from collections.abc import Iterator

from aftersales.checks.common import Known, error, warning
from aftersales.core.model import Event, Ticket
from aftersales.core.problems import Problem, did_you_mean
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
    yield from check_events(t, known)


def check_events(t: Ticket, known: Known | None) -> Iterator[Problem]:
    """The event log's rules: order, first event, what may follow what, fields per type
    (and, when the other records are known, that the parts used exist)."""
    path = t.where.path
    if t.events[0].type != "reported":
        yield error(path, t.events[0].line, "first-event",
                    f"the first event must be `reported`, not `{t.events[0].type}`")
    previous = None
    state, paused = "open", False
    for event in t.events:
        if previous is not None and event.at < previous.at:
            yield error(path, event.line, "event-order",
                        f"`{event.type}` at {event.at.isoformat()} is earlier than the event before it "
                        f"({previous.at.isoformat()}); events are in time order")
        if previous is not None and event.type == "reported":
            yield error(path, event.line, "first-event", "`reported` can only be the first event")
        yield from _event_fields(path, event)
        if state == "cancelled" and event.type != "reopened":
            yield error(path, event.line, "after-cancel",
                        f"`{event.type}` after `cancelled`: only `reopened` may follow a cancellation")
        if event.type in ("callback", "accepted") and state != "resolved":
            yield error(path, event.line, "not-resolved", f"`{event.type}` on a ticket that is not resolved")
        if event.type == "reopened" and state == "open":
            yield error(path, event.line, "not-closed",
                        "`reopened` on an open ticket: only a resolved or cancelled ticket can be reopened")
        if event.type == "resolved" and state == "resolved":
            yield error(path, event.line, "already-resolved",
                        "`resolved` on a ticket that is already resolved; log `reopened` first")
        if event.type == "resumed" and not paused:
            yield error(path, event.line, "not-paused", "`resumed` without a `paused` before it")
        if event.type == "paused" and paused:
            yield error(path, event.line, "already-paused", "`paused` while already paused")
        if event.until is not None and event.until < event.at:
            yield error(path, event.line, "until-before",
                        f"`until` {event.until.isoformat()} is before the event itself")
        for use in event.parts:
            if known is not None and known.missing("part", use.part):
                yield error(path, event.line, "unknown-part",
                            f"part {use.part!r} does not exist (no parts/{use.part}.yaml)"
                            + known.suggest("part", use.part))
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
