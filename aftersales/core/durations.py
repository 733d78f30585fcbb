"""Durations as records write them: a whole number and a unit (`30m`, `2h`, `3d`)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

UNITS = {"m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^([0-9]{1,6})([mhd])$")


@dataclass(frozen=True, order=True)
class Duration:
    """`amount` units of `unit` (`m`, `h` or `d`); what a day means is up to the calendar."""

    amount: int
    unit: str

    @property
    def seconds(self) -> int:
        """Length in seconds when every minute counts (`d` = 24 hours)."""
        return self.amount * UNITS[self.unit]

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def __reduce__(self) -> tuple[object, tuple[int, str]]:
        """Pickled as its two values, read back as one shared value per duration: a kept ticket's
        cycles (engine.sla) hold a dozen, and a frozen dataclass's own pickling takes twice as long."""
        return _duration, (self.amount, self.unit)


@functools.cache
def _duration(amount: int, unit: str) -> Duration:
    return Duration(amount, unit)


def parse_duration(text: str) -> Duration:
    """Read `30m`, `2h` or `3d`; raise ValueError with a readable reason otherwise."""
    match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
    if not match or int(match.group(1)) == 0:
        raise ValueError(
            f"{text!r} is not a duration: write a positive whole number and a unit, "
            "like 30m, 2h or 3d"
        )
    return Duration(int(match.group(1)), match.group(2))
