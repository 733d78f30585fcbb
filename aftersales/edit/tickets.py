"""Opening tickets and logging events: one file written, safely, with every rule checked first.

These commands read only the settings, the one ticket file and the names of
the other records, so they stay fast in a folder of 100,000 tickets.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aftersales.checks import Known, check_place, check_ticket
from aftersales.core import ids
from aftersales.core.errors import AftersalesError, Refused, UsageError
from aftersales.core.model import Part, Settings, Ticket
from aftersales.core.problems import Problem, require_valid
from aftersales.edit.yamltext import NewTicket, append_event, ticket_text
from aftersales.store import build
from aftersales.store.fileio import locked, read_text, write_atomic
from aftersales.store.paths import list_ids, record_path
from aftersales.store.reading import check_bytes, read_file, read_settings

MAX_ID_TRIES = 20


@dataclass(frozen=True)
class Folder:
    """A records folder as the writers see it: its settings and the ids of its records."""

    root: Path
    settings: Settings
    index: Mapping[str, Mapping[str, str]]

    @classmethod
    def open(cls, root: Path) -> Folder:
        return cls(root, read_settings(root), list_ids(root))

    def known(self, now: dt.datetime | None = None, parts: Iterable[str] = ()) -> Known:
        """What the checks of one record need: the settings, every record's id, now, and the
        parts it uses (read from their files, for their units)."""
        return Known(self.settings, self.index, now=now or self.now(), parts=self.read_parts(parts))

    def read_parts(self, wanted: Iterable[str]) -> dict[str, Part]:
        """The parts of these ids that exist and read cleanly (the others have their own problems)."""
        found = {}
        for ident in set(wanted):
            rel = self.index["part"].get(ident)
            clean, _ = read_file(self.root / rel, rel, "part") if rel else (None, [])
            part = build.part(clean, rel) if clean is not None and rel else None
            if part is not None:
                found[part.id] = part
        return found

    def now(self) -> dt.datetime:
        """Now in the project time zone, to the second."""
        return dt.datetime.now(self.settings.tz).replace(microsecond=0)

    def resolve_ticket(self, prefix: str) -> str:
        return ids.resolve(prefix, self.index["ticket"], "ticket")


def _check(folder: Folder, data: bytes, rel: str, new_lines: range | None = None,
           now: dt.datetime | None = None, parts: Iterable[str] = ()) -> Ticket:
    clean, problems = check_bytes(data, rel, "ticket")
    ticket = build.ticket(clean, rel) if clean is not None else None
    if ticket is not None:
        known = folder.known(now, parts)
        problems += [*check_place(ticket, folder.settings.tz), *check_ticket(ticket, known)]
    errors = [p for p in problems if p.severity == "error"]
    if errors or ticket is None:
        raise Refused(refusal(errors, new_lines))
    return ticket


def refusal(errors: list[Problem], new_lines: range | None) -> str:
    """The message of a refused write. The file was valid before the change (that is checked
    first), so every problem comes from the change: said in words, those on the changed lines first."""
    mine = [p for p in errors if new_lines is not None and p.line in new_lines]
    others = [p for p in errors if p not in mine]
    return "refused, nothing was written: " + "; ".join(p.message for p in mine + others)


def open_ticket(folder: Folder, kind: str, summary: str, at: dt.datetime | None, by: str | None,
                fields: Mapping[str, Any]) -> tuple[str, Path]:
    """Write tickets/YYYY/ID.yaml with a first `reported` event (at `at`, else now); never
    overwrites a file."""
    now = folder.now()
    at = at or now
    reported = {"at": at, "type": "reported", "by": by}
    if _late(at, None, now, folder.settings):
        reported["logged"] = now
    for _ in range(MAX_ID_TRIES):
        local = at.astimezone(folder.settings.tz)
        ticket_id = ids.new_ticket_id(local.date())
        rel = record_path("ticket", ticket_id, local.year)
        data = ticket_text(NewTicket(ticket_id, kind, summary, reported, fields)).encode("utf-8")
        _check(folder, data, rel, now=now)
        try:
            write_atomic(folder.root / rel, data, exclusive=True)
        except FileExistsError:
            continue  # another clone or process took this id a moment ago: draw another
        return ticket_id, folder.root / rel
    raise AftersalesError(f"could not find a free ticket id in {MAX_ID_TRIES} tries")


@dataclass(frozen=True)
class Logged:
    """What `log_event` wrote: the file, the ticket as it now stands, and the event."""

    path: Path
    ticket: Ticket
    event: Mapping[str, Any]


def log_event(folder: Folder, ticket_id: str, event: Mapping[str, Any]) -> Logged:
    """Append one event to the ticket's file under its lock; refuse (file untouched) if a rule breaks.

    An event without `at` happened now: the time is taken once the lock is held, so writers
    queued on one ticket log in the order they write. An event earlier than one already in the
    file, or more than `late_after` before now, is a late entry: it is appended all the same
    (the diff stays one added line) and carries `logged`, the instant it was written."""
    rel = folder.index["ticket"][ticket_id]
    path = folder.root / rel
    with locked(folder.root, rel):
        now = folder.now()
        before, text = read_text(path, rel, folder.root)
        clean, problems = check_bytes(before, rel, "ticket")
        require_valid(problems, f"refused, nothing was written: {rel} does not validate", "fix it first")
        current = build.ticket(clean, rel) if clean is not None else None
        event = {**event, "at": event.get("at") or now}
        if _late(event["at"], current, now, folder.settings):
            event["logged"] = now
        after = append_event(text, event)
        new_line = _added_line(text, after)
        used = [use["part"] for use in event.get("parts") or ()]
        ticket = _check(folder, after.encode("utf-8"), rel, range(new_line, new_line + 1), now, used)
        write_atomic(path, after.encode("utf-8"))
    return Logged(path, ticket, event)


def _late(at: dt.datetime, current: Ticket | None, now: dt.datetime, settings: Settings) -> bool:
    """Whether an event at `at` written `now` is a late entry (RECORDS.md, "Late entries")."""
    latest = max((e.at for e in current.events), default=None) if current is not None else None
    return (latest is not None and at < latest) or (now - at).total_seconds() > settings.late_after.seconds


def _added_line(before: str, after: str) -> int:
    """1-based number of the line that differs first (the added one)."""
    for number, (a, b) in enumerate(zip(before.splitlines(), after.splitlines(), strict=False), 1):
        if a != b:
            return number
    return len(before.splitlines()) + 1


def parse_part(text: str) -> dict[str, Any]:
    """`BOLT-M8:2` → {part: BOLT-M8, qty: 2}; full-width `：` and digits (typed with a Chinese
    input method) read as their ASCII forms."""
    part, sep, qty = unicodedata.normalize("NFKC", text).strip().rpartition(":")
    if not sep or not part.strip() or not qty.strip():
        raise UsageError(f"--part {text!r}: write it as PART:QTY, like BOLT-M8:2")
    try:
        amount = float(qty)
    except ValueError:
        raise UsageError(f"--part {text!r}: the quantity {qty.strip()!r} is not a number") from None
    if not amount > 0 or amount == float("inf"):
        raise UsageError(f"--part {text!r}: the quantity must be more than 0, not {qty.strip()}")
    return {"part": part.strip(), "qty": int(amount) if amount.is_integer() else amount}
