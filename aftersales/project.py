"""The one entry point of every computing command: find the records folder, read it once,
refuse it when it does not validate, and hand over a `Project`.

    project = load_project(records_dir, at_text)       # load
    numbers = kpis.quarterly(project.records, ...)     # one call into the engine
    print(render(numbers))                             # render

Commands that write one record (ticket open/log, inspection ...) do not come
here: they read only the settings, the file they change and the names of the
other records (see `edit`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.checks import Known, check_place, check_ticket, ticket_checker, validate
from aftersales.checks.assets import check_asset
from aftersales.core.model import Asset, Records, Settings, Ticket
from aftersales.core.problems import Problem, require_valid
from aftersales.core.times import parse_instant
from aftersales.store import build
from aftersales.store.build import DEFAULT_TIMEZONE
from aftersales.store.load import Loaded, load, load_about
from aftersales.store.paths import SETTINGS_FILE, find_root, list_ids, record_path
from aftersales.store.reading import read_file, read_settings

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Project:
    """A valid records folder as of an instant: everything a computing command needs."""

    root: Path
    records: Records
    at: dt.datetime
    warnings: tuple[Problem, ...] = ()

    @property
    def settings(self) -> Settings:
        return self.records.settings

    @property
    def tz(self) -> ZoneInfo:
        return self.records.settings.tz

    @property
    def today(self) -> dt.date:
        """The date of `at` in the project time zone."""
        return self.at.astimezone(self.tz).date()


def check_folder(records_dir: str | os.PathLike[str] | None, at: str | dt.datetime = "now",
                 progress: Progress | None = None, on_count: Progress | None = None
                 ) -> tuple[Loaded, list[Problem], dt.datetime]:
    """Read a records folder and every problem in it as of `at`, valid or not (for `validate`)."""
    def instant_of(settings: Settings | None) -> dt.datetime:
        tz = settings.tz if settings is not None else ZoneInfo(DEFAULT_TIMEZONE)
        return parse_instant(at, tz) if isinstance(at, str) else at.astimezone(tz)

    loaded = load(find_root(records_dir), progress=progress, on_count=on_count, checker=ticket_checker(instant_of))
    instant = instant_of(loaded.settings)
    return loaded, validate(loaded, instant), instant


def load_project(records_dir: str | os.PathLike[str] | None, at: str | dt.datetime = "now", *,
                 progress: Progress | None = None, on_count: Progress | None = None) -> Project:
    """The records folder as of `at` (text as people type it, read in the project time zone,
    or an aware datetime: later events are left out); `Invalid` when the records do not validate
    (an event after the real now is an error: a typo like 2062)."""
    loaded, problems, _ = check_folder(records_dir, "now", progress, on_count)   # a future event is a typo
    require_valid(problems)
    tz = loaded.records().settings.tz
    instant = parse_instant(at, tz) if isinstance(at, str) else at.astimezone(tz)
    return Project(loaded.root, loaded.records(), instant, tuple(p for p in problems if not p.is_error))


def load_asset_project(records_dir: str | os.PathLike[str] | None, asset_id: str, at: str | dt.datetime = "now",
                       *, progress: Progress | None = None, on_count: Progress | None = None) -> Project:
    """The records folder as of `at` for a page about one asset (an id of the folder's assets):
    every record but the tickets, and the tickets about the asset. `Invalid` when the settings,
    the asset or one of its tickets does not validate; the other files do not matter here (as
    for `load_ticket`). When the record cache can tell which tickets are about the asset
    (`store.load.load_about`), no other ticket file is even looked at; otherwise the whole folder
    is read, with the same result."""
    root = find_root(records_dir)

    def instant_of(settings: Settings | None) -> dt.datetime:   # a future event is a typo
        return dt.datetime.now(settings.tz if settings is not None else ZoneInfo(DEFAULT_TIMEZONE))

    checker = ticket_checker(instant_of)
    loaded = load_about(root, asset_id, checker) or load(root, progress=progress, on_count=on_count, checker=checker)
    problems = validate(loaded, instant_of(loaded.settings), levels=False)   # no part file concerns it
    tickets = loaded.tickets
    concerned = {SETTINGS_FILE, record_path("asset", asset_id),
                 *(tickets.rel[i] for i, facts in tickets.facts.items() if facts[4] == asset_id)}
    require_valid([p for p in problems if p.path in concerned])
    tz = loaded.records().settings.tz
    instant = parse_instant(at, tz) if isinstance(at, str) else at.astimezone(tz)
    return Project(loaded.root, loaded.records(), instant, tuple(p for p in problems if p.path in concerned
                                                                 and not p.is_error))


# --- one record alone -----------------------------------------------------------------

@dataclass(frozen=True)
class OneTicket:
    """One valid ticket with its asset and the settings: what a page about one ticket needs."""

    settings: Settings
    ticket: Ticket
    asset: Asset | None


def _one(root: Path, rel: str, kind: str, tz: ZoneInfo) -> tuple[Any, list[Problem]]:
    """One record file read and built alone, with its own problems and those of its place."""
    clean, problems = read_file(root / rel, rel, kind)
    record = _BUILDERS[kind](clean, rel) if clean is not None else None
    if record is not None:
        problems += list(check_place(record, tz))
    return record, problems


_BUILDERS: dict[str, Callable[..., Any]] = {"asset": build.asset, "ticket": build.ticket}


def load_asset(root: Path, asset_id: str,
               index: Mapping[str, Mapping[str, str]] | None = None) -> tuple[Settings, Asset]:
    """The settings and one asset (an id of `index`, the folder's ids), each refused when it does not
    validate; the other records are not read, so a broken file elsewhere stops nothing."""
    settings = read_settings(root)
    index = index if index is not None else list_ids(root)
    rel = index["asset"][asset_id]
    asset, problems = _one(root, rel, "asset", settings.tz)
    if asset is not None:
        problems += list(check_asset(asset, settings))
    require_valid(problems, f"{rel} does not validate")
    assert asset is not None  # a file no asset could be built from has an error
    return settings, asset


def load_ticket(root: Path, ticket_id: str, index: Mapping[str, Mapping[str, str]] | None = None) -> OneTicket:
    """One ticket (an id of `index`, the folder's ids), its asset and the settings, each refused when
    it does not validate; nothing else is read (not even the list of all ticket files)."""
    index = index if index is not None else list_ids(root)
    settings = read_settings(root)
    rel = index["ticket"][ticket_id]
    ticket, problems = _one(root, rel, "ticket", settings.tz)
    if ticket is not None:   # an event after the real now is a typo, as in `load_project`
        problems += list(check_ticket(ticket, Known(settings, index, now=dt.datetime.now(settings.tz))))
    require_valid(problems, f"{rel} does not validate")
    assert ticket is not None
    asset = load_asset(root, ticket.asset, index)[1] if ticket.asset in index["asset"] else None
    return OneTicket(settings, ticket, asset)
