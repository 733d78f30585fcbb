"""`aftersales followups`: the calls, messages and visits the desk owes after each fix."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any
from zoneinfo import ZoneInfo

import click

from aftersales.cli.base import CONTEXT
from aftersales.cli.options import at_option, format_option, project, records_option, within_days
from aftersales.core.model import Records, Ticket
from aftersales.engine import queries
from aftersales.views.fmt import iso, short
from aftersales.views.safe import masked_phone
from aftersales.views.tables import fit, table, terminal_width, to_json

HEADERS = ("due", "step", "ticket", "asset", "reporter", "summary")
FLEXIBLE = {3: 8, 4: 8, 5: 7}


@click.command("followups", context_settings=CONTEXT)
@records_option
@at_option
@click.option("--within", "within_text", default="7d", show_default=True, metavar="DAYS",
              help="Also list what falls due within this many days (of 24 hours), like 7d.")
@format_option("table", "json")
@click.option("--fail-on-overdue", is_flag=True,
              help="Exit 1 when a follow-up is overdue, and print only then: for cron.")
def followups_command(records_dir: Any, at_text: str, within_text: str, fmt: str, fail_on_overdue: bool) -> None:
    """List the follow-ups after each fix that are overdue or due soon, overdue first.

    A follow-up is a clock of a target that starts at `resolved` and has not
    stopped: with the default settings the callback (24 h), the message with
    use and care advice (7 days) and the revisit on site (30 days). `!`
    marks an overdue one. Phone numbers are shown masked; `ticket show` has
    them whole.

    \b
    Examples:
      aftersales followups
      aftersales followups --within 14d --format json
      aftersales followups --fail-on-overdue       # for cron: a mail only when one is late
    """
    days = within_days(within_text)
    p = project(records_dir, at_text)
    found = queries.follow_ups(p.records, p.at, dt.timedelta(days=days))
    overdue = any(f.overdue for f in found)
    if fail_on_overdue and not overdue:   # for cron: nothing late, nothing said
        return
    if fmt == "json":
        click.echo(to_json([_row(f, p.tz, p.records) for f in found]))
    else:
        rows = [[("!" if f.overdue else "") + short(f.deadline, p.tz)[5:], f.cycle.target, f.ticket.id,
                 f.ticket.asset or "", _reporter(f.ticket), f.ticket.summary] for f in found]
        click.echo(table(fit(rows, HEADERS, terminal_width(), FLEXIBLE), HEADERS, tight=True)
                   or f"no follow-up is overdue or due within {days} days")
    sys.exit(1 if fail_on_overdue and overdue else 0)


def _reporter(ticket: Ticket) -> str:
    if ticket.reporter is None:
        return ""
    return " ".join(x for x in (ticket.reporter.name, masked_phone(ticket.reporter.phone)) if x)


def _row(f: queries.FollowUp, tz: ZoneInfo, records: Records) -> dict[str, object]:
    t, asset = f.ticket, records.assets.get(f.ticket.asset or "")
    resolved = max(e.at for e in t.events if e.type == "resolved")
    return {"ticket": t.id, "target": f.cycle.target, "cycle": f.cycle.cycle,
            "status": "overdue" if f.overdue else "due", "deadline": iso(f.deadline, tz),
            "resolved": iso(resolved, tz), "asset": t.asset, "asset_name": asset.name if asset else None,
            "location": t.location or (asset.location if asset else None),
            "reporter": t.reporter.name if t.reporter else None,
            "phone": masked_phone(t.reporter.phone) if t.reporter else None, "summary": t.summary}
