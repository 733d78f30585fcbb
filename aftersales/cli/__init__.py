"""The command line: click commands only. Each parses its options, calls one function of the
layers below, renders the result and exits; every command is registered here, in one list.

The list names each command and where it lives; its module is imported only when the command is
used (or listed, as `aftersales --help` does), so a command starts without importing the others."""

from __future__ import annotations

import gc

from aftersales.cli.base import cli
from aftersales.core import collector, halves

COMMANDS = (
    ("validate", "records_cmds:validate"), ("init", "records_cmds:init"),
    ("schema", "records_cmds:schema_command"),
    ("ticket", "ticket_cmds:ticket_group"), ("sla", "sla_cmds:sla_command"),
    ("calendar", "sla_cmds:calendar_group"),
    ("inspection", "inspection_cmds:inspection_group"), ("maintenance", "inspection_cmds:maintenance_group"),
    ("report", "report_cmds:report_group"), ("warranty", "asset_cmds:warranty_command"),
    ("asset", "asset_cmds:asset_group"), ("parts", "data_cmds:parts_group"),
    ("git", "git_cmds:git_group"), ("diff", "history_cmds:diff_command"), ("audit", "history_cmds:audit_command"),
    ("export", "export_cmds:export_command"), ("notify", "notify_cmds:notify_command"),
    ("followups", "followup_cmds:followups_command"),
    ("serve", "web_cmds:serve"), ("labels", "web_cmds:labels"), ("user", "web_cmds:user_group"),
)
for name, where in COMMANDS:
    cli.add_lazy(name, f"{__name__}.{where}")

__all__ = ["cli", "main"]


# A command builds up to millions of objects that live until it ends (tickets, cycles, rows) and
# makes next to no cyclic garbage: the collector's default (a pass every 700 new objects, each
# older pass over everything kept) costs a quarter of a large report. It runs far less often here,
# and what the loader and the engine make in bulk is frozen (`core.collector.one_shot`); the web
# server, which lives on, keeps the default and freezes nothing.
GC_THRESHOLDS = (100_000, 50, 1000)


def main() -> None:
    """Console-script entry point: one command, then the process ends (so it may also fork a
    child for half a long command's work: `core.halves.one_shot`)."""
    gc.set_threshold(*GC_THRESHOLDS)
    collector.one_shot()
    halves.one_shot()
    cli(prog_name="aftersales")
