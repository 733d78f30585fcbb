"""A command starts without importing what other commands need: the root group imports a command's
module when it is used, and Excel, Jinja, tabulate, the password hashing and the process pool are
imported when a workbook, a document, a table, a sign-in or a cold read of thousands of files
needs them (docs/performance.md, "Start-up")."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from aftersales.cli import COMMANDS, cli

HEAVY = ("openpyxl", "jinja2", "tabulate", "wcwidth", "weasyprint", "segno", "flask", "werkzeug", "waitress",
         "aftersales.web", "aftersales.views.quarterly", "aftersales.edit.users", "aftersales.edit.imports",
         "aftersales.edit.sheets", "aftersales.views.export",
         # the process pool: only a run that parses thousands of files uses it
         "concurrent", "multiprocessing")


def _imported_by(*args: str) -> set[str]:
    """The top-level modules (and aftersales modules) imported by running `aftersales ARGS`."""
    script = ("import sys, json\n"
              "from aftersales.cli import cli\n"
              "try:\n"
              f"    cli.main({list(args)!r}, prog_name='aftersales')\n"
              "except SystemExit:\n"
              "    pass\n"
              "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    names = json.loads(done.stderr.strip().splitlines()[-1])
    return {n for n in names if n.startswith("aftersales.")} | {n.split(".")[0] for n in names}


@pytest.mark.slow
@pytest.mark.parametrize("args", [("parts", "--help"), ("parts", "new", "--help"), ("sla", "--help"),
                                  ("validate", "--help"), ("asset", "--help")])
def test_a_command_imports_neither_the_other_commands_nor_heavy_libraries(args):
    imported = _imported_by(*args)
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
    own = dict(COMMANDS)[args[0]].split(":")[0]
    others = {f"aftersales.cli.{where.split(':')[0]}" for _, where in COMMANDS} - {f"aftersales.cli.{own}"}
    assert not imported & others, sorted(imported & others)


@pytest.mark.slow
def test_the_root_help_lists_every_command_and_imports_them_all():
    imported = _imported_by("--help")
    assert {f"aftersales.cli.{where.split(':')[0]}" for _, where in COMMANDS} <= imported


def test_every_registered_name_is_the_name_of_the_command_it_finds():
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(name for name, _ in COMMANDS)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command)
        assert command.name == name
    assert cli.get_command(ctx, "no-such-command") is None


def test_a_registration_naming_another_command_is_refused():
    group = type(cli)(name="root")
    group.add_lazy("parts", "aftersales.cli.export_cmds:export_command")
    with pytest.raises(RuntimeError, match="is not the command 'parts'"):
        group.get_command(click.Context(group), "parts")


def test_a_command_line_run_freezes_what_it_makes_in_bulk_and_a_server_does_not():
    """A command line run (`main`: one command, then the process ends) moves what a paused block
    made out of the collector's sight when the block ends (`gc.freeze`); a process that lives on
    (`collector.lives_on`, as `serve` calls it) leaves it to the collector. Either way the
    collector is back on after the block. In a process of its own: freezing is for good."""
    script = """
import gc, json, sys
from aftersales import cli
from aftersales.core import collector
sys.argv = ["aftersales", "--version"]
try:
    cli.main()
except SystemExit:
    pass
found = {}
for mode in ("as_main_left_it", "lives_on", "one_shot"):
    if mode != "as_main_left_it":
        getattr(collector, mode)()
    gc.unfreeze()
    with collector.paused():
        made = [[n] for n in range(1000)]
        with collector.paused():   # nested: only the outer block's end counts
            inner = gc.get_freeze_count()
    found[mode] = [inner, gc.get_freeze_count() >= len(made), gc.isenabled()]
print(json.dumps(found))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "as_main_left_it": [0, True, True], "lives_on": [0, False, True], "one_shot": [0, True, True]}
