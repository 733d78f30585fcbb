"""Warranty ends, expiring and expired assets, replacement candidates (KPIS.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from dateutil.relativedelta import relativedelta

from aftersales.core.model import Asset, Records, Settings, Ticket, TicketHead


def warranty_years(asset: Asset, settings: Settings) -> int:
    base = asset.warranty_years if asset.warranty_years is not None else settings.warranty_years
    return base + sum(e.years for e in asset.extensions)


def warranty_end(asset: Asset, settings: Settings) -> dt.date | None:
    """The last day of the warranty: `years` plus extensions after `installed` (None without a date)."""
    if asset.installed is None:
        return None
    return asset.installed + relativedelta(years=warranty_years(asset, settings))


def ends(records: Records) -> dict[str, dt.date | None]:
    """Every asset's `warranty_end`, by asset id: worked out once for a run that asks it of many
    tickets (a relativedelta per ticket adds up to seconds at 100,000 tickets)."""
    return {asset.id: warranty_end(asset, records.settings) for asset in records.assets.values()}


def _end(asset: Asset, settings: Settings, known: Mapping[str, dt.date | None] | None) -> dt.date | None:
    return known[asset.id] if known is not None else warranty_end(asset, settings)


class Reported(Protocol):
    """What has a report instant: a ticket, its head, the facts a report keeps of it."""

    @property
    def reported_at(self) -> dt.datetime: ...


def in_warranty(ticket: Reported, asset: Asset | None, settings: Settings,
                known: Mapping[str, dt.date | None] | None = None) -> bool | None:
    """Reported on or before the warranty's last day; None when it cannot be known. `known`:
    the assets' ends (`ends`), when worked out already."""
    end = _end(asset, settings, known) if asset else None
    if end is None:
        return None
    return ticket.reported_at.astimezone(settings.tz).date() <= end


def cover_ends(records: Records, known: Mapping[str, dt.date | None] | None = None) -> dict[str, dt.datetime]:
    """For each asset with a warranty end, an instant no ticket reported in warranty is at or
    after: the start of the second day after the last day of its cover (a day's margin against
    the time zone's oddities), so that `Records.reaching_ids` can leave the other tickets unbuilt."""
    limits = {}
    for asset in records.assets.values():
        end = _end(asset, records.settings, known)
        if end is not None:
            limits[asset.id] = dt.datetime.combine(end + dt.timedelta(days=2), dt.time(), tzinfo=records.settings.tz)
    return limits


def repairs_in_warranty(records: Records, at: dt.datetime, known: Mapping[str, dt.date | None] | None = None,
                        statuses: Mapping[str, str] | None = None) -> list[TicketHead]:
    """The repairs as of `at` that may have been reported in their asset's warranty (a superset:
    `replacement_candidates` filters exactly), in the records' order, from what the loader keeps
    and (`statuses`) the caller knows of the state at `at` of tickets with a later event."""
    return records.heads(at, cover_ends(records, known), "repair", statuses)


@dataclass(frozen=True)
class WarrantyRow:
    asset: Asset
    end: dt.date | None
    days_left: int | None


def status_rows(records: Records, today: dt.date,
                known: Mapping[str, dt.date | None] | None = None) -> list[WarrantyRow]:
    settings = records.settings
    rows = []
    for asset in sorted(records.assets.values(), key=lambda a: a.id):
        end = _end(asset, settings, known)
        rows.append(WarrantyRow(asset, end, (end - today).days if end else None))
    return rows


def expiring(rows: Iterable[WarrantyRow], within_days: int) -> list[WarrantyRow]:
    """Ending within the next `within_days` days: the cover ends at 24:00 of its last day, so the
    last day is today (0 days left) up to `within_days - 1` days after today."""
    return sorted((r for r in rows if r.days_left is not None and 0 <= r.days_left < within_days),
                  key=lambda r: (r.end, r.asset.id))


def expired(rows: Iterable[WarrantyRow]) -> list[WarrantyRow]:
    return sorted((r for r in rows if r.days_left is not None and r.days_left < 0), key=lambda r: (r.end, r.asset.id))


def missing_install_date(rows: Iterable[WarrantyRow]) -> list[WarrantyRow]:
    return [r for r in rows if r.end is None]


@dataclass(frozen=True)
class Candidate:
    asset: Asset
    tickets: tuple[Ticket | TicketHead, ...]   # the repairs inside the densest window


def replacement_candidates(records: Records, tickets: Iterable[Ticket | TicketHead],
                           known: Mapping[str, dt.date | None] | None = None) -> list[Candidate]:
    """Assets with at least `failures` in-warranty repair tickets (not cancelled) inside one `within`
    window (`known`: the assets' ends, when worked out already)."""
    s = records.settings
    if not s.replace_failures or s.replace_within is None:
        return []
    window = dt.timedelta(seconds=s.replace_within.seconds)
    by_asset: dict[str, list[Ticket | TicketHead]] = {}
    for t in tickets:
        asset = records.assets.get(t.asset or "")
        if t.kind == "repair" and t.status != "cancelled" and asset and in_warranty(t, asset, s, known):
            by_asset.setdefault(asset.id, []).append(t)
    found = []
    for asset_id, repairs in sorted(by_asset.items()):
        repairs.sort(key=lambda t: t.reported_at)
        best = _densest(repairs, window)
        if len(best) >= s.replace_failures:
            found.append(Candidate(records.assets[asset_id], tuple(best)))
    return found


def _densest(repairs: list[Ticket | TicketHead], window: dt.timedelta) -> list[Ticket | TicketHead]:
    best: list[Ticket | TicketHead] = []
    first = 0
    for last in range(len(repairs)):
        while repairs[last].reported_at - repairs[first].reported_at > window:
            first += 1
        if last - first + 1 > len(best):
            best = repairs[first:last + 1]
    return best


@dataclass(frozen=True)
class Overview:
    """What `aftersales warranty` shows as of a date."""

    today: dt.date
    within_days: int
    expiring: list[WarrantyRow]
    expired: list[WarrantyRow]
    missing_installed: list[WarrantyRow]
    candidates: list[Candidate]


def overview(records: Records, at: dt.datetime, within_days: int) -> Overview:
    today = at.astimezone(records.settings.tz).date()
    known = ends(records)
    rows = status_rows(records, today, known)
    return Overview(today, within_days, expiring(rows, within_days), expired(rows), missing_install_date(rows),
                    replacement_candidates(records, repairs_in_warranty(records, at, known), known))
