"""A disposable cache of parsed record files, keyed on each file's identity and on the code.

Parsing is most of the time a command spends on a large records folder; a file
whose identity (size, modification and change times, inode) has not changed
parses to the same values, so the cleaned values and problems of the last run
are reused. An edit that restores the old mtime still changes the ctime, and a
file replaced by another one changes the inode.

The cache lives in the user's cache folder (never in the records folder, so
nothing shared through git is ever unpickled), carries a fingerprint of the
code that reads files (so a changed rule never serves old results), and is
rebuilt whenever it cannot be read. `AFTERSALES_CACHE=off` turns it off;
`AFTERSALES_CACHE_DIR` moves it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import time
from pathlib import Path
from typing import Any

from aftersales.store.fileio import write_atomic

FORMAT = 2
RACY_SECONDS = 2  # a file changed this close to the save may change again within one mtime tick
# The packages whose code decides what reading a file gives.
READING_CODE = ("core", "store")

Identity = tuple[int, int, int, int, str]  # size, mtime_ns, ctime_ns, inode, kind


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


@functools.cache
def code_fingerprint() -> str:
    """A hash of the source of the modules that read and check files: any change to them
    (a new rule, a fixed bug) makes every cached result stale."""
    return fingerprint(Path(__file__).resolve().parent.parent, READING_CODE)


def fingerprint(package: Path, subpackages: tuple[str, ...]) -> str:
    """A hash of the names and bytes of the Python files in `subpackages` of `package`."""
    digest = hashlib.sha256()
    for sub in subpackages:
        for path in sorted((package / sub).glob("*.py")):
            digest.update(f"{sub}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def identity(stat: os.stat_result, kind: str) -> Identity:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, kind)


class ParseCache:
    """Cleaned values and problems of each file of one records folder, by the file's identity."""

    def __init__(self, root: Path, active: bool | None = None) -> None:
        self.root = str(root)
        folder = cache_folder()
        self.active = (enabled() if active is None else active) and folder is not None
        digest = hashlib.sha256(self.root.encode()).hexdigest()[:20]
        self.path = (folder or Path()) / f"parsed-{digest}.pickle"
        self.key = (FORMAT, code_fingerprint(), self.root)
        self.entries: dict[str, tuple[Identity, Any, list]] = {}
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
        if isinstance(payload, dict) and payload.get("key") == self.key:
            self.entries = payload.get("entries", {})

    def get(self, rel: str, stat: os.stat_result, kind: str) -> tuple[Any, list] | None:
        self.seen.add(rel)
        entry = self.entries.get(rel)
        if entry is not None and entry[0] == identity(stat, kind):
            return entry[1], entry[2]
        return None

    def put(self, rel: str, stat: os.stat_result, kind: str, clean: Any, problems: list) -> None:
        if self.active:
            self.entries[rel] = (identity(stat, kind), clean, problems)
            self.changed = True

    def save(self) -> None:
        """Write the cache if anything changed; a cache that cannot be written is simply skipped."""
        gone = set(self.entries) - self.seen
        if not self.active or not (self.changed or gone):
            return
        racy = time.time_ns() - RACY_SECONDS * 1_000_000_000
        entries = {rel: e for rel, e in self.entries.items() if rel in self.seen and e[0][1] < racy}
        with contextlib.suppress(OSError):
            data = pickle.dumps({"key": self.key, "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(self.path, data)
