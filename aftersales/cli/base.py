"""The root of the command line: errors become messages and exit codes here, in one place."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from typing import Any

import click

from aftersales import __version__
from aftersales.core.errors import AftersalesError
from aftersales.core.problems import did_you_mean
from aftersales.store.fileio import finish_quietly_after_commits

# The collector's thresholds as the interpreter starts (see `cli.main`, which raises them).
DEFAULT_GC = gc.get_threshold()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 80}


class _Failed(click.ClickException):
    """A failure shown as `Error: message`, with the exit code the package's error carries."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # a class default in click, read per instance


class Group(click.Group):
    """Turns the package's own errors (and unreadable files) into messages, never tracebacks; a
    group given no command prints its help on stdout and exits 0 (asking for help is no error)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and not self.invoke_without_command:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        finish_quietly_after_commits()
        try:
            return super().invoke(ctx)
        except AftersalesError as exc:
            raise _Failed(str(exc), exc.exit_code) from None
        except BrokenPipeError:  # `aftersales sla | head`: click ends quietly, as other tools do
            raise
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise _Failed(f"{exc.strerror or exc}{where}", 1) from None


class Choice(click.Choice):
    """click's Choice, with the closest choice suggested for a typo (`arived` -> arrived)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            hint = did_you_mean(str(value), [str(c) for c in self.choices])
            if not hint:
                raise
            raise click.BadParameter(exc.message.rstrip(".") + hint, ctx, param) from None


def group(name: str, **kwargs: Any) -> Any:
    """A command group that behaves like the root one (errors, help)."""
    return click.group(name, cls=Group, context_settings=CONTEXT, **kwargs)


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="aftersales")
def cli() -> None:
    """After-sales service records of a furniture supplier, kept as YAML in git.

    Every command finds the records folder from --records DIR, else
    $AFTERSALES_RECORDS, else the first folder up from here holding
    aftersales.yaml. Times are read and shown in the project time zone.

    \b
    Examples:
      aftersales init school-records
      aftersales validate --records school-records
      aftersales sla --open
    """


def echo_chunks(chunks: Iterable[str], size: int = 1 << 16) -> None:
    """Write a document made a piece at a time (`views.tables.json_rows`, `csv_rows`) to stdout as
    it comes, in writes of about `size` characters: a long listing is never held whole in memory."""
    pending: list[str] = []
    held = 0
    for chunk in chunks:
        pending.append(chunk)
        held += len(chunk)
        if held >= size:
            click.echo("".join(pending), nl=False)
            pending, held = [], 0
    if pending:
        click.echo("".join(pending), nl=False)
