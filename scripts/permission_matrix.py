"""Write the web app's permission matrix (aftersales/web/permissions.py) into README.md and
docs/web.md, between the permissions markers.

Run after changing the matrix; tests/test_web_permissions.py fails until you do.
"""

from __future__ import annotations

import re
from pathlib import Path

from aftersales.web.permissions import matrix

ROOT = Path(__file__).resolve().parent.parent
FILES = (ROOT / "README.md", ROOT / "docs" / "web.md")
BLOCK = re.compile(r"(<!-- permissions:start -->\n).*?(<!-- permissions:end -->)", re.S)


def updated(text: str) -> str:
    return BLOCK.sub(lambda m: m.group(1) + "\n" + matrix() + "\n\n" + m.group(2), text)


if __name__ == "__main__":
    for path in FILES:
        path.write_text(updated(path.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated {path}")
