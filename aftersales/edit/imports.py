"""Importing assets and spare parts from a spreadsheet: plan every change, refuse them all when
any row is wrong, then write.

`plan_assets` and `plan_parts` read the sheet, check every cell and compute the new bytes of
every file they would touch, with the rules `validate` applies; they write nothing. `apply`
writes a plan whose problems are all warnings, one file at a time, each under its lock, after
making sure the file still holds the bytes the plan was made from.

Re-importing the same sheet changes nothing: an asset row changes only the fields whose value
differs from the file (an empty cell changes nothing), and a part's movement already in its
file (same date, kind and quantity) is not added again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftersales.core.errors import Refused
from aftersales.core.problems import Problem
from aftersales.edit import assets as asset_files
from aftersales.edit import parts as part_files
from aftersales.edit.sheets import CellProblem, Column, Header, Sheet, cell_value, checked, columns, find_header
from aftersales.edit.tickets import Folder
from aftersales.store.fileio import locked, read_regular, write_atomic
from aftersales.store.paths import record_path
from aftersales.store.reading import check_bytes
from aftersales.store.spec import ASSET, MOVEMENT, PART

ASSET_COLUMNS = columns(ASSET)
PART_COLUMNS = columns(PART) + columns(MOVEMENT)
_QTY = {c.name: c for c in PART_COLUMNS if c.name in part_files.QUANTITIES}


@dataclass(frozen=True)
class RowResult:
    """What one row of the sheet does: `created`, `changed` (with what) or `unchanged`."""

    row: int                 # 1-based, as the sheet shows it
    ref: str
    record: str
    action: str
    changes: tuple[tuple[str, Any, Any], ...] = ()   # (column, before, after)
    added: tuple[str, ...] = ()                      # part movements, described


@dataclass(frozen=True)
class FileChange:
    rel: str
    before: bytes | None     # None: a new file
    after: bytes


@dataclass
class Plan:
    """Everything an import would do, or why it cannot."""

    kind: str
    source: str
    rows: list[RowResult] = field(default_factory=list)
    files: dict[str, FileChange] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[CellProblem]:
        """The errors, in the order of the sheet: by row, then column."""
        return sorted((p for p in self.problems if p.severity == "error"), key=lambda p: p.position)

    @property
    def warnings(self) -> list[CellProblem]:
        return sorted((p for p in self.problems if p.severity == "warning"), key=lambda p: p.position)

    def counts(self) -> dict[str, int]:
        """Records created, changed and left as they were."""
        created = sum(f.before is None for f in self.files.values())
        seen = {r.record for r in self.rows}
        return {"created": created, "changed": len(self.files) - created, "unchanged": len(seen) - len(self.files)}

    def refuse(self) -> None:
        """Raise Refused listing every error (nothing was written)."""
        found = self.errors
        if found:
            count = f"{len(found)} problem{'s' if len(found) != 1 else ''}"
            raise Refused(f"refused, nothing was written: {count} in {self.source}:\n"
                          + "\n".join(f"  {p}" for p in found))


# --- reading rows -----------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One data row: its values by column name, and where each came from."""

    index: int                      # 0-based sheet row
    values: dict[str, Any]
    refs: dict[str, str]
    headers: dict[str, str]         # column name -> header as written

    def where(self, sheet: Sheet, name: str | None = None) -> str:
        return self.refs.get(name or "", sheet.ref(self.index))


def read_rows(sheet: Sheet, header: Header, plan: Plan, own: frozenset[str] = frozenset()) -> list[Row]:
    """Every non-empty row under the header, its cells converted and checked by the field spec
    (but those of the columns in `own`, which the caller checks)."""
    found = []
    for r in range(header.row + 1, len(sheet.rows)):
        cells = sheet.rows[r]
        values: dict[str, Any] = {}
        refs, headers = {}, {}
        for c, col in header.columns.items():
            raw = cells[c] if c < len(cells) else None
            where = sheet.ref(r, c)
            refs[col.name] = where
            headers[col.name] = str(sheet.rows[header.row][c]).strip()
            try:
                value = cell_value(sheet, col, raw)
            except ValueError as exc:
                plan.problems.append(CellProblem(where, f"{headers[col.name]}: {exc}"))
                continue
            if value is None:
                continue
            if col.name in own:
                values[col.name] = value
                continue
            value, problems = checked(col, value, where, headers[col.name])
            plan.problems += problems
            if value is not None:
                values[col.name] = value
        if any(cells[c] is not None for c in header.columns if c < len(cells)):
            found.append(Row(r, values, refs, headers))
    return found


def _rows_with_ids(sheet: Sheet, header: Header, plan: Plan, kind: str, key: Column,
                   index: Mapping[str, str], own: frozenset[str] = frozenset()) -> list[Row]:
    """The rows that name a record: a row without an id is a problem, as is an id that differs
    from an existing record's only in case."""
    rows = []
    lowered = {i.lower(): i for i in index}
    for row in read_rows(sheet, header, plan, own):
        ident = row.values.get("id")
        if ident is None:
            if row.refs.get("id") and not _bad(plan, row.refs["id"]):
                plan.problems.append(CellProblem(row.refs["id"], f"{key.title} is empty: every row names {_a(kind)}"))
            continue
        same = lowered.get(ident.lower())
        if ident not in index and same is not None:
            plan.problems.append(CellProblem(row.refs["id"], f"{kind} {ident!r} differs only in case from {same}: "
                                             "write the id as it is"))
            continue
        rows.append(row)
    return rows


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _bad(plan: Plan, where: str) -> bool:
    """Whether the cell already has an error (one problem a cell is enough)."""
    return any(p.where == where and p.severity == "error" for p in plan.problems)


def _read_existing(folder: Folder, rel: str) -> bytes:
    return read_regular(folder.root / rel, folder.root)


def _file_problems(where: str, rel: str, problems: Sequence[Problem], new: bool) -> list[CellProblem]:
    """Problems of the bytes an import would write, said at the row that caused them."""
    what = "the new file" if new else "the changed file"
    return [CellProblem(where, f"{what} {rel} would not validate: {p.message}") for p in problems]


def _broken(where: str, rel: str, problems: Sequence[Problem]) -> CellProblem:
    first = next(p for p in problems if p.is_error)
    return CellProblem(where, f"{rel} does not validate, fix it first: {first}")


# --- assets -----------------------------------------------------------------------------

def plan_assets(folder: Folder, sheet: Sheet) -> Plan:
    """What importing the sheet's assets would create and change (nothing is written)."""
    plan = Plan("asset", sheet.source)
    header, problems = find_header(sheet, ASSET_COLUMNS, ASSET_COLUMNS[0], "an asset")
    plan.problems += problems
    index = folder.index["asset"]
    first: dict[str, int] = {}
    for row in _rows_with_ids(sheet, header, plan, "asset", ASSET_COLUMNS[0], index, frozenset({"area"})):
        ident = row.values["id"]
        if ident in first:
            plan.problems.append(CellProblem(row.refs["id"], f"asset {ident} is also on row {first[ident]}: "
                                             "one row per asset"))
            continue
        first[ident] = row.index + 1
        _area(folder, row, plan)
        if ident in index:
            _change_asset(folder, sheet, row, plan, index[ident])
        else:
            _create_asset(folder, sheet, row, plan)
    return plan


def _area(folder: Folder, row: Row, plan: Plan) -> None:
    """An area given by id or by its display name; anything else is a located problem."""
    text = row.values.get("area")
    if text is None:
        return
    area = asset_files.area_id(folder.settings, text)
    if area is None:
        plan.problems.append(CellProblem(row.refs["area"], asset_files.unknown_area(folder.settings, text)))
        del row.values["area"]
    else:
        row.values["area"] = area


def _create_asset(folder: Folder, sheet: Sheet, row: Row, plan: Plan) -> None:
    ident = row.values["id"]
    missing = [c for c in ASSET_COLUMNS if c.field.required and c.name not in row.values]
    for col in missing:
        if not _bad(plan, row.where(sheet, col.name)):
            plan.problems.append(CellProblem(row.where(sheet, col.name),
                                             f"new asset {ident}: {col.title} is missing (required)"))
    if missing:
        return
    rel = record_path("asset", ident)
    data = asset_files.asset_text(row.values).encode("utf-8")
    _, errors = asset_files.check_text(folder.settings, data, rel)
    plan.problems += _file_problems(row.where(sheet), rel, errors, new=True)
    plan.files[rel] = FileChange(rel, None, data)
    plan.rows.append(RowResult(row.index + 1, row.where(sheet), ident, "created",
                               tuple((name, None, value) for name, value in row.values.items() if name != "id")))


def _change_asset(folder: Folder, sheet: Sheet, row: Row, plan: Plan, rel: str) -> None:
    ident = row.values["id"]
    try:
        before = _read_existing(folder, rel)
    except OSError as exc:
        plan.problems.append(CellProblem(row.where(sheet), f"cannot read {rel}: {exc.strerror or exc}"))
        return
    clean, problems = check_bytes(before, rel, "asset")
    if clean is None or any(p.is_error for p in problems):
        plan.problems.append(_broken(row.where(sheet), rel, problems))
        return
    current = asset_files.values_of(clean)
    changes = {name: value for name, value in row.values.items() if current.get(name) != value}
    if not changes:
        plan.rows.append(RowResult(row.index + 1, row.where(sheet), ident, "unchanged"))
        return
    try:
        after = asset_files.changed_text(before.decode("utf-8"), changes).encode("utf-8")
    except Refused as exc:
        plan.problems.append(CellProblem(row.where(sheet), f"{rel}: {exc}"))
        return
    _, errors = asset_files.check_text(folder.settings, after, rel)
    plan.problems += _file_problems(row.where(sheet), rel, errors, new=False)
    plan.files[rel] = FileChange(rel, before, after)
    plan.rows.append(RowResult(row.index + 1, row.where(sheet), ident, "changed",
                               tuple((name, current.get(name), value) for name, value in changes.items())))


# --- parts ------------------------------------------------------------------------------

@dataclass
class _PartDraft:
    """One part as the sheet's rows build it up."""

    rel: str
    values: dict[str, Any]
    first_row: int
    before: bytes | None = None
    existing: Counter[tuple[dt.date, str, float]] = field(default_factory=Counter)
    fields: dict[str, Any] = field(default_factory=dict)           # missing fields an import adds (min)
    movements: list[part_files.Movement] = field(default_factory=list)


def plan_parts(folder: Folder, sheet: Sheet, default_date: dt.date | None = None) -> Plan:
    """What importing the sheet's parts would create and add (nothing is written).

    A row names a part (new parts need a name) and may carry one movement: a quantity in one of
    the `in`, `out` and `count` columns, dated by the `date` column or else `default_date`.
    Several rows may name the same part. An existing part is only ever added to: movements it
    does not have yet, and `min` when it has none."""
    plan = Plan("part", sheet.source)
    header, problems = find_header(sheet, PART_COLUMNS, PART_COLUMNS[0], "a part")
    plan.problems += problems
    index = folder.index["part"]
    drafts: dict[str, _PartDraft] = {}
    for row in _rows_with_ids(sheet, header, plan, "part", PART_COLUMNS[0], index):
        ident = row.values["id"]
        draft = drafts.get(ident)
        if draft is None:
            draft = _start_part(folder, sheet, row, plan, index)
            if draft is None:
                continue
            drafts[ident] = draft
        else:
            _same_fields(sheet, row, plan, draft)
        movement = _movement(sheet, row, plan, default_date)
        new = draft.before is None
        first = new and draft.first_row == row.index + 1
        result = RowResult(row.index + 1, row.where(sheet), ident, "created" if new else "unchanged",
                           (("name", None, draft.values["name"]),) if first else ())
        if draft.before is not None and "min" in row.values and draft.values.get("min") is None \
                and "min" not in draft.fields:
            draft.fields["min"] = row.values["min"]
            result = RowResult(result.row, result.ref, ident, "changed", (("min", None, row.values["min"]),))
        if movement is not None:
            if draft.existing[movement.key] > 0:
                draft.existing[movement.key] -= 1   # already in the file: a re-imported row
            else:
                draft.movements.append(movement)
                action = "created" if draft.before is None else "changed"
                unit = draft.values.get("unit") or PART.default("unit")
                result = RowResult(result.row, result.ref, ident, action, result.changes, (movement.describe(unit),))
        plan.rows.append(result)
    for draft in drafts.values():
        _finish_part(draft, plan)
    return plan


def _start_part(folder: Folder, sheet: Sheet, row: Row, plan: Plan, index: Mapping[str, str]) -> _PartDraft | None:
    ident = row.values["id"]
    fields = {k: v for k, v in row.values.items() if k in PART.fields}
    if ident not in index:
        if "name" not in fields:
            if not _bad(plan, row.where(sheet, "name")):
                plan.problems.append(CellProblem(row.where(sheet, "name"),
                                                 f"new part {ident}: {_title('name')} is missing (required)"))
            return None
        return _PartDraft(record_path("part", ident), fields, row.index + 1)
    rel = index[ident]
    try:
        before = _read_existing(folder, rel)
    except OSError as exc:
        plan.problems.append(CellProblem(row.where(sheet), f"cannot read {rel}: {exc.strerror or exc}"))
        return None
    part, errors = part_files.check_text(before, rel)
    if part is None or errors:
        _, problems = check_bytes(before, rel, "part")
        plan.problems.append(_broken(row.where(sheet), rel, errors or problems))
        return None
    current = {"id": part.id, "name": part.name, "unit": part.unit, "min": part.min}
    draft = _PartDraft(rel, current, row.index + 1, before,
                       Counter(m.key for m in part_files.existing_movements(part)))
    _same_fields(sheet, row, plan, draft)
    return draft


def _same_fields(sheet: Sheet, row: Row, plan: Plan, draft: _PartDraft) -> None:
    """A part's fields on a later row (or in its file) must agree: an import does not rename a part
    or change its unit; a different `min` is kept as the file has it, with a warning."""
    ident = draft.values["id"]
    for name in ("name", "unit", "min"):
        given, known = row.values.get(name), draft.values.get(name)
        if name == "unit" and known is None:
            known = PART.default("unit")
        if given is None or known is None or given == known:
            continue
        where = row.where(sheet, name)
        source = f"row {draft.first_row}" if draft.before is None else draft.rel
        if name == "min" and draft.before is not None:
            plan.problems.append(CellProblem(where, f"part {ident}: {_title(name)} {given:g} differs from "
                                             f"{known:g} in {source}; not changed (edit the file to change it)",
                                             "warning"))
        else:
            plan.problems.append(CellProblem(where, f"part {ident}: {_title(name)} {given!r} differs from "
                                             f"{known!r} in {source}; an import does not change a part's "
                                             f"{name}: edit the file, or correct the sheet"))


def _movement(sheet: Sheet, row: Row, plan: Plan, default_date: dt.date | None) -> part_files.Movement | None:
    given = [name for name in _QTY if name in row.values]
    if len(given) > 1:
        plan.problems.append(CellProblem(row.where(sheet, given[1]), "a row holds one movement: give only one of "
                                         + ", ".join(_title(n) for n in _QTY)))
        return None
    if not given:
        bad = [n for n in _QTY if _bad(plan, row.where(sheet, n))]
        if not bad and ("date" in row.values or "note" in row.values):
            used = "date" if "date" in row.values else "note"
            plan.problems.append(CellProblem(row.where(sheet, used), "a movement needs a quantity: one of "
                                             + ", ".join(_title(n) for n in _QTY), "warning"))
        return None
    day = row.values.get("date", default_date)
    if day is None:
        if not _bad(plan, row.where(sheet, "date")):
            plan.problems.append(CellProblem(row.where(sheet, "date"), f"{_title('date')} is missing: a movement "
                                             "needs its date (or give --date for rows without one)"))
        return None
    qty = row.values[given[0]]
    if given[0] != "count" and qty <= 0:
        plan.problems.append(CellProblem(row.where(sheet, given[0]),
                                         f"{row.headers[given[0]]}: {qty:g} is not a quantity above 0"))
        return None
    return part_files.Movement(day, given[0], qty, row.values.get("note"))


def _title(name: str) -> str:
    col = next(c for c in PART_COLUMNS if c.name == name)
    return col.title


def _finish_part(draft: _PartDraft, plan: Plan) -> None:
    where = next((r.ref for r in plan.rows if r.row == draft.first_row), draft.rel)
    if draft.before is None:
        values = dict(draft.values)
        after = part_files.part_text(values, draft.movements).encode("utf-8")
    elif draft.movements or draft.fields:
        try:
            after = part_files.added_text(draft.before.decode("utf-8"), draft.movements, draft.fields).encode("utf-8")
        except Refused as exc:
            plan.problems.append(CellProblem(where, f"{draft.rel}: {exc}"))
            return
    else:
        return
    _, errors = part_files.check_text(after, draft.rel)
    plan.problems += _file_problems(where, draft.rel, errors, new=draft.before is None)
    plan.files[draft.rel] = FileChange(draft.rel, draft.before, after)


# --- writing ----------------------------------------------------------------------------

def apply(folder: Folder, plan: Plan) -> list[Path]:
    """Write a plan without errors: new files exclusively, changed ones under their lock once their
    bytes are checked to be those the plan was made from."""
    plan.refuse()
    written: list[Path] = []
    for change in plan.files.values():
        path = folder.root / change.rel
        try:
            with locked(folder.root, change.rel):
                if change.before is None:
                    write_atomic(path, change.after, exclusive=True)
                else:
                    if read_regular(path, folder.root) != change.before:
                        raise FileExistsError(change.rel)
                    write_atomic(path, change.after)
        except FileExistsError:
            done = ", ".join(p.relative_to(folder.root).as_posix() for p in written) or "none"
            raise Refused(f"stopped: {change.rel} changed while importing (someone else wrote it); files "
                          f"written before: {done}. Run the import again: what is already there is not "
                          "imported twice") from None
        written.append(path)
    return written

