"""Write docs/commands.md, the command reference, from the click commands themselves.

Every command and subcommand gets its usage line, its help text, its arguments and
every option with its help and default, exactly as click knows them. Run it after
changing a command, an option or a help text; tests/test_docs.py fails until you do:

    python scripts/docs_commands.py           # rewrite docs/commands.md
    python scripts/docs_commands.py --check   # exit 1 when docs/commands.md is out of date

The output does not depend on the terminal, the locale or the click version's own
help layout: everything is read from the commands' attributes, never from `--help`.
"""

from __future__ import annotations

import inspect
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import click

from aftersales.cli import cli
from aftersales.views.markdown import md

try:  # click 8.3 and later mark "no default" with a sentinel; earlier versions with None
    from click._utils import UNSET
except ImportError:  # pragma: no cover - depends on the installed click
    UNSET = None

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "commands.md"
PROGRAM = "aftersales"

HEADER = f"""\
# Command reference

Every `{PROGRAM}` command and subcommand: its usage, what it does, its arguments and
every option with its meaning and default. This page is generated from the commands
themselves by `python scripts/docs_commands.py` (do not edit it by hand: a test fails
when it differs from what the commands say). Every command also takes `-h` / `--help`.

The options that many commands share mean the same everywhere: `--records DIR`
finds the records folder, `--at WHEN` evaluates the records as they stood at an
instant, `--format` picks the output for people (`table`, `text`, `md`, `html`) or
scripts (`json`, `csv`). Exit codes are listed in the [README](../README.md#exit-codes);
the records the commands read are described in [records.md](records.md), the numbers
they compute in [kpis.md](kpis.md).
"""

_DEFAULT_IN_HELP = re.compile(r"\s*\[default: (.*)\]\s*$", re.S)
_CODE_SPAN = re.compile(r"(`[^`]*`)")


# --- the command tree -----------------------------------------------------------------

def contexts(command: click.Command = cli, ctx: click.Context | None = None) -> Iterator[click.Context]:
    """A context for every visible command, depth first, subcommands in name order."""
    ctx = ctx or click.Context(command, info_name=PROGRAM)
    yield ctx
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            sub = command.commands[name]
            if not sub.hidden:
                yield from contexts(sub, click.Context(sub, info_name=name, parent=ctx))


def anchor(path: str) -> str:
    """The anchor GitHub gives the heading "`aftersales ticket log`": aftersales-ticket-log."""
    return re.sub(r"[^\w\- ]", "", path.lower()).replace(" ", "-")


# --- text ----------------------------------------------------------------------------

def _plain(text: str) -> str:
    """Text outside code spans, shown as written (the spaces around it kept)."""
    return (" " if text[:1] == " " else "") + md(text) + (" " if text[-1:] == " " and text.strip() else "")


def prose(text: str) -> str:
    """Help text as Markdown on one line: `code spans` kept, everything else shown as written."""
    pieces = _CODE_SPAN.split(" ".join(text.split()))
    return "".join(p if _CODE_SPAN.fullmatch(p) else _plain(p) for p in pieces)


def code(text: str) -> str:
    """A code span inside a table cell, where `|` would end the cell even there."""
    return "`" + text.replace("|", "\\|") + "`"


def cell(text: str) -> str:
    """Prose inside a table cell: `code spans` kept (with their `|` escaped), the rest as written."""
    pieces = _CODE_SPAN.split(" ".join(text.split()))
    return "".join(code(p[1:-1]) if _CODE_SPAN.fullmatch(p) else _plain(p) for p in pieces)


def help_paragraphs(help_text: str) -> list[str]:
    """A docstring as click shows it (cut at \\f), as Markdown blocks: paragraphs are joined into
    one line; a paragraph marked \\b (not rewrapped by click) becomes a code block, after its
    title line when it has one (`Examples:`)."""
    text = inspect.cleandoc(help_text).split("\f")[0]
    blocks = []
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        if block.startswith("\b"):
            lines = block[1:].strip("\n").splitlines()
            title = lines[0] if lines and not lines[0][:1].isspace() and lines[0].endswith(":") else None
            body = textwrap.dedent("\n".join(lines[1:] if title else lines)).strip("\n")
            if title:
                blocks.append(prose(title))
            language = "sh" if title in ("Example:", "Examples:") else "text"
            blocks.append(f"```{language}\n{body}\n```")
        elif block.strip():
            blocks.append(prose(block))
    return blocks


def first_paragraph(command: click.Command) -> str:
    if command.short_help:
        return command.short_help
    return inspect.cleandoc(command.help or "").split("\f")[0].split("\n\n")[0].replace("\b", "").strip()


# --- parameters ------------------------------------------------------------------------

def values(kind: click.ParamType) -> str:
    """What a parameter of this type accepts, in words."""
    if isinstance(kind, click.Choice):
        return "one of " + ", ".join(code(str(c)) for c in kind.choices)
    if isinstance(kind, (click.IntRange, click.FloatRange)):
        what = "a whole number" if isinstance(kind, click.IntRange) else "a number"
        low = None if kind.min is None else f"{'above' if kind.min_open else 'from'} {kind.min:g}"
        high = None if kind.max is None else f"{'below' if kind.max_open else 'to'} {kind.max:g}"
        return " ".join(x for x in (what, low, high) if x)
    if isinstance(kind, click.Path):
        what = "file" if not kind.dir_okay else "folder" if not kind.file_okay else "path"
        return f"an existing {what}" if kind.exists else f"a {what}"
    names = {"integer": "a whole number", "float": "a number", "boolean": "true or false"}
    return names.get(kind.name, "text")


def metavar(option: click.Option) -> str:
    if option.is_flag and not option.count:
        return ""
    if option.metavar:
        return option.metavar
    if isinstance(option.type, click.Choice):
        return "[" + "|".join(str(c) for c in option.type.choices) + "]"
    return option.type.name.upper()


def default(param: click.Parameter) -> str:
    """The default, as the command shows it: in words where the help gives it so."""
    if param.required:
        return "required"
    shown = getattr(param, "show_default", None)
    if isinstance(shown, str):
        return shown
    said = _DEFAULT_IN_HELP.search(getattr(param, "help", None) or "")
    if said:
        return said.group(1)
    value = param.default
    if value is UNSET or callable(value) or value is None or value is False or value == ():
        return ""
    if value is True:
        return "on"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def option_row(option: click.Option) -> str:
    names = ", ".join(option.opts) + (" / " + ", ".join(option.secondary_opts) if option.secondary_opts else "")
    spec = f"{names} {metavar(option)}".strip()
    meaning = _DEFAULT_IN_HELP.sub("", option.help or "")
    extra = []
    if isinstance(option.type, (click.IntRange, click.FloatRange)):
        extra.append(f"({values(option.type)})")
    if option.envvar:
        extra.append(f"Environment variable: `{option.envvar}`.")
    return f"| {code(spec)} | {' '.join([cell(meaning), *extra]).strip()} | {md(default(option))} |"


def argument_row(argument: click.Argument) -> str:
    name = argument.metavar or argument.name.upper()
    accepted = values(argument.type)
    if argument.nargs == -1:
        accepted += ", one or more" if argument.required else ", any number"
    given = default(argument) or ("" if argument.required else "optional")
    return f"| {code(name)} | {accepted} | {md(given)} |"


# --- the page ----------------------------------------------------------------------------

def section(ctx: click.Context) -> str:
    command = ctx.command
    path = ctx.command_path
    level = "#" * min(2 + path.count(" "), 4)
    usage = " ".join([path, *command.collect_usage_pieces(ctx)])
    parts = [f"{level} `{path}`", f"```text\n{usage}\n```", *help_paragraphs(command.help or "")]
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    if arguments:
        parts.append("| argument | accepts | default |\n|---|---|---|\n"
                     + "\n".join(argument_row(a) for a in arguments))
    options = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
    if options:
        parts.append("| option | meaning | default |\n|---|---|---|\n" + "\n".join(option_row(o) for o in options))
    if isinstance(command, click.Group):
        subs = [(name, sub) for name, sub in sorted(command.commands.items()) if not sub.hidden]
        parts.append("| command | what it does |\n|---|---|\n" + "\n".join(
            f"| [`{name}`](#{anchor(f'{path} {name}')}) | {cell(first_paragraph(sub))} |" for name, sub in subs))
    return "\n\n".join(parts)


def reference() -> str:
    """The whole page."""
    found = list(contexts())
    toc = []
    for ctx in found:
        depth = ctx.command_path.count(" ")
        toc.append(f"{'  ' * depth}- [`{ctx.command_path}`](#{anchor(ctx.command_path)})")
    return "\n\n".join([HEADER.rstrip("\n"), "\n".join(toc), *(section(ctx) for ctx in found)]) + "\n"


def main(argv: list[str]) -> int:
    text = reference()
    if "--check" in argv:
        if REFERENCE.read_text(encoding="utf-8") != text:
            print(f"{REFERENCE} is out of date: run python scripts/docs_commands.py", file=sys.stderr)
            return 1
        return 0
    REFERENCE.parent.mkdir(exist_ok=True)
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"wrote {REFERENCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
