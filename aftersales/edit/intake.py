"""Reports from a scanned QR label: one new repair ticket, written by the same writer as
`ticket open`, or the ticket already opened by the same report a moment ago.

People press "send" twice, reload the page, or two teachers report the same broken seat
from the same label: a report of the same asset with the same text within
`serve.merge_within` is that earlier ticket, not a second one. The check and the write
happen under one lock per asset, so two identical reports sent at the same instant are
still one ticket.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from aftersales.core.errors import UsageError
from aftersales.core.model import Ticket
from aftersales.edit.tickets import Folder, open_ticket
from aftersales.store import build
from aftersales.store.fileio import locked, read_regular
from aftersales.store.reading import check_bytes

BY = "web-intake"   # who recorded a report that came in through a label
CHANNEL = "qr"
KIND = "repair"
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def one_line(text: str) -> str:
    """What someone typed, as one line of text: control and direction characters dropped, every run
    of spaces and line breaks one space."""
    kept = "".join(" " if c.isspace() else c for c in text
                   if c.isspace() or not (unicodedata.category(c) == "Cc" or c in _BIDI))
    return " ".join(kept.split())


def same_text(a: str, b: str) -> bool:
    return one_line(a).casefold() == one_line(b).casefold()


@dataclass(frozen=True)
class Report:
    """What the form of a label sends (already one line each, lengths checked by the page)."""

    asset: str
    category: str
    text: str
    location: str = ""
    name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Received:
    ticket_id: str
    path: Path
    merged: bool   # True: the same report was taken a moment ago; nothing was written


def take(folder: Folder, report: Report, now: dt.datetime | None = None) -> Received:
    """Open the repair ticket of a report (channel qr, recorded by web-intake), unless the same
    report of the same asset came in within `serve.merge_within`."""
    if report.asset not in folder.index["asset"]:
        raise UsageError(f"no asset {report.asset!r}")
    window = dt.timedelta(seconds=folder.settings.serve.merge_within.seconds)
    with locked(folder.root, f"intake/{report.asset}"):
        at = now or folder.now()
        earlier = _recent_same(folder.root, report, at - window, at)
        if earlier is not None:
            return Received(earlier.id, folder.root / earlier.where.path, True)
        fields = {"asset": report.asset, "category": report.category, "channel": CHANNEL,
                  "location": report.location or None,
                  "reporter": {k: v for k, v in (("name", report.name), ("phone", report.phone)) if v} or None}
        ticket_id, path = open_ticket(folder, KIND, report.text, at, BY, fields)
        return Received(ticket_id, path, False)


def _recent_same(root: Path, report: Report, since: dt.datetime, until: dt.datetime) -> Ticket | None:
    """The newest ticket from a label of the same asset with the same text reported in [since, until].
    Only the files named for those days are read (ids start with the report date)."""
    days = {since.date() + dt.timedelta(days=n) for n in range((until.date() - since.date()).days + 1)}
    found = []
    for day in sorted(days):
        folder = root / "tickets" / f"{day:%Y}"
        prefix = f"T-{day:%Y%m%d}-"
        try:
            names = [n for n in os.listdir(folder) if n.startswith(prefix) and n.endswith(".yaml")]
        except FileNotFoundError:
            continue
        for name in names:
            ticket = _read(root, f"tickets/{day:%Y}/{name}")
            if (ticket is not None and ticket.asset == report.asset and ticket.channel == CHANNEL
                    and since <= ticket.reported_at <= until and same_text(ticket.summary, report.text)):
                found.append(ticket)
    return max(found, key=lambda t: t.reported_at, default=None)


def _read(root: Path, rel: str) -> Ticket | None:
    try:
        data = read_regular(root / rel, root)
    except OSError:
        return None
    clean, _ = check_bytes(data, rel, "ticket")
    return build.ticket(clean, rel) if clean is not None else None
