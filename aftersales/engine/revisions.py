"""Records as they were in a revision: blobs from git parsed with the same reader and builders
as files on disk (`store.reading`, `store.build`), each blob parsed once per run."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from aftersales.core.model import Asset, Event, Settings, Ticket
from aftersales.store import build
from aftersales.store.fileio import read_regular
from aftersales.store.git import NULL_OID, Repo, kind_of
from aftersales.store.reading import Cleaned, check_bytes
from aftersales.store.spec import MARKS

EventKey = tuple[tuple[str, Any], ...]

_BUILDERS: dict[str, Callable[[Cleaned, str], Any]] = {
    "asset": build.asset, "ticket": build.ticket, "inspection": build.inspection, "part": build.part}


def plain(value: Any) -> Any:
    """A cleaned value as a hashable meaning: instants in UTC, mappings as sorted pairs without
    their marks (so `+00:00` or `+08:00`, flow or block style make no difference, as in the merge
    driver)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc) if value.tzinfo is not None else value
    if isinstance(value, dict):
        return tuple(sorted((str(k), plain(v)) for k, v in value.items() if k != MARKS))
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    return value


class Version:
    """One version of one record file: its bytes, parsed on first use (with `store.reading`, as
    `validate` reads a file) into cleaned values and the record built from them (None where the
    file was too broken to build one, as `validate` would have said then)."""

    def __init__(self, path: str, kind: str, data: bytes) -> None:
        self.path, self.kind, self.data = path, kind, data

    @cached_property
    def _parsed(self) -> tuple[Cleaned | None, Any, tuple[tuple[EventKey, Event], ...]]:
        clean, _ = check_bytes(self.data, self.path, self.kind)
        if clean is None:
            return None, None, ()
        if self.kind == "settings":
            return clean, build.settings(clean), ()
        record = _BUILDERS[self.kind](clean, self.path)
        events: tuple[tuple[EventKey, Event], ...] = ()
        if self.kind == "ticket":
            built = ((plain(c), build.event(c)) for c in clean.get("events", ()) if isinstance(c, dict))
            events = tuple((key, e) for key, e in built if e is not None)
        return clean, record, events

    @property
    def clean(self) -> Cleaned | None:
        return self._parsed[0]

    @property
    def record(self) -> Any:
        return self._parsed[1]

    @property
    def events(self) -> tuple[tuple[EventKey, Event], ...]:
        """Tickets: each event as written, with its meaning (what identifies it across versions)."""
        return self._parsed[2]

    @property
    def ticket(self) -> Ticket | None:
        return self.record if isinstance(self.record, Ticket) else None

    def event_counts(self) -> Counter[EventKey]:
        return Counter(key for key, _ in self.events)


class Versions:
    """Parsed blobs of one repository, by blob hash: a blob seen in many commits is parsed once."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._parsed: dict[tuple[str, str], Version] = {}
        self._names: dict[str, str | None] = {}

    def blob(self, oid: str | None, path: str, kind: str) -> Version | None:
        """The version in blob `oid` (None for the null hash: no file)."""
        if oid is None or oid == NULL_OID:
            return None
        key = (oid, kind)
        found = self._parsed.get(key)
        if found is None:
            found = self._parsed[key] = Version(path, kind, self.repo.reader().blob(oid))
        return found

    def named(self, rev: str, path: str, kind: str) -> Version | None:
        """The version of `path` in commit `rev` (or the index with rev ""), None where there is none."""
        name = f"{rev}:{self.repo.prefix}{path}"
        if name not in self._names:
            found = self.repo.reader().read(name)
            self._names[name] = found[0] if found else None
            if found and (found[0], kind) not in self._parsed:
                self._parsed[(found[0], kind)] = Version(path, kind, found[1])
        return self.blob(self._names[name], path, kind)


def read_disk(root: Path, path: str, kind: str) -> Version | None:
    """A file of the working tree, read as every command reads it (None when it is not there)."""
    if not (root / path).is_file():
        return None
    return Version(path, kind, read_regular(root / path))


@dataclass
class Side:
    """The record files of one side of a comparison: a commit, or HEAD with the files that differ
    in the index or the working tree laid over it (`overlay`, None for a file removed there)."""

    versions: Versions
    rev: str | None                 # a commit; None: no commit (before the first one)
    overlay: dict[str, Version | None] = field(default_factory=dict)
    _all: dict[str, list[Version]] = field(default_factory=dict, repr=False)

    def version(self, path: str, kind: str) -> Version | None:
        if path in self.overlay:
            return self.overlay[path]
        return self.versions.named(self.rev, path, kind) if self.rev else None

    @property
    def settings(self) -> Settings | None:
        found = self.version("aftersales.yaml", "settings")
        return found.record if found is not None else None

    def asset(self, asset_id: str | None) -> dict[str, Asset]:
        """The ticket's asset as a one-entry table (it gives the ticket's area and priority)."""
        if not asset_id or "/" in asset_id:
            return {}
        found = self.version(f"assets/{asset_id}.yaml", "asset")
        return {asset_id: found.record} if found is not None and found.record is not None else {}

    def every(self, kind: str) -> list[Version]:
        """Every record file of `kind` on this side (read once per side)."""
        if kind not in self._all:
            tree = self.versions.repo.tree(self.rev) if self.rev else {}
            paths = sorted(p for p in {*tree, *self.overlay} if kind_of(p) == kind)
            self._all[kind] = [v for v in (self._every_one(p, tree, kind) for p in paths) if v is not None]
        return self._all[kind]

    def _every_one(self, path: str, tree: Mapping[str, str], kind: str) -> Version | None:
        if path in self.overlay:
            return self.overlay[path]
        return self.versions.blob(tree.get(path), path, kind)

    def assets(self) -> dict[str, Asset]:
        return {v.record.id: v.record for v in self.every("asset") if v.record is not None}

    def tickets(self) -> list[Ticket]:
        return [v.record for v in self.every("ticket") if v.record is not None]


def late_seconds(event: Event) -> int | None:
    """How long after its `at` a late entry was written (None for an event written in time)."""
    return None if event.logged is None else int((event.logged - event.at).total_seconds())


def changed_events(before: Iterable[Counter[EventKey]], after: Counter[EventKey],
                   base: Counter[EventKey] | None = None) -> tuple[Counter[EventKey], Counter[EventKey]]:
    """Events gone and events new, by meaning. With several versions before (the parents of a
    merge), an event is gone when every parent had it and the result has not, or when one side
    appended it (it is not in the merge `base`) and the result lost it; it is new when no parent
    had it. What a merge took from one side, a removal included, was that side's change."""
    sides = list(before)
    common = sides[0].copy() if sides else Counter()
    union = sides[0].copy() if sides else Counter()
    for side in sides[1:]:
        common &= side
        union |= side
    gone = common - after
    if base is not None and len(sides) > 1:
        for side in sides:
            gone |= (side - base) - after
    return gone, after - union
