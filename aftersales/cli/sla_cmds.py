"""SLA commands: `sla` (clocks, what-if) and `calendar cn`."""

from __future__ import annotations

import functools
import itertools
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import click

from aftersales.cli.base import CONTEXT, Choice, echo_chunks, group
from aftersales.cli.options import at_option, format_option, period_options, project, records_option
from aftersales.core.errors import UsageError
from aftersales.core.ids import resolve
from aftersales.core.model import Settings
from aftersales.core.problems import Invalid, did_you_mean, require_valid
from aftersales.core.times import check_period_options, period_from_options
from aftersales.engine import holidays_cn, sla
from aftersales.store import build
from aftersales.store.reading import read_file
from aftersales.store.spec import STATUSES
from aftersales.views.fmt import human_seconds, short
from aftersales.views.rows import CYCLE_COLUMNS, cycle_json, cycle_row, each_cycle_row
from aftersales.views.tables import csv_header, csv_lines, json_list, table, to_csv, to_json


@click.command("sla", context_settings=CONTEXT)
@records_option
@at_option
@click.option("--open", "open_only", is_flag=True, help="Only tickets open at --at.")
@click.option("--status", "statuses", multiple=True, type=Choice(STATUSES),
              help="Only cycles with this status (repeatable).")
@click.option("--target", "targets", multiple=True, metavar="ID", help="Only this target (repeatable).")
@click.option("--area", metavar="AREA", help="Only tickets in this area.")
@click.option("--ticket", "ticket_id", metavar="ID", help="Only this ticket (a unique prefix is enough).")
@period_options
@format_option("table", "json", "csv")
@click.option("--fail-on-breach", is_flag=True,
              help="Exit 1 when any listed cycle is breached, and print only then: for cron and CI.")
@click.option("--policy", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="What-if: list the cycles whose status would differ under the sla and calendars of "
                   "another settings file.")
def sla_command(records_dir, at_text, open_only, statuses, targets, area, ticket_id, period, from_text,
                to_text, fmt, fail_on_breach, policy) -> None:
    """List SLA clock cycles, most urgent first.

    One row per target and opening of a ticket (a `reopened` ticket starts a
    new cycle). Status is met, breached, running, at-risk, paused or void
    (stopped by a cancellation before its deadline). --period and --from/--to
    keep the cycles that started in that period.

    \b
    Examples:
      aftersales sla --open
      aftersales sla --status breached --period 2026Q1 --format csv
      aftersales sla --at "2026-03-14 18:00" --ticket T-20260314
      aftersales sla --fail-on-breach --open          # for cron and CI
      aftersales sla --policy two-hours-everywhere.yaml --period 2026Q1
    """
    if policy is not None and fail_on_breach:
        raise UsageError("--fail-on-breach lists breaches; with --policy the command lists changes: use one")
    check_period_options(period, from_text, to_text)   # before the folder is read
    p = project(records_dir, at_text)
    records, at, tz = p.records, p.at, p.tz
    chosen_period = period_from_options(period, from_text, to_text, tz)
    ticket = resolve(ticket_id, records.tickets, "ticket") if ticket_id else None
    if area and area not in records.settings.areas:
        raise UsageError(f"no area {area!r}; areas are {', '.join(records.settings.areas)}"
                         + did_you_mean(area, records.settings.areas))
    known_targets = list(dict.fromkeys(t.id for t in records.settings.targets))
    for target in targets:
        if target not in known_targets:
            raise UsageError(f"no target {target!r}; targets are {', '.join(known_targets)}"
                             + did_you_mean(target, known_targets))

    def pick(cycles):
        return sla.select(cycles, records, open_only=open_only, statuses=statuses, targets=targets,
                          area=area, ticket=ticket, period=chosen_period, at=at)

    wanted = sla.candidate_ids(records, at, open_only=open_only, ticket=ticket, period=chosen_period)
    if policy is not None:
        other = _read_policy(policy, records.settings)
        what_if = sla.evaluate(records, at, other, tickets=[records.tickets[i] for i in wanted])
        _show_changes(sla.compare(pick(sla.cycles_of(records, at, wanted)), pick(what_if)), fmt, tz)
        return
    if fmt in ("json", "csv"):   # written row by row: 250,000 rows are never joined into one text
        breached, texts = sla.most_urgent_first(records, at, wanted, pick, functools.partial(
            cycle_json if fmt == "json" else _csv_lines, tz=tz))
        if fail_on_breach and not breached:   # for cron: a run with nothing breached says nothing
            return
        echo_chunks(json_list(texts) if fmt == "json" else itertools.chain([csv_header(CYCLE_COLUMNS)], texts))
    else:
        cycles = pick(sla.cycles_of(records, at, wanted))
        cycles.sort(key=sla.urgency)
        breached = any(c.status == "breached" for c in cycles)
        if fail_on_breach and not breached:
            return
        click.echo(_sla_table(cycles, tz) or "no clock cycles match")
        if cycles:
            counts = Counter(c.status for c in cycles)
            click.echo("\n" + ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s]))
    if fail_on_breach and breached:
        sys.exit(1)


def _csv_lines(cycles, tz) -> Iterator[str]:
    return csv_lines(each_cycle_row(cycles, tz), CYCLE_COLUMNS)


def _sla_table(cycles, tz) -> str:
    rows = [(c.ticket, c.target, c.cycle, c.status, short(c.deadline, tz)[5:] or "(paused)",
             "" if c.margin is None else _signed(c.margin)) for c in cycles]
    return table(rows, ("ticket", "target", "#", "status", "deadline", "margin"),
                 ("left", "left", "right", "left", "left", "right"))


def _signed(seconds: int) -> str:
    return ("+" if seconds >= 0 else "") + human_seconds(seconds)


def _read_policy(path: Path, settings: Settings) -> Settings:
    clean, problems = read_file(path, path.name, "settings")
    try:
        require_valid(problems, f"the policy file {path} does not validate as settings", "nothing was compared",
                      hint=None)
    except Invalid as exc:  # a bad value of an option: a usage error
        raise UsageError(str(exc)) from None
    assert clean is not None  # a file that gives no value has an error
    return sla.with_policy(settings, build.settings(clean))


def _show_changes(changes: list[sla.Change], fmt: str, tz) -> None:
    counts = Counter(c.label for c in changes)
    if fmt in ("json", "csv"):
        rows = [{"ticket": c.ticket, "target": c.target, "cycle": c.cycle,
                 "before": c.before.status if c.before else None, "after": c.after.status if c.after else None,
                 "deadline_before": cycle_row(c.before, tz)["deadline"] if c.before else None,
                 "deadline_after": cycle_row(c.after, tz)["deadline"] if c.after else None}
                for c in changes]
        if fmt == "json":
            click.echo(to_json({"changes": dict(sorted(counts.items())), "cycles": rows}))
        else:
            click.echo(to_csv(rows, list(rows[0]) if rows else ["ticket"]), nl=False)
        return
    if not changes:
        click.echo("no cycle would change status under this policy")
        return
    click.echo(table(((c.ticket, c.target, c.cycle, c.label,
                       short(c.after.deadline if c.after else None, tz)[5:]) for c in changes),
                     ("ticket", "target", "#", "change", "new deadline")))
    click.echo("")
    for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"{n:5d}  {label}")


@group("calendar")
def calendar_group() -> None:
    """Working-time calendars."""


@calendar_group.command("cn")
@click.argument("year", type=click.IntRange(1990, 2100))
def calendar_cn(year: int) -> None:
    """Print mainland China's official public holidays and make-up working days of YEAR.

    The output is YAML ready to paste under a calendar in aftersales.yaml. It
    comes from the `holidays` package (pip install 'aftersales[holidays]')
    and fails for a year whose official notice is not published yet, rather
    than guessing.

    \b
    Example:
      aftersales calendar cn 2026
    """
    click.echo(holidays_cn.to_yaml(holidays_cn.china_year(year)), nl=False)
