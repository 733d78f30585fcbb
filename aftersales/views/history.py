"""`diff` and `audit` for people (text within 80 columns, Markdown for a review comment) and for
scripts (JSON): the words a reviewer reads instead of YAML."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.core.durations import Duration
from aftersales.core.model import Event
from aftersales.engine import sla
from aftersales.engine.audit import Finding, quarter_effect
from aftersales.engine.changes import Summary
from aftersales.views.fmt import human_seconds, iso, short
from aftersales.views.markdown import md
from aftersales.views.safe import visible
from aftersales.views.tables import to_json, width

WIDTH = 80
UTC = ZoneInfo("UTC")
Section = tuple[str, list[str]]


# --- values -------------------------------------------------------------------------

def _value(value: Any) -> Any:
    """A record value for JSON and words: dates and instants in ISO 8601, durations as written."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _value(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def _said(value: Any) -> str:
    shown = _value(value)
    return "(none)" if shown in (None, "", []) else str(shown)


def _when(instant: dt.datetime | None, tz: Any) -> str:
    return short(instant, tz)


def change_row(change: sla.Change) -> dict[str, Any]:
    return {"ticket": change.ticket, "target": change.target, "cycle": change.cycle,
            "before": change.before.status if change.before else None,
            "after": change.after.status if change.after else None}


def event_row(event: Event | None, tz: Any) -> dict[str, Any] | None:
    if event is None:
        return None
    row: dict[str, Any] = {"at": iso(event.at, tz), "type": event.type, "by": event.by}
    for name in ("note", "to", "verdict", "reason", "cost", "satisfaction"):
        if getattr(event, name) is not None:
            row[name] = getattr(event, name)
    if event.until is not None:
        row["until"] = iso(event.until, tz)
    if event.parts:
        row["parts"] = [{"part": p.part, "qty": p.qty} for p in event.parts]
    if event.logged is not None:
        row["logged"] = iso(event.logged, tz)
    return row


def _late(event: Event) -> int | None:
    return None if event.logged is None else int((event.logged - event.at).total_seconds())


# --- findings -----------------------------------------------------------------------

def finding_row(f: Finding, tz: Any) -> dict[str, Any]:
    return {
        "kind": f.kind, "commit": f.who.commit, "author": f.who.name, "email": f.who.email,
        "date": iso(f.who.date, tz), "path": f.path, "ticket": f.ticket, "record": f.record,
        "event": event_row(f.event, tz), "new_event": event_row(f.new_event, tz), "field": f.field,
        "before": _value(f.before), "after": _value(f.after), "late": f.late, "stamp_gap": f.stamp_gap,
        "sla_effect": [change_row(c) for c in f.sla_effect], "quarters": list(f.quarters),
        "kpi_effect": [{"quarter": q, "target": target, "cycles": counts}
                       for q, target, counts in quarter_effect(f.sla_effect, tz)],
        "message": finding_words(f, tz),
    }


def _event_words(event: Event, tz: Any) -> str:
    by = f" by {event.by}" if event.by else ""
    return f"`{event.type}` of {_when(event.at, tz)}{by}"


def _event_diff(was: Event, now: Event, tz: Any) -> str:
    """What changed in one event: `at 2026-03-14 11:55 → 11:01; by eng-li → eng-wang`."""
    said = []
    for name in ("at", "type", "by", "note", "to", "verdict", "until", "reason", "parts", "cost", "satisfaction",
                 "logged"):
        a, b = getattr(was, name), getattr(now, name)
        if a != b:
            if isinstance(a, dt.datetime | None) and isinstance(b, dt.datetime | None):
                said.append(f"{name} {_when(a, tz) or '(none)'} → {_when(b, tz) or '(none)'}")
            else:
                said.append(f"{name} {_said(a)} → {_said(b)}")
    return "; ".join(said)


def finding_words(f: Finding, tz: Any) -> str:
    """One finding in a sentence."""
    if f.kind == "event-changed" and f.event and f.new_event:
        return f"{_event_words(f.event, tz)} changed: {_event_diff(f.event, f.new_event, tz)}"
    if f.kind == "event-removed" and f.event:
        return f"{_event_words(f.event, tz)} removed"
    if f.kind == "field-changed":
        return f"{f.field} changed: {_said(f.before)} → {_said(f.after)}"
    if f.kind == "backdated" and f.event:
        bits = []
        if f.late is not None:
            bits.append(f"committed {human_seconds(f.late)} after it happened")
        logged = _when(f.event.logged, tz)
        if f.stamp_gap is not None and f.stamp_gap < 0:
            bits.append(f"its `logged` {logged} is {human_seconds(-f.stamp_gap)} after the commit (a forged stamp)")
        elif f.stamp_gap is not None:
            previous = f" of {_when(f.who.previous, tz)}" if f.who.previous else ""
            bits.append(f"its `logged` {logged} is before the commit{previous} it follows, which did not hold "
                        "it (a forged stamp)")
        return f"{_event_words(f.event, tz)} " + " and ".join(bits)
    if f.kind == "record-removed":
        return f"{f.path} removed" + (f" ({f.record})" if f.record and f.record not in f.path else "")
    if f.kind == "settings-changed":
        closed = len(f.sla_effect)
        return f"{f.field} changed: " + ("1 closed cycle changes outcome" if closed == 1
                                          else f"{closed} closed cycles change outcome")
    return f.kind


def effect_words(effect: Sequence[sla.Change]) -> str:
    """`response #1 breached → met` for one ticket; counts by target and change for several."""
    if not effect:
        return "no SLA outcome changes"
    if len({c.ticket for c in effect}) == 1:
        return ", ".join(f"{c.target} #{c.cycle} {c.label}" for c in effect)
    counts = Counter((c.target, c.label) for c in effect)
    return ", ".join(f"{n} {target} {label}" for (target, label), n in sorted(counts.items()))


def audit_text(findings: Sequence[Finding], tz: Any) -> str:
    """Each finding as a block: when, commit, kind, ticket and who; what; its effect."""
    if not findings:
        return "no finding: nothing in this history rewrites the past"
    blocks = []
    for f in findings:
        commit = f.who.commit[:10] if f.who.commit else "uncommitted"
        head = f"{_when(f.who.date, tz)}  {commit}  {f.kind}  {f.ticket or f.record or ''}  {f.who.name}"
        lines = [*_wrap(head.rstrip(), ""), *_wrap(f"{f.path}: {finding_words(f, tz)}", "  ")]
        effect = f"SLA: {effect_words(f.sla_effect)}"
        if f.quarters:
            effect += f" (quarters {', '.join(f.quarters)})"
        lines += _wrap(effect, "  ")
        kpis = quarter_effect(f.sla_effect, tz)
        if kpis:
            lines += _wrap("KPIs: " + "; ".join(f"{q} {target} " + ", ".join(f"{s} {n:+d}" for s, n in counts.items())
                                               for q, target, counts in kpis), "  ")
        blocks.append("\n".join(lines))
    counts = Counter(f.kind for f in findings)
    total = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    return "\n\n".join(blocks) + f"\n\n{len(findings)} finding{'s' if len(findings) != 1 else ''}: {total}"


def audit_json(findings: Sequence[Finding], tz: Any) -> str:
    return to_json([finding_row(f, tz) for f in findings])


def _wrap(text: str, indent: str, cells: int = WIDTH) -> list[str]:
    """`text` in lines of at most `cells` display cells (broken at spaces), each after `indent`."""
    text = visible(text)
    lines, line = [], indent
    for word in text.split(" "):
        candidate = word if line == indent else f"{line[len(indent):]} {word}"
        if line != indent and width(indent + candidate) > cells:
            lines.append(line)
            line = indent + "  " + word   # a continued line is indented a little more
        else:
            line = indent + candidate if line == indent else line + " " + word
    lines.append(line)
    return lines


# --- diff -----------------------------------------------------------------------------

def _tz(summary: Summary) -> Any:
    return summary.settings.tz if summary.settings is not None else UTC


def sections(summary: Summary) -> list[Section]:
    """The diff as titled lists of sentences (text and Markdown render the same sections)."""
    tz = _tz(summary)
    settings = summary.settings
    found: list[Section] = []

    def add(title: str, items: list[str]) -> None:
        if items:
            found.append((f"{title} ({len(items)})", items))

    opened = []
    for t in summary.tickets_opened:
        facts = sla.facts(t, settings, summary.assets) if settings else {}
        asset = summary.assets.get(t.asset or "")
        area = settings.areas.get(facts.get("area") or "") if settings else None
        bits = [f"{t.id} {t.kind}: {t.summary}"]
        if t.asset:
            bits.append(f"asset {asset.name} ({t.asset})" if asset else f"asset {t.asset}")
        if facts.get("area"):
            bits.append(f"area {area.name if area else facts['area']}")
        if facts.get("priority"):
            bits.append(f"priority {facts['priority']}")
        opened.append(", ".join(bits))
    add("Tickets opened", opened)
    new_ids = {t.id for t in summary.tickets_opened}
    events = []
    for ticket, event in summary.events_added:
        if ticket.id in new_ids and event == ticket.events[0]:
            continue   # the opening is said above
        line = f"{ticket.id} {event.type} {_when(event.at, tz)}" + (f" by {event.by}" if event.by else "")
        late = _late(event)
        if late is not None:
            line += f" (late entry: logged {human_seconds(late)} later)"
        events.append(line)
    add("Events logged", events)
    add("Tickets resolved, cancelled or reopened",
        [f"{t.id} {after}" if before == "open" else f"{t.id} {before} → {after}"
         for t, before, after in summary.status_changes])
    add("SLA outcomes that change", [f"{c.ticket} {c.target} #{c.cycle}: {c.label}" for c in summary.sla_changes])
    add("Inspections", [f"{i.id} of {i.date} (new), by {', '.join(i.inspectors)}" for i in summary.inspections_added]
        + [f"{i.id} of {i.date} changed" for i in summary.inspections_changed])
    add("Inspection findings opened", [
        f"{ins} {f.id}: {f.problem}" + (f" ({f.asset})" if f.asset else "")
        + (f", {f.owner} by {f.due}" if f.owner and f.due else "") for ins, f in summary.findings_opened])
    add("Inspection findings closed", [f"{ins} {f.id} closed {f.closed}: {f.problem}"
                                       for ins, f in summary.findings_closed])
    add("Parts added", [f"{p.id} {p.name}" for p in summary.parts_added])
    add("Parts movements", [f"{p.id} {m.date}: {_movement(m)}" + (f" ({m.note})" if m.note else "")
                            for p, m in summary.movements])
    add("Assets added", [f"{a.id} {a.name}, area {a.area}" + (f", {a.quantity} pieces" if a.quantity != 1 else "")
                         for a in summary.assets_added])
    add("Assets changed", ["{}: {}".format(a.id, "; ".join(f"{n} {_said(b)} → {_said(c)}" for n, b, c in fields))
                           for a, fields in summary.assets_changed])
    add("Records removed", [f"{path} ({kind})" for kind, path in summary.removed])
    if summary.settings_changed:
        lines = [f"changed: {', '.join(summary.settings_changed)}"]
        if summary.settings_effect:
            counts = Counter((c.target, c.label) for c in summary.settings_effect)
            lines += [f"turns {n} closed {target} cycle{'s' if n != 1 else ''} {label}"
                      for (target, label), n in sorted(counts.items())]
        else:
            lines.append("no closed cycle changes outcome")
        found.append(("Settings", lines))
    add("Files that could not be read", summary.unreadable)
    add("Audit findings", [f"{f.who.commit[:10] if f.who.commit else 'uncommitted'} {f.kind} {f.ticket or f.path}: "
                           f"{finding_words(f, tz)}; SLA: {effect_words(f.sla_effect)}" for f in summary.findings])
    return found


def _movement(m: Any) -> str:
    bits = []
    for label, value in (("in", m.received), ("out", m.taken), ("count", m.count)):
        if value is not None:
            bits.append(f"{label} {value:g}")
    return ", ".join(bits)


def _title(summary: Summary) -> str:
    span = summary.span
    a = span.before[:10] if len(span.before) == 40 else span.before
    b = span.after[:10] if len(span.after) == 40 else span.after
    return f"Changes from {a} to {b}, outcomes as of {_when(span.at, _tz(summary))}"


def diff_text(summary: Summary) -> str:
    found = sections(summary)
    out = [*_wrap(_title(summary), "")]
    if not found:
        out.append("no change to the records")
    for title, items in found:
        out += ["", title]
        for item in items:
            out += _wrap(item, "  ")
    return "\n".join(out)


def diff_markdown(summary: Summary) -> str:
    found = sections(summary)
    out = [f"### {md(_title(summary))}"]
    if not found:
        out += ["", "No change to the records."]
    for title, items in found:
        out += ["", f"**{md(title)}**", ""]
        out += [f"- {md(item)}" for item in items]
    return "\n".join(out)


def diff_json(summary: Summary) -> str:
    tz = _tz(summary)
    settings = summary.settings
    opened = []
    for t in summary.tickets_opened:
        facts = sla.facts(t, settings, summary.assets) if settings else {}
        asset = summary.assets.get(t.asset or "")
        opened.append({"id": t.id, "kind": t.kind, "summary": t.summary, "asset": t.asset,
                       "asset_name": asset.name if asset else None, "area": facts.get("area"),
                       "priority": facts.get("priority"), "reported": iso(t.reported_at, tz)})
    value = {
        "from": summary.span.before, "to": summary.span.after, "as_of": iso(summary.span.at, tz),
        "tickets_opened": opened,
        "events_added": [{"ticket": t.id, **(event_row(e, tz) or {}), "late": _late(e)}
                         for t, e in summary.events_added],
        "status_changes": [{"ticket": t.id, "before": b, "after": a} for t, b, a in summary.status_changes],
        "sla_changes": [change_row(c) for c in summary.sla_changes],
        "inspections": [{"id": i.id, "date": i.date.isoformat(), "new": new} for i, new in
                        [*((i, True) for i in summary.inspections_added),
                         *((i, False) for i in summary.inspections_changed)]],
        "findings_opened": [{"inspection": ins, **_finding(f)} for ins, f in summary.findings_opened],
        "findings_closed": [{"inspection": ins, **_finding(f)} for ins, f in summary.findings_closed],
        "parts_added": [{"id": p.id, "name": p.name} for p in summary.parts_added],
        "parts_movements": [{"part": p.id, "date": m.date.isoformat(), "in": m.received, "out": m.taken,
                             "count": m.count, "note": m.note} for p, m in summary.movements],
        "assets_added": [{"id": a.id, "name": a.name, "area": a.area, "quantity": a.quantity}
                         for a in summary.assets_added],
        "assets_changed": [{"id": a.id, "changes": [{"field": n, "before": _value(b), "after": _value(c)}
                                                    for n, b, c in fields]} for a, fields in summary.assets_changed],
        "records_removed": [{"kind": k, "path": p} for k, p in summary.removed],
        "settings_changed": summary.settings_changed,
        "settings_effect": [change_row(c) for c in summary.settings_effect],
        "unreadable": summary.unreadable,
        "findings": [finding_row(f, tz) for f in summary.findings],
    }
    return to_json(value)


def _finding(f: Any) -> dict[str, Any]:
    return {"id": f.id, "problem": f.problem, "asset": f.asset, "owner": f.owner, "due": _value(f.due),
            "closed": _value(f.closed)}
