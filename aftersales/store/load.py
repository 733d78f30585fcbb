"""Reading a whole records folder once: every record that could be built, every problem found.

Reading is linear in the files: each is read and parsed once per run, by
`reading.read_file`, whose result (and the record built from it) depends only on
the file's bytes, so the record cache (`cache`) can sit behind it. Files the cache
cannot answer are read by parallel processes when there are many of them.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import gc
import hashlib
import marshal
import os
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR
from typing import Any

from aftersales.core import collector, halves
from aftersales.core.errors import AftersalesError
from aftersales.core.model import Asset, Inspection, Part, Records, Settings, Ticket, TicketHead
from aftersales.core.problems import Problem
from aftersales.store import build
from aftersales.store.cache import (
    Columns,
    FolderIdentity,
    Identity,
    RecordCache,
    Snapshot,
    Taking,
    decode,
    encode,
    racy_after,
    remember,
    remember_buckets,
)
from aftersales.store.paths import FOLDER_OF, KINDS, SETTINGS_FILE, RecordFile, scan
from aftersales.store.reading import Cleaned, read_file

PARALLEL_FILES = 2000   # more files than this to read (a cold cache): parsed by parallel processes
MAX_WORKERS = 8
CHUNK = 500


# What a ticket's file says that the commands filter on, kept so that a warm run need not build
# the ticket: when it was reported, its first and latest event (microseconds since the epoch),
# its status after all events, its asset, and the spare parts its `resolved` events used, as
# (part, at, qty) in file order (None when it used none; encoded in the cache's row), and its kind.
PartUse = tuple[str, int, float]   # its instant in UTC microseconds: a datetime unpickles slowly
TicketFacts = tuple[int, int, int, str, str | None, tuple[PartUse, ...] | None, str]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
MICROSECOND = dt.timedelta(microseconds=1)


def micros(instant: dt.datetime) -> int:
    """An aware instant as whole microseconds since the epoch (exact, and cheap to compare)."""
    return (instant - EPOCH) // MICROSECOND


def ticket_facts(ticket: Ticket) -> TicketFacts:
    instants = [e.at for e in ticket.events]
    uses = tuple((use.part, micros(e.at), use.qty) for e in ticket.events if e.type == "resolved" for use in e.parts)
    return (micros(ticket.reported_at), micros(min(instants)), micros(max(instants)), ticket.status, ticket.asset,
            uses or None, ticket.kind)


BUILT_AT_ONCE = 2000   # how many stored tickets `Tickets.each` reads from the record cache at once


def context_files(identities: Mapping[str, Identity]) -> list[str]:
    """The files, in order, that results kept for a ticket depend on besides its own: the
    settings, asset and part files (their identities are part of what the results are kept under)."""
    return sorted(rel for rel in identities if not rel.startswith(("tickets/", "inspections/")))


def settled(identities: Iterable[Identity]) -> bool:
    """Whether these files (`context_files`) all changed long enough ago to be trusted (`cache.racy_after`). One that
    changed since may change again within the same modification time, its identity unchanged:
    nothing is kept under it then (as a file's own row is not kept), else a later run could take
    results of the first version for the second's."""
    racy = racy_after()
    return all(identity[1] < racy for identity in identities)


class Tickets(Mapping[str, Ticket]):
    """The tickets read, by id, in the order of their files. A ticket the cache answered stays in
    the cache (or as its bytes, read on a cold run) and is built only when something asks for it;
    `facts` and `candidates` answer the common questions (which tickets may be open at an
    instant, which may have an event in a period) without building any."""

    def __init__(self) -> None:
        self._items: dict[str, Ticket | bytes | None] = {}   # None: still in the record cache
        self.rel: dict[str, str] = {}             # id -> file
        self.facts: dict[str, TicketFacts] = {}
        self.root: Path | None = None
        self.identities: dict[str, Identity] = {}
        self.context = ""
        self._source: RecordCache | None = None
        self._cycles: dict[str, str | None] = {}  # file -> hash of the context of its kept cycles
        self._kept: dict[str, bytes] = {}         # file -> cycles kept this run
        self._fresh: dict[str, tuple[Identity, str, bytes | None]] = {}
        self.settled = False   # (`keep_from`)

    def __getitem__(self, ident: str) -> Ticket:
        value = self._items[ident]
        if isinstance(value, Ticket):
            return value
        ticket = self._items[ident] = self.transient(ident)   # built once, then kept
        return ticket

    def each(self, ids: Iterable[str]) -> Iterator[Ticket]:
        """The tickets `ids`, one at a time, each built for one use (as `transient`): those still in
        the record cache are read from it a batch at a time (`BUILT_AT_ONCE`) instead of a query
        each, and none is kept, so a pass over many tickets holds one batch at most."""
        ids = list(ids)
        for first in range(0, len(ids), BUILT_AT_ONCE):
            chunk = ids[first:first + BUILT_AT_ONCE]
            stored = self._stored(chunk)
            for ident in chunk:
                yield stored.get(ident) or self.transient(ident)

    def _stored(self, ids: list[str]) -> dict[str, Ticket]:
        """Of the tickets `ids`, those not built yet that the record cache holds, built from their
        stored values read at once; a damaged one is left out (`transient` reads its file)."""
        wanted = {self.rel[ident]: ident for ident in ids if self._items[ident] is None}
        if not wanted or self._source is None:
            return {}
        found: dict[str, Ticket] = {}
        for rel, blob in self._source.blobs({rel: self.identities[rel] for rel in wanted}).items():
            with contextlib.suppress(Exception):
                found[wanted[rel]] = decode(blob)[0]
        return found

    def transient(self, ident: str) -> Ticket:
        """The ticket, built for one use and not kept when it was not built yet: a pass over many
        tickets then holds one at a time."""
        value = self._items[ident]
        if isinstance(value, Ticket):
            return value
        return decode(value)[0] if value is not None else self._fetch(ident)

    def _fetch(self, ident: str) -> Ticket:
        """A ticket the record cache answered, from its stored bytes; from its file when they are
        not there any more (another command changed the cache meanwhile) or damaged."""
        rel = self.rel[ident]
        blob = self._source.blob(rel, self.identities[rel]) if self._source is not None else None
        if blob is not None:
            with contextlib.suppress(Exception):
                ticket: Ticket = decode(blob)[0]
                return ticket
        assert self.root is not None
        record = read_record(self.root / rel, rel, "ticket")[0]
        if not isinstance(record, Ticket) or record.id != ident:
            raise AftersalesError(f"{rel} changed while it was being read: run the command again")
        return record

    def __contains__(self, ident: object) -> bool:
        return ident in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def keep_from(self, root: Path, identities: dict[str, Identity], cycles: dict[str, str | None],
                  source: RecordCache | None) -> None:
        """Where kept results go (the record cache of `root`), the files' identities, which SLA
        cycles earlier runs kept (rel -> hash of their context), and the cache to fetch tickets and
        cycles from (`source`, open until this is gone)."""
        self.root, self.identities, self._cycles, self._source = root, identities, cycles, source
        rels = context_files(identities)
        self.settled = settled(identities[rel] for rel in rels)
        digest = hashlib.sha256()
        for rel in rels:
            digest.update(repr((rel, identities[rel])).encode())   # what a ticket's cycles depend on besides its file
        self.context = digest.hexdigest()

    def kept_cycles(self, ids: Iterable[str], context: str, at: dt.datetime) -> dict[str, bytes]:
        """The encoded cycles kept for the tickets `ids` under `context` that hold as of `at` (the
        ticket's latest event is not after `at`; the engine counts running clocks on), by ticket:
        those there are, read from the record cache at once."""
        by = micros(at)
        found: dict[str, bytes] = {}
        stored: dict[str, Identity] = {}
        named: dict[str, str] = {}   # file -> ticket
        for ident in ids:
            rel = self.rel.get(ident, "")
            if self._cycles.get(rel) != context or self.facts[ident][2] > by:
                continue
            if rel in self._kept:
                found[ident] = self._kept[rel]
            else:
                stored[rel], named[rel] = self.identities[rel], ident
        if stored and self._source is not None:
            found.update((named[rel], blob) for rel, blob in self._source.blobs(stored, "cycles").items())
        return found

    def keep_cycles(self, ident: str, context: str, cycles: bytes) -> None:
        rel = self.rel[ident]
        if rel in self.identities and self.settled:
            self._fresh[rel] = (self.identities[rel], context, cycles)
            self._cycles[rel] = context
            self._kept[rel] = cycles

    def save_cycles(self) -> None:
        """Write the cycles kept this run into the cache (see `cache.remember`)."""
        if self._fresh and self.root is not None:
            remember(self.root, "cycles", self._fresh)
        self._fresh = {}

    def inputs(self, ids: Iterable[str], by: int) -> bytes | None:
        """A digest of the identities of the files of the tickets `ids`, in this order: what a
        value worked out of them as of an instant (`by`, in UTC microseconds) depends on of them,
        as long as none of their events is after it. None when such a value may not be kept: a
        ticket with an event after the instant, a file whose identity is unknown or changed too
        recently to be trusted (it may change again within the same modification time), or the
        settings, an asset or a part file changed too recently (`settled`)."""
        if not self.settled:
            return None
        racy = racy_after()
        listed = []
        for ident in ids:
            rel = self.rel.get(ident)
            identity = self.identities.get(rel) if rel is not None else None
            if identity is None or identity[1] >= racy or self.facts[ident][2] > by:
                return None
            listed.append((ident, rel, identity))
        return hashlib.blake2b(marshal.dumps(listed), digest_size=16).digest()

    def kept_buckets(self, scope: str) -> dict[int, tuple[bytes, bytes]]:
        """The values kept under `scope` by `keep_buckets`: bucket -> (inputs, encoded value)."""
        return self._source.buckets(scope) if self._source is not None else {}

    def keep_buckets(self, scope: str, kept: Mapping[int, tuple[bytes, bytes]]) -> None:
        """Keep values worked out of buckets of tickets (bucket -> (their `inputs`, the encoded
        value)) under `scope`, in the record cache (see `cache.remember_buckets`)."""
        if kept and self.root is not None and self._source is not None:
            remember_buckets(self.root, scope, kept)

    def part_uses(self, at: dt.datetime | None = None) -> Iterator[tuple[str, dt.datetime, float]]:
        """(part, at, qty) of every `resolved` event (at or before `at`), in file order (a valid
        ticket has no event before its report, so these are the uses of the tickets as of `at`);
        their instants in UTC."""
        by = None if at is None else micros(at)
        for facts in self.facts.values():
            if facts[5] is not None:
                for part, when, qty in facts[5]:
                    if by is None or when <= by:
                        yield part, EPOCH + when * MICROSECOND, qty

    def reaching(self, until: dt.datetime, start: dt.datetime, end: dt.datetime,
                 kind: str | None = None) -> list[str]:
        """See `Records.reaching_ids`: the tickets reported at or before `until`, before `end`, and
        whose latest event is not before `start` (and of `kind`, when given)."""
        by, first_at, last_at = micros(until), micros(start), micros(end)
        return [ident for ident, (reported, _, latest, _, _, _, of_kind) in self.facts.items()
                if reported <= by and reported < last_at and latest >= first_at and kind in (None, of_kind)]

    def heads(self, until: dt.datetime, covered: Mapping[str, dt.datetime], kind: str | None,
              statuses: Mapping[str, str] | None = None) -> list[TicketHead]:
        """See `Records.heads`: from the kept facts; a ticket with an event after `until` (its
        status then may differ) takes its status from `statuses`, or is built and taken as it
        stood at `until`."""
        found = []
        by = micros(until)
        limits = {asset: micros(instant) for asset, instant in covered.items()}
        for ident, (reported, _, latest, status, of, _, of_kind) in self.facts.items():
            if reported > by or kind not in (None, of_kind) or of is None or reported >= limits.get(of, reported):
                continue
            then = status if latest <= by else (statuses or {}).get(ident)
            if then is not None:
                found.append(TicketHead(ident, of_kind, then, of, EPOCH + reported * MICROSECOND))
            elif (built := self[ident].as_of(until)) is not None:
                found.append(TicketHead.of(built))
        return found

    def candidates(self, *, open_at: dt.datetime | None = None,
                   period: tuple[dt.datetime, dt.datetime, dt.datetime] | None = None,
                   asset: str | None = None) -> list[str]:
        """The ids of the tickets that may be open at `open_at`, may have an event in [start, end)
        at or before `at` (`period`) and are about `asset` (each when given), in file order: every
        such ticket, and a few more whose later events leave it open to doubt (the caller filters
        those exactly)."""
        chosen = []
        when = micros(open_at) if open_at is not None else None
        start, end, at = (micros(i) for i in period) if period is not None else (0, 0, 0)
        for ident, (reported, first, latest, status, of, *_) in self.facts.items():
            if asset is not None and of != asset:
                continue
            if when is not None and (reported > when or (latest <= when and status != "open")):
                continue
            if period is not None and (latest < start or first >= end or first > at):
                continue
            chosen.append(ident)
        return chosen


@dataclass
class Loaded:
    """What one records folder holds, as read: the settings may be missing or broken."""

    root: Path
    settings: Settings | None
    assets: dict[str, Asset] = field(default_factory=dict)
    tickets: Tickets = field(default_factory=Tickets)
    inspections: dict[str, Inspection] = field(default_factory=dict)
    parts: dict[str, Part] = field(default_factory=dict)
    # ids of every record file found, by kind, including files too broken to build a record from:
    # a reference to one of those is not reported again as a missing record
    file_ids: dict[str, frozenset[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # each file's identity as read, and the results of its checks kept by an earlier run (see checks;
    # None or no entry: none kept)
    identities: dict[str, Identity] = field(default_factory=dict)
    checked: dict[str, Kept | None] = field(default_factory=dict)

    def table(self, kind: str) -> dict[str, Any]:
        tables: dict[str, dict[str, Any]] = {"asset": self.assets, "inspection": self.inspections,
                                             "part": self.parts}
        return tables[kind]

    def records(self) -> Records:
        """The records, once the settings are known to be there (the loader checked)."""
        if self.settings is None:  # pragma: no cover - callers refuse invalid records first
            raise ValueError(f"{SETTINGS_FILE} could not be read")
        return Records(str(self.root), self.settings, self.assets, self.tickets, self.inspections,
                       self.parts)


# Checks of one ticket, made once the settings and the other records are read, for the tickets
# still to read: run where each ticket is built (a worker process on a cold run, so no ticket
# travels back to be checked); the result is kept in the ticket's row (None: nothing to keep).
TicketCheck = Callable[[Ticket], "Kept | None"]
Kept = tuple[str, bytes | None]   # the context the checks of a ticket ran in, and their problems (encoded; None: none)
Checker = Callable[["Loaded"], TicketCheck | None]


def load(root: Path, progress: Callable[[int], None] | None = None,
         on_count: Callable[[int], None] | None = None, use_cache: bool | None = None,
         checker: Checker | None = None) -> Loaded:
    """Read the whole records folder once.

    Each file is read and parsed at most once; with the cache on, a file whose identity
    (size, mtime, ctime, inode) is unchanged since the last run is not parsed again at all,
    and a ticket is not even built until something asks for it.
    `on_count` is told how many files must really be read (parsed), `progress` of each one.
    `checker` (see `checks.validate`) is given the folder read but for its tickets, and gives the
    check to run on each ticket that must be read (picklable: it may run in another process).
    """
    with collector.paused():   # loading builds millions of small objects that all live on
        loaded = _load(root, progress, on_count, use_cache, checker)
    assert loaded is not None
    return loaded


def load_about(root: Path, asset: str, checker: Checker | None = None) -> Loaded | None:
    """The records folder with only the tickets about `asset` (and every other record), read from
    the record cache, when it can tell that those are all the tickets about it: no ticket file was
    added, removed or replaced since the last run that read the whole folder (the folders'
    identities are those it kept), and the tickets it knows of are unchanged. None otherwise:
    then read the whole folder (`load`). A ticket file edited in place (same inode, its folder
    untouched) to name `asset` is not seen until a run reads the whole folder.

    The first page about an asset reads the rows of its tickets; it keeps a snapshot of them
    (`RecordCache.save_about`), which the next ones read at once, as a warm run reads the
    folder's."""
    with collector.paused():
        return _load(root, None, None, None, checker, asset)


# What a file's identity decides, readable without building the record: its id (None when none
# could be built; "" for the settings), the line of its id, its problems, and for a ticket its facts.
Summary = tuple[str | None, int, list[Problem], TicketFacts | None]
Row = tuple[Any, Summary]   # the record (a ticket: perhaps its bytes) and its summary


def _load(root: Path, progress: Callable[[int], None] | None, on_count: Callable[[int], None] | None,
          use_cache: bool | None, checker: Checker | None, about: str | None = None) -> Loaded | None:
    cache = RecordCache(root, use_cache)
    try:
        scan_problems: list[Problem] = []
        folders = folder_identities(root)   # before listing them: a file added meanwhile changes them
        snapshot = cache.snapshot() if about is None else None
        if about is None:
            files = scan(root, scan_problems, listed=_listed(snapshot, folders))
        else:   # the tickets the cache knows are about the asset, if it can tell that is all of them
            as_kept = cache.kept_folders()
            if not as_kept or folders != as_kept:
                return None
            snapshot = cache.snapshot(about)   # the last page about it, if no file changed since
            about_it = ([rel for rel in snapshot.identities if rel.startswith("tickets/")] if snapshot is not None
                        else cache.rels_about(about))
            if about_it is None or cache.rebuilt:   # a read failed, a damaged file was made again
                return None
            files = [*scan(root, scan_problems, skip="ticket"),
                     *(RecordFile(rel, "ticket", rel.split("/")[1]) for rel in about_it)]
        wanted = [(SETTINGS_FILE, "settings"), *((f.rel, f.kind) for f in files)]
        file_ids = _file_ids(files)
        identities = _identities(root, wanted)
        rows, checked, cycles, plain, unread = _from_cache(cache, identities, about, snapshot)
        if plain is None:
            missing = [(rel, kind) for rel, kind in wanted if rel not in rows]
        else:   # the snapshot holds every file with an identity, but those changed since and unread
            missing = [(rel, kind) for rel, kind in wanted if rel not in identities or rel in unread]
        if about is not None and any(kind == "ticket" for _, kind in missing):
            return None   # one of them changed: it may be about another asset now
        if on_count:
            on_count(len(missing))
        others = [item for item in missing if item[1] != "ticket"]   # settings, assets ...: a few files
        tickets = [item for item in missing if item[1] == "ticket"]
        check: TicketCheck | None = None
        fresh: dict[str, tuple[str, Any]] = {}   # plain tickets read this run: rel -> (id, ticket or bytes)
        for batch in (others, tickets):
            for rel, value, payload, columns in _read_all(root, batch, progress, check):
                row = (value, _summary(rel, columns))
                ident = row[1][0]
                if plain is not None and ident is not None and rel.startswith("tickets/") and _mend(plain, rel, row):
                    fresh[rel] = (ident, value)
                else:
                    rows[rel] = row
                kept = _kept(columns)
                if kept is not None:
                    checked[rel] = kept
                if rel in identities:
                    cache.put(rel, identities[rel], payload, columns)
            if checker is not None and tickets and check is None:
                check = checker(_assemble(root, [f for f in files if f.kind != "ticket"], file_ids, rows,
                                          scan_problems, identities, checked))
        taking = _snapshot(wanted, identities, rows, plain, checked, cycles, clean=not scan_problems)
        if about is None:
            cache.save((rel for rel, _ in wanted), folders, taking)
        else:
            cache.save_about(about, taking)
    finally:
        cache.close()
    loaded = _assemble(root, files, file_ids, rows, scan_problems, identities, checked, plain, fresh)
    loaded.tickets.keep_from(root, identities, cycles, cache if cache.active else None)
    return loaded


def folder_identities(root: Path) -> dict[str, FolderIdentity] | None:
    """The identities of the ticket folder and of its year folders (mtime, ctime, inode: any file
    added, removed or replaced in a folder changes them); None when they cannot be told (a
    folder that is a link, or gone)."""
    found: dict[str, FolderIdentity] = {}
    base = FOLDER_OF["ticket"]
    try:
        stat = os.lstat(root / base)
        if not S_ISDIR(stat.st_mode):
            return None
        found[base] = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        with os.scandir(root / base) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    found[f"{base}/{entry.name}"] = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    except OSError:
        return None
    return found


def _listed(snapshot: Snapshot | None, folders: Mapping[str, FolderIdentity] | None) -> dict[str, list[str]]:
    """The names of the files of each ticket year folder whose identity is the one it had when
    `snapshot` was taken (nothing added, removed or replaced in it since), as listed then."""
    if snapshot is None or not folders:
        return {}
    names: dict[str, list[str]] = {rel: [] for rel, then in snapshot.folders.items()
                                   if rel.count("/") == 1 and folders.get(rel) == then}
    if names:
        for rel in snapshot.identities:   # in the order they were listed
            cut = rel.rfind("/")
            group = names.get(rel[:cut])
            if group is not None:
                group.append(rel[cut + 1:])
    return names


# The tickets of a snapshot whose rows say nothing but their id and facts (the id on line 1, no
# problem), most of them: their files, ids and facts, side by side, in the order they were listed.
Plain = tuple[list[str], list[str], list[TicketFacts]]


def _from_cache(cache: RecordCache, identities: dict[str, Identity], about: str | None, snapshot: Snapshot | None
                ) -> tuple[dict[str, Row], dict[str, Kept | None], dict[str, str | None], Plain | None, set[str]]:
    """The rows of the files the cache answered (see `_from_columns`), the kept results of their
    checks and the contexts of their kept cycles (None: none kept): from the `snapshot` of the
    last whole read (`about` an asset: of the last page about it), mended with the rows of the
    files changed since, when there is one and no more than `cache.PATCH_LIMIT` files changed
    (`RecordCache.indexed`); else from every row.

    With a snapshot, its plain tickets (mended with the rows read) are given as they are
    (`Plain`), not as rows: `_assemble` makes the ticket tables of them at once; and the files
    changed since it was taken whose rows the cache does not have (to be read)."""
    indexed = cache.indexed(identities, snapshot) if snapshot is not None else None
    if snapshot is None or indexed is None:
        return (*_from_rows(cache, cache.lookup(identities, about), identities), None, set())
    stale, columns = indexed
    plain, others, kept_checks, kept_cycles = snapshot.value
    rels = snapshot.identities
    rows = dict(others)
    checked: dict[str, Kept | None] = dict(zip(rels, kept_checks, strict=True))
    cycles: dict[str, str | None] = dict(zip(rels, kept_cycles, strict=True))
    if stale:
        for rel in stale:
            rows.pop(rel, None)
            checked.pop(rel, None)
            cycles.pop(rel, None)
            _mend(plain, rel)
        more_rows, more_checked, more_cycles = _from_rows(cache, columns, identities)
        checked.update(more_checked)
        cycles.update(more_cycles)
        for rel, row in more_rows.items():
            if not _mend(plain, rel, row):
                rows[rel] = row
    unread = {rel for rel in stale if rel in identities and rel not in rows and not _place(plain, rel)[1]}
    return rows, checked, cycles, plain, unread


def _place(plain: Plain, rel: str) -> tuple[int, bool]:
    """Where the ticket file `rel` is or would go in `plain` (its files are sorted: the ticket
    folders are listed by name, `tickets/<YYYY>/` of four digits), and whether it is there."""
    at = bisect.bisect_left(plain[0], rel)
    return at, at < len(plain[0]) and plain[0][at] == rel


def _mend(plain: Plain, rel: str, row: Row | None = None) -> bool:
    """Take the ticket file `rel` out of `plain`, or put it in with its `row` when that is plain
    (the id on line 1, no problem): whether it is in now. Its place is found by bisection
    (`_place`); a few hundred changed files cost a few hundred moves of three lists."""
    t_rels, t_ids, t_facts = plain
    at, here = _place(plain, rel)
    if row is None:
        if here:
            del t_rels[at], t_ids[at], t_facts[at]
        return False
    _, (ident, id_line, found, facts) = row
    if ident is None or facts is None or id_line != 1 or found:
        return False
    if here:
        t_ids[at], t_facts[at] = ident, facts
    else:
        t_rels.insert(at, rel)
        t_ids.insert(at, ident)
        t_facts.insert(at, facts)
    return True


def _snapshot(wanted: list[tuple[str, str]], identities: dict[str, Identity], rows: dict[str, Row],
              plain: Plain | None, checked: dict[str, Kept | None], cycles: dict[str, str | None],
              clean: bool) -> Taking:
    """What the record cache keeps of this run for the next one (see `cache.Snapshot`): of the
    files it holds, in the order they were listed, their identities, the folders kept (when the
    listing found nothing to report: a folder listed again reports it again), the plain tickets
    (`Plain`), the rows of the other files (a ticket left in the cache), and the kept checks and
    cycles of all, as lists side by side (read back with `zip`; each file's path is kept once)."""
    def take(saved: set[str], folders: dict[str, FolderIdentity]
             ) -> tuple[list[str], list[Identity], dict[str, FolderIdentity], Any]:
        shared: dict[Any, Any] = {}
        same = shared.setdefault
        rels = [rel for rel, _ in wanted if rel in saved]
        given = dict(zip(plain[0], zip(plain[1], plain[2], strict=True), strict=True)) if plain is not None else {}
        t_rels: list[str] = []
        t_ids: list[str] = []
        t_facts: list[Any] = []
        others: dict[str, Row] = {}
        for rel in rels:
            row: Row = (None, (given[rel][0], 1, [], given[rel][1])) if rel in given else rows[rel]
            value, (ident, id_line, found, facts) = row
            if facts is not None:   # a ticket: fetched from the cache when asked for
                value = None
                reported, first, latest, status, asset, uses, kind = facts   # its texts shared (pickled once)
                facts = (reported, first, latest, same(status, status), asset and same(asset, asset), uses,
                         same(kind, kind))
                if ident is not None and id_line == 1 and not found:
                    t_rels.append(rel)
                    t_ids.append(ident)
                    t_facts.append(facts)
                    continue
            others[rel] = (value, (ident, id_line, found, facts))
        kept_checks = [(same(k[0], k[0]), k[1]) if (k := checked.get(rel)) is not None else None for rel in rels]
        kept_cycles = [same(c, c) if (c := cycles.get(rel)) is not None else None for rel in rels]
        return (rels, [identities[rel] for rel in rels], folders if clean else {},
                ((t_rels, t_ids, t_facts), others, kept_checks, kept_cycles))
    return take


def _from_rows(cache: RecordCache, found: dict[str, Columns], identities: dict[str, Identity]
               ) -> tuple[dict[str, Row], dict[str, Kept | None], dict[str, str | None]]:
    """The rows of the files the cache answered (`found`: rel -> their columns), the kept results
    of their checks and the contexts of their kept cycles (one string per context: thousands of
    rows share one). A warm run without a snapshot spends its time here: the loop is kept tight."""
    rows: dict[str, Row] = {}
    checked: dict[str, Kept | None] = {}
    cycles: dict[str, str | None] = {}
    intern: dict[str, str] = {}
    same = intern.setdefault
    for rel, columns in found.items():
        try:
            if rel.startswith("tickets/"):   # most rows: the ticket stays in the cache until asked for
                crc, ident, id_line, problems, reported, first, latest, status, asset, uses, kind, *kept = columns
                if crc != _crc(ident, id_line, reported, first, latest, status, asset, kind):
                    continue
                facts = (reported, first, latest, same(status, status), asset and same(asset, asset),
                         decode(uses) if uses is not None else None, same(kind, kind)) if ident is not None else None
                rows[rel] = (None, (ident, id_line, decode(problems) if problems is not None else [], facts))
            else:
                row = _from_columns(rel, columns, cache, identities[rel])
                if row is None:
                    continue
                rows[rel] = row
                kept = list(columns[11:])
        except Exception:   # a damaged row is read again from its file
            rows.pop(rel, None)
            continue
        if kept[0] is not None:
            checked[rel] = (same(kept[0], kept[0]), kept[1])
        if kept[2] is not None:
            cycles[rel] = same(kept[2], kept[2])
    return rows, checked, cycles


def _file_ids(files: list[RecordFile]) -> dict[str, frozenset[str]]:
    """The ids the names of `files` give, by kind (`Loaded.file_ids`)."""
    stems: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for rel, kind, _ in files:   # one pass: a folder of 100,000 tickets has few other files
        stems[kind].append(rel[rel.rfind("/") + 1:-5])   # the name without ".yaml"
    return {kind: frozenset(found) for kind, found in stems.items()}


def _assemble(root: Path, chosen: list[RecordFile], file_ids: dict[str, frozenset[str]], rows: dict[str, Row],
              scan_problems: list[Problem], identities: dict[str, Identity], checked: dict[str, Kept | None],
              plain: Plain | None = None, fresh: Mapping[str, tuple[str, Any]] | None = None) -> Loaded:
    """The folder from the rows of the `chosen` files (all files, or all but the tickets), and the
    `plain` tickets of a snapshot (see `_from_cache`), which are in none of the rows; of those,
    the ones read this run are given in `fresh` (rel -> id and the ticket or its bytes); the ids
    of every file are `file_ids` (`_file_ids`)."""
    fresh = fresh or {}
    settings, (_, _, found, _) = rows[SETTINGS_FILE]
    problems: list[Problem] = [*found, *scan_problems]
    loaded = Loaded(root, settings, problems=problems, identities=identities, checked=checked)
    tickets = loaded.tickets
    if plain is not None:
        t_rels, t_ids, t_facts = plain
        rel_of = dict(zip(t_ids, t_rels, strict=True))
        if len(rel_of) == len(t_ids) and not any(rel.startswith("tickets/") for rel in rows):
            # every ticket is plain and no id is used twice: the tables at once, in file order
            tickets._items, tickets.rel = dict.fromkeys(t_ids), rel_of
            tickets.facts = dict(zip(t_ids, t_facts, strict=True))
            tickets._items.update(fresh.values())
            chosen = [item for item in chosen if item.kind != "ticket"]
        else:   # perhaps a duplicate id: each ticket in turn, as from rows
            rows = {**rows, **{rel: (fresh[rel][1] if rel in fresh else None, (ident, 1, [], facts))
                               for rel, ident, facts in zip(t_rels, t_ids, t_facts, strict=True)}}
    items, rel_of, facts_of = tickets._items, tickets.rel, tickets.facts   # filled here, in file order
    for rel, kind, _ in chosen:
        value, (ident, id_line, found, facts) = rows[rel]
        if found:
            problems.extend(found)
        if ident is None:
            continue
        if kind == "ticket":
            assert facts is not None
            if ident in rel_of:
                _duplicate(rel_of[ident], ident, id_line, rel, kind, problems)
            else:
                items[ident], rel_of[ident], facts_of[ident] = value, rel, facts
            continue
        table = loaded.table(kind)
        if not _duplicate(table[ident].where.path if ident in table else None, ident, id_line, rel, kind, problems):
            table[ident] = value
    loaded.file_ids = file_ids
    return loaded


def _duplicate(other: str | None, ident: str, id_line: int, rel: str, kind: str, problems: list[Problem]) -> bool:
    """Whether a record of id `ident` was read before (from `other`): a problem of the later file
    (`rel`, a `kind`)."""
    if other is None:
        return False
    problems.append(Problem(rel, id_line, 1, "error", "duplicate-id", f"{kind} id {ident!r} is also used by {other}"))
    return True


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


def _encoded(path: Path, rel: str, kind: str, check: TicketCheck | None = None) -> tuple[Any, bytes, Columns]:
    """A file read: the record, its stored bytes and its row's columns (see `cache.COLUMNS`)."""
    record, problems, id_line = read_record(path, rel, kind)
    ident = None if record is None else ("" if kind == "settings" else record.id)
    reported = first = latest = status = asset = uses = of_kind = None
    if kind == "ticket" and record is not None:
        reported, first, latest, status, asset, used, of_kind = ticket_facts(record)
        uses = encode(used) if used else None
    crc = _crc(ident, id_line, reported, first, latest, status, asset, of_kind)
    kept = check(record) if check is not None and kind == "ticket" and record is not None else None
    context, checked = kept if kept is not None else (None, None)
    return record, encode((record,)), (crc, ident, id_line, encode(problems) if problems else None, reported, first,
                                       latest, status, asset, uses, of_kind, context, checked, None)


def _crc(*plain: object) -> int:
    """The checksum of a row's plain columns (its encoded ones are checked by zlib when decoded)."""
    return zlib.crc32(repr(plain).encode())


def _from_columns(rel: str, columns: Columns, cache: RecordCache, ident: Identity) -> Row | None:
    """A stored row as read: (the record, or None for a ticket left in the cache, and its summary);
    None when the row is damaged (then its file is read again)."""
    if columns[0] != _crc(*columns[1:3], *columns[4:9], columns[10]):
        return None
    if rel.startswith("tickets/"):
        return None, _summary(rel, columns)
    payload = cache.blob(rel, ident)
    return None if payload is None else (decode(payload)[0], _summary(rel, columns))


def _kept(columns: Columns) -> Kept | None:
    return (columns[11], columns[12]) if columns[11] is not None else None


def _summary(rel: str, columns: Columns) -> Summary:
    _, ident, id_line, problems, reported, first, latest, status, asset, uses, of_kind, *_ = columns
    ticket = rel.startswith("tickets/") and ident is not None
    facts = (reported, first, latest, status, asset, decode(uses) if uses is not None else None,
             of_kind) if ticket else None
    return ident, id_line, decode(problems) if problems is not None else [], facts


def _identities(root: Path, wanted: list[tuple[str, str]]) -> dict[str, Identity]:
    found: dict[str, Identity] = {}
    try:
        folder = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return found
    try:
        for rel, kind in wanted:   # relative to the folder: no path joined per file
            try:
                stat = os.stat(rel, dir_fd=folder)
            except OSError:
                continue   # read (and reported) below, never cached
            found[rel] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, kind)
    finally:
        os.close(folder)
    return found


def _read_all(root: Path, items: list[tuple[str, str]], progress: Callable[[int], None] | None,
              check: TicketCheck | None) -> Iterator[tuple[str, Any, bytes, Columns]]:
    """Each file of `items` read: (rel, the record or its bytes, its bytes, its row's columns). Many
    files are read by parallel processes (parsing is CPU-bound), a few in this one."""
    workers = _workers()
    if len(items) >= PARALLEL_FILES and workers > 1:
        # imported here: the process pool costs every command 13 ms to import, and only a run
        # that reads thousands of files uses it
        from concurrent.futures.process import BrokenProcessPool
        done: set[str] = set()
        try:
            for rel, payload, columns in _read_parallel(root, items, workers, check):
                done.add(rel)
                if progress:
                    progress(1)
                yield rel, payload if rel.startswith("tickets/") else decode(payload)[0], payload, columns
            return
        except (OSError, BrokenProcessPool):   # no processes to be had: the rest is read here
            items = [item for item in items if item[0] not in done]
    for rel, kind in items:
        record, payload, columns = _encoded(root / rel, rel, kind, check)
        if progress:
            progress(1)
        yield rel, record, payload, columns


def _workers() -> int:
    return min(halves.cores(), MAX_WORKERS)


def _read_parallel(root: Path, items: list[tuple[str, str]], workers: int, check: TicketCheck | None
                   ) -> Iterator[tuple[str, bytes, Columns]]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    # fork is cheap, but forking a process that runs other threads (the web server) is not safe
    method = "fork" if threading.active_count() == 1 and "fork" in mp.get_all_start_methods() else "spawn"
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method)) as pool:
        for future in as_completed([pool.submit(_read_chunk, str(root), chunk, check) for chunk in chunks]):
            yield from future.result()


def _read_chunk(root: str, items: list[tuple[str, str]], check: TicketCheck | None
                ) -> list[tuple[str, bytes, Columns]]:
    """In a worker process: read, check and build a chunk of files; the results travel encoded."""
    gc.disable()
    base = Path(root)
    return [(rel, *_encoded(base / rel, rel, kind, check)[1:]) for rel, kind in items]


_BUILDERS: dict[str, Callable[[Cleaned, str], Any]] = {
    "asset": build.asset, "ticket": build.ticket, "inspection": build.inspection, "part": build.part}
