"""What `notify` has sent: a small SQLite file outside the records folder, one per records folder.

Why SQLite (the standard library's `sqlite3`): each accepted message is recorded in its own
transaction the moment the server accepts it, so a run killed halfway loses no record of what
went out and a JSON file would have to be rewritten whole each time. The file is private to
this machine (it is not shared through git) and is never needed to read the records: deleting it
means every alert still true is sent again, once, as a summary.

Two runs at once are serialised by an exclusive `flock` on `<state>.lock`, held from before the
first look at the state until after the last message is recorded: the second run waits, then
finds everything the first one sent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from aftersales.core.errors import AftersalesError, UsageError

Key = tuple[str, str, str, str]  # kind, subject, target, cycle
FORMAT = 1
KEEP_DAYS = 180       # a sent alert no longer true is forgotten after this long
RATE_WINDOW = 60.0    # seconds: the robots' limits are per minute

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sent (
    kind TEXT NOT NULL, subject TEXT NOT NULL, target TEXT NOT NULL, cycle TEXT NOT NULL,
    channel TEXT NOT NULL, at TEXT NOT NULL, how TEXT NOT NULL,
    PRIMARY KEY (kind, subject, target, cycle, channel)
);
CREATE TABLE IF NOT EXISTS sends (channel TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sends_by_channel ON sends (channel, at);
"""


def state_folder() -> Path:
    """`$AFTERSALES_STATE_DIR`, else `$XDG_STATE_HOME/aftersales`, else ~/.local/state/aftersales."""
    chosen = os.environ.get("AFTERSALES_STATE_DIR")
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_STATE_HOME")
    if xdg:
        return Path(xdg) / "aftersales"
    try:
        return Path.home() / ".local" / "state" / "aftersales"
    except (RuntimeError, KeyError):
        raise UsageError("no home folder to keep the notify state in: give --state PATH") from None


def default_path(root: Path) -> Path:
    """One state file per records folder: its name and a hash of its full path."""
    resolved = root.resolve()
    digest = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:12]
    return state_folder() / f"notify-{resolved.name or 'root'}-{digest}.sqlite"


def check_outside(path: Path, root: Path) -> None:
    """The state is this machine's, never the records': refuse a path inside the records folder."""
    if path.resolve().is_relative_to(root.resolve()):
        raise UsageError(f"--state {path}: the notify state must live outside the records folder "
                         "(it is this machine's, not something to share through git)")


class State:
    """The sent alerts, read and written inside one locked run."""

    def __init__(self, connection: sqlite3.Connection | None) -> None:
        self.db = connection  # None: a dry run without a state file yet

    def is_sent(self, key: Key, channel: str) -> bool:
        if self.db is None:
            return False
        row = self.db.execute("SELECT 1 FROM sent WHERE kind=? AND subject=? AND target=? AND cycle=? AND "
                              "channel=?", (*key, channel)).fetchone()
        return row is not None

    def mark(self, keys: Iterable[tuple[Key, str]], channel: str, at: dt.datetime) -> None:
        """Record alerts as told on `channel` (`how`: sent, summary, covered), in one transaction."""
        assert self.db is not None
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO sent VALUES (?, ?, ?, ?, ?, ?, ?)",
                                [(*key, channel, at.isoformat(), how) for key, how in keys])

    def recent_sends(self, channel: str, now: float) -> list[float]:
        """The times of the messages sent to `channel` in the last minute (by any run)."""
        if self.db is None:
            return []
        rows = self.db.execute("SELECT at FROM sends WHERE channel=? AND at>? ORDER BY at",
                               (channel, now - RATE_WINDOW)).fetchall()
        return [r[0] for r in rows]

    def record_send(self, channel: str, now: float) -> None:
        if self.db is None:
            return
        with self.db:
            self.db.execute("INSERT INTO sends VALUES (?, ?)", (channel, now))

    def forget(self, true_now: set[Key], at: dt.datetime, now: float) -> None:
        """Drop what can no longer matter: alerts sent long ago that are no longer true, and the
        send times older than the rate window."""
        if self.db is None:
            return
        cutoff = (at - dt.timedelta(days=KEEP_DAYS)).isoformat()
        old = self.db.execute("SELECT kind, subject, target, cycle FROM sent WHERE at<?", (cutoff,)).fetchall()
        stale = [tuple(r) for r in old if tuple(r) not in true_now]
        with self.db:
            self.db.executemany("DELETE FROM sent WHERE kind=? AND subject=? AND target=? AND cycle=?", stale)
            self.db.execute("DELETE FROM sends WHERE at<?", (now - RATE_WINDOW * 2,))

    def count(self) -> int:
        if self.db is None:
            return 0
        return int(self.db.execute("SELECT COUNT(*) FROM sent").fetchone()[0])


@contextlib.contextmanager
def opened(path: Path, write: bool = True) -> Iterator[State]:
    """The state at `path`, locked for the whole block. Without `write` (a dry run) nothing is
    created or locked, and a missing file reads as empty."""
    if not write:
        if not path.exists():
            yield State(None)
            return
        db = _connect(f"file:{path}?mode=ro", path, uri=True)
        try:
            yield State(db)
        except sqlite3.DatabaseError as exc:
            raise _unreadable(path, exc) from None
        finally:
            db.close()
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_name(path.name + ".lock"), "a")  # noqa: SIM115 - held for the block
    except OSError as exc:
        raise AftersalesError(f"cannot use the notify state {path}: {exc.strerror or exc}") from None
    with lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # a second run waits here for the first one
        db = _connect(str(path), path)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            with db:
                db.executescript(SCHEMA)
                db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (str(FORMAT),))
            found = db.execute("SELECT value FROM meta WHERE key='format'").fetchone()[0]
            if found != str(FORMAT):
                raise AftersalesError(f"the notify state {path} has format {found}, not {FORMAT}; move it away "
                                      "to start afresh (alerts still true are then sent once more)")
            yield State(db)
        except sqlite3.DatabaseError as exc:
            raise _unreadable(path, exc) from None
        finally:
            db.close()


def _unreadable(path: Path, exc: Exception) -> AftersalesError:
    return AftersalesError(f"cannot use the notify state {path}: {exc}; move it away to start afresh "
                           "(alerts still true are then sent once more)")


def _connect(target: str, path: Path, uri: bool = False) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(target, uri=uri, timeout=30)
        db.execute("PRAGMA synchronous=FULL")
        return db
    except sqlite3.DatabaseError as exc:
        raise _unreadable(path, exc) from None
