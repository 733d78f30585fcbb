"""`aftersales init`: a new records folder with the documents' default settings.

The folder starts on a date (default today): the maintenance plans count their
slots from it, so a new folder is never overdue on its first day, and the
working-day calendar gets the official holidays of that year and the next from
the `holidays` extra, as far as they are published.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from aftersales.core.errors import AftersalesError, UsageError
from aftersales.engine.holidays_cn import ChinaYear, china_year
from aftersales.store.fileio import LOCK_FOLDER, TEMP_PATTERN, write_atomic
from aftersales.store.paths import FOLDERS, SETTINGS_FILE

GITIGNORE = (f"# lock files of concurrent writers\n/{LOCK_FOLDER.split('/')[0]}/\n"
             f"# temporary files of a write that was interrupted (removed by the next write)\n{TEMP_PATTERN}\n")


def default_settings_text() -> str:
    """The commented default aftersales.yaml shipped with the package."""
    return resources.files("aftersales").joinpath("default_settings.yaml").read_text(encoding="utf-8")


def _scalar(text: str) -> str:
    """A YAML scalar for `text` (plain when safe, quoted otherwise)."""
    dumped = yaml.safe_dump(text, allow_unicode=True, default_style=None, width=10_000)
    return dumped.removesuffix("\n...\n").strip()


_PLAN_START = re.compile(r"^(    start: )\d{4}-\d{2}-\d{2}", re.MULTILINE)
_CALENDAR = re.compile(r"^    holidays:\n(?:      - .*\n)*(?:    #.*\n)*    extra_workdays: \[.*\]\n", re.MULTILINE)


@dataclass(frozen=True)
class Calendar:
    """The official holidays init could fill in, and the years it could not (with why)."""

    filled: tuple[int, ...]
    missing: tuple[tuple[int, str], ...]


def official_years(start: dt.date) -> tuple[list[ChinaYear], Calendar]:
    """The official breaks of the start year and the next, as far as the `holidays` data has them."""
    found, missing = [], []
    for year in (start.year, start.year + 1):
        try:
            found.append(china_year(year))
        except AftersalesError as exc:
            missing.append((year, str(exc)))
    return found, Calendar(tuple(y.year for y in found), tuple(missing))


def calendar_text(years: list[ChinaYear]) -> str:
    """The holidays and make-up days of the workdays calendar, as settings lines."""
    if not years:
        return ("    holidays: []                 # fill with `aftersales calendar cn YEAR`\n"
                "    # Make-up working days (调休) that fall on weekends.\n"
                "    extra_workdays: []\n")
    lines = ["    holidays:"]
    for year in years:
        for r in year.holidays:
            span = r.first.isoformat() if r.first == r.last else f"{r.first}..{r.last}"
            lines.append(f"      - {span:<22}   # {r.name}")
    lines.append("    # Make-up working days (调休) that fall on weekends.")
    days = ", ".join(d.isoformat() for year in years for d in year.extra_workdays)
    lines.append(f"    extra_workdays: [{days}]")
    return "\n".join(lines) + "\n"


def settings_text(name: str | None = None, customer: str | None = None, supplier: str | None = None,
                  timezone: str | None = None, start: dt.date | None = None,
                  years: list[ChinaYear] | None = None) -> str:
    """The default settings with the project's own name, customer, supplier and time zone filled
    in, its plans starting on `start`, and the official holidays of `years`."""
    text = default_settings_text()
    if start is not None:
        text = _PLAN_START.sub(lambda m: m.group(1) + start.isoformat(), text)
    if years is not None:
        text = _CALENDAR.sub(lambda m: calendar_text(years), text, count=1)
    for key, value in (("name", name), ("customer", customer), ("supplier", supplier),
                       ("timezone", timezone)):
        if value is not None:
            text = re.sub(rf"^(  {key}: )(\S+)", lambda m, v=value: m.group(1) + _scalar(v), text,  # type: ignore[misc]
                          count=1, flags=re.MULTILINE)
    return text


def create(folder: Path, start: dt.date | None = None, **project: str | None) -> tuple[list[Path], Calendar]:
    """Create the records folder starting on `start` (its plans count from it, its calendar has the
    official holidays of that year and the next as far as published); refuse if `folder` exists and
    is not empty. Returns what was made and what the calendar holds."""
    for key, value in project.items():
        if value is not None and not value.strip():
            raise UsageError(f"--{key} must not be empty")
    timezone = project.get("timezone")
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"--timezone {timezone!r} is not an IANA time zone like Asia/Shanghai") from None
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} already exists and is not empty; init never overwrites a folder")
    years, calendar = official_years(start) if start is not None else ([], Calendar((), ()))
    made = []
    folder.mkdir(parents=True, exist_ok=True)
    text = settings_text(**project, start=start, years=years if start is not None else None)
    write_atomic(folder / SETTINGS_FILE, text.encode("utf-8"))
    made.append(folder / SETTINGS_FILE)
    for sub in FOLDERS:
        (folder / sub).mkdir()
        write_atomic(folder / sub / ".gitkeep", b"")
        made.append(folder / sub)
    write_atomic(folder / ".gitignore", GITIGNORE.encode())
    made.append(folder / ".gitignore")
    return made, calendar
