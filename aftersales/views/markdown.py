"""Record text inside Markdown documents: shown as written, never read as markup."""

from __future__ import annotations

import re
from typing import Any

# What Markdown could read as markup (emphasis, code, links, tables, headings, strike-through) is
# escaped with a backslash; `&`, `<` and `>` become entities, which every Markdown dialect leaves as
# text (some, like Python-Markdown, do not honour a backslash before `<`).
_MARKUP = re.compile(r"([\\`*_\[\]|~#])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_SPACE = re.compile(r"\s+")


def md(value: Any) -> str:
    """`value` as inert Markdown text on one line: markup escaped, line breaks and runs of
    white space (which would end a table row or a paragraph) made single spaces."""
    if value is None:
        return ""
    text = _SPACE.sub(" ", str(value)).strip()
    text = "".join(_ENTITIES.get(char, char) for char in text)
    return _MARKUP.sub(r"\\\1", text)
