"""Ticket commands: show (and, with the writer, open, log, list)."""

from __future__ import annotations

import click

from .. import sla
from ..explain import explain
from ..ids import resolve
from ..options import at_option, load_valid, records_option
from ..timeutil import short
from . import CONTEXT, cli


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
    click.echo(f"{ticket.id}  {ticket.summary}")
    click.echo(f"  status    {ticket.status} (as of {short(at, tz)})")
    fields = [("kind", ticket.kind), ("asset", ticket.asset), ("area", facts["area"]),
              ("priority", facts["priority"]), ("severity", ticket.severity), ("category", ticket.category),
              ("channel", ticket.channel), ("location", ticket.location),
              ("reporter", " ".join(x for x in (ticket.reporter.name, ticket.reporter.phone) if x)
               if ticket.reporter else None),
              ("inspection", ticket.inspection), ("file", ticket.where.path)]
    for name, value in fields:
        if value:
            click.echo(f"  {name:<9} {value}")
    click.echo("\nTimeline")
    for event in ticket.events:
        click.echo(f"  {short(event.at, tz)}  {event.type:<10} {_event_details(event, tz)}".rstrip())
    click.echo("\nSLA clocks")
    cycles = engine.cycles(ticket, at)
    if not cycles:
        click.echo("  no target applies to this ticket")
    for cycle in cycles:
        for line in explain(cycle, engine.calendars[cycle.calendar], at):
            click.echo("  " + line)


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
