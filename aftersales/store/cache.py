"""A disposable cache of read record files in SQLite, keyed on each file's identity and on the code.

Reading (parsing, checking against the field spec, building the typed record) is
most of the time a command spends on a large records folder. A file whose
identity (size, modification and change times, inode, kind) has not changed
reads to the same record and the same problems, so the built record and its
problems are kept per file and reused. An edit that restores the old mtime still
changes the ctime; a file replaced by another one changes the inode.

The store is one SQLite file per records folder (stdlib `sqlite3`), in the
user's cache folder, never in the records folder, so nothing shared through git
is ever unpickled:

- one row per record file, updated in place: one changed ticket rewrites one
  row, not the whole cache;
- WAL journal and a busy timeout: two commands may read and write it at once;
  a writer that still cannot get the lock skips saving (the cache is optional);
- a `meta` row holds the format and a fingerprint of the code that reads files:
  another format or changed code empties it; a file SQLite cannot read
  (corrupt, truncated, not a database) is deleted and rebuilt; a row whose
  payload does not decode (zlib checks it) is read again from its file.

`AFTERSALES_CACHE=off` turns it off; `AFTERSALES_CACHE_DIR` moves it (see
docs/performance.md).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sqlite3
import threading
import time
import weakref
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aftersales.core import halves
from aftersales.store import preset

FORMAT = 15
RACY_SECONDS = 2  # a file changed this close to the save may change again within one mtime tick
BUSY_MS = 10_000  # how long a command waits for another one's write before giving up saving
ABOUT_BUSY_MS = 200  # the same for the snapshot of a page about an asset (`save_about`): a person waits
# A ticket's record and kept cycles take about 1.1 KB: three fit in SQLite's default 4 KB page
# with a fifth of it left empty, fifteen in a 16 KB one.
PAGE_BYTES = 16384
# The packages whose code decides what reading a file gives.
READING_CODE = ("core", "store")

Identity = tuple[int, int, int, int, str]  # size, mtime_ns, ctime_ns, inode, kind
FolderIdentity = tuple[int, int, int]        # mtime_ns, ctime_ns, inode

# What a file's row keeps besides its identity (store.load fills them), all small, so that a warm
# run reads every row quickly: a CRC-32 of the plain columns, the record's id and the line of it,
# its problems (encoded; NULL: none), for a ticket its facts (reported, first and latest event in
# microseconds since the epoch, status, asset, parts used, kind), the hash of the context the
# results of its checks ran in and those results (see checks.validate), and the hash of the
# context of its kept SLA cycles and report facts (see engine.sla.each_kept).
COLUMNS = ("crc", "ident", "id_line", "problems", "reported", "first_at", "latest", "status", "asset", "uses",
           "ticket_kind", "checked_context", "checked", "cycles_context")
Columns = tuple[Any, ...]
# The big values, in a table of their own that a run reads only for the files it needs: the record
# (pickled, zlib-compressed) and the kept SLA cycles and report facts of a ticket (engine.sla.each_kept).
BLOBS = ("payload", "cycles")

SCHEMA = """
CREATE TABLE files (
    rel TEXT PRIMARY KEY, kind TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, crc INTEGER NOT NULL, ident TEXT, id_line INTEGER NOT NULL,
    problems BLOB, reported INTEGER, first_at INTEGER, latest INTEGER, status TEXT, asset TEXT, uses BLOB,
    ticket_kind TEXT, checked_context TEXT, checked BLOB, cycles_context TEXT
) WITHOUT ROWID;
CREATE TABLE blobs (rel TEXT PRIMARY KEY, payload BLOB NOT NULL, cycles BLOB);
CREATE INDEX files_by_asset ON files (asset);
CREATE INDEX files_not_tickets ON files (kind) WHERE kind != 'ticket';
CREATE TABLE folders (rel TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,
                      inode INTEGER NOT NULL);
CREATE TABLE snapshot (one INTEGER PRIMARY KEY CHECK (one = 1), value BLOB NOT NULL);
CREATE TABLE about (asset TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE dirty (rel TEXT PRIMARY KEY);
CREATE TABLE buckets (scope TEXT NOT NULL, bucket INTEGER NOT NULL, inputs BLOB NOT NULL, value BLOB NOT NULL,
                      written INTEGER NOT NULL, PRIMARY KEY (scope, bucket))
"""
# How many kinds of kept bucket values (`remember_buckets`: a report of one quarter in one format,
# say) are kept: those of the others written longest ago are dropped.
SCOPES_KEPT = 4
# How many rows one query reads (each is a parameter of the query: SQLite allows 32,766 at most).
ROWS_AT_ONCE = 500
# A snapshot is taken again when more than this many files' rows changed since it was taken
# (each run reads those rows and mends the snapshot with them); beyond PATCH_LIMIT it is not
# mended at all but every row is read (a bulk change: cheaper than mending it).
REWRITE_AFTER = 500
PATCH_LIMIT = 2000
_ROW = f"rel, size, mtime_ns, ctime_ns, inode, kind, {', '.join(COLUMNS)}"
_SAME_FILE = "rel = ? AND size = ? AND mtime_ns = ? AND ctime_ns = ? AND inode = ? AND kind = ?"

# The caches open in this process. A child forked from it to do half a command's work
# (`core.halves`) must not share their connections (SQLite: a connection never crosses a fork,
# and a child's own connection shares the locks its process inherited while one is open): they
# are closed just before, and open again when next used (`_reader`).
_OPEN: weakref.WeakSet[RecordCache] = weakref.WeakSet()


def _close_before_fork() -> None:
    for cache in list(_OPEN):
        with cache._lock:
            cache.close()


halves.before_fork(_close_before_fork)


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


def racy_after() -> int:
    """The modification time (ns) after which a file is too recently changed to be trusted: it may
    change again within one mtime tick, its identity unchanged (`RACY_SECONDS`)."""
    return time.time_ns() - RACY_SECONDS * 1_000_000_000


def identity(stat: os.stat_result, kind: str) -> Identity:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, kind)


def _busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for another connection's lock (busy, locked): the file is
    not damaged, and must not be deleted."""
    code = getattr(exc, "sqlite_errorcode", None)   # Python 3.11 and later
    if code is not None:
        return code & 0xFF in (5, 6)   # SQLITE_BUSY, SQLITE_LOCKED and their extended codes
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def encode(value: Any, dictionary: bytes | None = None) -> bytes:
    """What a row keeps: the pickled value, deflated against a preset dictionary (by default a
    made-up ticket, `preset`: a ticket takes half the room, and inflates faster); zlib's checksum
    also catches a damaged row."""
    packer = zlib.compressobj(1, zdict=preset.dictionary() if dictionary is None else dictionary)
    return packer.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) + packer.flush()


def decode(payload: bytes, dictionary: bytes | None = None) -> Any:
    """`encode`'s value, deflated against the same dictionary; a damaged one raises zlib.error."""
    unpacker = zlib.decompressobj(zdict=preset.dictionary() if dictionary is None else dictionary)
    data = unpacker.decompress(payload)
    if not unpacker.eof or unpacker.unused_data:
        raise zlib.error("a damaged value: cut short, or more than one")
    return pickle.loads(data)


def cache_path(root: Path | str, folder: Path | None = None) -> Path:
    """The cache file of the records folder `root` (one per folder)."""
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:20]
    return (folder or cache_folder() or Path()) / f"records-{digest}.sqlite3"


@dataclass(frozen=True)
class Snapshot:
    """What a run that read the whole folder kept for the next ones, beside the rows: one value
    read at once instead of a row per file (see `RecordCache.save`).

    `identities` are those of the files whose rows it holds, in the order they were listed;
    `folders` the ticket folders whose every file it holds, with their identities as they were
    before they were listed (a folder with the same identity now holds the same files: it need
    not be listed again); `value` what the loader kept of those rows; `dirty` the files whose
    rows were written or dropped since it was taken (their part of it no longer holds)."""

    identities: dict[str, Identity]
    folders: dict[str, FolderIdentity]
    value: Any
    dirty: set[str]


# What `RecordCache.save` asks the loader for when it takes a snapshot: given the files whose rows
# it holds and the folders kept, the files in order, their identities, the folders, the value.
Taking = Callable[[set[str], dict[str, FolderIdentity]],
                  tuple[list[str], list[Identity], dict[str, FolderIdentity], Any]]


class RecordCache:
    """The read results of each file of one records folder, by the file's identity.

    `lookup` gives the small columns of the files whose identity is unchanged, `blob` one big
    value of one of them (the record, the kept cycles) when it is needed; `put` queues the row of
    a file read this run; `save` writes the queued rows and drops those of files that are gone,
    in one short transaction. The cache stays open for `blob` until `close`.
    """

    def __init__(self, root: Path, active: bool | None = None) -> None:
        self.root = str(root)
        folder = cache_folder()
        self.active = (enabled() if active is None else active) and folder is not None
        self.path = cache_path(self.root, folder)
        self.key = f"{FORMAT}:{code_fingerprint()}:{self.root}"
        self.fresh: dict[str, tuple[Identity, bytes, Columns]] = {}
        self.stored: set[str] = set()
        self.hits: set[str] = set()
        self.snapshot_due = False   # whether `save` takes a new snapshot of the index
        self.about_due = False      # whether `save_about` takes one of a page about an asset
        self.version: int | None = None   # SQLite's data_version when the snapshot was read
        self.rebuilt = False        # whether a damaged file was deleted and made again this run
        self.about: tuple[str, list[tuple[Any, ...]]] | None = None   # `rels_about`'s asset and rows
        self.db: sqlite3.Connection | None = None
        self._lock = threading.Lock()   # `blob` may be asked from the threads of the web server
        _OPEN.add(self)
        if self.active:
            self._open()

    # --- opening -------------------------------------------------------------------

    def _open(self) -> None:
        for _ in range(2):   # a second time after deleting a file SQLite could not read
            try:
                self._connect()
                return
            except sqlite3.DatabaseError as exc:   # corrupt, truncated, not a database: rebuilt, never trusted
                if _busy(exc):   # another command held it too long: this run goes without
                    break
                self.close()
                self._remove()
            except (OSError, sqlite3.Error):   # no cache folder we may write: run without
                break
        self.close()
        self.active = False

    def _connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self.db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None,
                                       check_same_thread=False)
        db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        if db.execute("PRAGMA page_count").fetchone()[0] == 0:   # a new file (on one in use they wait for its lock)
            db.execute(f"PRAGMA page_size = {PAGE_BYTES}")   # fixed once it is in WAL mode
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")      # see `save`
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
        if row is None or row[0] != self.key:   # another format, other code: start empty
            with self._writing() as write:
                row = write.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
                if row is not None and row[0] == self.key:   # another command made it meanwhile
                    return
                write.execute("DROP TABLE IF EXISTS files")
                write.execute("DROP TABLE IF EXISTS blobs")
                write.execute("DROP TABLE IF EXISTS folders")
                write.execute("DROP TABLE IF EXISTS snapshot")
                write.execute("DROP TABLE IF EXISTS dirty")
                write.execute("DROP TABLE IF EXISTS about")
                write.execute("DROP TABLE IF EXISTS buckets")
                for statement in SCHEMA.split(";"):
                    write.execute(statement)
                write.execute("INSERT OR REPLACE INTO meta VALUES ('key', ?)", (self.key,))

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.path}{suffix}")

    @contextlib.contextmanager
    def _writing(self) -> Any:
        assert self.db is not None
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        """Close the connection (the last one to close folds the journal into the file); `blob`
        opens it again when asked."""
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None

    # --- reading and writing --------------------------------------------------------

    def lookup(self, identities: dict[str, Identity], about: str | None = None) -> dict[str, Columns]:
        """The stored small columns (`COLUMNS`) of each file of `identities` (rel -> identity now)
        that is unchanged (`about` an asset: only of the other records and of its tickets)."""
        if self.db is None:
            return {}
        try:
            if about:   # each part read through an index (the other records: a small partial one)
                rows = self.db.execute(f"SELECT {_ROW} FROM files WHERE kind != 'ticket'").fetchall()
                asked, tickets = self.about if self.about is not None else (None, [])
                rows += tickets if asked == about else self.db.execute(
                    f"SELECT {_ROW} FROM files WHERE asset = ? AND kind = 'ticket' ORDER BY rel", (about,)).fetchall()
                self.about = None
            else:
                rows = self.db.execute(f"SELECT {_ROW} FROM files").fetchall()
        except sqlite3.DatabaseError as exc:   # a damaged page: start again from the files, and rebuild it
            if not _busy(exc):
                self._rebuild()
            return {}
        self.stored = {row[0] for row in rows}
        now = identities.get
        hits = {row[0]: row[6:] for row in rows if now(row[0]) == row[1:6]}
        self.hits = set(hits)
        self.snapshot_due = about is None
        return hits

    def snapshot(self, about: str | None = None) -> Snapshot | None:
        """The snapshot the last run that took one kept (see `save`) and the files whose rows
        changed since; None when there is none (or it is damaged: then every row is read).

        `about` an asset: the snapshot of the other records and the tickets about it that the
        last page about it took (see `save_about`), if no file was added, changed or removed
        since; the files whose rows changed since are those the folder's snapshot has."""
        if self.db is None:
            return None
        self.about_due = about is not None
        try:
            self.db.execute("BEGIN")   # the snapshot and the list of rows changed since, as one
            try:
                # (what another connection commits later changes it: see `save_about`)
                self.version = self.db.execute("PRAGMA data_version").fetchone()[0]
                row = (self.db.execute("SELECT value FROM snapshot").fetchone() if about is None else
                       self.db.execute("SELECT value FROM about WHERE asset = ?", (about,)).fetchone())
                dirty = {rel for (rel,) in self.db.execute("SELECT rel FROM dirty")}
            finally:
                self.db.execute("COMMIT")
            if row is None:
                return None
            rels, identities, folders, value = decode(row[0])
            held = dict(zip(rels, identities, strict=True))
            if about is not None:   # the rows of other files changed since do not concern it
                dirty.intersection_update(held)
            found = Snapshot(held, folders, value, dirty)
            self.about_due = False
            return found
        except sqlite3.DatabaseError as exc:
            if not _busy(exc):
                self._rebuild()
        except Exception:   # a damaged snapshot: every row is read, and the snapshot taken again
            pass
        return None

    def indexed(self, identities: dict[str, Identity], snapshot: Snapshot
                ) -> tuple[set[str], dict[str, Columns]] | None:
        """What no longer holds in `snapshot` for the files of `identities` (rel -> identity now):
        (the files changed, gone, or whose rows were rewritten since, and the stored columns of
        those of them unchanged, as `lookup` gives them). None when more than `PATCH_LIMIT` files
        changed: then `lookup` reads every row.

        A warm run over 100,000 files reads one value instead of 100,000 rows, and a run after a
        few files changed reads those few rows besides."""
        ids, dirty = snapshot.identities, snapshot.dirty
        if ids == identities:   # nothing changed but perhaps a few kept results: one comparison
            stale = set(dirty)
        else:
            stale = dirty | (ids.keys() - identities.keys())
            stale.update(rel for rel, now in identities.items() if ids.get(rel) != now)
        if not stale:
            self.stored, self.hits = set(ids), set(ids)
            return stale, {}
        if len(stale) > PATCH_LIMIT:
            return None
        try:
            rows = self._rows(sorted(stale))
        except sqlite3.DatabaseError as exc:
            if not _busy(exc):
                self._rebuild()
            return None
        now = identities.get
        hits = {rel: row[5:] for rel, row in rows.items() if now(rel) == row[:5]}
        self.stored = (ids.keys() - dirty) | rows.keys()
        self.hits = (identities.keys() - stale) | hits.keys()
        self.snapshot_due = len(stale) > REWRITE_AFTER
        return stale, hits

    def _rows(self, rels: list[str]) -> dict[str, tuple[Any, ...]]:
        """The stored rows of `rels` (rel -> identity and `COLUMNS`), those there are."""
        assert self.db is not None
        found: dict[str, tuple[Any, ...]] = {}
        for i in range(0, len(rels), ROWS_AT_ONCE):
            chunk = rels[i:i + ROWS_AT_ONCE]
            for row in self.db.execute(f"SELECT {_ROW} FROM files WHERE rel IN ({', '.join('?' * len(chunk))})",
                                       chunk):
                found[row[0]] = row[1:]
        return found

    def _rebuild(self) -> None:
        """A damaged page: start again from the files, and rebuild the cache."""
        self.close()
        self._remove()
        self.stored = set()
        self.snapshot_due = True
        self.about_due = False
        self.rebuilt = True
        self._open()

    def blob(self, rel: str, ident: Identity, which: str = "payload") -> bytes | None:
        """One big value (`BLOBS`) of the file `rel`, if its row is still that of the file as it
        was (`ident`); None when it is not there (or the cache is closed or damaged)."""
        if not self.active or which not in BLOBS:
            return None
        try:
            with self._lock:
                if (db := self._reader()) is None:
                    return None
                row = db.execute(f"SELECT {which} FROM blobs WHERE rel = "
                                 f"(SELECT rel FROM files WHERE {_SAME_FILE})", (rel, *ident)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else row[0]

    def _reader(self) -> sqlite3.Connection | None:
        """The connection to read a blob with, opened again when it was closed after loading (see
        `close`); None when the cache file is gone. The caller holds the lock."""
        if self.db is None and self.path.exists():
            self.db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None,
                                      check_same_thread=False)
        return self.db

    def blobs(self, wanted: Mapping[str, Identity], which: str = "payload") -> dict[str, bytes]:
        """`blob` of many files at once (a query per `ROWS_AT_ONCE`): those there are, by file."""
        if not self.active or which not in BLOBS:
            return {}
        rels = list(wanted)
        found: dict[str, bytes] = {}
        try:
            with self._lock:
                if (db := self._reader()) is None:
                    return {}
                for i in range(0, len(rels), ROWS_AT_ONCE):
                    chunk = rels[i:i + ROWS_AT_ONCE]
                    for rel, *ident, value in db.execute(
                            f"SELECT rel, size, mtime_ns, ctime_ns, inode, kind, {which} FROM files "
                            f"JOIN blobs USING (rel) WHERE rel IN ({', '.join('?' * len(chunk))})", chunk):
                        if value is not None and tuple(ident) == wanted[rel]:
                            found[rel] = value
        except sqlite3.Error:
            return {}
        return found

    def buckets(self, scope: str) -> dict[int, tuple[bytes, bytes]]:
        """The values kept under `scope` (see `remember_buckets`), by bucket: (the digest of what
        each was worked out of, the value); none when the cache is closed, gone or damaged."""
        if not self.active:
            return {}
        try:
            with self._lock:
                if (db := self._reader()) is None:
                    return {}
                rows = db.execute("SELECT bucket, inputs, value FROM buckets WHERE scope = ?", (scope,)).fetchall()
        except sqlite3.Error:
            return {}
        return {bucket: (inputs, value) for bucket, inputs, value in rows}

    def kept_folders(self) -> dict[str, FolderIdentity]:
        """The ticket folders kept by the last full read (see `save`)."""
        if self.db is None:
            return {}
        try:
            return {rel: (m, c, i) for rel, m, c, i in self.db.execute("SELECT * FROM folders")}
        except sqlite3.Error:
            return {}

    def rels_about(self, asset: str) -> list[str] | None:
        """The files of the tickets about `asset`, as the cache has them; their rows are kept
        for the `lookup` about it that follows (one query, not two: an asset may have thousands
        of tickets). `lookup` checks each row against its file's identity, as always. None when
        the cache cannot tell (closed, or the query failed): then the whole folder is read."""
        if self.db is None:
            return None
        try:
            rows = self.db.execute(f"SELECT {_ROW} FROM files WHERE asset = ? AND kind = 'ticket' ORDER BY rel",
                                   (asset,)).fetchall()
        except sqlite3.Error:
            return None
        self.about = (asset, rows)
        return [row[0] for row in rows]

    def put(self, rel: str, ident: Identity, payload: bytes, columns: Columns) -> None:
        if self.active:
            self.fresh[rel] = (ident, payload, columns)

    def save(self, present: Iterable[str], folders: Mapping[str, FolderIdentity] | None = None,
             snapshot: Taking | None = None) -> None:
        """Write this run's rows and drop those of files no longer `present`; a cache that cannot
        be written (locked for too long, disk full, read-only) is simply skipped.

        `folders` are the ticket folders as they were before they were listed (the identity of a
        folder changes when a file in it is added, removed or replaced): kept when every file of a
        folder is in the cache, so that `kept_folders` can tell a command that nothing was added,
        removed or replaced since (see `load.load_about`).

        `snapshot`, given the files whose rows the cache then holds as this run found or read
        them and the folders kept (see above), gives what a `Snapshot` holds: those files in order,
        their identities, the folders whose listing they are, and a value; it is asked for when
        there is no snapshot yet or many rows changed since it was taken.
        Otherwise the files whose rows this run writes or drops are marked, so that the next run
        reads their rows instead."""
        if self.db is None:
            return
        present = set(present)
        gone = sorted(self.stored - present)
        racy = racy_after()
        fresh = [(rel, i, payload, columns) for rel, (i, payload, columns) in self.fresh.items() if i[1] < racy]
        saved = self.hits | {rel for rel, *_ in fresh}
        left_out = {rel.rsplit("/", 1)[0] for rel in present - saved}
        kept = [(rel, *i) for rel, i in sorted((folders or {}).items())
                if rel not in left_out and i[0] < racy and i[1] < racy]
        if folders is not None and dict((rel, tuple(i)) for rel, *i in kept) == self.kept_folders():
            folders = None   # as kept already
        taken = None
        if snapshot is not None and self.snapshot_due:
            taken = encode(snapshot(saved, {rel: (m, c, i) for rel, m, c, i in kept}))
        try:
            if fresh or gone or folders is not None or taken is not None:
                with self._writing() as write:
                    if folders is not None:
                        write.execute("DELETE FROM folders")
                        write.executemany("INSERT INTO folders VALUES (?, ?, ?, ?)", kept)
                    marks = ", ".join("?" * (6 + len(COLUMNS)))
                    write.executemany(f"INSERT OR REPLACE INTO files VALUES ({marks})",
                                      [(rel, i[4], i[0], i[1], i[2], i[3], *columns) for rel, i, _, columns in fresh])
                    write.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, NULL)",
                                      [(rel, payload) for rel, _, payload, _ in fresh])
                    for table in ("files", "blobs"):
                        write.executemany(f"DELETE FROM {table} WHERE rel = ?", [(rel,) for rel in gone])
                    if taken is not None:   # rows it does not hold (a file changed too recently) stay marked
                        write.execute("INSERT OR REPLACE INTO snapshot VALUES (1, ?)", (taken,))
                        write.execute("DELETE FROM dirty")
                        marked = sorted(self.stored - saved - set(gone))
                    else:
                        marked = sorted({rel for rel, *_ in fresh} | set(gone))
                    write.executemany("INSERT OR IGNORE INTO dirty VALUES (?)", [(rel,) for rel in marked])
                    if fresh or gone or taken is not None:
                        # a file added, changed or removed, or the rows changed since no longer
                        # marked: the snapshots of pages about an asset no longer hold
                        write.execute("DELETE FROM about")
                if taken is not None:   # the pages of the old snapshot and of rows that moved, given back
                    self.db.executescript("PRAGMA incremental_vacuum;")   # (a script: stepped to the end)
        except sqlite3.Error:
            pass
        finally:
            self.fresh.clear()

    def save_about(self, asset: str, snapshot: Taking) -> None:
        """Keep a snapshot of a page about `asset` (the other records and the tickets about it, as
        `snapshot` gives them of the files whose rows the cache holds as this run found them), when
        there was none (see `snapshot`). Not when another command wrote to the cache since this
        run read it (SQLite's data_version changed): its rows may be older than the cache's.

        It holds until a run writes the row of a file added, changed or removed, or takes the
        folder's snapshot again (`save`): the rows written meanwhile are marked, and read again."""
        if self.db is None or not self.about_due:
            return
        try:
            if self.db.execute("PRAGMA data_version").fetchone()[0] != self.version:
                return
            taken = encode(snapshot(set(self.hits), {}))
            self.db.execute(f"PRAGMA busy_timeout = {ABOUT_BUSY_MS}")   # nobody waits long for it
            with self._writing() as write:
                if write.execute("PRAGMA data_version").fetchone()[0] == self.version:
                    write.execute("INSERT OR REPLACE INTO about VALUES (?, ?)", (asset, taken))
        except sqlite3.Error:   # busy, read-only, full: the next page takes it
            pass


def remember(root: Path, which: str, kept: dict[str, tuple[Identity, str, bytes | None]]) -> None:
    """Keep results worked out from some files (rel -> (identity they were read with, hash of the
    context, encoded results)) with their rows, as `which` ("checked" or "cycles"); a row whose
    file changed meanwhile (another identity) is left alone."""
    if which not in ("checked", "cycles") or not kept:
        return
    cached = RecordCache(root)
    try:
        if cached.db is None:
            return
        with cached._writing() as write:
            for rel, (ident, context, blob) in sorted(kept.items()):
                if which == "checked":
                    write.execute(f"UPDATE files SET checked_context = ?, checked = ? WHERE {_SAME_FILE}",
                                  (context, blob, rel, *ident))
                elif write.execute(f"UPDATE files SET cycles_context = ? WHERE {_SAME_FILE}",
                                   (context, rel, *ident)).rowcount:
                    write.execute("UPDATE blobs SET cycles = ? WHERE rel = ?", (blob, rel))
                write.execute("INSERT OR IGNORE INTO dirty VALUES (?)", (rel,))   # not as the snapshot has it
    except sqlite3.Error:
        pass
    finally:
        cached.close()


def remember_buckets(root: Path, scope: str, kept: Mapping[int, tuple[bytes, bytes]]) -> None:
    """Keep values worked out of buckets of files (bucket -> (a digest of the files' identities
    and of anything else they were worked out of, the encoded value)) under `scope` (what they
    are: a kind of report of some periods, say); each replaces the bucket's value kept before.
    Only the values of the `SCOPES_KEPT` scopes written last are kept. Skipped when the cache
    cannot be written (locked too long, read-only, full): it is only an optimisation."""
    if not kept:
        return
    cached = RecordCache(root)
    try:
        if cached.db is None:
            return
        now = time.time_ns()
        with cached._writing() as write:
            write.executemany("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?, ?, ?)",
                              [(scope, bucket, inputs, value, now) for bucket, (inputs, value) in sorted(kept.items())])
            write.execute("DELETE FROM buckets WHERE scope NOT IN (SELECT scope FROM buckets GROUP BY scope "
                          "ORDER BY max(written) DESC LIMIT ?)", (SCOPES_KEPT,))
    except sqlite3.Error:
        pass
    finally:
        cached.close()


def remember_checks(root: Path, checked: dict[str, tuple[Identity, str, bytes | None]]) -> None:
    """Keep the results of the checks of some files in their rows (see `remember`)."""
    remember(root, "checked", checked)
