"""Ticket commands: show, open, log, list."""

from __future__ import annotations

import sys
from typing import Any
from zoneinfo import ZoneInfo

import click

from aftersales.cli.base import Choice, echo_chunks, group
from aftersales.cli.options import at_option, field_options, format_option, project, records_option
from aftersales.core import phones
from aftersales.core.errors import UsageError
from aftersales.core.ids import resolve
from aftersales.core.problems import did_you_mean
from aftersales.core.times import parse_date, parse_instant, parse_past_instant
from aftersales.edit import tickets
from aftersales.engine import queries, sla
from aftersales.project import load_ticket
from aftersales.store import spec
from aftersales.store.paths import find_root, list_ids
from aftersales.store.spec import CATEGORIES, CHANNELS, EVENT, EVENT_TYPES, KINDS, KINDS_WITH_ASSET, SEVERITIES, TICKET
from aftersales.views import rows
from aftersales.views import tickets as ticket_views
from aftersales.views.fmt import short
from aftersales.views.tables import csv_rows, json_rows, terminal_width


@group("ticket")
def ticket_group() -> None:
    """Service tickets: show one, open one, log work, list them."""


@ticket_group.command("show")
@click.argument("ticket_id", metavar="ID")
@records_option
@at_option
def show(ticket_id: str, records_dir: Any, at_text: str) -> None:
    """Show a ticket: its fields, its timeline and every SLA clock explained.

    ID may be a unique prefix of the ticket id, as in git.

    \b
    Examples:
      aftersales ticket show T-20260314-7F3K9Q
      aftersales ticket show T-20260314-7F --at "2026-03-14 12:00"
    """
    root = find_root(records_dir)
    index = list_ids(root)
    one = load_ticket(root, resolve(ticket_id, index["ticket"], "ticket"), index)   # nothing else is read
    tz = one.settings.tz
    at = parse_instant(at_text, tz)
    ticket = one.ticket.as_of(at)
    if ticket is None:
        raise UsageError(f"{ticket_id} was reported after {short(at, tz)}: it did not exist yet")
    engine = sla.Engine(one.settings, {one.asset.id: one.asset} if one.asset is not None else {})
    click.echo(ticket_views.show(ticket, engine, at, terminal_width() - 1))


# --- writing ----------------------------------------------------------------

def _folder(records_dir: Any) -> tickets.Folder:
    return tickets.Folder.open(find_root(records_dir))


def _ask(name: str, value: Any, prompt: str, interactive: bool, **kwargs: Any) -> Any:
    """A required value: from its option, else asked on a terminal, else a usage error naming it."""
    if isinstance(value, str) and value and not value.strip():
        raise UsageError(f"--{name} must not be empty")
    if value not in (None, ""):
        return value
    if not interactive:
        raise UsageError(f"missing --{name} (required; no terminal to ask on)")
    return click.prompt(prompt, **kwargs)


@ticket_group.command("open")
@records_option
@click.option("--kind", type=Choice(KINDS), help=f"{TICKET.doc('kind').capitalize()}.  [required]")
@click.option("--asset", metavar="ID", help=f"{TICKET.doc('asset').capitalize()}; a unique prefix is enough.")
@click.option("--area", metavar="AREA", help="Area, when it differs from the asset's.")
@click.option("--priority", metavar="P", help="Priority, overriding the area's.")
@click.option("--severity", type=Choice(SEVERITIES), help=f"{TICKET.doc('severity').capitalize()}.")
@click.option("--category", type=Choice(CATEGORIES), help=f"{TICKET.doc('category').capitalize()}.")
@click.option("--channel", type=Choice(CHANNELS), help=f"{TICKET.doc('channel').capitalize()}.")
@click.option("--reporter", metavar="NAME", help="Who reported it.")
@click.option("--phone", metavar="NUMBER", help="The reporter's phone number.")
@click.option("--location", metavar="TEXT", help=f"{TICKET.doc('location').capitalize()} (row, seat, room).")
@click.option("--summary", metavar="TEXT", help=f"{TICKET.doc('summary').capitalize()}.  [required]")
@click.option("--inspection", metavar="ID", help=f"{TICKET.doc('inspection').capitalize()}.")
@click.option("--at", "at_text", metavar="WHEN", help="When it was reported.  [default: now]")
@click.option("--by", metavar="WHO", help="Who took the report.")
def open_command(records_dir: Any, kind: str | None, asset: str | None, area: str | None, priority: str | None,
                 severity: str | None, category: str | None, channel: str | None, reporter: str | None,
                 phone: str | None, location: str | None, summary: str | None, inspection: str | None,
                 at_text: str | None, by: str | None) -> None:
    """Open a new ticket and print its id (alone on stdout, for scripts).

    Writes tickets/YYYY/ID.yaml with a first `reported` event. On a terminal,
    when a required field is missing, it asks for it and for the reporter,
    their phone, the location and who took the call (Enter skips one; a
    mistyped asset is asked again); without a terminal, a missing field is a
    usage error (exit 2). Phone numbers are digits, spaces and hyphens,
    optionally +86 first; full-width digits are read as ordinary ones.

    \b
    Examples:
      aftersales ticket open --kind repair --asset AUD-CHAIR-A --summary 扶手松动 \\
          --reporter 王老师 --phone 13800001234 --location 第3排12号 --by cs-li
      id=$(aftersales ticket open --kind inquiry --summary "保养咨询" --channel wechat)
    """
    folder = _folder(records_dir)
    settings = folder.settings
    interactive = sys.stdin.isatty() and (not kind or not summary or (kind in KINDS_WITH_ASSET and not asset))
    kind = _ask("kind", kind, "Kind", interactive, type=Choice(KINDS))
    if kind in KINDS_WITH_ASSET:
        asset = _ask("asset", asset, "Asset id", interactive)
    if asset:
        asset = _asset(folder, asset, interactive)
    summary = _ask("summary", summary, "Summary", interactive)
    if interactive:   # the rest of what the desk notes down on the phone
        reporter = reporter or click.prompt("Reporter", default="", show_default=False) or None
        phone = phone or _prompt_phone()
        location = location or click.prompt("Location", default="", show_default=False) or None
        by = by or click.prompt("Taken by", default="", show_default=False) or None
    if phone:
        phone = _phone(phone)
    if "\n" in summary or "\r" in summary:
        raise UsageError("--summary is one line; put details in a `note` event")
    if area is not None and area not in settings.areas:
        raise UsageError(f"--area {area!r} is not one of {', '.join(settings.areas)}"
                         + did_you_mean(area, settings.areas))
    if priority is not None and priority not in settings.priorities:
        raise UsageError(f"--priority {priority!r} is not one of {', '.join(settings.priorities)}"
                         + did_you_mean(priority, settings.priorities))
    if inspection:
        inspection = resolve(inspection, folder.index["inspection"], "inspection")
    fields = {"asset": asset, "area": area, "priority": priority, "severity": severity, "category": category,
              "channel": channel, "location": location, "inspection": inspection,
              "reporter": {k: v for k, v in (("name", reporter), ("phone", phone)) if v} or None}
    at = parse_past_instant(at_text, settings.tz) if at_text else None
    ticket_id, _ = tickets.open_ticket(folder, kind, summary, at, by, fields)
    click.echo(ticket_id)


@ticket_group.command("log")
@click.argument("ticket_id", metavar="ID")
@click.argument("event_type", metavar="TYPE", type=Choice(list(EVENT_TYPES)))
@records_option
@click.option("--at", "at_text", metavar="WHEN",
              help="When it happened; an earlier time than the last event is a late entry.  [default: now]")
@field_options(EVENT, skip=("at", "type", "logged"))  # `logged` is the writer's to stamp
def log_command(ticket_id: str, event_type: str, records_dir: Any, at_text: str | None, **fields: Any) -> None:
    """Append one event of TYPE to ticket ID (a unique prefix is enough).

    The file's existing bytes stay exactly as they were: the git diff is one
    added line. An event that happened earlier than one already logged (a
    forgotten `arrived`), or more than `late_after` ago, is a late entry: it
    is appended all the same and carries `logged`, when it was written.
    A command that breaks a rule (anything but `reopened` after `cancelled`,
    `arrived` after `resolved`, `callback` before `resolved`, `resumed`
    without `paused`, an unknown part, a field the event type does not
    carry...) is refused and the file left untouched.

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
    at = parse_past_instant(at_text, tz) if at_text else None   # None: now, once the ticket is locked
    event = {"at": at, "type": event_type, **_event_values(folder, fields, tz)}
    done = tickets.log_event(folder, ticket_id, event)
    click.echo(f"{done.ticket.id}: {event_type} at {short(done.event['at'], tz)}; the ticket is {done.ticket.status}")


def _asset(folder: tickets.Folder, given: str, interactive: bool) -> str:
    """The asset id `given` names; on a terminal a mistyped one is asked again."""
    while True:
        try:
            return resolve(given, folder.index["asset"], "asset")
        except UsageError as exc:
            if not interactive:
                raise
            click.echo(f"Error: {exc}", err=True)
            given = click.prompt("Asset id")


def _phone(text: str) -> str:
    number = phones.normalize(text)
    if not phones.is_phone(number):
        raise UsageError(f"--phone {text!r} is not {phones.HINT}")
    return number


def _prompt_phone() -> str | None:
    while True:
        text = click.prompt("Phone", default="", show_default=False)
        if not text.strip():
            return None
        try:
            return _phone(text)
        except UsageError as exc:
            click.echo(f"Error: {exc}", err=True)


def _event_values(folder: tickets.Folder, given: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """The options of `ticket log` as event fields: times read in the project time zone, parts
    as {part, qty} with their ids completed from a unique prefix."""
    values: dict[str, Any] = {}
    for name, value in given.items():
        kind = EVENT.fields[name].type
        if value in (None, (), ""):
            continue
        if isinstance(kind, spec.Instant):
            value = parse_instant(value, tz)
        elif isinstance(kind, spec.ListOf):
            value = [_part(folder, text) for text in value]
        values[name] = value
    return values


def _part(folder: tickets.Folder, text: str) -> dict[str, Any]:
    """`--part PART:QTY`, PART possibly a unique prefix of a part id."""
    use = tickets.parse_part(text)
    use["part"] = resolve(use["part"], folder.index["part"], "part")
    return use


@ticket_group.command("list")
@records_option
@at_option
@click.option("--all", "show_all", is_flag=True, help="Every ticket, not only the open ones.")
@click.option("--kind", type=Choice(KINDS), help="Only this kind.")
@click.option("--area", metavar="AREA", help="Only this area.")
@click.option("--asset", metavar="ID", help="Only this asset (a unique prefix is enough).")
@click.option("--status", type=Choice(["open", "resolved", "cancelled"]), help="Only this status.")
@click.option("--since", metavar="DATE", help="Only tickets reported on or after this date.")
@format_option("table", "json", "csv")
def list_command(records_dir: Any, at_text: str, show_all: bool, kind: str | None, area: str | None,
                 asset: str | None, status: str | None, since: str | None, fmt: str) -> None:
    """List tickets, oldest report first: open ones by default.

    The `next` column is the nearest deadline of a running SLA clock.

    \b
    Examples:
      aftersales ticket list
      aftersales ticket list --all --area lobby --since 2026-01-01
      aftersales ticket list --format json
    """
    p = project(records_dir, at_text)
    records = p.records
    if area and area not in records.settings.areas:
        raise UsageError(f"no area {area!r}; areas are {', '.join(records.settings.areas)}"
                         + did_you_mean(area, records.settings.areas))
    if asset:
        asset = resolve(asset, records.assets, "asset")
    found = queries.ticket_rows(records, p.at, show_all=show_all, kind=kind, area=area, asset=asset, status=status,
                                since=parse_date(since) if since else None)
    if fmt == "json":   # written row by row (a --all listing of ten years is long)
        echo_chunks(json_rows(rows.ticket_row(r, p.tz) for r in found))
    elif fmt == "csv":
        echo_chunks(csv_rows((rows.ticket_row(r, p.tz) for r in found), rows.TICKET_COLUMNS))
    else:
        click.echo(ticket_views.list_table(found, p.at, p.tz, terminal_width()) or "no tickets match")
