"""Reading a spreadsheet people made (.xlsx through openpyxl, or .csv) into values for records.

A sheet is a grid of cells, each named as Excel names it (`delivery.xlsx:Sheet1!D17`, or
`parts.csv:D17`) so every problem points at the cell to fix. The header row names record
fields: by their English name (`installed`, `warranty.years`) or their Chinese label
(`安装日期`, `质保年限`), both taken from the field spec, so the headers a sheet may use are
written down once, beside the rules the values must follow.

Values are read the way a person who lives in Excel writes them: dates as Excel dates or as
text (2025-08-20, 2025/8/20, 2025.8.20, 2025年8月20日), numbers as numbers or as text with
full-width digits (２４０); a merged cell stands for every cell it covers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aftersales.core.errors import AftersalesError, UsageError
from aftersales.core.problems import did_you_mean
from aftersales.store import spec
from aftersales.store.fileio import read_regular
from aftersales.store.yamlio import Mark

HEADER_SEARCH = 20    # rows looked at for the header row (a title row or two may come first)
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_REF = re.compile(r"[!:]([A-Z]*)(\d+)$")
_NOTE = re.compile(r"[(\[][^()\[\]]*[)\]]$")  # `数量(张)`, `质保年限 (年)`: a unit after the name


# --- the columns a sheet may hold, from the field spec ------------------------------

@dataclass(frozen=True)
class Column:
    """A record field a column may hold: `("warranty", "years")` is written `warranty.years`."""

    path: tuple[str, ...]
    field: spec.Field

    @property
    def name(self) -> str:
        return ".".join(self.path)

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header that names this column: the field name, its Chinese label, its aliases."""
        return (self.name, *((self.field.label_zh,) if self.field.label_zh else ()), *self.field.aliases)

    @property
    def title(self) -> str:
        """How messages name the column: `安装日期 (installed)`."""
        return f"{self.field.label_zh} ({self.name})" if self.field.label_zh else self.name


def columns(shape: spec.Shape, prefix: tuple[str, ...] = ()) -> list[Column]:
    """The fields of `shape` a cell can hold: single values, also inside nested mappings
    (`warranty.years`); lists such as warranty extensions or movements are not columns."""
    found = []
    for f in shape.fields.values():
        if isinstance(f.type, spec.Shape):
            found += columns(f.type, (*prefix, f.name))
        elif not isinstance(f.type, (spec.ListOf, spec.MapOf, spec.OneOf)):
            found.append(Column((*prefix, f.name), f))
    return found


def header_key(text: str) -> str:
    """A header as compared: full-width forms folded, case, spaces, `_`, `-`, `.` and `*` ignored,
    and a unit in brackets at the end dropped (`数量（张）` is `数量`)."""
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    folded = _NOTE.sub("", folded).strip()
    return re.sub(r"[\s_.*:-]", "", folded)


def aliases(cols: Iterable[Column]) -> dict[str, Column]:
    """Header key -> column: the one table of aliases, derived from the spec."""
    table: dict[str, Column] = {}
    for col in cols:
        for header in col.headers:
            key = header_key(header)
            if key in table and table[key] is not col:  # pragma: no cover - a spec mistake; a test keeps it out
                raise ValueError(f"the header {header!r} names both {table[key].name} and {col.name}")
            table[key] = col
    return table


# --- reading a file -------------------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    """The cells of one sheet, row by row (values as the file holds them; None for empty)."""

    source: str                     # `delivery.xlsx:Sheet1`, or `parts.csv`
    rows: list[list[Any]]
    excel: bool                     # numbers in date columns are Excel serial dates
    epoch: dt.datetime | None = None

    def ref(self, row: int, col: int | None = None) -> str:
        """`delivery.xlsx:Sheet1!D17` for a cell, `delivery.xlsx:Sheet1!17` for a row (0-based in)."""
        from openpyxl.utils import get_column_letter  # openpyxl is imported when a sheet is read, not at start

        where = (get_column_letter(col + 1) if col is not None else "") + str(row + 1)
        return f"{self.source}{'!' if self.excel else ':'}{where}"


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The cells of a .xlsx sheet (`sheet`, else the first) or of a .csv file."""
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_xlsx(path, sheet)
    if suffix == ".csv":
        if sheet is not None:
            raise UsageError("--sheet is for .xlsx files: a .csv file has one sheet")
        return _read_csv(path)
    if suffix in (".xls", ".et", ".ods", ".numbers"):
        raise UsageError(f"{path.name}: save it as .xlsx (Excel workbook) or .csv first; "
                         f"{suffix} files are not read")
    raise UsageError(f"{path.name}: expected a .xlsx or .csv file")


def _read_bytes(path: Path) -> bytes:
    try:
        return read_regular(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None


class _Unsaved:
    """A formula cell whose result the file does not hold (a workbook a program wrote, never saved
    by Excel): its value cannot be known."""

    def __repr__(self) -> str:  # pragma: no cover - never shown
        return "<formula without a saved result>"


UNSAVED = _Unsaved()


def _load(data: bytes, values: bool) -> Any:
    from openpyxl import load_workbook

    with warnings.catch_warnings():  # "no default style", "extension not supported": nothing for the user
        warnings.simplefilter("ignore")
        return load_workbook(io.BytesIO(data), data_only=values)


def _read_xlsx(path: Path, name: str | None) -> Sheet:
    from openpyxl.utils.exceptions import InvalidFileException

    data = _read_bytes(path)
    try:
        book = _load(data, values=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise AftersalesError(f"cannot read {path}: it is not an Excel .xlsx workbook ({exc})") from None
    names = book.sheetnames
    if name is None:
        ws = book.worksheets[0]
    elif name in names:
        ws = book[name]
    else:
        raise UsageError(f"{path} has no sheet {name!r} (sheets: {', '.join(names)})" + did_you_mean(name, names))
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    if any(value is None for row in rows for value in row):
        for row in _load(data, values=False)[ws.title].iter_rows():
            for cell in row:
                if cell.data_type == "f" and rows[cell.row - 1][cell.column - 1] is None:
                    rows[cell.row - 1][cell.column - 1] = UNSAVED
    for merged in ws.merged_cells.ranges:  # a merged cell stands for every cell it covers
        value = rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(rows) else None
        for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
            for c in range(merged.min_col - 1, merged.max_col):
                if c < len(rows[r]):
                    rows[r][c] = value
    return Sheet(f"{path}:{ws.title}", rows, excel=True, epoch=book.epoch)


def _read_csv(path: Path) -> Sheet:
    data = _read_bytes(path)
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves "CSV" in GB18030 (GBK)
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - GB18030 decodes nearly any bytes
        raise AftersalesError(f"cannot read {path}: it is neither UTF-8 nor GB18030 text")
    rows = [[cell if cell.strip() else None for cell in row] for row in csv.reader(io.StringIO(text))]
    return Sheet(str(path), rows, excel=False)


# --- the header row -------------------------------------------------------------------

@dataclass(frozen=True)
class Header:
    """Where the header row is and which column holds which field."""

    row: int
    columns: dict[int, Column]      # sheet column index -> field


@dataclass(frozen=True)
class CellProblem:
    """A problem located at a cell or row of a sheet."""

    where: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.where}: {'warning: ' if self.severity == 'warning' else ''}{self.message}"

    @property
    def position(self) -> tuple[int, int]:
        """(row, column) of the cell, column 0 for a whole row: problems are listed in sheet order."""
        from openpyxl.utils import column_index_from_string

        match = _REF.search(self.where)
        if match is None:  # pragma: no cover - every problem names a cell or a row
            return (0, 0)
        return (int(match.group(2)), column_index_from_string(match.group(1)) if match.group(1) else 0)


def find_header(sheet: Sheet, cols: Sequence[Column], key: Column, what: str) -> tuple[Header, list[CellProblem]]:
    """The first row (of the first few) that names `key` and one more column; problems for
    headers that look like a mistyped column name, warnings for columns that name no field."""
    table = aliases(cols)
    for r, row in enumerate(sheet.rows[:HEADER_SEARCH]):
        named = {c: table[header_key(str(v))] for c, v in enumerate(row) if v is not None and
                 header_key(str(v)) in table}
        if key in named.values() and len(named) >= 2:
            return _header(sheet, r, row, named, table, what)
    examples = ", ".join(f"{c.field.label_zh or c.name}/{c.name}" for c in cols[:5])
    raise UsageError(f"{sheet.source}: no header row in the first {HEADER_SEARCH} rows; the header names "
                     f"the columns ({examples}...), and one must be {key.field.label_zh or key.name} "
                     f"({key.name}): see `--help`")


def _header(sheet: Sheet, r: int, row: list[Any], named: dict[int, Column], table: dict[str, Column],
            what: str) -> tuple[Header, list[CellProblem]]:
    problems: list[CellProblem] = []
    chosen: dict[int, Column] = {}
    first: dict[str, int] = {}
    for c, col in named.items():
        if col.name in first:
            from openpyxl.utils import get_column_letter

            problems.append(CellProblem(sheet.ref(r, c), f"column {str(row[c]).strip()!r} is {col.title} again "
                                        f"(as column {get_column_letter(first[col.name] + 1)}): keep one"))
            continue
        first[col.name] = c
        chosen[c] = col
    unused = [h for col in table.values() if col.name not in first for h in col.headers]
    for c, value in enumerate(row):
        if value is None or c in named:
            continue
        text = str(value).strip()
        hint = did_you_mean(text, unused)
        if hint:  # close to a column the sheet does not have: a typo, not another column
            problems.append(CellProblem(sheet.ref(r, c), f"unknown column {text!r}{hint}"))
        else:
            problems.append(CellProblem(sheet.ref(r, c), f"column {text!r} is not {what} field; ignored",
                                        "warning"))
    return Header(r, chosen), problems


# --- values -----------------------------------------------------------------------------

class BadValue(ValueError):
    """A cell whose value cannot be what its column holds; the message says what it should be."""


def cell_value(sheet: Sheet, col: Column, value: Any) -> Any:
    """The record value of a cell (None for an empty one), before the field's own rules."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if value is UNSAVED:
        raise BadValue("a formula whose result the file does not hold (it was never saved by Excel): "
                       "open the file in Excel, save it, and import it again")
    kind = col.field.type
    if isinstance(kind, spec.Date):
        return _date(sheet, value)
    if isinstance(kind, spec.Integer):
        return _integer(value)
    if isinstance(kind, spec.Number):
        return _number(value)
    if isinstance(kind, spec.Id):
        return unicodedata.normalize("NFKC", _text(value)).strip()
    return _text(value).strip()


def checked(col: Column, value: Any, where: str, header: str) -> tuple[Any, list[CellProblem]]:
    """`value` after the field's own rules (id pattern, ranges, non-empty text), as `validate` applies them."""
    ctx = spec.Context(where)
    cleaned = col.field.type.check(value, Mark(1, 1), ctx, header)
    return (None if cleaned is spec.INVALID else cleaned), [CellProblem(where, p.message) for p in ctx.problems]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        raise BadValue(f"expected text, got {value}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _folded(value: Any) -> str:
    """Text with full-width digits and signs folded to ASCII, and no spaces or thousands separators."""
    return re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", str(value)))


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise BadValue(f"expected a whole number, got {value}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _folded(value)
    if _INTEGER.match(text):
        return int(text)
    if _NUMBER.match(text) and float(text).is_integer():
        return int(float(text))
    raise BadValue(f"expected a whole number, got {str(value).strip()!r}")


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise BadValue(f"expected a number, got {value}")
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else value
    text = _folded(value)
    if _NUMBER.match(text):
        number = float(text)
        return int(number) if number.is_integer() else number
    raise BadValue(f"expected a number, got {str(value).strip()!r}")


def _date(sheet: Sheet, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if sheet.excel and isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
        from openpyxl.utils.datetime import from_excel

        serial = from_excel(value, sheet.epoch) if sheet.epoch is not None else from_excel(value)
        return serial.date() if isinstance(serial, dt.datetime) else serial
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise BadValue(f"{str(value).strip()!r} is not a date: write it like 2025-08-20, or use an Excel date")
