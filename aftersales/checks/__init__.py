"""Validation: every rule of the records format that needs more than one field or record.

Types, required keys, allowed values and unknown keys are checked by the field
spec while files are read (`store`); the checks here are small functions, each
yielding located problems, run over everything that was read.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from aftersales.checks.assets import check_asset
from aftersales.checks.common import Known
from aftersales.checks.inspections import check_inspection
from aftersales.checks.notify import check_environment, check_notify
from aftersales.checks.parts import check_levels, check_part
from aftersales.checks.places import check_place
from aftersales.checks.settings import check_settings
from aftersales.checks.tickets import check_events, check_ticket
from aftersales.core.model import Settings, Ticket
from aftersales.core.problems import Problem
from aftersales.engine import parts
from aftersales.store.build import DEFAULT_TIMEZONE
from aftersales.store.cache import Identity, decode, encode, fingerprint, remember_checks
from aftersales.store.load import Kept, Loaded, context_files, micros, settled
from aftersales.store.paths import SETTINGS_FILE

__all__ = ["Known", "check_events", "check_inspection", "check_place", "check_ticket", "validate"]


def validate(loaded: Loaded, now: dt.datetime | None = None, environ: Mapping[str, str] | None = None,
             *, levels: bool = True) -> list[Problem]:
    """Every problem of a loaded records folder as of `now` (events after it are errors), sorted by
    file and line; the notification channels are checked against `environ` (default: this
    process's environment). Without `levels`, the parts' stock is not checked against the
    tickets' uses (a caller that read only some tickets, and asks for none of the parts' problems).

    The checks of one ticket depend on its file, on the settings, assets and parts, and on the ids
    of the inspections (the context), and on `now` only through events after it: their results
    are kept in the record cache and reused while the file and the context are unchanged and the
    ticket's latest event is not after `now`, so a warm run builds no ticket it does not need."""
    s = loaded.settings
    known = Known(s, loaded.file_ids, loaded.assets, now, loaded.parts)
    problems = list(loaded.problems)
    tz = s.tz if s is not None else ZoneInfo(DEFAULT_TIMEZONE)
    for table in (loaded.assets, loaded.inspections, loaded.parts):
        for record in table.values():
            problems.extend(check_place(record, tz))
    if s is not None:
        problems.extend(check_settings(s))
        problems.extend(check_notify(s))
        problems.extend(check_environment(s, os.environ if environ is None else environ))
        for asset in loaded.assets.values():
            problems.extend(check_asset(asset, s))
    problems.extend(_check_tickets(loaded, known, tz, now))
    for inspection in loaded.inspections.values():
        problems.extend(check_inspection(inspection, known))
    for part in loaded.parts.values():
        problems.extend(check_part(part))
    if s is not None and levels:
        uses = loaded.tickets.part_uses()
        problems.extend(check_levels(loaded.parts.values(), parts.usage_from(uses, s.tz)))
    return sorted(set(problems), key=lambda p: (p.path != SETTINGS_FILE, p.path, p.line, p.column, p.code, p.message))


# The code whose change makes every kept result of the checks stale.
CHECKING_CODE = ("core", "store", "checks", "engine")


@dataclass(frozen=True)
class TicketCheck:
    """The checks of one ticket as `validate` runs them, for the loader to run where it builds a
    ticket it reads (a worker process on a cold run); kept with the context they ran in."""

    known: Known
    tz: ZoneInfo
    now: dt.datetime
    context: str
    keep: bool   # (`store.load.settled`: else the checks are run again by `validate`, not kept)

    def __call__(self, ticket: Ticket) -> Kept | None:
        if not self.keep or max(e.at for e in ticket.events) > self.now:
            return None   # judged again as of each instant
        found = [*check_place(ticket, self.tz), *check_ticket(ticket, self.known)]
        return self.context, encode(found) if found else None


def ticket_checker(now: Callable[[Settings | None], dt.datetime]) -> Callable[[Loaded], TicketCheck]:
    """What `store.load` takes as its `checker`: given the folder read but for its tickets, the
    checks of a ticket as of `now(settings)`. The ids of the tickets are left out of what the
    check knows (no ticket check looks at them, and they would travel to every worker)."""
    def make(partial: Loaded) -> TicketCheck:
        s = partial.settings
        instant = now(s)
        ids = {kind: found for kind, found in partial.file_ids.items() if kind != "ticket"}
        known = Known(s, ids, partial.assets, instant, partial.parts)
        tz = s.tz if s is not None else ZoneInfo(DEFAULT_TIMEZONE)
        keep = settled(partial.identities[rel] for rel in context_files(partial.identities))
        return TicketCheck(known, tz, instant, _context(partial), keep)
    return make


def _check_tickets(loaded: Loaded, known: Known, tz: ZoneInfo, now: dt.datetime | None) -> list[Problem]:
    context = _context(loaded) if now is not None else None
    limit = micros(now) if now is not None else None
    problems: list[Problem] = []
    fresh: dict[str, tuple[Identity, str, bytes | None]] = {}
    tickets = loaded.tickets
    for ident, rel in tickets.rel.items():
        judged = limit is not None and tickets.facts[ident][2] <= limit   # no event after `now`
        kept = loaded.checked.get(rel) if judged else None
        if kept is not None and kept[0] == context:
            if kept[1] is None:   # most tickets: checked before, nothing found
                continue
            try:
                problems.extend(decode(kept[1]))
                continue
            except Exception:   # a damaged row: checked again below
                pass
        ticket = tickets[ident]
        found = [*check_place(ticket, tz), *check_ticket(ticket, known)]
        problems.extend(found)
        if context is not None and judged and rel in loaded.identities and tickets.settled:
            fresh[rel] = (loaded.identities[rel], context, encode(found) if found else None)
    if fresh:
        remember_checks(loaded.root, fresh)
    return problems


@functools.cache
def _checking_code() -> str:
    return fingerprint(Path(__file__).resolve().parent.parent, CHECKING_CODE)


def _context(loaded: Loaded) -> str:
    """What the checks of a ticket look at besides its own file: the code, the settings, the asset
    and part files (their identities), and the ids of every asset, part and inspection file."""
    digest = hashlib.sha256(_checking_code().encode())
    identities = loaded.identities
    for rel in context_files(identities):
        digest.update(repr((rel, identities[rel])).encode())
    for kind in ("asset", "part", "inspection"):
        digest.update(repr((kind, sorted(loaded.file_ids.get(kind, ())))).encode())
    return digest.hexdigest()[:24]   # kept in every row: 96 bits tell contexts apart
