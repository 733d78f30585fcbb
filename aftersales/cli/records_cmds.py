"""Commands about the records folder itself: validate and init."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from aftersales.cli.base import CONTEXT
from aftersales.cli.options import check_records, format_option, records_option
from aftersales.core.problems import Problem
from aftersales.core.times import parse_date
from aftersales.edit import init as scaffold
from aftersales.store.load import Loaded
from aftersales.views import schema


@click.command("validate", context_settings=CONTEXT)
@records_option
@click.option("--at", "at_text", metavar="WHEN", default="now", show_default=True,
              help="Judge the records as of this instant: an event after it is an error (a typo like 2062).")
@format_option("text", "json", default="text")
def validate(records_dir: Path | None, at_text: str, fmt: str) -> None:
    """Check every record against the records format.

    Prints one line per problem, `path:line:col: severity[code]: message`, then a
    summary. Exit status: 0 when there are no errors (warnings allowed), 1 when
    there are, 2 when no records folder is found.

    \b
    Examples:
      aftersales validate
      aftersales validate --records records --format json
    """
    loaded, problems = check_records(records_dir, at_text)
    errors = sum(p.severity == "error" for p in problems)
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(_summary(loaded, problems))
    sys.exit(1 if errors else 0)


def _summary(loaded: Loaded, problems: list[Problem]) -> str:
    r = loaded
    counts = Counter(p.severity for p in problems)
    files = len({p.path for p in problems})
    held = ", ".join(_plural(len(table), kind) for table, kind in (
        (r.assets, "asset"), (r.tickets, "ticket"), (r.inspections, "inspection"), (r.parts, "part")))
    if not problems:
        return f"ok: {held}, no problems"
    return (f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')} "
            f"in {_plural(files, 'file')} ({held} read)")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@click.command("init", context_settings=CONTEXT)
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--name", help="Project name shown on reports.")
@click.option("--customer", help="The customer (the school).")
@click.option("--supplier", help="Who gives the service.")
@click.option("--timezone", help="IANA time zone of the project.  [default: Asia/Shanghai]")
@click.option("--start", "start_text", metavar="DATE",
              help="The day the service starts: maintenance plans count from it and the calendar gets "
                   "that year's and the next year's official holidays.  [default: today]")
def init(folder: Path, name: str | None, customer: str | None, supplier: str | None,
         timezone: str | None, start_text: str | None) -> None:
    """Create a new records folder FOLDER with the default settings.

    The settings carry the service documents' defaults, each explained by a
    comment: six areas with their priorities, 2 h / 4 h / 8 h repair targets,
    a 24 h callback, a 3-working-day return inspection on a calendar with the
    official holidays, quarterly inspections, half-yearly office upkeep and a
    5-year warranty. The plans start on --start, so nothing is overdue on the
    first day; the official holidays come from the `holidays` extra (install
    it with pip install 'aftersales[holidays]'), and init says which years
    still need filling. FOLDER must not exist or be empty.

    \b
    Examples:
      aftersales init school-records
      aftersales init school-records --start 2027-03-01 --name "苏州某学校家具项目" --customer 某学校
    """
    zone = ZoneInfo(timezone) if timezone and _known_zone(timezone) else ZoneInfo("Asia/Shanghai")
    start = parse_date(start_text) if start_text else dt.datetime.now(zone).date()
    _, calendar = scaffold.create(folder, start=start, name=name, customer=customer, supplier=supplier,
                                  timezone=timezone)
    click.echo(f"created {folder}/ with {scaffold.SETTINGS_FILE} and empty record folders; "
               f"maintenance plans start {start}")
    if calendar.filled:
        click.echo("the workdays calendar has the official holidays of "
                   + " and ".join(str(y) for y in calendar.filled))
    for year, why in calendar.missing:
        click.echo(f"{year} still needs its holidays: {why}")
    click.echo(f"next: edit {folder}/{scaffold.SETTINGS_FILE}, then `aftersales validate --records {folder}`")


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False   # create() refuses it with a clear message
    return True




@click.command("schema", context_settings=CONTEXT)
@click.option("-o", "--output", "folder", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the schema files into (created if missing).")
def schema_command(folder: Path) -> None:
    """Write a JSON Schema (draft 7) for each record kind and the settings.

    The schemas come from the same field descriptions `validate` uses. Point
    your editor at them for completion and checks while typing (see README).

    \b
    Example:
      aftersales schema -o .schemas
    """
    for path in schema.write_all(folder):
        click.echo(str(path))
