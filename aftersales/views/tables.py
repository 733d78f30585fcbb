"""Output for people and scripts: tables that fit 80 columns, JSON and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import shutil
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.views.fmt import iso
from aftersales.views.safe import spreadsheet_cell, visible


def to_json(value: Any) -> str:
    """Stable JSON: UTF-8 text (no \\u escapes), two-space indent, keys in the given order: the text of
    `json.dumps(value, ensure_ascii=False, indent=2)`, made faster (see `_json`)."""
    return _json(value, "\n", {})


# --- JSON text, fast -------------------------------------------------------------------------
# `json.dumps` with an indent runs the pure-Python encoder, a generator per nesting level: most of
# the time of a large JSON report went there. `_json` writes the same text (tests/test_json_text.py
# checks it against json.dumps) as one recursive function that dispatches on the exact type, writes
# strings with the C escaper json.dumps uses, and escapes each dict key once per document.

_escape = json.encoder.encode_basestring  # the C function where there is one (always, in CPython)


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    return float.__repr__(value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _null(value: None) -> str:
    return "null"


# the JSON text of each plain scalar by its exact type (`json_value` writes any other value);
# subclasses (an IntEnum, a str subclass) take the slower path of `_other`
SCALAR_JSON: dict[type, Callable[[Any], str]] = {
    str: _escape, int: int.__repr__, float: _float, bool: _bool, type(None): _null,
}


def json_value(value: Any, newline: str, keys: dict[Any, str] | None = None) -> str:
    """`value` as JSON text where `to_json` writes it after `newline` (a line break and the indent
    of its level); `keys` keeps the texts of keys from one call to the next."""
    return _json(value, newline, {} if keys is None else keys)


def _json(value: Any, newline: str, keys: dict[Any, str]) -> str:
    """`value` as indented JSON, its first line at the current position and its other lines after
    `newline` (a line break and the indent of the current level); `keys` caches escaped keys."""
    kind = type(value)
    text = SCALAR_JSON.get(kind)
    if text is not None:
        return text(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = newline + "  "
        scalar = SCALAR_JSON.get
        parts = [(keys.get(key) or _key(key, keys))
                 + (write(item) if (write := scalar(type(item))) is not None else _json(item, inner, keys))
                 for key, item in value.items()]
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = newline + "  "
        scalar = SCALAR_JSON.get
        parts = [write(item) if (write := scalar(type(item))) is not None else _json(item, inner, keys)
                 for item in value]
        return "[" + inner + ("," + inner).join(parts) + newline + "]"
    return _other(value, newline, keys)


def _key(key: Any, keys: dict[Any, str]) -> str:
    """A dict key and the colon after it, converted as json.dumps converts keys; a str key is kept
    in `keys` (only str keys: 1, 1.0 and True are one dict key but three texts)."""
    if type(key) is str:
        name = keys[key] = _escape(key) + ": "
        return name
    if isinstance(key, str):
        return _escape(key) + ": "
    if isinstance(key, float):
        return '"' + _float(key) + '": '
    if key is True or key is False or key is None:
        return '"' + ("true" if key else "false" if key is False else "null") + '": '
    if isinstance(key, int):
        return '"' + int.__repr__(key) + '": '
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _other(value: Any, newline: str, keys: dict[Any, str]) -> str:
    """Subclasses of the JSON types, as json.dumps writes them; anything else is refused as it refuses it."""
    if isinstance(value, str):
        return _escape(value)
    if value is True or value is False:
        return _bool(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (list, tuple)):
        return _json(list(value), newline, keys)
    if isinstance(value, dict):
        return _json(dict(value), newline, keys)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """CSV for spreadsheets: every text cell made safe to open (see `safe.spreadsheet_cell`)."""
    return csv_header(columns) + "".join(csv_lines(rows, columns))


def json_rows(rows: Iterable[Any]) -> Iterator[str]:
    """The text of `to_json(list(rows))`, a row at a time: nothing holds the whole document. A flat
    row is written by the same fast encoder as `to_json`, its keys escaped once for all rows."""
    keys: dict[Any, str] = {}
    yield from _listed(_json(row, "\n  ", keys) for row in rows)


def _listed(items: Iterable[str]) -> Iterator[str]:
    """The text of a JSON list of these items' texts (each written two spaces in), an item at a
    time, and a line break."""
    yield from _items(items, "\n")
    yield "\n"


def row_template(columns: Sequence[str], newline: str = "\n  ") -> Callable[..., str]:
    """What writes a flat row of `columns` (distinct, at least one) as `json_rows` writes it, given
    the JSON texts of its values in column order (`json_text`): the keys are written once, into a
    template each row fills in one go. `newline`: the line break and indent of the row's level
    (deeper than a list's rows at the top: the rows of a report's list, `json_pieces`)."""
    keys: dict[Any, str] = {}
    inner = newline + "  "
    return ("{{" + ",".join(inner + _key(c, keys).replace("{", "{{").replace("}", "}}") + "{}"
                            for c in columns) + newline + "}}").format


# a text as JSON writes it (json.dumps with ensure_ascii off): for the values of `row_template`
json_text: Callable[[str], str] = _escape

# How many texts a `Written` keeps at most (a long listing's distinct values, its instants).
TEXTS_KEPT = 100_000


class Written(dict[Any, str]):
    """The JSON text of each value asked for (`write`; None: null), kept: `TEXTS_KEPT` at most at a
    time. A miss is one call; a hit is a dict lookup, with no call at all."""

    def __init__(self, write: Callable[[Any], str]) -> None:
        super().__init__({None: "null"})
        self.write = write

    def __missing__(self, value: Any) -> str:
        if len(self) >= TEXTS_KEPT:
            self.clear()
            self[None] = "null"
        written = self[value] = self.write(value)
        return written


def instant_json(tz: ZoneInfo) -> Callable[[dt.datetime | None], str]:
    """The JSON text of an instant (`fmt.iso` in `tz`; None: null), each instant written once
    (`Written`): a long listing repeats its instants (a ticket's clocks share their start)."""
    instants = Written(lambda instant: _escape(iso(instant, tz) or ""))

    def instant(value: dt.datetime | None) -> str:
        # a time a clock turned back gives twice compares equal to its twin (fold): written each time
        return instants[value] if value is None or not value.fold else _escape(iso(value, tz) or "")

    return instant


def json_list(rows: Iterable[str]) -> Iterator[str]:
    """The text of a JSON list of rows given as their JSON texts (`row_template`), a row at a
    time, as `json_rows` writes it."""
    return _listed(rows)


def json_pieces(value: Any, depth: int = 2, written: Mapping[str, Iterable[str]] | None = None) -> Iterator[str]:
    """The text of `to_json(value)`, a piece at a time: each item of its dicts and lists down to
    `depth` levels is written as it comes (a report's list of thousands of breaches row by row),
    so nothing holds the whole document. `written`: the lists of the top-level dict given as the
    JSON texts of their items instead (each as `row_template(columns, "\n    ")` writes a row
    there), written in place of what the dict holds under those keys."""
    if not written or type(value) is not dict or not value or depth == 0:
        yield from _pieces(value, "\n", {}, depth)
        return
    keys: dict[Any, str] = {}
    yield "{"
    for n, (key, item) in enumerate(value.items()):
        yield ("," if n else "") + "\n  " + (keys.get(key) or _key(key, keys))
        texts = written.get(key)
        yield from (_pieces(item, "\n  ", keys, depth - 1) if texts is None else _items(texts, "\n  "))
    yield "\n}"


def _items(texts: Iterable[str], newline: str) -> Iterator[str]:
    """A list of items given as their JSON texts, as `_pieces` writes it after `newline`."""
    inner = newline + "  "
    first = True
    for text in texts:
        yield ("[" if first else ",") + inner + text
        first = False
    yield "[]" if first else newline + "]"


def _pieces(value: Any, newline: str, keys: dict[Any, str], depth: int) -> Iterator[str]:
    kind = type(value)
    if depth == 0 or not value or not (kind is dict or kind is list or kind is tuple):
        yield _json(value, newline, keys)
        return
    inner = newline + "  "
    items = value.items() if kind is dict else ((None, item) for item in value)
    yield "{" if kind is dict else "["
    for n, (key, item) in enumerate(items):
        yield ("," if n else "") + inner + ((keys.get(key) or _key(key, keys)) if kind is dict else "")
        yield from _pieces(item, inner, keys, depth - 1)
    yield newline + ("}" if kind is dict else "]")


def csv_rows(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Iterator[str]:
    """The text of `to_csv(list(rows), columns)`, a few hundred rows at a time."""
    yield csv_header(columns)
    batch: list[str] = []
    for line in csv_lines(rows, columns):
        batch.append(line)
        if len(batch) == 500:
            yield "".join(batch)
            batch = []
    yield "".join(batch)


def csv_header(columns: Sequence[str]) -> str:
    """The first line of `to_csv(rows, columns)`: the columns' names."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(columns)
    return out.getvalue()


def csv_lines(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Iterator[str]:
    """The line of each row in `to_csv(list(rows), columns)`, after its header (`csv_header`), a
    row at a time: every text cell made safe to open (see `safe.spreadsheet_cell`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if row.get(c) is None else spreadsheet_cell(row.get(c)) for c in columns])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def table(rows: Iterable[Sequence[Any]], headers: Sequence[str], align: Sequence[str] | None = None,
          tight: bool = False) -> str:
    """A plain table for a terminal: no borders, a line under the headers. `tight` keeps each column
    as narrow as its widest value (tabulate otherwise widens it to its header plus two)."""
    rows = [[visible(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]
    if not rows:
        return ""
    import tabulate as _tabulate  # 30 ms to import (wcwidth, importlib.metadata): paid by tables only, not JSON
    from tabulate import tabulate

    padding = _tabulate.MIN_PADDING
    _tabulate.MIN_PADDING = 0 if tight else padding
    try:
        return tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=True,
                        colalign=list(align) if align else None)
    finally:
        _tabulate.MIN_PADDING = padding


def fit(rows: Sequence[Sequence[str]], headers: Sequence[str], cells: int,
        flexible: Mapping[int, int]) -> list[list[str]]:
    """The rows with their flexible columns (index -> narrowest width) clipped, widest room first,
    until a tight table of them fits `cells` display cells (or every flexible column is at its
    narrowest): long summaries give way before ids ever do."""
    widths = [max([width(str(h))] + [width(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    over = sum(widths) + 2 * (len(widths) - 1) - cells
    while over > 0:
        room = {i: widths[i] - low for i, low in flexible.items() if widths[i] > max(low, width(headers[i]))}
        if not room:
            break
        widest = max(room, key=lambda i: (room[i], -i))
        widths[widest] -= 1
        over -= 1
    return [[clip(str(cell), widths[i]) if i in flexible else str(cell) for i, cell in enumerate(row)]
            for row in rows]


def terminal_width(default: int = 80) -> int:
    """The width of the terminal (COLUMNS when set), 80 when there is none (pipes, cron)."""
    return shutil.get_terminal_size((default, 24)).columns


def width(text: str) -> int:
    """Display cells of `text` on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def clip(text: str | None, cells: int) -> str:
    """`text` cut to at most `cells` display cells, ending in an ellipsis when cut."""
    if not text:
        return ""
    if width(text) <= cells:
        return text
    out, used = [], 0
    for char in text:
        step = width(char)
        if used + step > cells - 1:
            break
        out.append(char)
        used += step
    return "".join(out) + "…"


# Chinese line-breaking rules (禁则): these never begin a line...
NO_LINE_START = set("，。、；：？！）」』】》〉”’…—·％,.;:?!)]}%")
# ...and these never end one.
NO_LINE_END = set("（「『【《〈“‘([{")


def wrap(text: str, cells: int, indent: str = "", hanging: str = "") -> list[str]:
    """Lines of at most `cells` display cells: break at spaces, and between any two Chinese
    characters (which need no space), with `indent` before the first line and `hanging`
    before the others. A line break in the text starts a new line (with `hanging`); Chinese
    closing punctuation never starts a line and opening punctuation never ends one (the
    character before moves down with it). Control characters are shown, not obeyed."""
    lines: list[str] = []
    for number, paragraph in enumerate(visible(text, keep="\n").split("\n")):
        lines += _wrap_line(paragraph, cells, indent if number == 0 else hanging, hanging)
    return lines


def _wrap_line(text: str, cells: int, indent: str, hanging: str) -> list[str]:
    lines: list[str] = []
    current: list[str] = [indent]
    for token in _tokens(text):
        if token == " ":
            if width("".join(current)) < cells and "".join(current).strip():
                current.append(" ")
            continue
        if width("".join(current)) + width(token) > cells and "".join(current).strip():
            carried: list[str] = []
            # keep closing punctuation with the character before it, and opening punctuation
            # with the character after it, by carrying characters down to the next line
            if token[0] in NO_LINE_START and len(current) > 2:
                carried.insert(0, current.pop())
            while len(current) > 2 and current[-1] and current[-1][-1] in NO_LINE_END:
                carried.insert(0, current.pop())
            lines.append("".join(current).rstrip())
            current = [hanging, *carried]
        current.append(token)
    if "".join(current).strip():
        lines.append("".join(current).rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    """Words, single spaces and single wide characters: the places a line may break."""
    tokens, word = [], ""
    for char in text:
        if char == " " or width(char) == 2:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens
