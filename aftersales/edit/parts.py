"""Writing spare-part files: a new part, and stock movements (deliveries, withdrawals, stock
counts) added after the last one.

Like `ticket log`, every change to an existing part is a pure addition: one line per movement
after the last one (or a missing `min:` line), so its git diff is the lines it added. The
change is made under the file's lock, checked with the rules `validate` applies
(`reading.check_bytes`, then `checks.check_part`) and written atomically; a refused change
leaves the file byte for byte as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aftersales.checks.parts import check_part
from aftersales.core import ids
from aftersales.core.errors import Refused
from aftersales.core.model import Part
from aftersales.core.problems import Problem, require_valid
from aftersales.edit.tickets import Folder, refusal
from aftersales.edit.yamledit import YamlDoc
from aftersales.edit.yamltext import flow_mapping, scalar
from aftersales.store import build
from aftersales.store.fileio import locked, read_text, write_atomic
from aftersales.store.paths import record_path
from aftersales.store.reading import check_bytes
from aftersales.store.spec import MOVEMENT, PART

QUANTITIES = ("in", "out", "count")  # a movement holds exactly one of them


@dataclass(frozen=True)
class Movement:
    """One stock movement to write: its date, which quantity (`in`, `out` or `count`), how much."""

    date: dt.date
    kind: str
    qty: int | float
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        values = {"date": self.date, self.kind: self.qty, "note": self.note}
        return {k: values[k] for k in MOVEMENT.order if values.get(k) is not None}

    @property
    def key(self) -> tuple[dt.date, str, float]:
        """What makes two movements the same one (a re-imported row): the note is left out."""
        return (self.date, self.kind, float(self.qty))

    def describe(self, unit: str | None = None) -> str:
        """`received 200 pcs on 2026-01-05`."""
        word = {"in": "received", "out": "taken out", "count": "counted"}[self.kind]
        return f"{word} {self.qty:g}{f' {unit}' if unit else ''} on {self.date.isoformat()}"


def part_text(values: Mapping[str, Any], movements: Sequence[Movement] = ()) -> str:
    """A new part file, laid out like RECORDS.md's example."""
    lines = [f"{key}: {scalar(values[key])}" for key in PART.order
             if key != "movements" and values.get(key) is not None]
    if movements:
        lines.append("movements:")
        lines += [f"  - {flow_mapping(m.as_dict())}" for m in movements]
    return "\n".join(lines) + "\n"


def added_text(text: str, movements: Sequence[Movement], fields: Mapping[str, Any] | None = None) -> str:
    """`text` with missing top-level fields (`min`) added in RECORDS.md's order and the movements
    appended after the last one; every existing byte kept."""
    for key, value in (fields or {}).items():
        text = YamlDoc(text).set_top(key, scalar(value), PART.order).text
    for movement in movements:
        text = _append(text, flow_mapping(movement.as_dict()))
    return text


def _append(text: str, line: str) -> str:
    return YamlDoc(text).append_item("movements", lambda prefix: [prefix + line], ()).text


def existing_movements(part: Part) -> list[Movement]:
    found = []
    for m in part.movements:
        for kind, qty in (("in", m.received), ("out", m.taken), ("count", m.count)):
            if qty is not None:
                found.append(Movement(m.date, kind, qty, m.note))
    return found


def check_text(data: bytes, rel: str) -> tuple[Part | None, list[Problem]]:
    """The part the bytes hold and every error `validate` would report in them."""
    clean, problems = check_bytes(data, rel, "part")
    part = build.part(clean, rel) if clean is not None else None
    if part is not None:
        problems += list(check_part(part))
    return part, [p for p in problems if p.is_error]


def new_part(folder: Folder, values: Mapping[str, Any], movements: Sequence[Movement] = ()) -> tuple[Part, Path]:
    """Write parts/ID.yaml; never overwrites a file (an existing part is refused)."""
    ident = values["id"]
    rel = record_path("part", ident)
    if ident in folder.index["part"]:
        raise Refused(f"refused, nothing was written: part {ident} already exists ({folder.index['part'][ident]}); "
                      "add stock with `aftersales parts receive`")
    same_case = [p for p in folder.index["part"] if p.lower() == ident.lower()]
    if same_case:
        raise Refused(f"refused, nothing was written: part {ident} differs only in case from {same_case[0]}")
    data = part_text(values, movements).encode("utf-8")
    part, errors = check_text(data, rel)
    if errors or part is None:
        raise Refused(refusal(errors, None))
    try:
        write_atomic(folder.root / rel, data, exclusive=True)
    except FileExistsError:
        raise Refused(f"refused, nothing was written: part {ident} already exists ({rel})") from None
    return part, folder.root / rel


def add_movement(folder: Folder, part_id: str, movement: Movement) -> tuple[Part, Path]:
    """Append one movement to a part (a unique prefix of its id is enough) under its lock."""
    ident = ids.resolve(part_id, folder.index["part"], "part")
    rel = folder.index["part"][ident]
    path = folder.root / rel
    with locked(folder.root, rel):
        before, text = read_text(path, rel, folder.root)
        _, problems = check_text(before, rel)
        require_valid(problems, f"refused, nothing was written: {rel} does not validate", "fix it first")
        try:
            after = added_text(text, [movement]).encode("utf-8")
        except Refused as exc:
            raise Refused(f"{exc} ({rel})") from None
        part, errors = check_text(after, rel)
        if errors or part is None:
            raise Refused(refusal(errors, None))
        write_atomic(path, after)
    return part, path
