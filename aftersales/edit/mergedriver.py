"""A git merge driver for ticket files: events appended on both sides are unioned.

Everything but the event list merges as git always does (`git merge-file`), so
two different edits of one field still conflict. The events of both sides are
kept once each, in time order, when neither side changed or removed an event
that was there before.
"""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import tempfile
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aftersales.checks import check_events
from aftersales.core.errors import AftersalesError
from aftersales.edit.yamledit import YamlDoc
from aftersales.store import build
from aftersales.store.reading import check_bytes
from aftersales.store.yamlio import FastLoader

PLACEHOLDER = "#<<aftersales: the merged events go here>>\n"


@dataclass(frozen=True)
class Split:
    """A ticket file cut into the text around its event list and the text of each event item."""

    head: str
    items: list[str]
    tail: str

    def join(self, items: list[str]) -> str:
        return self.head + "".join(items) + self.tail

    @property
    def frame(self) -> str:
        return self.head + PLACEHOLDER + self.tail


def split(text: str) -> Split | None:
    """Cut `text` at its block `events` list; None when it has none (or is not valid YAML)."""
    try:
        doc = YamlDoc(text)
    except AftersalesError:
        return None
    found = doc.entry("events")
    node = found[1] if found else None
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        return None
    starts = [item.start_mark.line for item in node.value]
    bounds = [*starts, doc.end(node.value[-1])]
    items = ["".join(doc.lines[a:b]) for a, b in itertools.pairwise(bounds)]
    items = [item if item.endswith("\n") else item + doc.newline for item in items]
    return Split("".join(doc.lines[:starts[0]]), items, "".join(doc.lines[bounds[-1]:]))


def _value_of(item: str) -> dict[str, Any] | None:
    """One event item, written as a flow mapping or as a block mapping, read as a mapping."""
    lines = item.splitlines()
    first = lines[0].replace("-", " ", 1) if lines else ""
    try:
        value = yaml.load(textwrap.dedent("\n".join([first, *lines[1:]])), Loader=FastLoader)
    except yaml.YAMLError:
        return None
    at = value.get("at") if isinstance(value, dict) else None
    return value if isinstance(at, dt.datetime) and at.tzinfo is not None else None


def meaning(value: Any) -> Any:
    """What an event says, whatever way it is written: instants as UTC, mappings as sorted pairs,
    so `+00:00` and `+08:00`, flow and block style, or extra spaces make no difference."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc) if value.tzinfo is not None else value
    if isinstance(value, dict):
        return tuple(sorted((str(k), meaning(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(meaning(v) for v in value)
    return value


def merge_events(base: list[str], ours: list[str], theirs: list[str]) -> list[str] | None:
    """Base events plus what each side appended, once each, in time order.

    Events are compared by what they say (multisets, so events repeated in the base stay
    repeated): the same event written two ways is one event. None when a side changed or
    removed an event of the base (that is for git to show), or an event cannot be read.
    """
    values = {item: _value_of(item) for item in [*base, *ours, *theirs]}
    if any(v is None for v in values.values()):
        return None
    key = {item: meaning(value) for item, value in values.items()}
    base_count = Counter(key[i] for i in base)
    added = []
    for side in (ours, theirs):
        side_count = Counter(key[i] for i in side)
        if base_count - side_count:
            return None
        added.append(side_count - base_count)
    wanted = base_count + (added[0] | added[1])  # an event both sides appended is kept once
    merged = []
    for item in [*base, *ours, *theirs]:
        if wanted[key[item]] > 0:
            wanted[key[item]] -= 1
            merged.append(item)
    times = [values[i]["at"] for i in merged]  # type: ignore[index]
    order = sorted(range(len(merged)), key=lambda i: (times[i], i))  # stable: equal times keep their order
    return [merged[i] for i in order]


def merge_file_text(base: str, ours: str, theirs: str, labels: tuple[str, str, str]) -> tuple[str, bool]:
    """`git merge-file` on three texts: the merged text and whether it is clean."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, text in zip(("ours", "base", "theirs"), (ours, base, theirs), strict=True):
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        command = ["git", "merge-file", "-p", "-L", labels[0], "-L", labels[1], "-L", labels[2], *paths]
        done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode < 0 or done.returncode > 127:
        raise AftersalesError(f"git merge-file failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode("utf-8"), done.returncode == 0


def merge(base: str, ours: str, theirs: str, name: str = "ticket") -> tuple[str, bool, str]:
    """Merge three versions of a ticket file.

    Returns the merged text, whether it is free of conflicts, and why not (for git's output).
    The events are unioned even when another field conflicts, so only that field is left to
    resolve; a union that breaks the event rules (say `arrived` after `cancelled`) is written
    but reported as a conflict, for a person to decide.
    """
    labels = (f"ours:{name}", f"base:{name}", f"theirs:{name}")
    b, o, t = (split(text) for text in (base, ours, theirs))
    if b is not None and o is not None and t is not None:
        events = merge_events(b.items, o.items, t.items)
        if events is not None:
            frame, clean = merge_file_text(b.frame, o.frame, t.frame, labels)
            if frame.count(PLACEHOLDER) == 1:  # the event list lies outside any conflict
                head, tail = frame.split(PLACEHOLDER)
                merged = Split(head, events, tail).join(events)
                if not clean:
                    return merged, False, f"{name}: events merged; another field conflicts"
                broken = rule_problems(merged, name)
                if broken:
                    return merged, False, f"{name}: the merged events break a rule: {broken}"
                return merged, True, ""
    text, clean = merge_file_text(base, ours, theirs, labels)
    return text, clean, "" if clean else f"{name}: conflicting changes"


def rule_problems(text: str, name: str) -> str:
    """The event rules the merged ticket breaks (order, what may follow what), as one line."""
    clean, _ = check_bytes(text.encode("utf-8"), name, "ticket")
    ticket = build.ticket(clean, name) if clean is not None else None
    if ticket is None:
        return ""
    rules = [p.message for p in check_events(ticket, None) if p.severity == "error" and p.code != "unknown-part"]
    return "; ".join(rules)
