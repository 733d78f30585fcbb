"""Ticket commands: show (and, with the writer, open, log, list)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from aftersales.cli import CONTEXT, cli
from aftersales.core.ids import complete, resolve
from aftersales.core.times import parse_date, parse_instant, parse_past_instant, short
from aftersales.edit import tickets
from aftersales.engine import queries as ticket_list
from aftersales.engine import sla
from aftersales.store import files as store
from aftersales.store.spec import CATEGORIES, CHANNELS, EVENT_TYPES, KINDS, KINDS_WITH_ASSET, SEVERITIES
from aftersales.views.explain import explain
from aftersales.views.tables import to_csv, to_json, wrap

from .options import at_option, format_option, load_valid, records_option

WIDTH = 79  # display cells: ticket show fits an 80-column terminal


@cli.group("ticket", context_settings=CONTEXT)
def ticket_group() -> None:
    """Service tickets: show one, open one, log work, list them."""


@ticket_group.command("show")
@click.argument("ticket_id", metavar="ID")
@records_option
@at_option
def show(ticket_id: str, records_dir, at_text: str) -> None:
    """Show a ticket: its fields, its timeline and every SLA clock explained.

    ID may be a unique prefix of the ticket id, as in git.

    \b
    Examples:
      aftersales ticket show T-20260314-7F3K9Q
      aftersales ticket show T-20260314-7F --at "2026-03-14 12:00"
    """
    loaded, at = load_valid(records_dir, at_text)
    records = loaded.records
    tz = records.settings.tz
    ticket = records.tickets[resolve(ticket_id, records.tickets, "ticket")].as_of(at)
    if ticket is None:
        raise click.UsageError(f"{ticket_id} was reported after {short(at, tz)}: it did not exist yet")
    engine = sla.Engine(records.settings, records.assets)
    facts = sla.facts(ticket, records.settings, records.assets)
    click.echo("\n".join(wrap(f"{ticket.id}  {ticket.summary}", WIDTH, "", "  ")))
    click.echo(f"  status    {ticket.status} (as of {short(at, tz)})")
    fields = [("kind", ticket.kind), ("asset", ticket.asset), ("area", facts["area"]),
              ("priority", facts["priority"]), ("severity", ticket.severity), ("category", ticket.category),
              ("channel", ticket.channel), ("location", ticket.location),
              ("reporter", " ".join(x for x in (ticket.reporter.name, ticket.reporter.phone) if x)
               if ticket.reporter else None),
              ("inspection", ticket.inspection), ("file", ticket.where.path)]
    for name, value in fields:
        if value:
            click.echo("\n".join(wrap(str(value), WIDTH, f"  {name:<9} ", " " * 12)))
    click.echo("\nTimeline")
    for event in ticket.events:
        head = f"  {short(event.at, tz)}  {event.type:<10}  "
        click.echo("\n".join(wrap(_event_details(event, tz), WIDTH, head, " " * len(head))) or head.rstrip())
    click.echo("\nSLA clocks")
    cycles = engine.cycles(ticket, at)
    if not cycles:
        click.echo("  no target applies to this ticket")
    for cycle in cycles:
        for line in explain(cycle, engine.calendars[cycle.calendar], at):
            indent = " " * (len(line) - len(line.lstrip()) + 2)
            click.echo("\n".join(wrap(line.strip(), WIDTH, indent, indent + "  ")))


def _event_details(event, tz) -> str:
    bits = []
    if event.by:
        bits.append(event.by)
    for name in ("to", "verdict", "reason", "note"):
        value = getattr(event, name)
        if value:
            bits.append(f"{name}: {value}")
    if event.until:
        bits.append(f"until {short(event.until, tz)}")
    if event.parts:
        bits.append("parts: " + ", ".join(f"{p.part} x{p.qty:g}" for p in event.parts))
    if event.cost is not None:
        bits.append(f"cost {event.cost:g}")
    if event.satisfaction is not None:
        bits.append(f"satisfaction {event.satisfaction}/5")
    return "  ".join(bits)


# --- writing ----------------------------------------------------------------

def _folder(records_dir) -> tickets.Folder:
    return tickets.Folder.open(store.find_root(records_dir))


def _when(text: str | None, tz) -> dt.datetime:
    """When it happened: now by default; never in the future."""
    return parse_past_instant(text or "now", tz)


def _ask(name: str, value, prompt: str, interactive: bool, **kwargs):
    """A required value: from its option, else asked on a terminal, else a usage error naming it."""
    if value not in (None, ""):
        return value
    if not interactive:
        raise click.UsageError(f"missing --{name} (required; no terminal to ask on)")
    return click.prompt(prompt, **kwargs)


@ticket_group.command("open")
@records_option
@click.option("--kind", type=click.Choice(KINDS), help="What the customer asks for.  [required]")
@click.option("--asset", metavar="ID", help="The asset (required for repair, maintenance, return, exchange; "
              "a unique prefix is enough).")
@click.option("--area", metavar="AREA", help="Area, when it differs from the asset's.")
@click.option("--priority", metavar="P", help="Priority, overriding the area's.")
@click.option("--severity", type=click.Choice(SEVERITIES), help="How urgent.  [default: normal]")
@click.option("--category", type=click.Choice(CATEGORIES), help="The kind of problem.")
@click.option("--channel", type=click.Choice(CHANNELS), help="How the request came in.")
@click.option("--reporter", metavar="NAME", help="Who reported it.")
@click.option("--phone", metavar="NUMBER", help="The reporter's phone number.")
@click.option("--location", metavar="TEXT", help="Where exactly (row, seat, room).")
@click.option("--summary", metavar="TEXT", help="One line describing the request.  [required]")
@click.option("--inspection", metavar="ID", help="The inspection that found it.")
@click.option("--at", "at_text", metavar="WHEN", help="When it was reported.  [default: now]")
@click.option("--by", metavar="WHO", help="Who took the report.")
def open_command(records_dir, kind, asset, area, priority, severity, category, channel, reporter, phone,
                 location, summary, inspection, at_text, by) -> None:
    """Open a new ticket and print its id (alone on stdout, for scripts).

    Writes tickets/YYYY/ID.yaml with a first `reported` event. On a terminal
    it asks for missing required fields; without one, a missing field is a
    usage error (exit 2).

    \b
    Examples:
      aftersales ticket open --kind repair --asset AUD-CHAIR-A --summary 扶手松动 \\
          --reporter 王老师 --phone 13800001234 --location 第3排12号 --by cs-li
      id=$(aftersales ticket open --kind inquiry --summary "保养咨询" --channel wechat)
    """
    folder = _folder(records_dir)
    settings = folder.settings
    interactive = sys.stdin.isatty()
    kind = _ask("kind", kind, "Kind", interactive, type=click.Choice(KINDS))
    if kind in KINDS_WITH_ASSET:
        asset = _ask("asset", asset, "Asset id", interactive)
    if asset:
        asset = resolve(asset, folder.index["asset"], "asset")
    summary = _ask("summary", summary, "Summary", interactive)
    if "\n" in summary or "\r" in summary:
        raise click.UsageError("--summary is one line; put details in a `note` event")
    if area is not None and area not in settings.areas:
        raise click.UsageError(f"--area {area!r} is not one of {', '.join(settings.areas)}")
    if priority is not None and priority not in settings.priorities:
        raise click.UsageError(f"--priority {priority!r} is not one of {', '.join(settings.priorities)}")
    if inspection:
        inspection = resolve(inspection, folder.index["inspection"], "inspection")
    fields = {"asset": asset, "area": area, "priority": priority, "severity": severity, "category": category,
              "channel": channel, "location": location, "inspection": inspection,
              "reporter": {k: v for k, v in (("name", reporter), ("phone", phone)) if v} or None}
    at = _when(at_text, settings.tz)
    ticket_id, _ = tickets.open_ticket(folder, kind, summary, at, by, fields)
    click.echo(ticket_id)


@ticket_group.command("log")
@click.argument("ticket_id", metavar="ID")
@click.argument("event_type", metavar="TYPE", type=click.Choice(EVENT_TYPES))
@records_option
@click.option("--at", "at_text", metavar="WHEN", help="When it happened.  [default: now]")
@click.option("--by", metavar="WHO", help="Who did it.")
@click.option("--note", metavar="TEXT", help="Free text.")
@click.option("--to", metavar="WHO", help="assigned / escalated: to whom.")
@click.option("--verdict", type=click.Choice(["accept", "reject"]), help="inspected: the verdict.")
@click.option("--until", "until_text", metavar="WHEN", help="workaround: the agreed final resolution time.")
@click.option("--reason", metavar="TEXT", help="paused / resumed: why.")
@click.option("--part", "parts", multiple=True, metavar="PART:QTY",
              help="resolved: a part used, its id or a unique prefix (repeatable).")
@click.option("--cost", type=click.FloatRange(min=0), help="resolved: amount charged.")
@click.option("--satisfaction", type=int, help="callback: the customer's score, 1 to 5.")
def log_command(ticket_id, event_type, records_dir, at_text, by, note, to, verdict, until_text, reason, parts,
                cost, satisfaction) -> None:
    """Append one event of TYPE to ticket ID (a unique prefix is enough).

    The file's existing bytes stay exactly as they were: the git diff is one
    added line. A command that breaks a rule (an event earlier than the last
    one, anything but `reopened` after `cancelled`, `callback` before
    `resolved`, `resumed` without `paused`, an unknown part, a field the
    event type does not carry...) is refused and the file left untouched.

    \b
    Examples:
      aftersales ticket log T-20260314-7F responded --by eng-zhang --note 电话确认
      aftersales ticket log T-20260314-7F arrived --at 11:55 --by eng-zhang
      aftersales ticket log T-20260314-7F workaround --until "2026-03-16 17:00"
      aftersales ticket log T-20260314-7F resolved --part BOLT-M8:2 --cost 0
      aftersales ticket log T-20260314-7F callback --satisfaction 5 --by cs-li
    """
    folder = _folder(records_dir)
    tz = folder.settings.tz
    ticket_id = folder.resolve_ticket(ticket_id)
    event = {"at": _when(at_text, tz), "type": event_type, "by": by, "to": to, "verdict": verdict,
             "until": parse_instant(until_text, tz) if until_text else None, "reason": reason,
             "parts": [_part(folder, p) for p in parts], "cost": cost, "satisfaction": satisfaction,
             "note": note}
    _, ticket = tickets.log_event(folder, ticket_id, event)
    click.echo(f"{ticket.id}: {event_type} at {short(event['at'], tz)}; the ticket is {ticket.status}")


def _part(folder: tickets.Folder, text: str) -> dict:
    """`--part PART:QTY`, PART possibly a unique prefix of a part id."""
    use = tickets.parse_part(text)
    use["part"] = complete(use["part"], folder.index["part"], "part")
    return use


@ticket_group.command("list")
@records_option
@at_option
@click.option("--all", "show_all", is_flag=True, help="Every ticket, not only the open ones.")
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind.")
@click.option("--area", metavar="AREA", help="Only this area.")
@click.option("--asset", metavar="ID", help="Only this asset (a unique prefix is enough).")
@click.option("--status", type=click.Choice(["open", "resolved", "cancelled"]), help="Only this status.")
@click.option("--since", metavar="DATE", help="Only tickets reported on or after this date.")
@format_option("table", "json", "csv")
def list_command(records_dir, at_text, show_all, kind, area, asset, status, since, fmt) -> None:
    """List tickets, oldest report first: open ones by default.

    The `next` column is the nearest deadline of a running SLA clock.

    \b
    Examples:
      aftersales ticket list
      aftersales ticket list --all --area lobby --since 2026-01-01
      aftersales ticket list --format json
    """
    loaded, at = load_valid(records_dir, at_text)
    records = loaded.records
    tz = records.settings.tz
    if area and area not in records.settings.areas:
        raise click.UsageError(f"no area {area!r}; areas are {', '.join(records.settings.areas)}")
    if asset:
        asset = resolve(asset, records.assets, "asset")
    rows = ticket_list.rows(records, at, show_all=show_all, kind=kind, area=area, asset=asset, status=status,
                            since=parse_date(since) if since else None)
    if fmt == "json":
        click.echo(to_json([ticket_list.as_record(r, tz) for r in rows]))
    elif fmt == "csv":
        click.echo(to_csv([ticket_list.as_record(r, tz) for r in rows], ticket_list.COLUMNS), nl=False)
    else:
        click.echo(ticket_list.table_text(rows, at, tz) or "no tickets match")
