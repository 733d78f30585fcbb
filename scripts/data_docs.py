"""Write the generated tables into docs/import.md (the headers a sheet may use, from the field spec)
and docs/export.md (the export's tables and columns), between their markers.

Run after changing a field's labels in aftersales/store/spec.py or a column in
aftersales/views/export.py; tests/test_data_docs.py fails until you do.

    python scripts/data_docs.py
"""

from __future__ import annotations

import re
from pathlib import Path

from aftersales.edit.imports import ASSET_COLUMNS, PART_COLUMNS
from aftersales.edit.sheets import Column, columns
from aftersales.store.spec import PART
from aftersales.views.export import columns_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def headers_markdown(cols: list[Column], required: set[str]) -> str:
    lines = ["| field | Chinese header | also accepted | a new record needs it | meaning |", "|---|---|---|---|---|"]
    for col in cols:
        also = ", ".join(col.field.aliases)
        lines.append(f"| `{col.name}` | {col.field.label_zh} | {also} | {'yes' if col.name in required else ''} | "
                     f"{col.field.doc} |")
    return "\n".join(lines) + "\n"


def _required(cols: list[Column]) -> set[str]:
    return {c.name for c in cols if c.field.required}


BLOCKS = {
    "import.md": {"asset-headers": lambda: headers_markdown(ASSET_COLUMNS, _required(ASSET_COLUMNS)),
                  "part-headers": lambda: headers_markdown(PART_COLUMNS, _required(columns(PART)))},
    "export.md": {"export-columns": columns_markdown},
}


def updated(name: str, text: str) -> str:
    for marker, make in BLOCKS[name].items():
        block = re.compile(rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)", re.S)
        assert block.search(text), f"docs/{name} has no {marker} markers"
        text = block.sub(lambda m, make=make: m.group(1) + "\n" + make() + "\n" + m.group(2), text)
    return text


if __name__ == "__main__":
    for name in BLOCKS:
        path = DOCS / name
        path.write_text(updated(name, path.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated {path}")
