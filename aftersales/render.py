"""Output for people and scripts: tables that fit 80 columns, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tabulate import tabulate


def to_json(value: Any) -> str:
    """Stable JSON: UTF-8 text (no \\u escapes), two-space indent, keys in the given order."""
    return json.dumps(value, ensure_ascii=False, indent=2)


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return out.getvalue()


def table(rows: Iterable[Sequence[Any]], headers: Sequence[str], align: Sequence[str] | None = None) -> str:
    """A plain table for a terminal: no borders, a line under the headers."""
    rows = list(rows)
    if not rows:
        return ""
    return tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=True,
                    colalign=list(align) if align else None)


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
