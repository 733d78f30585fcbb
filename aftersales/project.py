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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from aftersales.checks import validate
from aftersales.core.model import Records, Settings
from aftersales.core.problems import Problem, require_valid
from aftersales.core.times import parse_instant
from aftersales.store.build import DEFAULT_TIMEZONE
from aftersales.store.load import Loaded, load
from aftersales.store.paths import find_root

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
    loaded = load(find_root(records_dir), progress=progress, on_count=on_count)
    tz = loaded.settings.tz if loaded.settings is not None else ZoneInfo(DEFAULT_TIMEZONE)
    instant = parse_instant(at, tz) if isinstance(at, str) else at.astimezone(tz)
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
