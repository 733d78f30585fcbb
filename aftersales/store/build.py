"""Typed records from the values `spec` cleaned (invalid parts already reported and left out).

Required keys and defaults come from the field spec: a record is built when its
shape's required keys are all there, and an absent key takes its field's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aftersales.core.model import (
    Area,
    Asset,
    CalendarSpec,
    Channel,
    Check,
    CustomerMessages,
    Event,
    Extension,
    Finding,
    Inspection,
    Movement,
    Name,
    Notify,
    NotifyRule,
    Part,
    PartUse,
    Person,
    Plan,
    Reporter,
    Serve,
    Settings,
    Signoff,
    Target,
    TargetGroup,
    Ticket,
    Where,
)
from aftersales.store import spec
from aftersales.store.spec import MARKS, Shape

DEFAULT_TIMEZONE = "UTC"
Cleaned = Mapping[str, Any]


def line_of(clean: Cleaned) -> int:
    return clean[MARKS][0].line


def key_lines(clean: Cleaned) -> dict[str, int]:
    return {str(k): m.line for k, m in clean[MARKS][1].items()}


def _entries(clean: Cleaned) -> dict[str, Any]:
    """A cleaned mapping of free keys (areas, calendars) without its marks."""
    return {k: v for k, v in clean.items() if k != MARKS}


def _shape(parent: Shape, key: str) -> Shape:
    """The shape of a nested mapping field (directly, or as the items of a list or map)."""
    kind = parent.fields[key].type
    inner = getattr(kind, "item", None) or getattr(kind, "value", None) or kind
    assert isinstance(inner, Shape), key
    return inner


SLA = _shape(spec.SETTINGS, "sla")
PROJECT = _shape(spec.SETTINGS, "project")
WARRANTY = _shape(spec.SETTINGS, "warranty")
SIGNOFF = _shape(spec.INSPECTION, "signoff")
LIMITS = _shape(spec.SERVE, "limits")
NOTIFY = spec.NOTIFY
CUSTOMER = _shape(spec.NOTIFY, "customer")


def name(value: Any) -> Name:
    """A display name: plain text, or a cleaned mapping of languages to text."""
    if isinstance(value, str):
        return Name(text=value)
    return Name(by_lang={k: v for k, v in value.items() if k in spec.LANGUAGES})


def names(clean: Cleaned) -> dict[str, Name]:
    return {k: name(v) for k, v in _entries(clean).items()}


def person(key: str, clean: Cleaned) -> Person:
    return Person(key, name(clean["name"]), name(clean.get("role", "")), clean.get("phone", ""))


def group(clean: Cleaned) -> TargetGroup:
    return TargetGroup(clean["id"], name(clean["name"]), tuple(clean["targets"]), line_of(clean))


def settings(clean: Cleaned) -> Settings:
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
        project_id=project.get("id"),
        areas={k: area(k, v) for k, v in _entries(clean.get("areas", {})).items()},
        priorities=tuple(clean.get("priorities", ())),
        calendars={k: calendar(k, v) for k, v in _entries(clean.get("calendars", {})).items()},
        at_risk=SLA.get(sla, "at_risk"),
        targets=tuple(target(t) for t in sla.get("targets", ()) if spec.TARGET.complete(t)),
        warranty_years=WARRANTY.get(warranty, "years"),
        max_extension_years=WARRANTY.get(warranty, "max_extension_years"),
        replace_failures=replace.get("failures"),
        replace_within=replace.get("within"),
        plans=tuple(plan(p) for p in clean.get("maintenance", ()) if spec.PLAN.complete(p)),
        serve=serve(clean.get("serve", {})),
        late_after=spec.SETTINGS.get(clean, "late_after"),
        currency=PROJECT.get(project, "currency"),
        people={k: person(k, v) for k, v in _entries(clean.get("people", {})).items() if "name" in v},
        categories=names(clean.get("categories", {})),
        units=names(clean.get("units", {})),
        target_names=names(sla.get("names", {})),
        target_groups=tuple(group(g) for g in sla.get("groups", ()) if spec.TARGET_GROUP.complete(g)),
        notify=notify(clean.get("notify", {})),
        lines=key_lines(clean) if MARKS in clean else {},
    )


def area(key: str, clean: Cleaned) -> Area:
    shown = name(clean.get("name", key))
    return Area(key, str(shown), clean.get("priority", ""), line_of(clean), shown)


def serve(clean: Cleaned) -> Serve:
    limits = clean.get("limits", {})
    return Serve(
        base_url=clean.get("base_url", "").rstrip("/"), hotline=clean.get("hotline", ""),
        language=spec.SERVE.get(clean, "language"), merge_within=spec.SERVE.get(clean, "merge_within"),
        per_address=LIMITS.get(limits, "per_address"), per_asset=LIMITS.get(limits, "per_asset"),
    )


def notify(clean: Cleaned) -> Notify:
    """The notification settings; without a `notify:` section, no channel and no rule."""
    customer = clean.get("customer")
    return Notify(
        language=NOTIFY.get(clean, "language"), escalate_after=NOTIFY.get(clean, "escalate_after"),
        warranty_days=NOTIFY.get(clean, "warranty_days"), summary_after=NOTIFY.get(clean, "summary_after"),
        channels=tuple(channel(c) for c in clean.get("channels", ()) if spec.CHANNEL.complete(c)),
        rules=tuple(NotifyRule(on=tuple(r["on"]), to=tuple(r["to"]), when=_when(r), line=line_of(r))
                    for r in clean.get("rules", ()) if spec.NOTIFY_RULE.complete(r)),
        customer=CustomerMessages(
            channel=customer["channel"], on=tuple(CUSTOMER.get(customer, "on")),
            within=CUSTOMER.get(customer, "within"), line=line_of(customer),
        ) if customer and CUSTOMER.complete(customer) else None,
        line=line_of(clean) if MARKS in clean else 1,
    )


def channel(clean: Cleaned) -> Channel:
    return Channel(
        id=clean["id"], kind=clean["kind"], url_env=clean.get("url_env"), secret_env=clean.get("secret_env"),
        smtp_env=clean.get("smtp_env"), to=tuple(clean.get("to", ())), sender=clean.get("from"),
        per_minute=clean.get("per_minute"), line=line_of(clean),
    )


def _when(clean: Cleaned) -> dict[str, tuple[str, ...]]:
    return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in _entries(clean.get("when", {})).items()}


def calendar(name: str, clean: Cleaned) -> CalendarSpec:
    return CalendarSpec(
        id=name,
        week=tuple(spec.CALENDAR.get(clean, "week")),
        hours=tuple(clean.get("hours", ())),
        holidays=tuple(clean.get("holidays", ())),
        extra_workdays=tuple(clean.get("extra_workdays", ())),
        line=line_of(clean),
    )


def target(clean: Cleaned) -> Target:
    when = _when(clean)
    within = clean["within"]
    if isinstance(within, dict):
        within = _entries(within)
    return Target(
        id=clean["id"], start=clean["start"], stop=tuple(clean["stop"]), within=within, when=when,
        pausable=spec.TARGET.get(clean, "pausable"), agreed=clean.get("agreed"),
        calendar=spec.TARGET.get(clean, "calendar"), line=line_of(clean),
    )


def plan(clean: Cleaned) -> Plan:
    areas = clean["areas"]
    return Plan(
        id=clean["id"], rrule=clean["rrule"], start=clean["start"], checklist=tuple(clean["checklist"]),
        areas=None if areas == "all" else tuple(areas), name=str(name(clean.get("name", ""))),
        early=clean.get("early"), inspectors=spec.PLAN.get(clean, "inspectors"), line=line_of(clean),
        names=name(clean.get("name", "")),
    )


def asset(clean: Cleaned, path: str) -> Asset | None:
    if not spec.ASSET.complete(clean):
        return None
    warranty = clean.get("warranty", {})
    return Asset(
        id=clean["id"], name=clean["name"], category=clean["category"], area=clean["area"],
        where=Where(path, line_of(clean)), location=clean.get("location", ""),
        quantity=spec.ASSET.get(clean, "quantity"), model=clean.get("model", ""),
        installed=clean.get("installed"), warranty_years=warranty.get("years"),
        extensions=tuple(Extension(e["years"], e.get("fee"), e.get("contract"))
                         for e in warranty.get("extensions", ()) if spec.EXTENSION.complete(e)),
        lines=key_lines(clean),
    )


def event(clean: Cleaned) -> Event | None:
    if not spec.EVENT.complete(clean):
        return None
    get = spec.EVENT.get
    return Event.made(
        at=clean["at"], type=clean["type"], line=line_of(clean), by=get(clean, "by"),
        note=get(clean, "note"), to=get(clean, "to"), verdict=get(clean, "verdict"),
        until=get(clean, "until"), reason=get(clean, "reason"),
        parts=tuple(PartUse(p["part"], p["qty"]) for p in get(clean, "parts") if spec.PART_USE.complete(p)),
        cost=get(clean, "cost"), satisfaction=get(clean, "satisfaction"), logged=get(clean, "logged"),
        keys=_written(frozenset(k for k in clean if k != MARKS)),
    )


_KEY_SETS: dict[frozenset[str], frozenset[str]] = {}


def _written(keys: frozenset[str]) -> frozenset[str]:
    """One shared set for the events that wrote the same fields (a few dozen kinds): a pickled
    ticket (a row of the record cache) then writes and rebuilds each kind once, not every event's."""
    if len(_KEY_SETS) < 1000:
        return _KEY_SETS.setdefault(keys, keys)
    return _KEY_SETS.get(keys, keys)


def ticket(clean: Cleaned, path: str) -> Ticket | None:
    built = [e for e in (event(c) for c in clean.get("events", ())) if e is not None]
    # every computation reads events in the order of `at`; ties keep the file's order (a sort is stable)
    events = tuple(sorted(built, key=lambda e: e.at))
    if not spec.TICKET.complete(clean) or not events:
        return None
    reporter = clean.get("reporter")
    return Ticket(
        id=clean["id"], kind=clean["kind"], summary=clean["summary"], events=events,
        where=Where(path, line_of(clean)), asset=clean.get("asset"), area=clean.get("area"),
        priority=clean.get("priority"), severity=spec.TICKET.get(clean, "severity"),
        category=clean.get("category"), channel=clean.get("channel"),
        reporter=Reporter(reporter.get("name"), reporter.get("phone")) if reporter else None,
        location=clean.get("location"), inspection=clean.get("inspection"), lines=key_lines(clean),
    )


def inspection(clean: Cleaned, path: str) -> Inspection | None:
    if not spec.INSPECTION.complete(clean):
        return None
    signoff = clean.get("signoff")
    return Inspection(
        id=clean["id"], date=clean["date"], inspectors=tuple(clean["inspectors"]),
        where=Where(path, line_of(clean)), plan=clean.get("plan"), areas=tuple(clean.get("areas", ())),
        checks=tuple(Check(c["asset"], {k: v for k, v in c.items() if k not in ("asset", MARKS)},
                           line_of(c)) for c in clean.get("checks", ()) if "asset" in c),
        findings=tuple(finding(f) for f in clean.get("findings", ()) if spec.FINDING.complete(f)),
        signoff=Signoff(signoff["name"], signoff["date"]) if signoff and SIGNOFF.complete(signoff) else None,
        lines=key_lines(clean),
    )


def finding(clean: Cleaned) -> Finding:
    return Finding(
        id=clean["id"], problem=clean["problem"], line=line_of(clean), asset=clean.get("asset"),
        location=clean.get("location"), category=clean.get("category"), severity=clean.get("severity"),
        action=clean.get("action"), owner=clean.get("owner"), due=clean.get("due"),
        closed=clean.get("closed"), ticket=clean.get("ticket"),
    )


def part(clean: Cleaned, path: str) -> Part | None:
    if not spec.PART.complete(clean):
        return None
    return Part(
        id=clean["id"], name=clean["name"], where=Where(path, line_of(clean)),
        unit=spec.PART.get(clean, "unit"), min=clean.get("min"),
        movements=tuple(Movement(m["date"], line_of(m), m.get("in"), m.get("out"), m.get("count"),
                                 m.get("note")) for m in clean.get("movements", ()) if spec.MOVEMENT.complete(m)),
        lines=key_lines(clean),
    )
