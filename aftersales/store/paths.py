"""Where records live: the root of a records folder, its record folders and file names.

Listing is by name only (nothing is parsed), with `os.scandir`: at 100,000 tickets
pathlib's per-entry objects cost seconds that a desk person waits for.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from aftersales.core.errors import RecordsNotFound
from aftersales.core.problems import Problem

SETTINGS_FILE = "aftersales.yaml"
ENV_VAR = "AFTERSALES_RECORDS"
# folder -> (record kind, whether records sit in year folders)
FOLDERS: dict[str, tuple[str, bool]] = {
    "assets": ("asset", False),
    "tickets": ("ticket", True),
    "inspections": ("inspection", True),
    "parts": ("part", False),
}
KINDS = tuple(kind for kind, _ in FOLDERS.values())
FOLDER_OF = {kind: folder for folder, (kind, _) in FOLDERS.items()}
IGNORED_NAMES = {".gitkeep", ".gitattributes", ".gitignore", ".DS_Store"}
TEMP_SUFFIX = ".aftersales-tmp"  # a writer's temporary file (see fileio): not a record, not a stray


def find_root(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """`--records DIR`, else $AFTERSALES_RECORDS, else the first folder up from cwd with aftersales.yaml."""
    chosen = explicit or os.environ.get(ENV_VAR)
    if chosen:
        root = Path(chosen).expanduser()
        source = "--records" if explicit else f"${ENV_VAR}"
        if not (root / SETTINGS_FILE).is_file():
            raise RecordsNotFound(f"{root} (from {source}) is not a records folder: it has no {SETTINGS_FILE}")
        return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise RecordsNotFound(
        f"no records folder found: no {SETTINGS_FILE} in {here} or any folder above it; "
        f"use --records DIR, set ${ENV_VAR}, or create one with `aftersales init DIR`"
    )


def record_path(kind: str, ident: str, year: int | None = None) -> str:
    """The path, relative to the root, of a record of `kind` (tickets and inspections by year)."""
    folder = FOLDER_OF[kind]
    return f"{folder}/{year}/{ident}.yaml" if FOLDERS[folder][1] else f"{folder}/{ident}.yaml"


class RecordFile(NamedTuple):
    """One record file found (a tuple: a scan makes 100,000 of them)."""

    rel: str            # path relative to the root, with '/'
    kind: str
    year_folder: str | None

    @property
    def stem(self) -> str:
        return self.rel.rsplit("/", 1)[-1][: -len(".yaml")]


def scan(root: Path, problems: list[Problem], skip: str | None = None,
         listed: Mapping[str, list[str]] | None = None) -> list[RecordFile]:
    """List the record files under `root` (but those of the kind `skip`), reporting stray files
    and unsafe links (`os.scandir`: no per-file path objects, which cost seconds at 100,000 files).
    `listed` gives the names of the record files of some year folders (by path, like
    `tickets/2026`), known to be unchanged since they were listed (see `store.load`): they are
    not listed again."""
    found: list[RecordFile] = []
    for folder, (kind, by_year) in FOLDERS.items():
        if kind == skip:
            continue
        base = root / folder
        if not base.is_dir():
            continue
        if base.is_symlink() and not base.resolve().is_relative_to(root):
            problems.append(_at(root, base, "error", "symlink-outside",
                                f"{folder}/ links to {base.resolve()}, outside the records folder; it was not read"))
            continue
        for entry in _entries(base):
            if by_year and entry.is_dir() and not entry.is_symlink():
                if not (entry.name.isdigit() and len(entry.name) == 4):
                    problems.append(_at(root, Path(entry.path), "error", "wrong-folder",
                                        f"{folder}/ holds year folders like {folder}/2026/; "
                                        "what is in this folder is not read"))
                    continue
                prefix = f"{folder}/{entry.name}/"
                year = entry.name
                names = listed.get(f"{folder}/{year}") if listed else None
                if names is not None:
                    found.extend([RecordFile(prefix + name, kind, year) for name in names])
                    continue
                for item in _entries(Path(entry.path)):
                    name = item.name   # most entries: a record file, nothing to report
                    if name.endswith(".yaml") and item.is_file(follow_symlinks=False) and name not in IGNORED_NAMES \
                            and len(name) > 5:
                        found.append(RecordFile(prefix + name, kind, year))
                    else:
                        _consider(found, problems, root, item, prefix, kind, year)
            elif by_year and entry.is_file() and _suffix(entry.name) == ".yaml":
                problems.append(_at(root, Path(entry.path), "error", "wrong-folder",
                                    f"{kind}s live in year folders: move it to {folder}/<YYYY>/{entry.name}"))
            else:
                _consider(found, problems, root, entry, f"{folder}/", kind, None)
    return found


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        by_name = {e.name: e for e in entries}
    return [by_name[name] for name in sorted(by_name)]


def _suffix(name: str) -> str:
    """`Path(name).suffix`, without making a path."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _consider(found: list[RecordFile], problems: list[Problem], root: Path, entry: os.DirEntry[str], prefix: str,
              kind: str, year: str | None) -> None:
    name = entry.name
    if name in IGNORED_NAMES or name.endswith(TEMP_SUFFIX):
        return
    if entry.is_symlink():
        target = Path(entry.path).resolve()
        if not target.is_relative_to(root):
            problems.append(_at(root, Path(entry.path), "error", "symlink-outside",
                                f"a link to {target}, outside the records folder; it was not read"))
            return
    if entry.is_dir():
        _stray(problems, root, Path(entry.path), "record folders hold only record files")
        return
    suffix = _suffix(name)
    if suffix != ".yaml":
        hint = "rename it to .yaml" if suffix == ".yml" else "remove it or move it out of the records"
        _stray(problems, root, Path(entry.path), f"not a record file (records end in .yaml): {hint}")
        return
    found.append(RecordFile(prefix + name, kind, year))


def _stray(problems: list[Problem], root: Path, path: Path, why: str) -> None:
    problems.append(_at(root, path, "warning", "stray-file", why))


def _at(root: Path, path: Path, severity: str, code: str, message: str) -> Problem:
    return Problem(path.relative_to(root).as_posix(), 1, 1, severity, code, message)


def list_ids(root: Path) -> dict[str, Mapping[str, str]]:
    """Record ids by kind, from file names alone (nothing is parsed): {kind: {id: relative path}}.

    The tickets (by far the most files) are listed only when something needs the whole list:
    looking up a full ticket id reads one directory entry (see `TicketFiles`)."""
    index: dict[str, Mapping[str, str]] = {}
    for folder, (kind, by_year) in FOLDERS.items():
        index[kind] = TicketFiles(root) if kind == "ticket" else _list(root, folder, by_year)
    return index


def _list(root: Path, folder: str, by_year: bool) -> dict[str, str]:
    table: dict[str, str] = {}
    subfolders = sorted(_names(root / folder, dirs=True)) if by_year else [""]
    for sub in subfolders:
        prefix = f"{folder}/{sub}/" if sub else f"{folder}/"
        for name in sorted(_names(root / prefix, dirs=False)):
            if name.endswith(".yaml") and not name.startswith("."):
                table.setdefault(name[: -len(".yaml")], prefix + name)
    return table


TICKET_ID = re.compile(r"T-(\d{4})\d{4}-[0-9A-Z]+")


class TicketFiles(Mapping[str, str]):
    """The ticket files of a records folder by id ({id: relative path}), listed only when needed.

    A full ticket id names its year folder (T-20260314-7F3K9Q lies in tickets/2026/), so a
    lookup of one reads one directory entry instead of listing 100,000 names; anything else
    (a prefix, iteration, an id in the wrong folder) lists the folder once, as `list_ids` did."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._all: dict[str, str] | None = None

    def _listing(self) -> dict[str, str]:
        if self._all is None:
            self._all = _list(self.root, FOLDER_OF["ticket"], True)
        return self._all

    def _direct(self, ident: object) -> str | None:
        if self._all is not None or not isinstance(ident, str):
            return None
        match = TICKET_ID.fullmatch(ident)
        if match is None:
            return None
        year = f"{FOLDER_OF['ticket']}/{match.group(1)}"
        try:
            if stat.S_ISLNK(os.lstat(self.root / year).st_mode):   # not a year folder to `list_ids`
                return None
            if stat.S_ISDIR(os.lstat(self.root / year / f"{ident}.yaml").st_mode):
                return None
        except OSError:
            return None
        return f"{year}/{ident}.yaml"

    def __getitem__(self, ident: str) -> str:
        return self._direct(ident) or self._listing()[ident]

    def __contains__(self, ident: object) -> bool:
        return self._direct(ident) is not None or ident in self._listing()

    def __iter__(self) -> Iterator[str]:
        return iter(self._listing())

    def __len__(self) -> int:
        return len(self._listing())


def _names(folder: Path, dirs: bool) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return [e.name for e in entries if e.is_dir(follow_symlinks=False) == dirs]
    except (FileNotFoundError, NotADirectoryError):
        return []
