"""A quick look at the events a change to a ticket file adds, for `audit` over long histories.

`ticket log` and the web app add an event as one line, `  - {at: ..., type: ..., ...}`, inserted
after the last event: nothing else in the file changes. When a change is exactly that (one run of
such lines inserted right after another such line) or a new file whose event list is made of such
lines, the `at` and `logged` of the events it adds are read from those lines alone, and the caller
can tell an event added in time without parsing either version. Anything else, and any doubt,
gives None: the caller then reads the versions whole with `reading.check_bytes`, as `validate`
does. A quick answer is only ever used to conclude that there is nothing to report.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from aftersales.store.yamlio import FastLoader

_ITEM = re.compile(rb"( +)- (\{[^\n]*\})[ \t]*\r?")
Stamp = tuple[dt.datetime, dt.datetime | None]   # an added event's `at` and `logged`


def inserted(old: bytes, new: bytes) -> list[Stamp] | None:
    """The events `new` adds to `old` when all it does is insert one-line event items after one."""
    if len(new) <= len(old) or not old.endswith(b"\n"):
        return None
    if new.startswith(old):
        start = len(old)
    else:
        start = old.rfind(b"\n", 0, _common_prefix(old, new)) + 1
        if not new.endswith(old[start:]):
            return None
    chunk = new[start: len(new) - (len(old) - start)]
    before = old[old.rfind(b"\n", 0, start - 1) + 1: start - 1]
    item = _ITEM.fullmatch(before)
    if item is None or not chunk.endswith(b"\n"):
        return None
    indent = item.group(1)
    after = old[start: old.find(b"\n", start)] if start < len(old) else b""
    if after.startswith(indent + b" "):   # a line that could continue the item before it
        return None
    return _stamps(chunk[:-1].split(b"\n"), indent)


def listed(data: bytes) -> list[Stamp] | None:
    """Every event of a ticket file written as one-line items of a top-level `events:` list."""
    lines = data.split(b"\n")
    keys = [i for i, line in enumerate(lines) if line.rstrip(b" \r") == b"events:"]
    if len(keys) != 1:
        return None
    items = []
    for line in lines[keys[0] + 1:]:
        if line[:1] not in (b" ", b"#", b"", b"\r"):
            break   # the next top-level key
        if line.strip() and not line.lstrip().startswith(b"#"):
            items.append(line)
    match = _ITEM.fullmatch(items[0]) if items else None
    return _stamps(items, match.group(1)) if match else None


def _stamps(lines: list[bytes], indent: bytes) -> list[Stamp] | None:
    found = []
    for line in lines:
        item = _ITEM.fullmatch(line)
        if item is None or item.group(1) != indent:
            return None
        try:
            value = yaml.load(item.group(2), Loader=FastLoader)
        except yaml.YAMLError:
            return None
        at = _aware(value.get("at")) if isinstance(value, dict) else None
        logged = _aware(value.get("logged")) if isinstance(value, dict) else None
        if at is None or (logged is None and "logged" in value):
            return None
        found.append((at, logged))
    return found


def _aware(value: object) -> dt.datetime | None:
    return value if isinstance(value, dt.datetime) and value.tzinfo is not None else None


def _common_prefix(a: bytes, b: bytes) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low
