"""Record text made safe for where it is shown: terminals, spreadsheets, and people's eyes.

Records hold whatever people typed, or whatever an attacker typed into a web form.
A terminal obeys escape sequences, a spreadsheet evaluates a cell that starts
with `=`, and bidirectional controls make text read differently than it is.
Every view for people and every spreadsheet-bound output passes text through
these functions; JSON keeps the text exactly as written.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Bidirectional embedding, override and isolate controls: they reorder what a reader sees.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# OWASP: a cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DIGITS = re.compile(r"\d")


def _hidden(char: str, keep: str) -> bool:
    if char in keep:
        return False
    return unicodedata.category(char) == "Cc" or char in _BIDI or char in "\u2028\u2029"


def visible(text: str, keep: str = "") -> str:
    """`text` with every control character (and bidi control) written as an escape like `\\x1b`,
    so a terminal shows it instead of obeying it; characters in `keep` (say "\\n") stay."""
    if text.isprintable() and not any(c in _BIDI for c in text):
        return text
    out = []
    for char in text:
        if _hidden(char, keep):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def spreadsheet_cell(value: Any) -> Any:
    """A value for a CSV or spreadsheet cell: text that a spreadsheet would run as a formula gets a
    leading `'` (the OWASP rule), control characters but line breaks and tabs are made visible;
    numbers and other values pass unchanged."""
    if not isinstance(value, str):
        return value
    text = visible(value, keep="\n\t")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def masked_phone(phone: str | None) -> str:
    """`138****1234`: the first three and the last four digits of a phone number, for lists and
    reports; only `ticket show` for the desk shows the whole number."""
    if not phone:
        return ""
    digits = _DIGITS.findall(phone)
    if len(digits) < 8:
        return "*" * len(digits)
    return "".join(digits[:3]) + "*" * (len(digits) - 7) + "".join(digits[-4:])
