"""Options shared by the commands, defined once so they mean the same thing everywhere."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from aftersales.checks.validate import validate
from aftersales.core.errors import AftersalesError, UsageError
from aftersales.core.times import parse_instant
from aftersales.store import files as store

F = TypeVar("F", bound=Callable[..., Any])


def records_option(func: F) -> F:
    return click.option(
        "--records", "records_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
        help=f"The records folder (default: ${store.ENV_VAR}, else the first folder up from here "
             f"holding {store.SETTINGS_FILE}).",
    )(func)


def format_option(*choices: str, default: str = "table") -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
            help="Output format: " + ", ".join(choices) + ".",
        )(func)
    return decorate


@contextmanager
def progress(label: str) -> Any:
    """A progress bar on stderr when it is a terminal; silent otherwise (cron, pipes, tests)."""
    show = sys.stderr.isatty()
    bar_holder: dict[str, Any] = {}

    def start(total: int) -> None:
        if show and total > 200:
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


def load_records(records_dir: Path | None) -> store.Loaded:
    """Find the root and read every record once, with a progress bar on long reads."""
    root = store.find_root(records_dir)
    with progress("Reading records") as (start, step):
        return store.load(root, progress=step, on_count=start)


def fail(message: str, code: int = 1) -> AftersalesError:
    err = AftersalesError(message)
    err.exit_code = code
    return err


def at_option(func: F) -> F:
    return click.option(
        "--at", "at_text", metavar="WHEN", default="now", show_default=True,
        help="Evaluate the records as they stood at this instant: 2026-03-14 09:30, 09:30, "
             "2026-03-14 (00:00) or ISO 8601; read in the project time zone.",
    )(func)


def period_options(func: F) -> F:
    func = click.option("--to", "to_text", metavar="DATE", help="Last day of the period (included).")(func)
    func = click.option("--from", "from_text", metavar="DATE", help="First day of the period.")(func)
    return click.option("--period", metavar="QUARTER", help="A calendar quarter, like 2026Q1.")(func)


def load_valid(records_dir: Path | None, at_text: str | None = None) -> tuple[store.Loaded, Any]:
    """Load the records and refuse to compute on records that do not validate.

    Returns the loaded records and the `--at` instant (None when not asked for).
    """
    loaded = load_records(records_dir)
    errors = [p for p in validate(loaded) if p.severity == "error"]
    if errors:
        shown = "\n".join(f"  {p}" for p in errors[:5])
        more = f"\n  ... and {len(errors) - 5} more" if len(errors) > 5 else ""
        raise AftersalesError(
            f"the records do not validate ({len(errors)} error{'s' if len(errors) != 1 else ''}); "
            f"nothing was computed:\n{shown}{more}\nrun `aftersales validate` for the full list"
        )
    at = parse_instant(at_text, loaded.records.settings.tz) if at_text is not None else None
    return loaded, at


def report_format_option(*choices: str) -> Callable[[F], F]:
    """`--format` of a document: by default taken from the extension of `-o`, else Markdown."""
    def decorate(func: F) -> F:
        return click.option(
            "--format", "fmt", type=click.Choice(choices), default=None,
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
    from aftersales.core.durations import parse_duration

    try:
        duration = parse_duration(text if not text.strip().isdigit() else text.strip() + "d")
    except ValueError as exc:
        raise UsageError(f"--within: {exc}") from None
    if duration.unit != "d":
        raise UsageError(f"--within is counted in days, like 180d (not {text})")
    return duration.amount
