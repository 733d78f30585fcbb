"""Inspection and maintenance commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from aftersales.cli.base import group
from aftersales.cli.options import (
    at_option,
    field_options,
    format_option,
    note,
    project,
    records_option,
    verbose_option,
)
from aftersales.core.errors import UsageError
from aftersales.core.ids import resolve
from aftersales.core.times import parse_date, parse_past_instant
from aftersales.edit import inspections
from aftersales.edit.tickets import Folder
from aftersales.engine import queries, schedule
from aftersales.store.fileio import write_output
from aftersales.store.paths import find_root
from aftersales.store.spec import FINDING
from aftersales.views.ics import ics
from aftersales.views.tables import clip, table, to_json


def _folder(records_dir: Any) -> Folder:
    return Folder.open(find_root(records_dir))


# --- inspection -------------------------------------------------------------

@group("inspection")
def inspection_group() -> None:
    """Inspections: start one, record check results and findings, close them, sign off."""


@inspection_group.command("new")
@records_option
@click.option("--plan", "plan_id", required=True, metavar="PLAN", help="The maintenance plan it fulfils.")
@click.option("--date", "date_text", required=True, metavar="DATE", help="The day of the inspection.")
@click.option("--inspector", "inspectors", multiple=True, metavar="WHO",
              help="Who inspects (repeatable); at least as many as the plan needs.")
@click.option("--area", "areas", multiple=True, metavar="AREA",
              help="An area inspected (repeatable; `all` for every area).  [default: the plan's areas]")
@click.option("--id", "inspection_id", metavar="ID",
              help="The inspection id.  [default: INS-2026Q1 for a quarterly plan, PLAN-2026H1 for a "
                   "half-yearly one, else PLAN-20260327]")
def new_command(records_dir, plan_id, date_text, inspectors, areas, inspection_id) -> None:
    """Start an inspection and print its id (alone on stdout, for scripts).

    Writes inspections/YYYY/ID.yaml with one `checks` entry, `{asset: ID}`,
    for every asset in the areas; results are added with `inspection check`
    (an item not yet checked is simply absent). An id that exists is refused.

    \b
    Examples:
      aftersales inspection new --plan quarterly-inspection --date 2026-03-27 \\
          --inspector eng-zhang --inspector eng-wang
      aftersales inspection new --plan office-upkeep --date 2026-06-18 --inspector eng-wang
    """
    folder = _folder(records_dir)
    ins_id, _ = inspections.new_inspection(folder, plan_id, parse_date(date_text), inspectors, areas,
                                           inspection_id)
    click.echo(ins_id)


def _results(pairs: tuple[str, ...]) -> dict[str, str]:
    results: dict[str, str] = {}
    for pair in pairs:
        item, sep, value = pair.partition("=")
        if not sep or not item or not value:
            raise UsageError(f"{pair!r}: write ITEM=RESULT, like appearance=ok")
        results[item.strip()] = value.strip()
    return results


@inspection_group.command("check")
@click.argument("inspection_id", metavar="ID")
@click.argument("asset", metavar="ASSET")
@click.argument("pairs", metavar="ITEM=RESULT...", nargs=-1, required=True)
@records_option
def check_command(inspection_id, asset, pairs, records_dir) -> None:
    """Record checklist results of one asset: each RESULT is ok, issue or n/a.

    ID and ASSET may be unique prefixes. The asset's one `checks` line is
    rewritten (or added); items are kept in the plan's checklist order.

    \b
    Examples:
      aftersales inspection check INS-2026Q1 AUD-CHAIR-A appearance=ok function=issue fastening=ok
      aftersales inspection check INS-2026Q1 LOB-SOFA function=n/a
    """
    folder = _folder(records_dir)
    ins = inspections.set_check(folder, inspection_id, asset, _results(pairs))
    check = next(c for c in ins.checks if c.asset == resolve(asset, folder.index["asset"], "asset"))
    shown = " ".join(f"{k}={v}" for k, v in check.results.items())
    click.echo(f"{ins.id}: {check.asset} {shown}".rstrip())


@inspection_group.command("finding")
@click.argument("inspection_id", metavar="ID")
@records_option
@field_options(FINDING, skip=("id", "closed", "ticket"), hints={"asset": "A unique prefix is enough."})
@click.option("--open-ticket", is_flag=True,
              help="Also open a repair ticket (channel inspection) and link it in the finding's `ticket`.")
@click.option("--at", "at_text", metavar="WHEN", help="--open-ticket: when it is reported.  [default: now]")
@click.option("--by", metavar="WHO", help="--open-ticket: who reports it.  [default: the first inspector]")
def finding_command(inspection_id: str, records_dir: Any, open_ticket: bool, at_text: str | None, by: str | None,
                    **fields: Any) -> None:
    """Add a finding, with the next free id (F1, F2 and so on), and print its id.

    The finding is added as new lines after the last one; the rest of the
    file is left as it was. With --open-ticket, a repair ticket naming the
    inspection is opened first and its id written into the finding.

    \b
    Examples:
      aftersales inspection finding INS-2026Q1 --asset AUD-CHAIR-A --location 第5排8号 \\
          --category function --severity normal --problem 靠背回弹不足 \\
          --action 更换回弹弹簧 --owner eng-zhang --due 2026-04-03 --open-ticket
    """
    folder = _folder(records_dir)
    fields["due"] = parse_date(fields["due"]) if fields.get("due") else None
    request = None
    if open_ticket:
        request = inspections.TicketRequest(parse_past_instant(at_text or "now", folder.settings.tz), by)
    ins_id, finding_id, ticket_id = inspections.add_finding(folder, inspection_id, fields, request)
    click.echo(f"{ins_id} {finding_id}" + (f" {ticket_id}" if ticket_id else ""))


@inspection_group.command("close")
@click.argument("inspection_id", metavar="ID")
@click.argument("finding_id", metavar="FINDING")
@records_option
@click.option("--date", "date_text", required=True, metavar="DATE", help="When the rectification was done.")
@click.option("--ticket", metavar="ID", help="The ticket that did the work (a unique prefix is enough).")
def close_command(inspection_id, finding_id, records_dir, date_text, ticket) -> None:
    """Close a finding: the problem was rectified on --date.

    \b
    Examples:
      aftersales inspection close INS-2026Q1 F1 --date 2026-04-02
      aftersales inspection close INS-2026Q1 F2 --date 2026-04-20 --ticket T-20260328-2K8QD
    """
    day = parse_date(date_text)
    ins = inspections.close_finding(_folder(records_dir), inspection_id, finding_id, day, ticket)
    finding = next(f for f in ins.findings if f.id == finding_id)
    click.echo(f"{ins.id} {finding.id}: {schedule.finding_status(finding, day)}")


@inspection_group.command("signoff")
@click.argument("inspection_id", metavar="ID")
@records_option
@click.option("--name", required=True, metavar="NAME", help="Who signed for the customer.")
@click.option("--date", "date_text", required=True, metavar="DATE", help="When.")
def signoff_command(inspection_id, records_dir, name, date_text) -> None:
    """Record the customer's sign-off of the inspection report (once).

    \b
    Example:
      aftersales inspection signoff INS-2026Q1 --name 总务处李主任 --date 2026-03-27
    """
    ins = inspections.sign_off(_folder(records_dir), inspection_id, name, parse_date(date_text))
    click.echo(f"{ins.id}: signed off by {name} on {parse_date(date_text)}")


@inspection_group.command("list")
@records_option
@at_option
@click.option("--plan", "plan_id", metavar="PLAN", help="Only the inspections of this plan.")
@format_option("table", "json")
def list_command(records_dir, at_text, plan_id, fmt) -> None:
    """List the inspections, newest first, with their findings' status as of --at.

    \b
    Examples:
      aftersales inspection list
      aftersales inspection list --plan office-upkeep --format json
    """
    p = project(records_dir, at_text)
    plans = [plan.id for plan in p.settings.plans]
    if plan_id and plan_id not in plans:
        raise UsageError(f"no plan {plan_id!r}; plans are {', '.join(plans)}")
    found = queries.inspection_rows(p.records, p.today, plan_id)
    if fmt == "json":
        click.echo(to_json([{"id": r.inspection.id, "plan": r.inspection.plan, "date": r.inspection.date.isoformat(),
                             "inspectors": list(r.inspection.inspectors), "findings": len(r.inspection.findings),
                             "open": r.open, "overdue": r.findings["overdue"], "signed": r.signed} for r in found]))
        return
    click.echo(table([(r.inspection.id, clip(r.inspection.plan, 20), r.inspection.date.isoformat(),
                       len(r.inspection.findings), r.open, r.findings["overdue"], "yes" if r.signed else "")
                      for r in found],
                     ("inspection", "plan", "date", "findings", "open", "overdue", "signed"),
                     ("left", "left", "left", "right", "right", "right", "left"), tight=True)
               or "no inspections")


# --- maintenance ------------------------------------------------------------

@group("maintenance")
def maintenance_group() -> None:
    """Maintenance plans: which inspections are due, done, late or overdue."""


DEFAULT_STATUSES = ("overdue", "due", "upcoming")


@maintenance_group.command("due")
@records_option
@at_option
@click.option("--all", "show_all", is_flag=True, help="Also the slots done and done late.")
@click.option("--findings", "show_findings", is_flag=True,
              help="List the open findings past their due date instead of the slots.")
@format_option("table", "json")
@click.option("--ics", "ics_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the overdue, due and upcoming slots as an iCalendar file.")
@click.option("--fail-on-overdue", is_flag=True,
              help="Exit 1 when a slot (or, with --findings, a finding) is overdue, and print only then: "
                   "for cron and CI.")
@verbose_option
def due_command(records_dir: Any, at_text: str, show_all: bool, show_findings: bool, fmt: str,
                ics_path: Path | None, fail_on_overdue: bool) -> None:
    """List every plan's slots as of --at: overdue, due and the next upcoming.

    A slot is one due date of a plan's rrule. done: fulfilled by an
    inspection inside its window [due - early, due]; late: fulfilled after
    the due date, before the next window opens; overdue: not fulfilled and
    the due date has passed; due: not fulfilled, inside its window now;
    upcoming: the next slot whose window has not opened.

    \b
    Examples:
      aftersales maintenance due
      aftersales maintenance due --all --at 2026-06-30 --format json
      aftersales maintenance due --findings
      aftersales maintenance due --ics maintenance.ics
      aftersales maintenance due --fail-on-overdue     # for cron and CI
    """
    p = project(records_dir, at_text)
    day = p.today
    present = list(p.records.inspections.values())
    slots = schedule.all_slots(p.settings, present, day)
    if ics_path is not None:
        exported = [s for s in slots if s.status in DEFAULT_STATUSES]
        write_output(ics_path, ics(exported, p.settings.plans, p.settings.name))
        note(f"wrote {ics_path}: {len(exported)} slot{'s' if len(exported) != 1 else ''}")
    if show_findings:
        late = schedule.overdue_findings(present, day)
        if late or not fail_on_overdue:   # for cron: a run with nothing overdue says nothing
            _show_findings(late, fmt)
        sys.exit(1 if fail_on_overdue and late else 0)
    shown = [s for s in slots if show_all or s.status in DEFAULT_STATUSES]
    overdue = any(s.status == "overdue" for s in shown)
    if fail_on_overdue and not overdue:   # for cron: a run with nothing overdue says nothing
        return
    if fmt == "json":
        click.echo(to_json([_slot_record(s) for s in shown]))
    else:
        rows = [(clip(s.plan, 20), s.due.isoformat(), s.opens.isoformat(), s.status, clip(s.inspection, 20))
                for s in shown]
        click.echo(table(rows, ("plan", "due", "opens", "status", "inspection")) or "nothing is due")
    sys.exit(1 if fail_on_overdue and overdue else 0)


def _slot_record(slot: schedule.Slot) -> dict[str, object]:
    return {"plan": slot.plan, "due": slot.due.isoformat(), "window_start": slot.opens.isoformat(),
            "status": slot.status, "inspection": slot.inspection,
            "inspected": slot.inspected.isoformat() if slot.inspected else None}


def _show_findings(found: list[schedule.Overdue], fmt: str) -> None:
    if fmt == "json":
        click.echo(to_json([{
            "inspection": o.inspection.id, "finding": o.finding.id, "asset": o.finding.asset,
            "location": o.finding.location, "problem": o.finding.problem, "action": o.finding.action,
            "owner": o.finding.owner, "due": o.due.isoformat(), "days_overdue": o.days, "ticket": o.finding.ticket,
            "status": "overdue",
        } for o in found]))
        return
    rows = [(clip(o.inspection.id, 12), clip(o.finding.id, 4), clip(o.finding.owner, 10), o.due.isoformat(),
             f"{o.days}d", clip(o.finding.problem, 28)) for o in found]
    click.echo(table(rows, ("inspection", "id", "owner", "due", "late", "problem"))
               or "no finding is past its due date")
