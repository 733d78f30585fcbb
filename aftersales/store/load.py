"""Reading a whole records folder once: every record that could be built, every problem found.

Reading is linear in the files: each is read and parsed once per run, by
`reading.read_file`, whose result depends only on the file's bytes, so the
parse cache (`cache`) can sit behind it.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftersales.core.model import Asset, Inspection, Part, Records, Settings, Ticket
from aftersales.core.problems import Problem
from aftersales.store import build
from aftersales.store.cache import ParseCache
from aftersales.store.paths import KINDS, SETTINGS_FILE, RecordFile, scan
from aftersales.store.reading import Cleaned, read_file


@dataclass
class Loaded:
    """What one records folder holds, as read: the settings may be missing or broken."""

    root: Path
    settings: Settings | None
    assets: dict[str, Asset] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)
    inspections: dict[str, Inspection] = field(default_factory=dict)
    parts: dict[str, Part] = field(default_factory=dict)
    # ids of every record file found, by kind, including files too broken to build a record from:
    # a reference to one of those is not reported again as a missing record
    file_ids: dict[str, frozenset[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def table(self, kind: str) -> dict[str, Any]:
        tables: dict[str, dict[str, Any]] = {"asset": self.assets, "ticket": self.tickets,
                                             "inspection": self.inspections, "part": self.parts}
        return tables[kind]

    def records(self) -> Records:
        """The records, once the settings are known to be there (the loader checked)."""
        if self.settings is None:  # pragma: no cover - callers refuse invalid records first
            raise ValueError(f"{SETTINGS_FILE} could not be read")
        return Records(str(self.root), self.settings, self.assets, self.tickets, self.inspections,
                       self.parts)


def load(root: Path, progress: Callable[[int], None] | None = None,
         on_count: Callable[[int], None] | None = None, use_cache: bool | None = None) -> Loaded:
    """Read the whole records folder once.

    Each file is read and parsed at most once; with the cache on, a file whose identity
    (size, mtime, ctime, inode) is unchanged since the last run is not parsed again at all.
    """
    collecting = gc.isenabled()
    gc.disable()  # loading builds millions of small objects that all live on: no cycles to collect
    try:
        return _load(root, progress, on_count, use_cache)
    finally:
        if collecting:
            gc.enable()


def _load(root: Path, progress: Callable[[int], None] | None, on_count: Callable[[int], None] | None,
          use_cache: bool | None) -> Loaded:
    cache = ParseCache(root, use_cache)
    problems: list[Problem] = []
    clean_settings, found = _read_cached(cache, root / SETTINGS_FILE, SETTINGS_FILE, "settings")
    problems.extend(found)
    settings = build.settings(clean_settings) if clean_settings is not None else None
    loaded = Loaded(root, settings, problems=problems)
    files = scan(root, problems)
    if on_count:
        on_count(len(files))
    for item in files:
        clean, found = _read_cached(cache, root / item.rel, item.rel, item.kind)
        problems.extend(found)
        if clean is not None:
            _add(loaded.table(item.kind), clean, item, problems)
        if progress:
            progress(1)
    cache.save()
    loaded.file_ids = {kind: frozenset(f.stem for f in files if f.kind == kind) for kind in KINDS}
    return loaded


def _read_cached(cache: ParseCache, path: Path, rel: str, kind: str) -> tuple[Cleaned | None, list[Problem]]:
    try:
        stat = path.stat()
    except OSError:
        return read_file(path, rel, kind)
    hit = cache.get(rel, stat, kind)
    if hit is not None:
        return hit[0], list(hit[1])
    clean, problems = read_file(path, rel, kind)
    cache.put(rel, stat, kind, clean, problems)
    return clean, problems


_BUILDERS: dict[str, Callable[[Cleaned, str], Any]] = {
    "asset": build.asset, "ticket": build.ticket, "inspection": build.inspection, "part": build.part}


def _add(table: dict[str, Any], clean: Cleaned, item: RecordFile, problems: list[Problem]) -> None:
    record = _BUILDERS[item.kind](clean, item.rel)
    if record is None:
        return
    id_line = build.key_lines(clean).get("id", record.where.line)
    if record.id in table:
        other = table[record.id].where.path
        problems.append(Problem(item.rel, id_line, 1, "error", "duplicate-id",
                                f"{item.kind} id {record.id!r} is also used by {other}"))
        return
    table[record.id] = record
