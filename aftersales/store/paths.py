"""Where records live: the root of a records folder, its record folders and file names.

Listing is by name only (nothing is parsed), with `os.scandir`: at 100,000 tickets
pathlib's per-entry objects cost seconds that a desk person waits for.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class RecordFile:
    rel: str            # path relative to the root, with '/'
    kind: str
    year_folder: str | None

    @property
    def stem(self) -> str:
        return self.rel.rsplit("/", 1)[-1][: -len(".yaml")]


def scan(root: Path, problems: list[Problem]) -> list[RecordFile]:
    """List the record files under `root`, reporting stray files and unsafe links."""
    found: list[RecordFile] = []
    for folder, (kind, by_year) in FOLDERS.items():
        base = root / folder
        if not base.is_dir():
            continue
        if base.is_symlink() and not base.resolve().is_relative_to(root):
            problems.append(_at(root, base, "error", "symlink-outside",
                                f"{folder}/ links to {base.resolve()}, outside the records folder; it was not read"))
            continue
        for entry in sorted(base.iterdir()):
            if by_year and entry.is_dir() and not entry.is_symlink():
                if not (entry.name.isdigit() and len(entry.name) == 4):
                    problems.append(_at(root, entry, "error", "wrong-folder",
                                        f"{folder}/ holds year folders like {folder}/2026/; "
                                        "what is in this folder is not read"))
                    continue
                for item in sorted(entry.iterdir()):
                    _consider(found, problems, root, item, kind, entry.name)
            elif by_year and entry.is_file() and entry.suffix == ".yaml":
                problems.append(_at(root, entry, "error", "wrong-folder",
                                    f"{kind}s live in year folders: move it to {folder}/<YYYY>/{entry.name}"))
            else:
                _consider(found, problems, root, entry, kind, None)
    return found


def _consider(found: list[RecordFile], problems: list[Problem], root: Path, path: Path, kind: str,
              year: str | None) -> None:
    if path.name in IGNORED_NAMES or path.name.endswith(TEMP_SUFFIX):
        return
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            problems.append(_at(root, path, "error", "symlink-outside",
                                f"a link to {target}, outside the records folder; it was not read"))
            return
    if path.is_dir():
        _stray(problems, root, path, "record folders hold only record files")
        return
    if path.suffix != ".yaml":
        hint = "rename it to .yaml" if path.suffix == ".yml" else "remove it or move it out of the records"
        _stray(problems, root, path, f"not a record file (records end in .yaml): {hint}")
        return
    found.append(RecordFile(path.relative_to(root).as_posix(), kind, year))


def _stray(problems: list[Problem], root: Path, path: Path, why: str) -> None:
    problems.append(_at(root, path, "warning", "stray-file", why))


def _at(root: Path, path: Path, severity: str, code: str, message: str) -> Problem:
    return Problem(path.relative_to(root).as_posix(), 1, 1, severity, code, message)


def list_ids(root: Path) -> dict[str, dict[str, str]]:
    """Record ids by kind, from file names alone (nothing is parsed): {kind: {id: relative path}}."""
    index: dict[str, dict[str, str]] = {}
    for folder, (kind, by_year) in FOLDERS.items():
        table = index.setdefault(kind, {})
        base = root / folder
        subfolders = sorted(_names(base, dirs=True)) if by_year else [""]
        for sub in subfolders:
            prefix = f"{folder}/{sub}/" if sub else f"{folder}/"
            for name in sorted(_names(root / prefix, dirs=False)):
                if name.endswith(".yaml") and not name.startswith("."):
                    table.setdefault(name[: -len(".yaml")], prefix + name)
    return index


def _names(folder: Path, dirs: bool) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return [e.name for e in entries if e.is_dir(follow_symlinks=False) == dirs]
    except (FileNotFoundError, NotADirectoryError):
        return []
