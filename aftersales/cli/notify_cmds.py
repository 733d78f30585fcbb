"""`aftersales notify`: alerts to the team's group chats and progress messages to customers."""

from __future__ import annotations

import os
from pathlib import Path

import click

from aftersales.cli.base import CONTEXT
from aftersales.cli.options import at_option, format_option, project, records_option
from aftersales.core.errors import AftersalesError
from aftersales.notify import run as notify_run
from aftersales.views.tables import to_json


@click.command("notify", context_settings=CONTEXT)
@records_option
@at_option
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="The file that records what was sent (default: one per records folder in "
                   "$AFTERSALES_STATE_DIR, else $XDG_STATE_HOME/aftersales, else ~/.local/state/aftersales).")
@click.option("--dry-run", is_flag=True, help="Print the messages that are due; send nothing, record nothing.")
@format_option("text", "json", default="text")
@click.option("-v", "--verbose", is_flag=True, help="Say each message sent (by default only failures are shown).")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=300), default=notify_run.TIMEOUT_SECONDS,
              show_default=True, metavar="SECONDS", help="How long to wait for a server's answer.")
@click.option("--retries", type=click.IntRange(0, 10), default=notify_run.RETRIES, show_default=True,
              help="Tries after the first one for a message that failed for a passing reason (waits 1, 2, 4 s...).")
def notify_command(records_dir, at_text, state_path, dry_run, fmt, verbose, timeout, retries) -> None:
    """Send the alerts that became true, each once, and customer progress messages.

    For cron, every few minutes. The settings' `notify:` section names the
    channels (WeCom, DingTalk and Feishu group robots, a JSON webhook, email)
    and the rules that send at-risk, breached and escalation alerts of running
    SLA clocks, overdue inspection findings and maintenance, expiring
    warranties and low stock. A state file outside the records remembers what
    each channel was told; alerts missed while notify or the network was down
    go out as one summary per channel. URLs, secrets and SMTP passwords come
    from the environment variables the channels name. Exit 1 when anything
    could not be sent (it is tried again on the next run), with the reasons.

    \b
    Examples:
      aftersales notify --dry-run
      aftersales notify --verbose
      aftersales notify --state /var/lib/aftersales/notify.sqlite
      */5 * * * * . /etc/aftersales/notify.env && /srv/venv/bin/aftersales notify
    """
    p = project(records_dir, at_text)
    sender = notify_run.Sender(dict(os.environ), timeout=timeout, retries=retries)

    def said(outcome: notify_run.Outcome) -> None:
        if verbose and fmt == "text" and outcome.error is None:
            o = outcome.outgoing
            click.echo(f"sent to {o.channel.id}: {_one_line(o)}")

    result = notify_run.run(p.records, p.root, p.at, state_path, dry_run=dry_run, sender=sender, on_outcome=said)
    if fmt == "json":
        click.echo(to_json(_as_json(result)))
    elif dry_run:
        _show_plan(result)
    if result.failed:
        lines = [f"  {o.outgoing.channel.id}: {_one_line(o.outgoing)}: {o.error}" for o in result.failed]
        count = len(result.failed)
        raise AftersalesError(f"{count} message{'s' if count != 1 else ''} could not be sent (tried again on the "
                              "next run):\n" + "\n".join(lines))


def _one_line(o: notify_run.Outgoing) -> str:
    to = f" (to {o.recipient})" if o.recipient else ""
    return o.message.title.split("\n")[0][:60] + to


def _show_plan(result: notify_run.Result) -> None:
    if not result.planned:
        click.echo("nothing to send")
        return
    for index, o in enumerate(result.planned):
        to = f" to {o.recipient}" if o.recipient else ""
        click.echo(("\n" if index else "") + f"--- {o.channel.id} ({o.channel.kind}), {o.kind}{to}")
        click.echo(o.message.plain())


def _as_json(result: notify_run.Result) -> dict[str, object]:
    errors = {id(o.outgoing): o for o in result.outcomes}
    messages = []
    for o in result.planned:
        outcome = errors.get(id(o))
        messages.append({
            "channel": o.channel.id, "kind": o.kind, "recipient": o.recipient, "title": o.message.title,
            "text": o.message.plain(), "alerts": [{"kind": k[0], "subject": k[1], "target": k[2] or None,
                                                   "cycle": k[3] or None, "how": how} for k, how in o.told],
            "sent": None if result.dry_run else outcome is not None and outcome.error is None,
            "error": outcome.error if outcome is not None else None,
        })
    return {"dry_run": result.dry_run, "messages": messages}
