"""Options shared by the commands, defined once so they mean the same thing everywhere."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from aftersales.cli.base import Choice, echo_chunks
from aftersales.core import times
from aftersales.core.durations import parse_duration
from aftersales.core.errors import UsageError
from aftersales.core.problems import Problem
from aftersales.project import Project, check_folder, load_project
from aftersales.store import spec
from aftersales.store.fileio import write_output
from aftersales.store.load import Loaded
from aftersales.store.paths import ENV_VAR, SETTINGS_FILE

UTC = ZoneInfo("UTC")
F = TypeVar("F", bound=Callable[..., Any])


def records_option(func: F) -> F:
    return click.option(
        "--records", "records_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
        help=f"The records folder (default: ${ENV_VAR}, else the first folder up from here "
             f"holding {SETTINGS_FILE}).",
    )(func)


def format_option(*choices: str, default: str = "table") -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            "--format", "fmt", type=Choice(choices), default=default, show_default=True,
            help="Output format: " + ", ".join(choices) + ".",
        )(func)
    return decorate


PROGRESS_FILES = 2000   # files to parse before a progress bar is worth showing


@contextmanager
def progress(label: str) -> Any:
    """A progress bar on stderr when it is a terminal and there are more than a few thousand files
    to read (a cold cache); silent otherwise (warm runs, cron, pipes, tests)."""
    show = sys.stderr.isatty()
    bar_holder: dict[str, Any] = {}

    def start(total: int) -> None:
        if show and total > PROGRESS_FILES:
            bar_holder["bar"] = click.progressbar(length=total, label=label, file=sys.stderr).__enter__()

    def step(n: int) -> None:
        bar = bar_holder.get("bar")
        if bar is not None:
            bar.update(n)

    try:
        yield start, step
    finally:
        bar = bar_holder.get("bar")
        if bar is not None:
            bar.__exit__(None, None, None)


def check_records(records_dir: Path | None, at_text: str = "now") -> tuple[Loaded, list[Problem]]:
    """Read every record once, valid or not, with a progress bar on long reads (for `validate`)."""
    with progress("Reading records") as (start, step):
        loaded, problems, _ = check_folder(records_dir, at_text, progress=step, on_count=start)
    return loaded, problems


def project(records_dir: Path | None, at_text: str = "now") -> Project:
    """The records as of --at, read once (with a progress bar on long reads), refused when they
    do not validate."""
    with progress("Reading records") as (start, step):
        return load_project(records_dir, at_text, progress=step, on_count=start)


def at_option(func: F) -> F:
    """--at, refused at once when it is not an instant as people type it (not after the records
    folder was read); the command reads it in the project's time zone."""
    return click.option(
        "--at", "at_text", metavar="WHEN", default="now", show_default=True, callback=_an_instant,
        help="Evaluate the records as they stood at this instant: 2026-03-14 09:30, 09:30, "
             "2026-03-14 (00:00) or ISO 8601; read in the project time zone.",
    )(func)


def _an_instant(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        times.parse_instant(value, UTC)   # (its form: the same in every zone)
    return value


def period_options(func: F) -> F:
    """--period, --from and --to, each refused at once when it is not a quarter or a date (not
    after the records folder was read: seconds, at 100,000 tickets); the command reads them in
    the project's time zone (`times.period_from_options`)."""
    func = click.option("--to", "to_text", metavar="DATE", callback=_a_date,
                        help="Last day of the period (included).")(func)
    func = click.option("--from", "from_text", metavar="DATE", callback=_a_date, help="First day of the period.")(func)
    return click.option("--period", metavar="QUARTER", callback=_a_quarter,
                        help="A calendar quarter, like 2026Q1.")(func)


def _a_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        times.parse_date(value)
    return value


def _a_quarter(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        times.quarter(value, UTC)   # (a quarter's days are the same in every zone)
    return value


def report_format_option(*choices: str) -> Callable[[F], F]:
    """`--format` of a document: by default taken from the extension of `-o`, else Markdown."""
    def decorate(func: F) -> F:
        return click.option(
            "--format", "fmt", type=Choice(choices), default=None,
            help=f"{' / '.join(choices)}.  [default: the extension of -o, else md]",
        )(func)
    return decorate


def document_format(fmt: str | None, output: str | None, choices: tuple[str, ...]) -> str:
    """The chosen format, or the one `-o report.html` implies, or Markdown."""
    if fmt:
        return fmt
    suffix = Path(output).suffix.lstrip(".").lower() if output else ""
    return suffix if suffix in choices else "md"


def within_days_option(func: F) -> F:
    return click.option(
        "--within", "within_text", default="180d", show_default=True, metavar="DAYS",
        help="Warranties ending within this many days, like 180d.",
    )(func)


def within_days(text: str) -> int:
    """`180d` (or a bare `180`) as a number of days."""
    try:
        duration = parse_duration(text if not text.strip().isdigit() else text.strip() + "d")
    except ValueError as exc:
        raise UsageError(f"--within: {exc}") from None
    if duration.unit != "d":
        raise UsageError(f"--within is counted in days, like 180d (not {text})")
    return duration.amount


def output_option(what: str, pattern: str) -> Callable[[F], F]:
    """`-o PATH`: a file, or a folder where the document gets its dated name (and --verbose)."""
    def decorate(func: F) -> F:
        func = verbose_option(func)
        return click.option(
            "-o", "--output", type=click.Path(), metavar="PATH",
            help=f"Write the {what} to this file, or into this folder as {pattern} (atomically). "
                 "Default: standard output.",
        )(func)
    return decorate


def output_path(output: str | None, default_name: str) -> Path | None:
    """`-o PATH`: that file, or in a folder (existing, or written with a trailing slash) `default_name`."""
    if output is None:
        return None
    folder = Path(output)
    if folder.is_dir() or output.endswith(("/", "\\")):
        return folder / default_name
    return folder


def verbose_option(func: F) -> F:
    """`-v/--verbose`: say on stderr what was written. Cron mails whatever a job prints, so a run
    that succeeds prints nothing there by default."""
    def remember(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        ctx.meta["aftersales.verbose"] = value

    return click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=remember,
                        help="Say on stderr what was written (quiet by default, for cron).")(func)


def note(message: str) -> None:
    """A word on stderr about what was done, with --verbose only."""
    if click.get_current_context().meta.get("aftersales.verbose"):
        click.echo(message, err=True)


def emit(text: str | bytes | Iterator[str], output: str | None, default_name: str) -> None:
    """Print a document, or write it where -o says (never over a record); with --verbose, say where.
    Bytes (a PDF) go to standard output only when it is not a terminal. A document given a piece
    at a time (`views.tables.json_pieces`) is written as it comes, to the terminal or (atomically)
    to the file."""
    path = output_path(output, default_name)
    if path is None:
        if isinstance(text, bytes):
            if sys.stdout.isatty():
                raise UsageError("a PDF is not for the terminal: give -o FILE (or a folder), or redirect the output")
            stream = sys.stdout.buffer  # the bytes under the text stream (click.testing gives one too)
            stream.write(text)
            stream.flush()
        elif isinstance(text, str):
            click.echo(text, nl=False)
        else:
            echo_chunks(text)
        return
    if isinstance(text, (str, bytes)):
        write_output(path, text if isinstance(text, bytes) else text.encode("utf-8"))
    else:
        write_output(path, (piece.encode("utf-8") for piece in text))
    note(f"wrote {path}")


# --- options made from the field spec -------------------------------------------------

def _click_type(kind: spec.Type) -> Any:
    if isinstance(kind, spec.Choice):
        return Choice(kind.choices)
    if isinstance(kind, spec.Integer):
        return int  # the range is the spec's to check, with its own message, like any other rule
    if isinstance(kind, spec.Number):
        return click.FloatRange(min=kind.minimum, max=kind.maximum)
    return str


METAVARS = {spec.Instant: "WHEN", spec.Date: "DATE", spec.Id: "ID", spec.Text: "TEXT"}


def field_options(shape: spec.Shape, skip: tuple[str, ...] = (), hints: Mapping[str, str] | None = None
                  ) -> Callable[[F], F]:
    """One option per field of `shape` (but those in `skip`), named and explained as the spec
    names and explains the field, required when the field is: a field added to the spec is an
    option at once. A list of parts is `--part PART:QTY`, repeatable."""
    def decorate(func: F) -> F:
        for f in reversed([f for f in shape.fields.values() if f.name not in skip]):
            hint = (hints or {}).get(f.name, "")
            if isinstance(f.type, spec.ListOf) and f.type.item is spec.PART_USE:
                option = click.option("--part", f.name, multiple=True, metavar="PART:QTY",
                                      help=f"{_sentence(f.doc)} As PART:QTY, repeatable; a unique prefix of "
                                           "the part id is enough.")
            else:
                metavar = next((m for t, m in METAVARS.items() if isinstance(f.type, t)), None)
                option = click.option(f"--{f.name}", f.name, type=_click_type(f.type), metavar=metavar,
                                      required=f.required, help=_sentence(f.doc) + (f" {hint}" if hint else ""))
            func = option(func)
        return func
    return decorate


def _sentence(doc: str) -> str:
    return doc[:1].upper() + doc[1:] + ("" if doc.endswith(".") else ".")
