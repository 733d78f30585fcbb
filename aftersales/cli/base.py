"""The root of the command line: errors become messages and exit codes here, in one place."""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterable, MutableMapping
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


class LazyGroup(Group):
    """The root group: its commands are named up front (`lazy`) and their modules imported only when
    one is used, so `aftersales parts` does not pay for the imports of the web app, the PDF reports or
    the Excel imports. Listing them (`aftersales --help`, `commands`) imports them all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.lazy: dict[str, str] = {}   # command name -> "module:attribute", filled by `add_lazy`
        super().__init__(*args, **kwargs)

    def add_lazy(self, name: str, where: str) -> None:
        """Register the command `name`, found as `where` ("package.module:attribute") when first used."""
        self.lazy[name] = where

    @property
    def commands(self) -> MutableMapping[str, click.Command]:
        """Every command, the lazy ones imported: for code that walks the tree (docs, tests)."""
        for name in list(self.lazy):
            self._load(name)
        return self._commands

    @commands.setter
    def commands(self, value: MutableMapping[str, click.Command]) -> None:
        self._commands = value

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            self._load(cmd_name)
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self._commands, *self.lazy})

    def _load(self, name: str) -> None:
        module, _, attribute = self.lazy[name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command) or command.name != name:
            raise RuntimeError(f"{module}:{attribute} is not the command {name!r}")
        self._commands[name] = command
        del self.lazy[name]


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


@click.group(cls=LazyGroup, context_settings=CONTEXT)
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
