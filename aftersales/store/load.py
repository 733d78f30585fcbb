"""Reading a whole records folder once: every record that could be built, every problem found.

Reading is linear in the files: each is read and parsed once per run, by
`reading.read_file`, whose result (and the record built from it) depends only on
the file's bytes, so the record cache (`cache`) can sit behind it. Files the cache
cannot answer are read by parallel processes when there are many of them.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftersales.core.model import Asset, Inspection, Part, Records, Settings, Ticket
from aftersales.core.problems import Problem
from aftersales.store import build
from aftersales.store.cache import Identity, RecordCache, decode, encode, identity
from aftersales.store.paths import KINDS, SETTINGS_FILE, RecordFile, scan
from aftersales.store.reading import Cleaned, read_file

PARALLEL_FILES = 2000   # more files than this to read (a cold cache): parsed by parallel processes
MAX_WORKERS = 8
CHUNK = 250


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
    `on_count` is told how many files must really be read (parsed), `progress` of each one.
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
    cache = RecordCache(root, use_cache)
    try:
        problems: list[Problem] = []
        scan_problems: list[Problem] = []
        files = scan(root, scan_problems)
        wanted = [(SETTINGS_FILE, "settings"), *((f.rel, f.kind) for f in files)]
        identities = _identities(root, wanted)
        values: dict[str, Read] = {}
        for rel, payload in cache.lookup(identities).items():
            with contextlib.suppress(Exception):   # a damaged row is read again from its file
                values[rel] = decode(payload)
        missing = [(rel, kind) for rel, kind in wanted if rel not in values]
        if on_count:
            on_count(len(missing))
        for rel, fresh, value in _read_all(root, missing, progress, cache.active):
            values[rel] = value
            if rel in identities and fresh is not None:
                cache.put(rel, identities[rel], fresh)
        cache.save(rel for rel, _ in wanted)
    finally:
        cache.close()
    settings, found, _ = values[SETTINGS_FILE]
    problems.extend(found)
    problems.extend(scan_problems)
    loaded = Loaded(root, settings, problems=problems)
    for item in files:
        record, found, id_line = values[item.rel]
        problems.extend(found)
        if record is not None:
            _add(loaded.table(item.kind), record, id_line, item, problems)
    loaded.file_ids = {kind: frozenset(f.stem for f in files if f.kind == kind) for kind in KINDS}
    return loaded


Read = tuple[Any, list[Problem], int]   # the record built (or None), its problems, the line of its id


def read_record(path: Path, rel: str, kind: str) -> Read:
    """One file read, checked and built: what a file's identity decides (and the cache keeps)."""
    clean, problems = read_file(path, rel, kind)
    if clean is None:
        return None, problems, 1
    if kind == "settings":
        return build.settings(clean), problems, 1
    record = _BUILDERS[kind](clean, rel)
    id_line = build.key_lines(clean).get("id", record.where.line) if record is not None else 1
    return record, problems, id_line


def _identities(root: Path, wanted: list[tuple[str, str]]) -> dict[str, Identity]:
    found: dict[str, Identity] = {}
    base = str(root)
    for rel, kind in wanted:
        try:
            found[rel] = identity(os.stat(os.path.join(base, rel)), kind)
        except OSError:
            continue   # read (and reported) below, never cached
    return found


def _read_all(root: Path, items: list[tuple[str, str]], progress: Callable[[int], None] | None,
              keep: bool) -> Iterator[tuple[str, bytes | None, Read]]:
    """Each file of `items` read: (rel, its cache payload when `keep`, what was read). Many files
    are read by parallel processes (parsing is CPU-bound), a few in this one."""
    workers = _workers()
    if len(items) >= PARALLEL_FILES and workers > 1:
        done: set[str] = set()
        try:
            for rel, payload in _read_parallel(root, items, workers):
                done.add(rel)
                if progress:
                    progress(1)
                yield rel, payload if keep else None, decode(payload)
            return
        except (OSError, BrokenProcessPool):   # no processes to be had: the rest is read here
            items = [item for item in items if item[0] not in done]
    for rel, kind in items:
        value = read_record(root / rel, rel, kind)
        if progress:
            progress(1)
        yield rel, encode(value) if keep else None, value


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:   # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return min(cores, MAX_WORKERS)


def _read_parallel(root: Path, items: list[tuple[str, str]], workers: int) -> Iterator[tuple[str, bytes]]:
    # fork is cheap, but forking a process that runs other threads (the web server) is not safe
    method = "fork" if threading.active_count() == 1 and "fork" in mp.get_all_start_methods() else "spawn"
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method)) as pool:
        for future in as_completed([pool.submit(_read_chunk, str(root), chunk) for chunk in chunks]):
            yield from future.result()


def _read_chunk(root: str, items: list[tuple[str, str]]) -> list[tuple[str, bytes]]:
    """In a worker process: read, check and build a chunk of files; the results travel encoded."""
    gc.disable()
    base = Path(root)
    return [(rel, encode(read_record(base / rel, rel, kind))) for rel, kind in items]


_BUILDERS: dict[str, Callable[[Cleaned, str], Any]] = {
    "asset": build.asset, "ticket": build.ticket, "inspection": build.inspection, "part": build.part}


def _add(table: dict[str, Any], record: Any, id_line: int, item: RecordFile, problems: list[Problem]) -> None:
    if record.id in table:
        other = table[record.id].where.path
        problems.append(Problem(item.rel, id_line, 1, "error", "duplicate-id",
                                f"{item.kind} id {record.id!r} is also used by {other}"))
        return
    table[record.id] = record
