"""Spare parts from the command line: stock, new, receive, count, import (`export` is in export_cmds)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from aftersales.cli.base import group
from aftersales.cli.imports import import_options, run_import
from aftersales.cli.options import (
    at_option,
    field_options,
    format_option,
    period_options,
    project,
    records_option,
)
from aftersales.core.errors import UsageError
from aftersales.core.times import check_period_options, parse_date, period_from_options
from aftersales.edit import parts as part_files
from aftersales.edit.tickets import Folder
from aftersales.engine import parts
from aftersales.store.paths import find_root
from aftersales.store.spec import PART
from aftersales.views.fmt import whole
from aftersales.views.tables import clip, table, to_json

if TYPE_CHECKING:
    from aftersales.edit.sheets import Sheet


@group("parts", invoke_without_command=True)
@records_option
@at_option
@click.option("--low", "low_only", is_flag=True, help="Only parts at or below their reorder point.")
@period_options
@format_option("table", "json")
@click.pass_context
def parts_group(ctx: click.Context, records_dir, at_text, low_only, period, from_text, to_text, fmt) -> None:
    """Spare-part stock as of --at, usage in a period, and parts to reorder;
    with a command: add parts and record deliveries and stock counts.

    Stock = deliveries (`in`) less withdrawals (`out`) and the parts used by
    `resolved` events; a stock count (`count`) sets the level at the end of
    its day. Usage is shown for --period or --from/--to.

    \b
    Examples:
      aftersales parts --low
      aftersales parts --period 2026Q3 --format json
      aftersales parts receive BOLT-M8 200 --note 补货入库
    """
    ctx.obj = {"records_dir": records_dir}
    if ctx.invoked_subcommand is not None:
        return
    check_period_options(period, from_text, to_text)   # before the folder is read
    p = project(records_dir, at_text)
    chosen = period_from_options(period, from_text, to_text, p.tz)
    span = (chosen.start.date(), chosen.end.date()) if chosen else None
    used = parts.usage_from(p.records.part_uses(p.at), p.tz)   # from what the loader keeps: no ticket built
    rows = parts.rows_from_usage(p.records.parts.values(), used, p.today, span)
    if low_only:
        rows = [r for r in rows if r.low]
    data = [{"part": r.part.id, "name": r.part.name, "unit": r.part.unit, "stock": whole(r.stock),
             "min": whole(r.part.min), "used": whole(r.used) if chosen else None, "low": r.low} for r in rows]
    if fmt == "json":
        click.echo(to_json(data))
        return
    headers = ["part", "name", "stock", "min", "low"] + (["used"] if chosen else [])
    click.echo(table([[r.part.id, clip(r.part.name, 20), f"{r.stock:g} {r.part.unit}",
                       "" if r.part.min is None else f"{r.part.min:g}", "LOW" if r.low else ""]
                      + ([f"{r.used:g}"] if chosen else []) for r in rows], headers) or "no parts")


def _folder(ctx: click.Context, records_dir: Any) -> Folder:
    """The records folder of a `parts` command: its own --records, else the one given to `parts`."""
    chosen = records_dir or (ctx.obj or {}).get("records_dir")
    return Folder.open(find_root(chosen))


@parts_group.command("new")
@click.argument("part_id", metavar="ID")
@records_option
@field_options(PART, skip=("id", "movements"))
@click.pass_context
def parts_new(ctx: click.Context, part_id: str, records_dir: Any, **fields: Any) -> None:
    """Add a spare part: write parts/ID.yaml (an existing part is never overwritten).

    Record what arrives with `parts receive`, and stock counts with
    `parts count`.

    \b
    Examples:
      aftersales parts new BOLT-M8 --name "M8 连接螺栓" --unit pcs --min 50
      aftersales parts new SPONGE-30 --name 座椅海绵 --unit 块
    """
    folder = _folder(ctx, records_dir)
    values = {"id": part_id, **{k: _whole(v) for k, v in fields.items() if v not in (None, "")}}
    _, path = part_files.new_part(folder, values)
    click.echo(f"created {path.relative_to(folder.root).as_posix()}")


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _movement_options(func: Any) -> Any:
    func = click.option("--note", metavar="TEXT", help="Free text, like 补货入库 or the delivery note number.")(func)
    func = click.option("--date", "date_text", metavar="DATE", help="The day it happened.  [default: today]")(func)
    return records_option(func)


def _record(ctx: click.Context, records_dir: Any, part_id: str, kind: str, qty: float, date_text: str | None,
            note: str | None) -> None:
    folder = _folder(ctx, records_dir)
    today = folder.now().date()
    day = parse_date(date_text) if date_text else today
    if day > today:
        raise UsageError(f"--date {day} is in the future (today is {today}): record stock once it has moved")
    if note is not None and not note.strip():
        raise UsageError("--note must not be empty")
    movement = part_files.Movement(day, kind, _whole(qty), note)
    part, path = part_files.add_movement(folder, part_id, movement)
    click.echo(f"{part.id}: {movement.describe(part.unit)} ({path.relative_to(folder.root).as_posix()})")


@parts_group.command("receive")
@click.argument("part_id", metavar="PART")
@click.argument("qty", metavar="QTY", type=click.FloatRange(min=0, min_open=True))
@_movement_options
@click.pass_context
def parts_receive(ctx: click.Context, part_id: str, qty: float, records_dir: Any, date_text: str | None,
                  note: str | None) -> None:
    """Record a delivery of QTY of PART (a unique prefix of its id is enough).

    Adds one `{date, in, note}` line after the part's last movement; the
    rest of the file stays byte for byte.

    \b
    Examples:
      aftersales parts receive BOLT-M8 200
      aftersales parts receive BOLT --date 2026-03-02 --note "送货单 20260302-01" 50
    """
    _record(ctx, records_dir, part_id, "in", qty, date_text, note)


@parts_group.command("count")
@click.argument("part_id", metavar="PART")
@click.argument("qty", metavar="QTY", type=click.FloatRange(min=0))
@_movement_options
@click.pass_context
def parts_count(ctx: click.Context, part_id: str, qty: float, records_dir: Any, date_text: str | None,
                note: str | None) -> None:
    """Record a stock take: PART counted QTY (the level at the end of the day).

    Adds one `{date, count, note}` line after the part's last movement; from
    that day on, stock is counted from this level.

    \b
    Examples:
      aftersales parts count BOLT-M8 180 --note 季度盘点
      aftersales parts count SPONGE-30 12 --date 2026-03-31
    """
    _record(ctx, records_dir, part_id, "count", qty, date_text, note)


@parts_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@import_options
@click.option("--date", "date_text", metavar="DATE",
              help="The date of movements on rows without one (a sheet without a date column).")
@click.pass_context
def parts_import(ctx: click.Context, file: Path, records_dir: Any, sheet: str | None, dry_run: bool, fmt: str,
                 date_text: str | None) -> None:
    """Add spare parts and their deliveries and stock counts from a .xlsx or .csv list.

    The header row names the columns, in English or Chinese: id 编号, name
    名称, unit 单位, min 最低库存, and for a stock movement date 日期, in
    入库数量 (or 数量), out 出库数量, count 盘点数量, note 备注 (docs/import.md
    lists every header accepted). A new id creates the part (name
    required); several rows may name the same part. A row with a quantity
    adds that movement, unless the part already has it (same date, kind and
    quantity), so importing the same file again adds nothing. An existing
    part is only added to: its name and unit are never changed.

    Every row is checked first: when any cell is wrong, each problem is
    reported with its cell and nothing is written.

    \b
    Examples:
      aftersales parts import delivery.xlsx --sheet 备件 --dry-run
      aftersales parts import stock-take.csv --date 2026-03-31
    """
    from aftersales.edit import imports  # the import machinery (edit.imports, edit.sheets) for imports only

    default = parse_date(date_text) if date_text else None

    def planner(folder: Folder, sheet_cells: Sheet) -> imports.Plan:
        return imports.plan_parts(folder, sheet_cells, default)

    run_import(file, records_dir or (ctx.obj or {}).get("records_dir"), sheet, dry_run, fmt, "part", planner)
