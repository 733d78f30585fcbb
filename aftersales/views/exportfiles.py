"""Writing the export tables (`export`) as an Excel workbook, CSV or JSON Lines files, or a SQLite
database. Each returns the files' bytes; the caller writes them atomically.

- xlsx: a sheet per table, a styled and frozen header row with a filter, columns as wide as
  their text (Chinese counts double), dates and times as real Excel dates (the project's local
  time: Excel has no time zones), text neutralised against formula injection.
- csv: a file per table, UTF-8 (with a byte-order mark on request, for Excel), times in
  ISO 8601 with their offset, text neutralised against formula injection.
- jsonl: a file per table, one JSON object a line, values exactly as in the records.
- sqlite: a table per table with its primary key, foreign keys and indexes; dates and times
  as ISO 8601 text (SQLite's date functions read it), booleans as 0 / 1.

The same records and instant give the same bytes: no file holds the time it was written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping
from typing import Any

from aftersales.views.export import TABLES, Column, Export, Table
from aftersales.views.safe import spreadsheet_cell
from aftersales.views.tables import width

FORMATS = ("xlsx", "csv", "jsonl", "sqlite")
MAX_WIDTH = 60        # characters: longer text wraps at the cell's edge in Excel anyway
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
BOM = "\ufeff"


# --- values per format ---------------------------------------------------------------------

def _text_value(column: Column, value: Any) -> Any:
    """A value for CSV and JSON: instants in ISO 8601 with the project's offset, dates ISO."""
    if value is None:
        return None
    if column.type == "instant":
        return value.isoformat(timespec="seconds")
    if column.type == "date":
        return value.isoformat()
    if column.type in ("number", "integer") and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _local(export: Export, row: Mapping[str, Any], value: dt.datetime) -> dt.datetime:
    return value.astimezone(export.tz_of(row["project"]))


def _rows(export: Export, table: Table) -> list[dict[str, Any]]:
    """The table's rows with instants in their project's time zone."""
    instants = [c.name for c in table.columns if c.type == "instant"]
    rows = export.rows[table.name]
    if not instants:
        return rows
    return [{**row, **{n: _local(export, row, row[n]) for n in instants if row[n] is not None}} for row in rows]


# --- csv and jsonl ---------------------------------------------------------------------------

def csv_files(export: Export, bom: bool = False) -> dict[str, bytes]:
    """`<table>.csv` for every table."""
    files = {}
    for table in TABLES:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(table.names)
        for row in _rows(export, table):
            writer.writerow([_csv_cell(c, row[c.name]) for c in table.columns])
        files[f"{table.name}.csv"] = ((BOM if bom else "") + out.getvalue()).encode("utf-8")
    return files


def _csv_cell(column: Column, value: Any) -> Any:
    value = _text_value(column, value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_cell(value)


def jsonl_files(export: Export) -> dict[str, bytes]:
    """`<table>.jsonl` for every table: one object a line, keys in column order."""
    files = {}
    for table in TABLES:
        lines = [json.dumps({c.name: _text_value(c, row[c.name]) for c in table.columns}, ensure_ascii=False)
                 for row in _rows(export, table)]
        files[f"{table.name}.jsonl"] = "".join(line + "\n" for line in lines).encode("utf-8")
    return files


# --- xlsx ------------------------------------------------------------------------------------

HEADER_COLOURS = {"font": "FFFFFF", "fill": "305496", "border": "000000"}
FORMATS_XLSX = {"date": "yyyy-mm-dd", "instant": "yyyy-mm-dd hh:mm:ss", "number": "General", "integer": "0"}
WIDTHS = {"date": 10, "instant": 19, "boolean": 5}


def xlsx_bytes(export: Export) -> bytes:
    """A workbook with a sheet per table."""
    from openpyxl import Workbook  # imported when a workbook is made: openpyxl takes 0.1 s to import

    book = Workbook()
    book.remove(book.active)
    for table in TABLES:
        _sheet(book, export, table)
    as_of = min((s.project.at for s in export.sources), default=None)
    stamp = (as_of.astimezone(dt.timezone.utc) if as_of else dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    book.properties.creator = "aftersales"
    book.properties.created = stamp.replace(tzinfo=None, microsecond=0)
    out = io.BytesIO()
    book.save(out)
    return steady_zip(out.getvalue(), book.properties.created)


def _sheet(book: Any, export: Export, table: Table) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(table.name)
    ws.append(list(table.names))
    widths = [width(c.name) for c in table.columns]
    for row in _rows(export, table):
        cells = []
        for n, column in enumerate(table.columns):
            value = _xlsx_value(column, row[column.name])
            cells.append(value)
            widths[n] = max(widths[n], WIDTHS.get(column.type, 0) if value is not None else 0,
                            _longest_line(value) if isinstance(value, (str, int, float)) else 0)
        ws.append(cells)
    for n, column in enumerate(table.columns, 1):
        letter = get_column_letter(n)
        ws.column_dimensions[letter].width = min(widths[n - 1], MAX_WIDTH) + 2
        fmt = FORMATS_XLSX.get(column.type)
        if fmt and fmt != "General":
            for (cell,) in ws.iter_rows(min_row=2, min_col=n, max_col=n):
                cell.number_format = fmt
        if column.type == "text":
            for (cell,) in ws.iter_rows(min_row=2, min_col=n, max_col=n):
                if cell.value is not None:
                    cell.data_type = "s"  # text is never read as a formula, whatever it starts with
    for cell in ws[1]:
        cell.font = Font(bold=True, color=HEADER_COLOURS["font"])
        cell.fill = PatternFill("solid", fgColor=HEADER_COLOURS["fill"])
        cell.border = Border(bottom=Side(style="thin", color=HEADER_COLOURS["border"]))
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(ws.max_row, 1)}"


def _xlsx_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type == "instant":
        return value.replace(tzinfo=None)  # the project's local time, as a real Excel date
    if column.type in ("date", "boolean"):
        return value
    if column.type in ("number", "integer"):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    return spreadsheet_cell(str(value))


def _longest_line(value: Any) -> int:
    return max(width(line) for line in str(value).split("\n")) if str(value) else 0


def steady_zip(data: bytes, created: dt.datetime) -> bytes:
    """The workbook with every entry dated 1980-01-01 and `modified` equal to `created`, so the
    same export gives the same bytes (openpyxl stamps both with the current time)."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + stamp.encode() + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


# --- sqlite ----------------------------------------------------------------------------------

SQL_TYPES = {"text": "TEXT", "integer": "INTEGER", "number": "NUMERIC", "boolean": "INTEGER", "date": "TEXT",
             "instant": "TEXT"}


def schema_sql() -> list[str]:
    """CREATE TABLE and CREATE INDEX statements, parents before the tables that reference them."""
    statements = []
    for table in TABLES:
        lines = [f"  {_q(c.name)} {SQL_TYPES[c.type]}" + (" NOT NULL" if c.name in table.key else "")
                 for c in table.columns]
        lines.append(f"  PRIMARY KEY ({', '.join(_q(k) for k in table.key)})")
        lines += [f"  FOREIGN KEY ({', '.join(_q(c) for c in cols)}) REFERENCES {_q(target)} "
                  f"({', '.join(_q(c) for c in theirs)})" for cols, target, theirs in table.foreign]
        statements.append(f"CREATE TABLE {_q(table.name)} (\n" + ",\n".join(lines) + "\n)")
        for columns in table.indexes:
            name = f"{table.name}_by_{'_'.join(columns)}"
            statements.append(f"CREATE INDEX {_q(name)} ON {_q(table.name)} ({', '.join(_q(c) for c in columns)})")
    return statements


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_bytes(export: Export) -> bytes:
    """A SQLite database of every table, its keys checked while the rows go in."""
    con = sqlite3.connect(":memory:")
    try:
        con.execute("PRAGMA foreign_keys = ON")
        with con:
            for statement in schema_sql():
                con.execute(statement)
            for table in _parents_first():
                marks = ", ".join("?" for _ in table.columns)
                con.executemany(f"INSERT INTO {_q(table.name)} VALUES ({marks})",
                                [[_sql_value(c, row[c.name]) for c in table.columns] for row in _rows(export, table)])
        con.execute("VACUUM")
        return _database_bytes(con)
    finally:
        con.close()


def _parents_first() -> list[Table]:
    """The tables in an order where every referenced table comes before the tables referring to it."""
    done: list[Table] = []
    pending = list(TABLES)
    while pending:
        ready = [t for t in pending if all(target in {d.name for d in done} or target == t.name
                                           for _, target, _ in t.foreign)]
        if not ready:  # pragma: no cover - a cycle in TABLES; a test keeps it out
            raise ValueError("the export tables reference each other in a cycle")
        done += ready
        pending = [t for t in pending if t not in ready]
    return done


def _sql_value(column: Column, value: Any) -> Any:
    value = _text_value(column, value)
    if isinstance(value, bool):
        return int(value)
    return value


def _database_bytes(con: sqlite3.Connection) -> bytes:
    if hasattr(con, "serialize"):
        return con.serialize()
    fd, name = tempfile.mkstemp(suffix=".sqlite")  # pragma: no cover - Python 3.10 has no serialize()
    os.close(fd)
    try:
        target = sqlite3.connect(name)
        with target:
            con.backup(target)
        target.close()
        with open(name, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(name)
