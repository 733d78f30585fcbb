"""Assets, warranty and spare parts."""

from __future__ import annotations

import click

from aftersales.cli.base import CONTEXT
from aftersales.cli.options import (
    at_option,
    format_option,
    period_options,
    project,
    records_option,
    within_days,
    within_days_option,
)
from aftersales.core.ids import resolve
from aftersales.core.times import period_from_options
from aftersales.engine import parts, queries, warranty
from aftersales.views.fmt import short, whole
from aftersales.views.tables import clip, table, to_json


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
    report = {
        "as_of": found.today.isoformat(), "within_days": within,
        "expiring": [_row(r) for r in found.expiring],
        "expired": [_row(r) for r in found.expired],
        "missing_installed": [r.asset.id for r in found.missing_installed],
        "replacement_candidates": [{"asset": c.asset.id, "repairs": [t.id for t in c.tickets]}
                                   for c in found.candidates],
    }
    if fmt == "json":
        click.echo(to_json(report))
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


def _row(r: warranty.WarrantyRow) -> dict[str, object]:
    return {"asset": r.asset.id, "name": r.asset.name, "area": r.asset.area,
            "end": r.end.isoformat() if r.end else None, "days_left": r.days_left}


@click.group("asset", context_settings=CONTEXT)
def asset_group() -> None:
    """Installed products."""


@asset_group.command("show")
@click.argument("asset_id", metavar="ID")
@records_option
@at_option
def asset_show(asset_id: str, records_dir, at_text) -> None:
    """Show an asset: its details, its warranty and its ticket history.

    \b
    Example:
      aftersales asset show AUD-CHAIR-A
    """
    p = project(records_dir, at_text)
    s = p.settings
    found = queries.asset_history(p.records, resolve(asset_id, p.records.assets, "asset"), p.at)
    asset, end = found.asset, found.warranty_end
    area = s.areas.get(asset.area)
    click.echo(f"{asset.id}  {asset.name}")
    for label, value in (("category", asset.category), ("area", f"{asset.area} ({area.name})" if area else asset.area),
                         ("location", asset.location), ("quantity", asset.quantity), ("model", asset.model),
                         ("installed", asset.installed)):
        if value:
            click.echo(f"  {label:<10} {value}")
    extra, years, left = found.extension_years, found.warranty_years, found.days_left
    state = "unknown (no install date)" if end is None or left is None else (
        f"until {end} ({years} years{f', {extra} by extension' if extra else ''}; "
        + ("ended" if left < 0 else f"{left} days left") + ")")
    click.echo(f"  {'warranty':<10} {state}")
    click.echo(f"\nTickets ({len(found.tickets)})")
    if found.tickets:
        click.echo(table([(t.id, short(t.reported_at, s.tz)[:10], t.kind, t.status, clip(t.summary, 20))
                          for t in found.tickets], ("ticket", "reported", "kind", "status", "summary")))


@click.command("parts", context_settings=CONTEXT)
@records_option
@at_option
@click.option("--low", "low_only", is_flag=True, help="Only parts at or below their reorder point.")
@period_options
@format_option("table", "json")
def parts_command(records_dir, at_text, low_only, period, from_text, to_text, fmt) -> None:
    """Spare-part stock as of --at, usage in a period, and parts to reorder.

    Stock = deliveries (`in`) less withdrawals (`out`) and the parts used by
    `resolved` events; a stock count (`count`) sets the level at the end of
    its day. Usage is shown for --period or --from/--to.

    \b
    Examples:
      aftersales parts --low
      aftersales parts --period 2026Q3 --format json
    """
    p = project(records_dir, at_text)
    chosen = period_from_options(period, from_text, to_text, p.tz)
    span = (chosen.start.date(), chosen.end.date()) if chosen else None
    rows = parts.rows(p.records.parts.values(), p.records.tickets_as_of(p.at), p.tz, p.today, span)
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
