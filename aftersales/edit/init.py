"""`aftersales init`: a new records folder with the documents' default settings."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from aftersales.core.errors import UsageError
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


def settings_text(name: str | None = None, customer: str | None = None, supplier: str | None = None,
                  timezone: str | None = None) -> str:
    """The default settings with the project's own name, customer, supplier and time zone filled in."""
    text = default_settings_text()
    for key, value in (("name", name), ("customer", customer), ("supplier", supplier),
                       ("timezone", timezone)):
        if value is not None:
            text = re.sub(rf"^(  {key}: )(\S+)", lambda m, v=value: m.group(1) + _scalar(v), text,  # type: ignore[misc]
                          count=1, flags=re.MULTILINE)
    return text


def create(folder: Path, **project: str | None) -> list[Path]:
    """Create the records folder; refuse if `folder` exists and is not empty. Returns what was made."""
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
    made = []
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / SETTINGS_FILE, settings_text(**project).encode("utf-8"))
    made.append(folder / SETTINGS_FILE)
    for sub in FOLDERS:
        (folder / sub).mkdir()
        write_atomic(folder / sub / ".gitkeep", b"")
        made.append(folder / sub)
    write_atomic(folder / ".gitignore", GITIGNORE.encode())
    made.append(folder / ".gitignore")
    return made
