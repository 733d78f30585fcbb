"""Typed records from the values `spec` cleaned (invalid parts already reported and left out)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aftersales.core.model import (
    Area,
    Asset,
    CalendarSpec,
    Check,
    Event,
    Extension,
    Finding,
    Inspection,
    Movement,
    Part,
    PartUse,
    Plan,
    Reporter,
    Settings,
    Signoff,
    Target,
    Ticket,
    Where,
)
from aftersales.store.spec import MARKS

DEFAULT_TIMEZONE = "UTC"


def line_of(clean: Mapping[str, Any]) -> int:
    return clean[MARKS][0].line


def key_lines(clean: Mapping[str, Any]) -> dict[str, int]:
    return {str(k): m.line for k, m in clean[MARKS][1].items()}


def settings(clean: Mapping[str, Any]) -> Settings:
    """Settings; missing or invalid parts fall back to neutral defaults (already reported)."""
    project = clean.get("project", {})
    sla = clean.get("sla", {})
    warranty = clean.get("warranty", {})
    replace = warranty.get("replace_after", {})
    return Settings(
        name=project.get("name", ""),
        customer=project.get("customer", ""),
        supplier=project.get("supplier", ""),
        timezone=project.get("timezone", DEFAULT_TIMEZONE),
        areas={k: Area(k, v.get("name", k), v.get("priority", ""), line_of(v))
               for k, v in clean.get("areas", {}).items() if k != MARKS},
        priorities=tuple(clean.get("priorities", ())),
        calendars={k: calendar(k, v) for k, v in clean.get("calendars", {}).items() if k != MARKS},
        at_risk=sla.get("at_risk", 0.75),
        targets=tuple(target(t) for t in sla.get("targets", ()) if _has(t, "id", "start", "stop", "within")),
        warranty_years=warranty.get("years", 5),
        max_extension_years=warranty.get("max_extension_years", 3),
        replace_failures=replace.get("failures"),
        replace_within=replace.get("within"),
        plans=tuple(plan(p) for p in clean.get("maintenance", ())
                    if _has(p, "id", "rrule", "start", "checklist", "areas")),
        lines=key_lines(clean) if MARKS in clean else {},
    )


def _has(clean: Mapping[str, Any], *keys: str) -> bool:
    return all(k in clean for k in keys)


def calendar(name: str, clean: Mapping[str, Any]) -> CalendarSpec:
    return CalendarSpec(
        id=name,
        week=tuple(clean.get("week", ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))),
        hours=tuple(clean.get("hours", ())),
        holidays=tuple(clean.get("holidays", ())),
        extra_workdays=tuple(clean.get("extra_workdays", ())),
        line=line_of(clean),
    )


def target(clean: Mapping[str, Any]) -> Target:
    when = {k: (v,) if isinstance(v, str) else tuple(v)
            for k, v in clean.get("when", {}).items() if k != MARKS}
    within = clean["within"]
    if isinstance(within, dict):
        within = {k: v for k, v in within.items() if k != MARKS}
    return Target(
        id=clean["id"], start=clean["start"], stop=tuple(clean["stop"]), within=within, when=when,
        pausable=clean.get("pausable", False), agreed=clean.get("agreed"),
        calendar=clean.get("calendar", "always"), line=line_of(clean),
    )


def plan(clean: Mapping[str, Any]) -> Plan:
    areas = clean["areas"]
    return Plan(
        id=clean["id"], rrule=clean["rrule"], start=clean["start"], checklist=tuple(clean["checklist"]),
        areas=None if areas == "all" else tuple(areas), name=clean.get("name", ""),
        early=clean.get("early"), inspectors=clean.get("inspectors", 1), line=line_of(clean),
    )


def asset(clean: Mapping[str, Any], path: str) -> Asset | None:
    if not _has(clean, "id", "name", "category", "area"):
        return None
    warranty = clean.get("warranty", {})
    return Asset(
        id=clean["id"], name=clean["name"], category=clean["category"], area=clean["area"],
        where=Where(path, line_of(clean)), location=clean.get("location", ""),
        quantity=clean.get("quantity", 1), model=clean.get("model", ""),
        installed=clean.get("installed"), warranty_years=warranty.get("years"),
        extensions=tuple(Extension(e["years"], e.get("fee"), e.get("contract"))
                         for e in warranty.get("extensions", ()) if "years" in e),
        lines=key_lines(clean),
    )


def event(clean: Mapping[str, Any]) -> Event | None:
    if not _has(clean, "at", "type"):
        return None
    return Event(
        at=clean["at"], type=clean["type"], line=line_of(clean), by=clean.get("by"),
        note=clean.get("note"), to=clean.get("to"), verdict=clean.get("verdict"),
        until=clean.get("until"), reason=clean.get("reason"),
        parts=tuple(PartUse(p["part"], p["qty"]) for p in clean.get("parts", ()) if _has(p, "part", "qty")),
        cost=clean.get("cost"), satisfaction=clean.get("satisfaction"),
    )


def ticket(clean: Mapping[str, Any], path: str) -> Ticket | None:
    events = tuple(e for e in (event(c) for c in clean.get("events", ())) if e is not None)
    if not _has(clean, "id", "kind", "summary") or not events:
        return None
    reporter = clean.get("reporter")
    return Ticket(
        id=clean["id"], kind=clean["kind"], summary=clean["summary"], events=events,
        where=Where(path, line_of(clean)), asset=clean.get("asset"), area=clean.get("area"),
        priority=clean.get("priority"), severity=clean.get("severity", "normal"),
        category=clean.get("category"), channel=clean.get("channel"),
        reporter=Reporter(reporter.get("name"), reporter.get("phone")) if reporter else None,
        location=clean.get("location"), inspection=clean.get("inspection"), lines=key_lines(clean),
    )


def inspection(clean: Mapping[str, Any], path: str) -> Inspection | None:
    if not _has(clean, "id", "date", "inspectors"):
        return None
    signoff = clean.get("signoff")
    return Inspection(
        id=clean["id"], date=clean["date"], inspectors=tuple(clean["inspectors"]),
        where=Where(path, line_of(clean)), plan=clean.get("plan"), areas=tuple(clean.get("areas", ())),
        checks=tuple(Check(c["asset"], {k: v for k, v in c.items() if k not in ("asset", MARKS)},
                           line_of(c)) for c in clean.get("checks", ()) if "asset" in c),
        findings=tuple(finding(f) for f in clean.get("findings", ()) if _has(f, "id", "problem")),
        signoff=Signoff(signoff["name"], signoff["date"]) if signoff and _has(signoff, "name", "date")
        else None,
        lines=key_lines(clean),
    )


def finding(clean: Mapping[str, Any]) -> Finding:
    return Finding(
        id=clean["id"], problem=clean["problem"], line=line_of(clean), asset=clean.get("asset"),
        location=clean.get("location"), category=clean.get("category"), severity=clean.get("severity"),
        action=clean.get("action"), owner=clean.get("owner"), due=clean.get("due"),
        closed=clean.get("closed"), ticket=clean.get("ticket"),
    )


def part(clean: Mapping[str, Any], path: str) -> Part | None:
    if not _has(clean, "id", "name"):
        return None
    return Part(
        id=clean["id"], name=clean["name"], where=Where(path, line_of(clean)),
        unit=clean.get("unit", "pcs"), min=clean.get("min"),
        movements=tuple(Movement(m["date"], line_of(m), m.get("in"), m.get("out"), m.get("count"),
                                 m.get("note")) for m in clean.get("movements", ()) if "date" in m),
    )
