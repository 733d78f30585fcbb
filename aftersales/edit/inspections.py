"""Writing inspection files: a new inspection, check results, findings, closing them, sign-off.

The same guarantees as tickets (see `tickets`): every change is made under
the file's lock, the new bytes are checked with the rules `validate` applies
(`reading.check_bytes`, then `checks.check_inspection`) before anything is
written, and the file is replaced atomically; a refused change leaves the
file byte for byte as it was.

The existing text is edited where the change is, never re-dumped, so comments,
key order and layout stay: a finding, a check entry, a sign-off, `closed:` or
`ticket:` is inserted as new lines (or, in a one-line `{...}` mapping, as text
before its closing brace). Only two edits rewrite text: `check` rewrites the
one entry of the asset it updates (one line; a multi-line entry becomes one
line and loses comments inside it), and a `findings: []` or empty `checks:`
key line is rewritten to `findings:` before the first item goes under it.

A new inspection lists a `{asset: ID}` entry per asset of its areas and no
results: a checklist item is absent until someone checks it (a null would be
invalid and `n/a` means "does not apply", not "not yet looked at"); `check`
adds the results and reports show missing ones as "not checked".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from aftersales.checks import check_inspection, check_place
from aftersales.core import ids
from aftersales.core.errors import Refused, UsageError
from aftersales.core.model import Asset, Inspection, Plan
from aftersales.core.problems import Problem, did_you_mean, require_valid
from aftersales.edit import tickets
from aftersales.edit.tickets import Folder, refusal
from aftersales.edit.yamledit import Edit, YamlDoc
from aftersales.edit.yamltext import flow_mapping, in_spec_order, scalar
from aftersales.engine import schedule
from aftersales.store import build
from aftersales.store.fileio import locked, read_text, write_atomic
from aftersales.store.paths import list_ids, record_path
from aftersales.store.reading import check_bytes, read_file
from aftersales.store.spec import CHECK_RESULTS, FINDING, ID_PATTERN, INSPECTION

_FINDING_ID = re.compile(r"^F(\d+)$")
CHECKS_COMMENT = "  # each item is added when checked: ok, issue or n/a"


@dataclasses.dataclass(frozen=True)
class TicketRequest:
    """`--open-ticket`: who reports the repair ticket for a new finding, and when."""

    at: dt.datetime
    by: str | None = None


# --- checking ---------------------------------------------------------------

def _errors(folder: Folder, data: bytes, rel: str) -> tuple[Inspection | None, list[Problem]]:
    """The inspection the bytes hold and every error `validate` would report in them."""
    clean, problems = check_bytes(data, rel, "inspection")
    ins = build.inspection(clean, rel) if clean is not None else None
    if ins is not None:
        problems += [*check_place(ins, folder.settings.tz), *check_inspection(ins, folder.known())]
    return ins, [p for p in problems if p.severity == "error"]


def _check(folder: Folder, data: bytes, rel: str, new_lines: range | None = None) -> Inspection:
    """The inspection the bytes hold, if they pass every rule `validate` applies; else Refused."""
    ins, errors = _errors(folder, data, rel)
    if errors or ins is None:
        raise Refused(refusal(errors, new_lines))
    return ins


def find_plan(folder: Folder, plan_id: str) -> Plan:
    plans = {p.id: p for p in folder.settings.plans}
    if plan_id not in plans:
        known = ", ".join(plans) or "none: add one under `maintenance` in aftersales.yaml"
        raise UsageError(f"no maintenance plan {plan_id!r} (plans: {known})" + did_you_mean(plan_id, plans))
    return plans[plan_id]


# --- a new inspection -------------------------------------------------------

def default_id(plan: Plan, day: dt.date) -> str:
    """`INS-2026Q1` for a quarterly plan, `<PLAN>-2026H1` for a half-yearly one, else
    `<PLAN>-20260327`; the period is that of the slot the date fits (a late Q1 inspection
    on 8 April is INS-2026Q1), or of the date itself when it fits none."""
    kind = schedule.cadence(plan)
    prefix = plan.id.upper()
    if kind is None:
        return f"{prefix}-{day:%Y%m%d}"
    due = schedule.slot_for(plan, day) or day
    if kind == "quarter":
        return f"INS-{due.year}Q{(due.month - 1) // 3 + 1}"
    return f"{prefix}-{due.year}H{(due.month - 1) // 6 + 1}"


def plan_areas(folder: Folder, plan: Plan, chosen: Sequence[str]) -> tuple[str, ...]:
    """The areas asked for (`all` = every area), else the plan's; unknown areas are a usage error."""
    every = tuple(folder.settings.areas)
    if not chosen:
        return every if plan.areas is None else plan.areas
    if "all" in chosen:
        return every
    unknown = [a for a in chosen if a not in folder.settings.areas]
    if unknown:
        raise UsageError(f"--area {unknown[0]!r} is not one of the areas ({', '.join(every)}) or `all`"
                         + did_you_mean(unknown[0], every))
    return tuple(dict.fromkeys(chosen))


def read_assets(folder: Folder) -> dict[str, Asset]:
    """Every asset (their files only); a file that does not validate stops the command."""
    found: dict[str, Asset] = {}
    problems: list[Problem] = []
    for rel in folder.index["asset"].values():
        clean, read = read_file(folder.root / rel, rel, "asset")
        problems += read
        asset = build.asset(clean, rel) if clean is not None else None
        if asset is not None:
            found[asset.id] = asset
    require_valid(problems, "refused, nothing was written: the asset files do not validate",
                  "which assets stand in which area cannot be told; fix them first")
    return found


def inspection_text(ins_id: str, plan: Plan, day: dt.date, inspectors: Sequence[str], areas: Sequence[str],
                    assets: Sequence[str]) -> str:
    """A new inspection file, laid out like RECORDS.md's example, with one empty check per asset."""
    lines = [f"id: {ins_id}", f"plan: {plan.id}", f"date: {day.isoformat()}",
             f"inspectors: {_flow_list(inspectors)}", f"areas: {_flow_list(areas)}"]
    if assets:
        lines.append("checks:" + CHECKS_COMMENT)
        lines += [f"  - {flow_mapping({'asset': a})}" for a in assets]
    return "\n".join(lines) + "\n"


def _flow_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def new_inspection(folder: Folder, plan_id: str, day: dt.date, inspectors: Sequence[str],
                   areas: Sequence[str] = (), inspection_id: str | None = None) -> tuple[str, Path]:
    """Write inspections/YYYY/ID.yaml for a plan; never overwrites a file."""
    plan = find_plan(folder, plan_id)
    if len(inspectors) < plan.inspectors:
        raise UsageError(f"plan {plan.id} needs {plan.inspectors} inspectors; {len(inspectors)} given "
                         "(repeat --inspector)")
    chosen = plan_areas(folder, plan, areas)
    ins_id = inspection_id or default_id(plan, day)
    if not re.match(ID_PATTERN, ins_id):
        raise UsageError(f"--id {ins_id!r} is not an id (letters, digits and '-', starting with a letter)")
    if ins_id in folder.index["inspection"]:
        raise Refused(_exists(ins_id, folder.index["inspection"][ins_id]))
    assets = read_assets(folder)
    order = {area: n for n, area in enumerate(chosen)}
    listed = sorted((a for a in assets.values() if a.area in order), key=lambda a: (order[a.area], a.id))
    rel = record_path("inspection", ins_id, day.year)
    data = inspection_text(ins_id, plan, day, inspectors, chosen, [a.id for a in listed]).encode("utf-8")
    _check(folder, data, rel)
    try:
        write_atomic(folder.root / rel, data, exclusive=True)
    except FileExistsError:
        raise Refused(_exists(ins_id, rel)) from None
    return ins_id, folder.root / rel


def _exists(ins_id: str, rel: str) -> str:
    return (f"refused, nothing was written: inspection {ins_id} already exists ({rel}); an inspection "
            "fulfils at most one slot of its plan; for another inspection give a new id with --id")


# --- editing an existing inspection -----------------------------------------

@dataclasses.dataclass(frozen=True)
class Change(Edit):
    """An edit, and the folder view to check it against when it made a new record (a ticket) on the way."""

    folder: Folder | None = None


def _edit(folder: Folder, inspection_id: str,
          change: Callable[[str, Inspection, Folder], Edit]) -> tuple[str, Inspection]:
    """Apply `change` to the inspection's file under its lock; write only if every rule holds.

    The names of the other records are read again once the lock is held: a writer that waited
    for it (say, a parallel `finding --open-ticket`) sees the tickets the others opened meanwhile."""
    ins_id = ids.resolve(inspection_id, folder.index["inspection"], "inspection")
    rel = folder.index["inspection"][ins_id]
    path = folder.root / rel
    with locked(folder.root, rel):
        folder = dataclasses.replace(folder, index=list_ids(folder.root))
        before, text = read_text(path, rel, folder.root)
        current, errors = _errors(folder, before, rel)
        require_valid(errors, f"refused, nothing was written: {rel} does not validate", "fix it first")
        assert current is not None  # a file that gives no inspection has an error
        done = change(text, current, folder)
        ins = _check(getattr(done, "folder", None) or folder, done.text.encode("utf-8"), rel, done.lines)
        write_atomic(path, done.text.encode("utf-8"))
    return rel, ins


def set_check(folder: Folder, inspection_id: str, asset: str, results: Mapping[str, str]) -> Inspection:
    """Set checklist results of one asset (adding its entry if the inspection has none)."""
    bad = {k: v for k, v in results.items() if v not in CHECK_RESULTS}
    if bad:
        item, value = next(iter(bad.items()))
        raise UsageError(f"{item}={value}: a result is one of {', '.join(CHECK_RESULTS)}")
    asset = ids.resolve(asset, folder.index["asset"], "asset")

    def change(text: str, current: Inspection, folder: Folder) -> Edit:
        plan = next((p for p in folder.settings.plans if p.id == current.plan), None)
        return _Doc(text).set_check(asset, results, plan.checklist if plan else ())

    return _edit(folder, inspection_id, change)[1]


def next_finding_id(ins: Inspection) -> str:
    """F1, F2...: one more than the highest F-number used (ids are never reused)."""
    numbers = [int(m.group(1)) for f in ins.findings if (m := _FINDING_ID.match(f.id))]
    return f"F{max(numbers, default=0) + 1}"


def add_finding(folder: Folder, inspection_id: str, fields: Mapping[str, Any],
                open_ticket: TicketRequest | None = None) -> tuple[str, str, str | None]:
    """Append a finding; with `open_ticket`, first open a linked repair ticket and record its id.

    The finding is checked before the ticket is opened, so a refused finding opens no ticket.
    Returns (inspection id, finding id, ticket id or None).
    """
    values = {k: v for k, v in fields.items() if v not in (None, "")}
    if open_ticket is not None and not values.get("asset"):
        raise UsageError("--open-ticket needs --asset: a repair ticket names its asset")
    if values.get("asset"):
        values["asset"] = ids.resolve(values["asset"], folder.index["asset"], "asset")
    ins_id = ids.resolve(inspection_id, folder.index["inspection"], "inspection")
    made: dict[str, Any] = {}

    def change(text: str, current: Inspection, folder: Folder) -> Edit:
        finding = {"id": next_finding_id(current), **values}
        made["id"] = finding["id"]
        done = _Doc(text).append_finding(finding)
        if open_ticket is None:
            return done
        _check(folder, done.text.encode("utf-8"), current.where.path, done.lines)
        ticket_id, path = tickets.open_ticket(folder, "repair", values["problem"], open_ticket.at,
                                              open_ticket.by or current.inspectors[0], _ticket_fields(ins_id, values))
        made["ticket"] = ticket_id
        done = _Doc(text).append_finding({**finding, "ticket": ticket_id})
        return Change(done.text, done.lines, _with_ticket(folder, ticket_id, path))

    try:
        _edit(folder, ins_id, change)
    except Refused as exc:
        if made.get("ticket"):  # pragma: no cover - the finding was checked before the ticket was opened
            raise Refused(f"{exc}; ticket {made['ticket']} was opened all the same: add "
                          f"`ticket: {made['ticket']}` to the finding by hand") from None
        raise
    return ins_id, made["id"], made.get("ticket")


def _ticket_fields(ins_id: str, finding: Mapping[str, Any]) -> dict[str, Any]:
    return {"asset": finding["asset"], "severity": finding.get("severity"), "category": finding.get("category"),
            "channel": "inspection", "location": finding.get("location"), "inspection": ins_id}


def _with_ticket(folder: Folder, ticket_id: str, path: Path) -> Folder:
    """The folder view with a ticket opened a moment ago, for the reference checks."""
    index = {**folder.index, "ticket": {**folder.index["ticket"], ticket_id: path.relative_to(folder.root).as_posix()}}
    return dataclasses.replace(folder, index=index)


def close_finding(folder: Folder, inspection_id: str, finding_id: str, closed: dt.date,
                  ticket: str | None = None) -> Inspection:
    """Record that a finding was rectified on `closed` (and by which ticket)."""
    if ticket:
        ticket = folder.resolve_ticket(ticket)

    def change(text: str, current: Inspection, folder: Folder) -> Edit:
        finding = next((f for f in current.findings if f.id == finding_id), None)
        if finding is None:
            known = ", ".join(f.id for f in current.findings) or "none"
            raise UsageError(f"{current.id} has no finding {finding_id!r} (findings: {known})")
        if finding.closed is not None:
            raise Refused(f"refused, nothing was written: {current.id} {finding.id} was already closed "
                          f"on {finding.closed}")
        if ticket and finding.ticket and finding.ticket != ticket:
            raise Refused(f"refused, nothing was written: {current.id} {finding.id} is linked to ticket "
                          f"{finding.ticket}, not {ticket}")
        added: dict[str, Any] = {"closed": closed}
        if ticket and not finding.ticket:
            added["ticket"] = ticket
        return _Doc(text).extend_finding(finding_id, added)

    return _edit(folder, inspection_id, change)[1]


def sign_off(folder: Folder, inspection_id: str, name: str, day: dt.date) -> Inspection:
    """The customer's sign-off, once."""

    def change(text: str, current: Inspection, folder: Folder) -> Edit:
        if current.signoff is not None:
            raise Refused(f"refused, nothing was written: {current.id} was already signed off by "
                          f"{current.signoff.name} on {current.signoff.date}")
        if day < current.date:
            raise Refused(f"refused, nothing was written: the sign-off date {day} is before the inspection "
                          f"({current.date})")
        return _Doc(text).set_signoff(flow_mapping({"name": name, "date": day}))

    return _edit(folder, inspection_id, change)[1]


# --- editing the inspection's text in place ---------------------------------

class _Doc(YamlDoc):
    """An inspection file: findings, checks and the sign-off, added without touching other bytes."""

    def append_finding(self, finding: Mapping[str, Any]) -> Edit:
        ordered = in_spec_order(FINDING, finding)
        found = self.entry("findings")
        flow = bool(found and isinstance(found[1], yaml.SequenceNode) and found[1].value
                    and getattr(found[1].value[-1], "flow_style", False))

        def block(prefix: str) -> list[str]:
            if flow:
                return [prefix + flow_mapping(ordered)]
            pad = " " * len(prefix)
            return [(prefix if n == 0 else pad) + f"{k}: {scalar(v)}" for n, (k, v) in enumerate(ordered.items())]

        return self.append_item("findings", block, ("signoff",))

    def set_check(self, asset: str, results: Mapping[str, str], checklist: Sequence[str]) -> Edit:
        found = self.entry("checks")
        items = found[1].value if found and isinstance(found[1], yaml.SequenceNode) else []
        for item in items:
            current = _scalars(item)
            if current.get("asset") == asset:
                merged = _check_order({**current, **results}, checklist)
                return self.replace_node(item, flow_mapping(merged))
        entry = flow_mapping(_check_order({"asset": asset, **results}, checklist))
        return self.append_item("checks", lambda prefix: [prefix + entry], ("findings", "signoff"))

    def extend_finding(self, finding_id: str, added: Mapping[str, Any]) -> Edit:
        """Add keys (`closed`, then maybe `ticket`) to finding `finding_id`: before the `}` of a
    flow mapping, else as new lines before the first later key in RECORDS.md's order."""
        found = self.entry("findings")
        node = next(n for n in found[1].value if _scalars(n).get("id") == finding_id)  # type: ignore[index]
        if node.flow_style:
            close = node.end_mark.index - 1
            if self.text[close] != "}":  # pragma: no cover - pyyaml's marks end after the brace
                raise Refused("refused, nothing was written: cannot find the end of the finding")
            extra = "".join(f", {k}: {scalar(v)}" for k, v in added.items())
            line = self.text.count("\n", 0, close) + 1
            return Edit(self.text[:close] + extra + self.text[close:], range(line, line + 1))
        pad = " " * node.start_mark.column
        # in RECORDS.md's order: `closed` goes before an existing `ticket:` line
        later = {k.value: k.start_mark.line for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        first = next(iter(added))
        order = FINDING.order
        after = [later[k] for k in order[order.index(first) + 1:] if k in later]
        return self.insert(min(after, default=self.end(node)),
                            [f"{pad}{k}: {scalar(v)}" for k, v in added.items()])

    def set_signoff(self, value: str) -> Edit:
        return self.set_top("signoff", value, INSPECTION.order)


def _scalars(node: yaml.Node) -> dict[str, str]:
    """The scalar keys and values of a mapping node, as written."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v.value for k, v in node.value
            if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}


def _check_order(values: Mapping[str, str], checklist: Sequence[str]) -> dict[str, str]:
    """asset, then the plan's checklist order, then any other keys as they were."""
    ordered = {"asset": values["asset"]}
    ordered.update({k: values[k] for k in checklist if k in values})
    ordered.update({k: v for k, v in values.items() if k not in ordered})
    return ordered
