"""Phone numbers as people type them: digits, spaces, hyphens and a leading `+` (like +86),
full-width digits and signs (typed with a Chinese input method) read as their ASCII forms."""

from __future__ import annotations

import re
import unicodedata

PATTERN = r"^\+?[0-9][0-9 -]{3,22}[0-9]$"
_PHONE = re.compile(PATTERN)
HINT = "a phone number: digits, spaces and hyphens, optionally +86 first, like 138 0000 1234"


def normalize(text: str) -> str:
    """Full-width digits, `＋` and `－` as ASCII, surrounding spaces gone, inner runs of spaces one."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def is_phone(text: str) -> bool:
    """Whether `text` (normalized) is a plausible phone number."""
    return bool(_PHONE.match(text)) and 5 <= sum(c.isdigit() for c in text) <= 20
