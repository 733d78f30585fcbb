"""Values worked out of many tickets, kept a bucket of tickets at a time.

A quarterly report reads what it counts of each of tens of thousands of tickets, run after
run, and most of them have not changed since the last run: their files are the same, and none
of their clocks still runs. So what it counts of them is kept too, not per ticket (reading
50,000 small values back is most of the work) but per bucket: the tickets are split into
`BUCKETS` buckets by a hash of their id (a ticket stays in its bucket whatever else is added),
and what was worked out of each bucket's tickets is kept in the record cache under a digest of
their files' identities (`Tickets.inputs`) and a scope (the code, the settings, asset and part
files, and what the value is: a report of some periods, in some format). A run reads the value
of each bucket whose tickets are as they were, and works out only the others: after one ticket
changed, one bucket in `BUCKETS`.

What is kept must not change with the instant a run is as of: a bucket is kept only while none
of its tickets has an event after the instant (the per-ticket values have the same rule), and
the caller leaves out of a bucket's value what still changes with the instant (`kpis.Counts`:
the tickets with a clock that may still be met are named, to be counted on every run; a clock
running past its deadline is kept as a row, made late as of each run). Nothing is kept while a
file it depends on changed too recently to be trusted (`Tickets.inputs`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aftersales.core.model import Records
from aftersales.engine.sla import engine_code
from aftersales.store.cache import decode, encode
from aftersales.store.load import Tickets, micros

# How many buckets the tickets are split into: after one ticket changed, a report works out one
# bucket in this many again (at 100,000 tickets, a quarter's 50,000 are 800 a bucket).
BUCKETS = 64


def bucket_of(ident: str) -> int:
    """The bucket of the ticket `ident` (the same on every run, on every machine)."""
    return zlib.crc32(ident.encode()) % BUCKETS


class Buckets:
    """The buckets of a records folder's tickets as of an instant, and what is kept of them under
    one scope (`what`: what the values are; the code, the settings, asset and part files are
    added). Without a record cache (turned off, or tickets not read by the loader) nothing is kept
    and nothing found."""

    def __init__(self, records: Records, at: dt.datetime, what: str) -> None:
        tickets = records.tickets
        self.keeper = tickets if isinstance(tickets, Tickets) else None
        self.by = micros(at)
        self.scope = "" if self.keeper is None else hashlib.sha256(
            f"{engine_code()}|{self.keeper.context}|{BUCKETS}|{what}".encode()).hexdigest()[:32]

    @staticmethod
    def split(ids: Iterable[str]) -> dict[int, list[str]]:
        """The tickets `ids` by bucket, in bucket order, each bucket's in the order given."""
        found: dict[int, list[str]] = {}
        for ident in ids:
            found.setdefault(bucket_of(ident), []).append(ident)
        return dict(sorted(found.items()))

    def kept(self, split: Mapping[int, Sequence[str]]) -> tuple[dict[int, Any], dict[int, bytes]]:
        """Of the buckets `split` (bucket -> its tickets), the values kept of those whose tickets
        are as they were then (a damaged value is not found), and the inputs of each that may be
        kept (`Tickets.inputs`; `keep` takes them back)."""
        if self.keeper is None:
            return {}, {}
        inputs = {bucket: digest for bucket, ids in split.items()
                  if (digest := self.keeper.inputs(ids, self.by)) is not None}
        stored = self.keeper.kept_buckets(self.scope) if inputs else {}
        found: dict[int, Any] = {}
        for bucket, digest in inputs.items():
            row = stored.get(bucket)
            if row is not None and row[0] == digest:
                with contextlib.suppress(Exception):   # damaged: worked out again (and kept again)
                    found[bucket] = decode(row[1])
        return found, inputs

    def keep(self, inputs: Mapping[int, bytes], values: Mapping[int, Any]) -> None:
        """Keep the `values` worked out of buckets, under the `inputs` `kept` gave for them (a
        bucket without is not kept)."""
        if self.keeper is not None:
            self.keeper.keep_buckets(self.scope, {bucket: (inputs[bucket], encode(value))
                                                  for bucket, value in values.items() if bucket in inputs})
