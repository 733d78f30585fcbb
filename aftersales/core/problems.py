"""Problems found in the records: located values, and the one way a command refuses them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aftersales.core.errors import AftersalesError

SHOWN = 5  # problems quoted in a refusal; `aftersales validate` lists them all
MAX_MESSAGE = 300  # characters of one message: a quoted 900 KB value must not flood a terminal


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the records, located so an editor can jump to it."""

    path: str
    line: int
    column: int
    severity: str  # "error" or "warning"
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}[{self.code}]: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column,
                "severity": self.severity, "code": self.code, "message": self.message}


QUOTED = 60  # characters of a value quoted in a message


def quoted(value: object, limit: int = QUOTED) -> str:
    """`value` as a message quotes it (repr for text), cut to `limit` characters: a 900 KB scalar
    must not become a 900 KB line of output."""
    shown = repr(value) if isinstance(value, str) else str(value)
    if len(shown) <= limit:
        return shown
    return shown[: limit - 1] + "…" + (shown[0] if isinstance(value, str) else "")


def bounded(message: str) -> str:
    """A message is one readable line, whatever the record holds."""
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


class Invalid(AftersalesError):
    """Records that do not validate: the command refused to work on them (exit 1)."""

    def __init__(self, problems: list[Problem], message: str) -> None:
        super().__init__(message)
        self.problems = problems


VALIDATE_HINT = "run `aftersales validate` for the full list"


def require_valid(problems: Iterable[Problem], what: str = "the records do not validate",
                  consequence: str = "nothing was computed", hint: str | None = VALIDATE_HINT) -> None:
    """Raise `Invalid`, quoting the first errors, when `problems` hold any error.

    Every refusal reads the same: what does not validate, how many errors, what was not done,
    the first errors located, and where to see them all (without a hint, all are shown)."""
    found = errors(problems)
    if not found:
        return
    limit = SHOWN if hint else len(found)
    shown = "\n".join(f"  {p}" for p in found[:limit])
    more = f"\n  ... and {len(found) - limit} more" if len(found) > limit else ""
    count = f"{len(found)} error{'s' if len(found) != 1 else ''}"
    raise Invalid(found, f"{what} ({count}); {consequence}:\n{shown}{more}" + (f"\n{hint}" if hint else ""))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'dorm'?)` when one of `choices` is close to `word`, else ``."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        close = [lowered[c] for c in close]
    return f" (did you mean {close[0]!r}?)" if close else ""
