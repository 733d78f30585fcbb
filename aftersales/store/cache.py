"""A disposable cache of parsed record files, keyed on each file's size and modification time.

Parsing is most of the time a command spends on a large records folder; a file
whose size and mtime have not changed parses to the same values, so the
cleaned values and problems of the last run are reused. The cache lives in the
user's cache folder (never in the records folder, so nothing shared through
git is ever unpickled), carries the package version, and is rebuilt whenever
it cannot be read. `AFTERSALES_CACHE=off` turns it off; `AFTERSALES_CACHE_DIR`
moves it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import time
from pathlib import Path
from typing import Any

from aftersales import __version__

FORMAT = 1
RACY_SECONDS = 2  # a file changed this close to the save may change again within one mtime tick


def cache_folder() -> Path | None:
    """Where the cache goes; None when the user has no home folder to keep one in."""
    chosen = os.environ.get("AFTERSALES_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    if chosen:
        return Path(chosen) if os.environ.get("AFTERSALES_CACHE_DIR") else Path(chosen) / "aftersales"
    try:
        return Path.home() / ".cache" / "aftersales"
    except (RuntimeError, KeyError):  # no HOME and no password entry (some cron and CI setups)
        return None


def enabled() -> bool:
    return os.environ.get("AFTERSALES_CACHE", "on").lower() not in ("off", "0", "no", "false")


class ParseCache:
    """Cleaned values and problems of each file of one records folder, by (size, mtime, kind)."""

    def __init__(self, root: Path, active: bool | None = None) -> None:
        self.root = str(root)
        folder = cache_folder()
        self.active = (enabled() if active is None else active) and folder is not None
        digest = hashlib.sha256(self.root.encode()).hexdigest()[:20]
        self.path = (folder or Path()) / f"parsed-{digest}.pickle"
        self.entries: dict[str, tuple[tuple[int, int, str], Any, list]] = {}
        self.seen: set[str] = set()
        self.changed = False
        if self.active:
            self._read()

    def _read(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                payload = pickle.load(handle)
        except Exception:  # missing, corrupt, from another version: rebuilt, never trusted
            return
        if isinstance(payload, dict) and payload.get("key") == (FORMAT, __version__, self.root):
            self.entries = payload.get("entries", {})

    def get(self, rel: str, stat: os.stat_result, kind: str) -> tuple[Any, list] | None:
        self.seen.add(rel)
        entry = self.entries.get(rel)
        if entry is not None and entry[0] == (stat.st_size, stat.st_mtime_ns, kind):
            return entry[1], entry[2]
        return None

    def put(self, rel: str, stat: os.stat_result, kind: str, clean: Any, problems: list) -> None:
        if self.active:
            self.entries[rel] = ((stat.st_size, stat.st_mtime_ns, kind), clean, problems)
            self.changed = True

    def save(self) -> None:
        """Write the cache if anything changed; a cache that cannot be written is simply skipped."""
        gone = set(self.entries) - self.seen
        if not self.active or not (self.changed or gone):
            return
        racy = time.time_ns() - RACY_SECONDS * 1_000_000_000
        entries = {rel: e for rel, e in self.entries.items() if rel in self.seen and e[0][1] < racy}
        from aftersales.store.files import write_atomic
        with contextlib.suppress(OSError):
            data = pickle.dumps({"key": (FORMAT, __version__, self.root), "entries": entries},
                                protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(self.path, data)
