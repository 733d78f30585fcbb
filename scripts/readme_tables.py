"""Write the field tables generated from the specs into docs/records.md (between the field-tables markers).

The tables once lived in the README, hence the name. Run after changing a field in
aftersales/store/spec.py; tests/test_docs.py fails until you do.
"""

from __future__ import annotations

import re
from pathlib import Path

from aftersales.views.schema import field_tables

RECORDS_DOC = Path(__file__).resolve().parent.parent / "docs" / "records.md"
BLOCK = re.compile(r"(<!-- field-tables:start -->\n).*?(<!-- field-tables:end -->)", re.S)
CODE_SPAN = re.compile(r"(`[^`\n]*`)")


def shown_as_written(markdown: str) -> str:
    """`<` and `>` outside code spans as entities: Markdown renderers would take `<ID>` in
    `parts/<ID>.yaml` for an HTML tag and drop it."""
    pieces = CODE_SPAN.split(markdown)
    return "".join(p if CODE_SPAN.fullmatch(p) else p.replace("<", "&lt;").replace(">", "&gt;") for p in pieces)


def updated(text: str) -> str:
    """`text` with the field tables between its markers regenerated (markers required)."""
    if not BLOCK.search(text):
        raise ValueError("no <!-- field-tables:start --> ... <!-- field-tables:end --> block")
    tables = shown_as_written(field_tables())
    return BLOCK.sub(lambda m: m.group(1) + "\n" + tables + "\n" + m.group(2), text)


if __name__ == "__main__":
    RECORDS_DOC.write_text(updated(RECORDS_DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {RECORDS_DOC}")
