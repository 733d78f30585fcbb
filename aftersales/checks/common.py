"""What every check needs: located problems, and what is known of the other records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from aftersales.core.model import Asset, Part, Settings
from aftersales.core.problems import Problem, bounded, did_you_mean


def error(path: str, line: int, code: str, message: str) -> Problem:
    return Problem(path, line, 1, "error", code, bounded(message))


def warning(path: str, line: int, code: str, message: str) -> Problem:
    return Problem(path, line, 1, "warning", code, bounded(message))


@dataclass(frozen=True)
class Known:
    """What the checks of one record may look up in the others: the settings (None when they
    could not be read), the ids of every record file by kind (a broken file's id counts: its
    own problems are reported on it, not again on every reference), the assets read, and the
    instant the records are judged as of."""

    settings: Settings | None
    ids: Mapping[str, Collection[str]]
    assets: Mapping[str, Asset] = field(default_factory=dict)
    now: dt.datetime | None = None   # events after it are errors (a typo like 2062)
    parts: Mapping[str, Part] = field(default_factory=dict)   # the parts read (for their units)

    def missing(self, kind: str, ident: str) -> bool:
        return ident not in self.ids.get(kind, ())

    def suggest(self, kind: str, ident: str) -> str:
        return did_you_mean(ident, self.ids.get(kind, ()))
