"""The command line: click commands only. Each parses its options, calls one function of the
layers below, renders the result and exits; every command is registered here, in one list."""

from __future__ import annotations

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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="aftersales")
