"""Assets, warranty and spare parts."""

from __future__ import annotations

import click

from aftersales.cli import CONTEXT, cli
from aftersales.core.ids import resolve
from aftersales.core.times import period_from_options, short
from aftersales.engine import parts, warranty
from aftersales.views.tables import clip, table, to_json, whole

from .options import (
    at_option,
    format_option,
    load_valid,
    period_options,
    records_option,
    within_days,
    within_days_option,
)


@cli.command("warranty")
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
    loaded, at = load_valid(records_dir, at_text)
    records = loaded.records
    today = at.astimezone(records.settings.tz).date()
    within = within_days(within_text)
    rows = warranty.status_rows(records, today)
    tickets = records.tickets_as_of(at)
    report = {
        "as_of": today.isoformat(), "within_days": within,
        "expiring": [_row(r) for r in warranty.expiring(rows, within)],
        "expired": [_row(r) for r in warranty.expired(rows)],
        "missing_installed": [r.asset.id for r in warranty.missing_install_date(rows)],
        "replacement_candidates": [{"asset": c.asset.id, "repairs": [t.id for t in c.tickets]}
                                   for c in warranty.replacement_candidates(records, tickets)],
    }
    if fmt == "json":
        click.echo(to_json(report))
        return
    for title, key in ((f"Ending within {within} days", "expiring"), ("Ended", "expired")):
        click.echo(f"{title}: {len(report[key])}")
        if report[key]:
            click.echo(table([(r["asset"], clip(r["name"], 24), r["area"], r["end"], r["days_left"])
                              for r in report[key]], ("asset", "name", "area", "ends", "days")))
        click.echo("")
    click.echo("Without an install date: " + (", ".join(report["missing_installed"]) or "none"))
    click.echo("Replacement candidates: " + (", ".join(
        f"{c['asset']} ({len(c['repairs'])} repairs)" for c in report["replacement_candidates"]) or "none"))


def _row(r: warranty.WarrantyRow) -> dict[str, object]:
    return {"asset": r.asset.id, "name": r.asset.name, "area": r.asset.area,
            "end": r.end.isoformat() if r.end else None, "days_left": r.days_left}


@cli.group("asset", context_settings=CONTEXT)
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
    loaded, at = load_valid(records_dir, at_text)
    records = loaded.records
    s = records.settings
    asset = records.assets[resolve(asset_id, records.assets, "asset")]
    end = warranty.warranty_end(asset, s)
    area = s.areas.get(asset.area)
    click.echo(f"{asset.id}  {asset.name}")
    for label, value in (("category", asset.category), ("area", f"{asset.area} ({area.name})" if area else asset.area),
                         ("location", asset.location), ("quantity", asset.quantity), ("model", asset.model),
                         ("installed", asset.installed)):
        if value:
            click.echo(f"  {label:<10} {value}")
    extra = sum(e.years for e in asset.extensions)
    years = warranty.warranty_years(asset, s)
    today = at.astimezone(s.tz).date()
    state = "unknown (no install date)" if end is None else (
        f"until {end} ({years} years{f', {extra} by extension' if extra else ''}; "
        + ("ended" if end < today else f"{(end - today).days} days left") + ")")
    click.echo(f"  {'warranty':<10} {state}")
    history = sorted((t for t in records.tickets_as_of(at) if t.asset == asset.id),
                     key=lambda t: t.reported_at)
    click.echo(f"\nTickets ({len(history)})")
    if history:
        click.echo(table([(t.id, short(t.reported_at, s.tz)[:10], t.kind, t.status, clip(t.summary, 20))
                          for t in history], ("ticket", "reported", "kind", "status", "summary")))


@cli.command("parts")
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
    loaded, at = load_valid(records_dir, at_text)
    records = loaded.records
    tz = records.settings.tz
    chosen = period_from_options(period, from_text, to_text, tz)
    span = (chosen.start.date(), chosen.end.date()) if chosen else None
    tickets = records.tickets_as_of(at)
    rows = parts.rows(records.parts.values(), tickets, tz, at.astimezone(tz).date(), span)
    if low_only:
        rows = [r for r in rows if r.low]
    data = [{"part": r.part.id, "name": r.part.name, "unit": r.part.unit, "stock": whole(r.stock),
             "min": whole(r.part.min), "used": whole(r.used) if chosen else None, "low": r.low} for r in rows]
    if fmt == "json":
        click.echo(to_json(data))
        return
    headers = ["part", "name", "stock", "min", "low"] + (["used"] if chosen else [])
    click.echo(table([[d["part"], clip(d["name"], 20), f"{d['stock']:g} {d['unit']}",
                       "" if d["min"] is None else f"{d['min']:g}", "LOW" if d["low"] else ""]
                      + ([f"{d['used']:g}"] if chosen else []) for d in data], headers) or "no parts")
