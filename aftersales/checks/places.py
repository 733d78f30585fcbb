"""Where a record file stands: its name is its id, and a ticket or inspection lies in the folder
of its year (of its first event, in the project time zone, or of its date). The writers check
the place of a record they are about to write with the same function."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from aftersales.checks.common import error
from aftersales.core.model import Asset, Inspection, Part, Ticket
from aftersales.core.problems import Problem

Record = Asset | Ticket | Inspection | Part


def check_place(record: Record, tz: ZoneInfo) -> Iterator[Problem]:
    rel = record.where.path
    folders, name = rel.split("/")[:-1], rel.split("/")[-1]
    stem = name[: -len(".yaml")] if name.endswith(".yaml") else name
    if record.id != stem:
        yield error(rel, record.lines.get("id", record.where.line), "id-mismatch",
                    f"id {record.id!r} does not match the file name {name}")
    year = _year(record, tz)
    if year is not None and len(folders) == 2 and folders[1] != str(year):
        kind = "ticket" if isinstance(record, Ticket) else "inspection"
        yield error(rel, record.where.line, "wrong-folder",
                    f"{kind} of {year} is in the {folders[1]} folder; move it to {folders[0]}/{year}/")


def _year(record: Record, tz: ZoneInfo) -> int | None:
    if isinstance(record, Ticket):
        return record.reported_at.astimezone(tz).year
    if isinstance(record, Inspection):
        return record.date.year
    return None
