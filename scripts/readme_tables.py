"""Write the field tables generated from the specs into README.md (between the field-tables markers).

Run after changing a field in aftersales/spec.py; tests/test_docs.py fails until you do.
"""

from __future__ import annotations

import re
from pathlib import Path

from aftersales.views.schema import field_tables

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- field-tables:start -->\n).*?(<!-- field-tables:end -->)", re.S)


def updated(text: str) -> str:
    return BLOCK.sub(lambda m: m.group(1) + "\n" + field_tables() + "\n" + m.group(2), text)


if __name__ == "__main__":
    README.write_text(updated(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {README}")
