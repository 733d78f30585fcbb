"""Assets and their warranty: show, new, list, import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from aftersales.cli.base import CONTEXT, Choice, group
from aftersales.cli.imports import import_options, run_import
from aftersales.cli.options import (
    at_option,
    field_options,
    format_option,
    progress,
    project,
    records_option,
    within_days,
    within_days_option,
)
from aftersales.core.errors import UsageError
from aftersales.core.ids import resolve
from aftersales.core.problems import did_you_mean
from aftersales.core.times import parse_date
from aftersales.edit import assets as asset_files
from aftersales.edit.tickets import Folder
from aftersales.engine import queries, warranty
from aftersales.project import load_asset_project
from aftersales.store.paths import find_root, list_ids
from aftersales.store.spec import ASSET
from aftersales.views.fmt import short
from aftersales.views.rows import asset_fields, asset_history_row, warranty_overview_row
from aftersales.views.safe import visible
from aftersales.views.tables import clip, table, to_csv, to_json


@click.command("warranty", context_settings=CONTEXT)
@records_option
@at_option
@within_days_option
@format_option("table", "json")
def warranty_command(records_dir, at_text, within_text, fmt) -> None:
    """Warranties ending soon or ended, assets without an install date, replacement candidates.

    A warranty ends `years` (plus extensions) after the asset's `installed`
    date; a request is in warranty when reported on or before that day.

    \b
    Examples:
      aftersales warranty
      aftersales warranty --within 365d --format json
    """
    within = within_days(within_text)
    p = project(records_dir, at_text)
    found = warranty.overview(p.records, p.at, within)
    if fmt == "json":
        click.echo(to_json(warranty_overview_row(found)))
        return
    for title, listed in ((f"Ending within {within} days", found.expiring), ("Ended", found.expired)):
        click.echo(f"{title}: {len(listed)}")
        if listed:
            click.echo(table([(r.asset.id, clip(r.asset.name, 24), r.asset.area, r.end, r.days_left) for r in listed],
                             ("asset", "name", "area", "ends", "days")))
        click.echo("")
    click.echo("Without an install date: " + (", ".join(r.asset.id for r in found.missing_installed) or "none"))
    click.echo("Replacement candidates: " + (", ".join(
        f"{c.asset.id} ({len(c.tickets)} repairs)" for c in found.candidates) or "none"))


@group("asset")
def asset_group() -> None:
    """Installed products."""


SHOWN_TICKETS = 20   # `asset show` lists this many latest tickets (and every open one) by default


@asset_group.command("show")
@click.argument("asset_id", metavar="ID")
@click.option("--last", type=click.IntRange(min=0), metavar="N",
              help=f"List the N latest tickets, and every open one before them.  [default: {SHOWN_TICKETS}]")
@click.option("--all", "show_all", is_flag=True, help="List every ticket about the asset (not with --last).")
@records_option
@at_option
@format_option("table", "json")
def asset_show(asset_id: str, last: int | None, show_all: bool, records_dir, at_text, fmt) -> None:
    """Show an asset: its details, its warranty and its ticket history.

    The history lists the latest tickets and every open one, with how many
    there are in all; `--all` lists every one. Only the settings, the asset
    and its tickets must validate. When the record cache knows the folder
    (any earlier command read it), no other ticket file is read, and only
    the tickets listed are built.

    \b
    Examples:
      aftersales asset show AUD-CHAIR-A
      aftersales asset show AUD-CHAIR-A --all
      aftersales asset show AUD-CHAIR-A --last 5 --at 2026-06-30
      aftersales asset show AUD-CHAIR-A --all --format json
    """
    if show_all and last is not None:
        raise UsageError("--last and --all do not go together (--all lists every ticket)")
    last = None if show_all else SHOWN_TICKETS if last is None else last
    ident = resolve(asset_id, list_ids(find_root(records_dir))["asset"], "asset")
    with progress("Reading records") as (start, step):
        p = load_asset_project(records_dir, ident, at_text, progress=step, on_count=start)
    s = p.settings
    found = queries.asset_history(p.records, ident, p.at, last)
    asset, end = found.asset, found.warranty_end
    if fmt == "json":
        click.echo(to_json(asset_history_row(found, p.at, s.tz)))
        return
    area = s.areas.get(asset.area)
    click.echo(visible(f"{asset.id}  {asset.name}"))
    for label, value in (("category", asset.category), ("area", f"{asset.area} ({area.name})" if area else asset.area),
                         ("location", asset.location), ("quantity", asset.quantity), ("model", asset.model),
                         ("installed", asset.installed)):
        if value:
            click.echo(visible(f"  {label:<10} {value}"))
    extra, years, left = found.extension_years, found.warranty_years, found.days_left
    state = "unknown (no install date)" if end is None or left is None else (
        f"until {end} ({years} years{f', {extra} by extension' if extra else ''}; "
        + ("ended" if left < 0 else f"{left} days left") + ")")
    click.echo(f"  {'warranty':<10} {state}")
    click.echo(f"\nTickets ({found.count}{f', {found.open} open' if found.open else ''})")
    if found.left_out and last is not None:
        before = len(found.tickets) - last   # the open tickets listed before the latest ones
        shown = [f"the {last} latest"] if last else []
        if before:
            shown.append(f"the {before} open {'one' if before == 1 else 'ones'}" + (" before them" if last else ""))
        listed = " and ".join(shown) or "none (no open ones)"
        click.echo(f"Listed: {listed}; {found.left_out} more not listed (--all lists every one).")
    if found.tickets:
        click.echo(table([(t.id, short(t.reported_at, s.tz)[:10], t.kind, t.status, clip(t.summary, 20))
                          for t in found.tickets], ("ticket", "reported", "kind", "status", "summary")))


@asset_group.command("new")
@click.argument("asset_id", metavar="ID")
@records_option
@field_options(ASSET, skip=("id", "warranty"), hints={"area": "An area id or its name.",
                                                       "installed": "Like 2025-08-20."})
@click.option("--warranty-years", type=int, metavar="N",
              help="Base warranty years of this asset.  [default: the settings' warranty.years]")
def asset_new(asset_id: str, records_dir: Any, warranty_years: int | None, **fields: Any) -> None:
    """Add an asset: write assets/ID.yaml (an existing asset is never overwritten).

    The file is checked with the rules `validate` applies before it is
    written. To add many assets at once, import the delivery list with
    `aftersales asset import`.

    \b
    Examples:
      aftersales asset new AUD-CHAIR-E --name "报告厅剧院椅 E 区" --category theater-chair \\
          --area auditorium --location "报告厅二楼" --quantity 60 --installed 2025-08-20
      aftersales asset new DORM-BED-9 --name 宿舍组合床 --category bed --area 学生宿舍
    """
    folder = Folder.open(find_root(records_dir))
    area = asset_files.area_id(folder.settings, fields["area"])
    if area is None:
        raise UsageError("--area: " + asset_files.unknown_area(folder.settings, fields["area"]))
    values = {**{k: v for k, v in fields.items() if v not in (None, "")}, "id": asset_id, "area": area,
              "warranty.years": warranty_years}
    if fields.get("installed"):
        values["installed"] = parse_date(fields["installed"])
    _, path = asset_files.new_asset(folder, values)
    click.echo(f"created {path.relative_to(folder.root).as_posix()}")


ASSET_LIST_COLUMNS = ("asset", "name", "category", "area", "location", "quantity", "model", "installed",
                      "warranty_end", "days_left")


@asset_group.command("list")
@records_option
@at_option
@click.option("--area", metavar="AREA", help="Only assets in this area (its id or its name).")
@click.option("--category", metavar="TEXT", help="Only assets of this product category.")
@click.option("--warranty", "warranty_state", type=Choice(["expiring", "ended"]),
              help="Only warranties ending within --within days (expiring), or already ended.")
@within_days_option
@format_option("table", "json", "csv")
def asset_list(records_dir: Any, at_text: str, area: str | None, category: str | None,
               warranty_state: str | None, within_text: str, fmt: str) -> None:
    """List the assets with their warranty end, by id (by warranty end with --warranty).

    A warranty ends `years` (plus extensions) after the asset's `installed`
    date; in the table `!` marks one that has ended as of --at.

    \b
    Examples:
      aftersales asset list
      aftersales asset list --area dorm --category bed
      aftersales asset list --warranty expiring --within 365d --format csv > expiring.csv
    """
    within = within_days(within_text)
    p = project(records_dir, at_text)
    settings = p.settings
    if area is not None:
        found = asset_files.area_id(settings, area)
        if found is None:
            raise UsageError("--area: " + asset_files.unknown_area(settings, area))
        area = found
    categories = sorted({a.category for a in p.records.assets.values()})
    if category is not None and category not in categories:
        raise UsageError(f"--category: no asset has category {category!r}" + did_you_mean(category, categories)
                         + f" (categories: {', '.join(categories) or 'none'})")
    rows = warranty.status_rows(p.records, p.today)
    if warranty_state == "expiring":
        rows = warranty.expiring(rows, within)
    elif warranty_state == "ended":
        rows = warranty.expired(rows)
    rows = [r for r in rows if (area is None or r.asset.area == area)
            and (category is None or r.asset.category == category)]
    data = [{"asset": r.asset.id, **asset_fields(r.asset), "warranty_end": r.end.isoformat() if r.end else None,
             "days_left": r.days_left} for r in rows]
    if fmt == "json":
        click.echo(to_json(data))
    elif fmt == "csv":
        click.echo(to_csv(data, ASSET_LIST_COLUMNS), nl=False)
    else:
        click.echo(table([(r.asset.id, clip(r.asset.name, 16), clip(r.asset.category, 14), r.asset.area,
                           r.asset.quantity, (r.end.isoformat() + ("!" if (r.days_left or 0) < 0 else ""))
                           if r.end else "") for r in rows],
                         ("asset", "name", "category", "area", "qty", "warranty"),
                         ("left", "left", "left", "left", "right", "left")) or "no assets match")


@asset_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@import_options
def asset_import(file: Path, records_dir: Any, sheet: str | None, dry_run: bool, fmt: str) -> None:
    """Create and update assets from a delivery list (送货清单), .xlsx or .csv.

    The header row names the columns, in English or Chinese: id 编号, name
    名称, category 类别, area 区域 (an area id or its name), location 位置,
    quantity 数量, model 型号, installed 安装日期, warranty.years 质保年限
    (docs/import.md lists every header accepted). A row whose id is new
    creates the asset (name, category and area required); a row naming an
    existing asset changes only the fields whose cells are filled and differ.
    Dates may be Excel dates or text (2025-08-20, 2025/8/20, 2025年8月20日);
    numbers may be text with full-width digits. Columns that name no field
    are ignored, with a warning.

    Every row is checked first: when any cell is wrong, each problem is
    reported with its cell (delivery.xlsx:Sheet1!D17) and nothing is
    written. Importing the same file again changes nothing.

    \b
    Examples:
      aftersales asset import delivery.xlsx --dry-run
      aftersales asset import delivery.xlsx --sheet 家具
      aftersales asset import changes.csv --format json
    """
    from aftersales.edit import imports  # the import machinery (edit.imports, edit.sheets) for imports only

    run_import(file, records_dir, sheet, dry_run, fmt, "asset", imports.plan_assets)
