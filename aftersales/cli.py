"""The command line: parse options, call one core function, render, exit.

Every failure the user can act on is an `AftersalesError`, turned into a
message on stderr and an exit code here, in one place.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from . import __version__, scaffold
from .errors import AftersalesError
from .options import format_option, load_records, records_option
from .validate import validate as run_checks


class _Failed(click.ClickException):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Group(click.Group):
    """Turns the package's own errors (and unreadable files) into messages, never tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AftersalesError as exc:
            raise _Failed(str(exc), exc.exit_code) from None
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise _Failed(f"{exc.strerror or exc}{where}", 1) from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 80})
@click.version_option(__version__, prog_name="aftersales")
def cli() -> None:
    """After-sales service records of a furniture supplier, kept as YAML in git.

    \b
    Examples:
      aftersales init school-records
      aftersales --help
      aftersales validate --records school-records
    """


@cli.command()
@records_option
@format_option("text", "json", default="text")
def validate(records_dir: Path | None, fmt: str) -> None:
    """Check every record against the records format.

    Prints one line per problem, `path:line:col: severity[code]: message`, then a
    summary. Exit status: 0 when there are no errors (warnings allowed), 1 when
    there are, 2 when no records folder is found.

    \b
    Examples:
      aftersales validate
      aftersales validate --records records --format json
    """
    loaded = load_records(records_dir)
    problems = run_checks(loaded)
    errors = sum(p.severity == "error" for p in problems)
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(_summary(loaded, problems))
    sys.exit(1 if errors else 0)


def _summary(loaded, problems) -> str:
    r = loaded.records
    counts = Counter(p.severity for p in problems)
    files = len({p.path for p in problems})
    held = (f"{len(r.assets)} assets, {len(r.tickets)} tickets, {len(r.inspections)} inspections, "
            f"{len(r.parts)} parts")
    if not problems:
        return f"ok: {held}, no problems"
    return (f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')} "
            f"in {_plural(files, 'file')} ({held} read)")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--name", help="Project name shown on reports.")
@click.option("--customer", help="The customer (the school).")
@click.option("--supplier", help="Who gives the service.")
@click.option("--timezone", help="IANA time zone of the project.  [default: Asia/Shanghai]")
def init(folder: Path, name: str | None, customer: str | None, supplier: str | None,
         timezone: str | None) -> None:
    """Create a new records folder FOLDER with the default settings.

    The settings carry the service documents' defaults, each explained by a
    comment: six areas with their priorities, 2 h / 4 h / 8 h repair targets,
    a 24 h callback, a 3-working-day return inspection on a calendar with the
    official holidays, quarterly inspections, half-yearly office upkeep and a
    5-year warranty. FOLDER must not exist or be empty.

    \b
    Examples:
      aftersales init school-records
      aftersales init school-records --name "苏州某学校家具项目" --customer 某学校
    """
    scaffold.create(folder, name=name, customer=customer, supplier=supplier, timezone=timezone)
    click.echo(f"created {folder}/ with {scaffold.SETTINGS_FILE} and empty record folders")
    click.echo(f"next: edit {folder}/{scaffold.SETTINGS_FILE}, then `aftersales validate --records {folder}`")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="aftersales")
