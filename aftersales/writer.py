"""Writing ticket files so that git diffs stay small and readable.

A new ticket is laid out like the examples in RECORDS.md; a logged event is
one added line (a flow mapping) after the last event, so the bytes already in
the file never change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import AftersalesError

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

EVENT_KEY_ORDER = ("at", "type", "by", "to", "verdict", "until", "reason", "parts", "cost", "satisfaction", "note")


def scalar(value: Any) -> str:
    """A YAML scalar that reads back as exactly `value`: plain when that is safe, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) and not value.is_integer() else str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if _plain_is_safe(text):
        return text
    return _double_quoted(text)


def _plain_is_safe(text: str) -> bool:
    if not text or text != text.strip() or any(c in text for c in ",[]{}#&*!|>'\"%@`") or any(
            _needs_escape(c) for c in text):
        return False
    try:
        loaded = yaml.load("k: " + text, Loader=_Loader)
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == text and ": " not in text and not text.endswith(":")


def _needs_escape(char: str) -> bool:
    """Control characters and line breaks YAML would fold or refuse inside quotes."""
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or char in "\u2028\u2029\ufeff"


def _double_quoted(text: str) -> str:
    out = []
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif _needs_escape(char):
            out.append(f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def flow_mapping(items: Mapping[str, Any]) -> str:
    """`{key: value, ...}` on one line; lists of mappings (parts) nest as flow too."""
    parts = []
    for key, value in items.items():
        if value is None:
            continue
        parts.append(f"{key}: {_flow_value(value)}")
    return "{" + ", ".join(parts) + "}"


def _flow_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return flow_mapping(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow_value(v) for v in value) + "]"
    return scalar(value)


def event_line(event: Mapping[str, Any]) -> str:
    ordered = {k: event[k] for k in EVENT_KEY_ORDER if event.get(k) not in (None, (), [])}
    return flow_mapping(ordered)


@dataclass(frozen=True)
class NewTicket:
    id: str
    kind: str
    summary: str
    reported: Mapping[str, Any]
    fields: Mapping[str, Any]  # the optional fields, in RECORDS.md order


TICKET_FIELD_ORDER = ("asset", "area", "priority", "severity", "category", "channel", "reporter", "location")


def ticket_text(ticket: NewTicket) -> str:
    """A new ticket file, laid out like RECORDS.md's example."""
    lines = [f"id: {ticket.id}", f"kind: {ticket.kind}"]
    for key in TICKET_FIELD_ORDER:
        value = ticket.fields.get(key)
        if value:
            lines.append(f"{key}: {flow_mapping(value) if isinstance(value, Mapping) else scalar(value)}")
    lines.append(f"summary: {scalar(ticket.summary)}")
    if ticket.fields.get("inspection"):
        lines.append(f"inspection: {scalar(ticket.fields['inspection'])}")
    lines.append("events:")
    lines.append(f"  - {event_line(ticket.reported)}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class EventsBlock:
    """Where a file's `events` list is: the line index after its last item, and the item prefix."""

    insert_at: int     # index (0-based) of the line the new item goes before
    prefix: str        # "  - " as the existing items are written
    newline: str


def find_events_block(text: str) -> EventsBlock:
    """Locate the block list under the top-level `events` key, from the parser's own marks."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise AftersalesError(f"the ticket file is not valid YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise AftersalesError("the ticket file does not hold a mapping")
    node = next((v for k, v in root.value if getattr(k, "value", None) == "events"), None)
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise AftersalesError("the ticket has no `events` list to append to")
    if node.flow_style:
        raise AftersalesError("`events` is written as a [flow, list]: write one event per line "
                              "(`  - {at: ..., type: ...}`) so events can be appended")
    first = node.value[0]
    lines = text.splitlines(keepends=True)
    item_line = lines[first.start_mark.line]
    dash = first.start_mark.column - 2
    prefix = item_line[:dash] + "- " if dash >= 0 and item_line[dash:dash + 2] == "- " else "  - "
    end = node.value[-1].end_mark
    insert_at = end.line + 1 if end.column > 0 else end.line
    # a block item's end mark can lie past comments and blank lines that follow it: step back over them
    while insert_at > first.start_mark.line + 1 and _is_blank_or_comment(lines[insert_at - 1]):
        insert_at -= 1
    newline = "\r\n" if "\r\n" in text else "\n"
    return EventsBlock(insert_at, prefix, newline)


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def append_event(text: str, event: Mapping[str, Any]) -> str:
    """`text` with one event line added after the last event; every existing byte kept."""
    block = find_events_block(text)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")) and block.insert_at >= len(lines):
        lines[-1] += block.newline
    new = f"{block.prefix}{event_line(event)}{block.newline}"
    lines.insert(block.insert_at, new)
    return "".join(lines)


def event_fields(event_type: str, fields: Mapping[str, Any], allowed: Sequence[str]) -> list[str]:
    """The given fields that `event_type` does not carry."""
    return [k for k, v in fields.items() if v not in (None, (), []) and k not in allowed]
