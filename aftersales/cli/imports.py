"""What `asset import` and `parts import` share: their options, and showing what an import did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from aftersales.cli.options import format_option, records_option
from aftersales.edit.tickets import Folder
from aftersales.store.paths import find_root
from aftersales.views.tables import clip, table, to_json

if TYPE_CHECKING:
    from aftersales.edit import imports
    from aftersales.edit.sheets import Sheet

F = TypeVar("F", bound=Callable[..., Any])
CHANGE_CELLS = 44  # the `what` column: the table stays within 80 columns


def import_options(func: F) -> F:
    func = format_option("table", "json")(func)
    func = click.option("--dry-run", is_flag=True,
                        help="Check the file and show what would be created or changed; write nothing.")(func)
    func = click.option("--sheet", metavar="NAME",
                        help="The sheet of an .xlsx file to read.  [default: the first]")(func)
    return records_option(func)


def run_import(file: Path, records_dir: Any, sheet_name: str | None, dry_run: bool, fmt: str, kind: str,
               planner: Callable[[Folder, Sheet], imports.Plan]) -> None:
    """Plan the import, refuse it with every problem located, or write it (unless a dry run) and show it."""
    from aftersales.edit import imports  # the import machinery, imported by the imports only
    from aftersales.edit.sheets import read_sheet

    folder = Folder.open(find_root(records_dir))
    sheet = read_sheet(file, sheet_name)
    plan = planner(folder, sheet)
    for warning in plan.warnings:
        click.echo(str(warning), err=True)
    plan.refuse()
    if not dry_run:
        imports.apply(folder, plan)
    counts = plan.counts()
    if fmt == "json":
        click.echo(to_json({"source": plan.source, "dry_run": dry_run, **counts,
                            "rows": [_row_json(r, kind) for r in plan.rows if r.action != "unchanged"],
                            "warnings": [str(w) for w in plan.warnings]}))
        return
    shown = [r for r in plan.rows if r.action != "unchanged"]
    if shown:
        click.echo(table([(r.row, r.record, r.action, clip(_what(r), CHANGE_CELLS)) for r in shown],
                         ("row", kind, "action", "what"), ("right", "left", "left", "left")))
        click.echo("")
    summary = f"{counts['created']} created, {counts['changed']} changed, {counts['unchanged']} unchanged"
    click.echo(f"dry run: {summary} (nothing was written)" if dry_run else summary)


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _row_json(row: imports.RowResult, kind: str) -> dict[str, Any]:
    return {"row": row.row, "where": row.ref, kind: row.record, "action": row.action,
            "changes": {name: {"before": _value(before), "after": _value(after)}
                        for name, before, after in row.changes},
            "movements": list(row.added)}


def _what(row: imports.RowResult) -> str:
    """A new record's name (and what else it brings), or each change as `field: before → after`."""
    if row.action == "created":
        values = {name: after for name, _, after in row.changes}
        about = [str(v) for k, v in values.items() if k in ("category", "area")]
        head = f"{values['name']}" + (f" ({', '.join(about)})" if about else "") if "name" in values else ""
        return "; ".join(x for x in (head, *row.added) if x)
    changes = [f"{name}: {_shown(before)} → {_value(after)}" for name, before, after in row.changes]
    return "; ".join(changes + list(row.added))


def _shown(value: Any) -> Any:
    return "(none)" if value is None else _value(value)
