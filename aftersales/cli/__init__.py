"""The command line: click commands only. Each parses its options, calls one function of the
layers below, renders the result and exits; every command is registered here, in one list."""

from __future__ import annotations

import gc

from aftersales.cli import (
    asset_cmds,
    data_cmds,
    followup_cmds,
    git_cmds,
    history_cmds,
    inspection_cmds,
    notify_cmds,
    records_cmds,
    report_cmds,
    sla_cmds,
    ticket_cmds,
    web_cmds,
)
from aftersales.cli.base import cli

COMMANDS = (
    records_cmds.validate, records_cmds.init, records_cmds.schema_command,
    ticket_cmds.ticket_group, sla_cmds.sla_command, sla_cmds.calendar_group,
    inspection_cmds.inspection_group, inspection_cmds.maintenance_group,
    report_cmds.report_group, asset_cmds.warranty_command, asset_cmds.asset_group, data_cmds.parts_group,
    git_cmds.git_group, history_cmds.diff_command, history_cmds.audit_command,
    data_cmds.export_command, notify_cmds.notify_command, followup_cmds.followups_command,
    web_cmds.serve, web_cmds.labels, web_cmds.user_group,
)
for command in COMMANDS:
    cli.add_command(command)

__all__ = ["cli", "main"]


# A command builds up to millions of objects that live until it ends (tickets, cycles, rows) and
# makes next to no cyclic garbage: the collector's default (a pass every 700 new objects, each
# older pass over everything kept) costs a quarter of a large report. It runs far less often here;
# the web server, which lives on, keeps the default.
GC_THRESHOLDS = (100_000, 50, 1000)


def main() -> None:
    """Console-script entry point."""
    gc.set_threshold(*GC_THRESHOLDS)
    cli(prog_name="aftersales")
