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

from aftersales.core.errors import AftersalesError
from aftersales.edit.yamledit import YamlDoc
from aftersales.store.spec import EVENT, TICKET, Shape
from aftersales.store.yamlio import FastLoader


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
        loaded = yaml.load("k: " + text, Loader=FastLoader)
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


def in_spec_order(shape: Shape, values: Mapping[str, Any]) -> dict[str, Any]:
    """The given values in the order the field spec lists the shape's keys, empty ones left out;
    a key the spec does not know is an error of the caller, never silently dropped."""
    unknown = [k for k in values if k not in shape.fields]
    if unknown:
        raise ValueError(f"{shape.label} has no field {unknown[0]!r}")
    return {k: values[k] for k in shape.order if values.get(k) not in (None, (), [], "")}


def event_line(event: Mapping[str, Any]) -> str:
    return flow_mapping(in_spec_order(EVENT, event))


@dataclass(frozen=True)
class NewTicket:
    id: str
    kind: str
    summary: str
    reported: Mapping[str, Any]
    fields: Mapping[str, Any]  # the optional fields, in RECORDS.md order


def ticket_text(ticket: NewTicket) -> str:
    """A new ticket file, laid out like RECORDS.md's example, its keys in the spec's order."""
    values = in_spec_order(TICKET, {"id": ticket.id, "kind": ticket.kind, "summary": ticket.summary,
                                    **ticket.fields, "events": [ticket.reported]})
    lines = []
    for key, value in values.items():
        if key == "events":
            lines += ["events:", *(f"  - {event_line(e)}" for e in value)]
        else:
            lines.append(f"{key}: {flow_mapping(value) if isinstance(value, Mapping) else scalar(value)}")
    return "\n".join(lines) + "\n"


def append_event(text: str, event: Mapping[str, Any]) -> str:
    """`text` with one event line added after the last event; every existing byte kept."""
    doc = YamlDoc(text)
    found = doc.entry("events")
    if found is None or not isinstance(found[1], yaml.SequenceNode) or not found[1].value:
        raise AftersalesError("the ticket has no `events` list to append to")
    if found[1].flow_style:
        raise AftersalesError("`events` is written as a [flow, list]: write one event per line "
                              "(`  - {at: ..., type: ...}`) so events can be appended")
    return doc.append_item("events", lambda prefix: [prefix + event_line(event)], ()).text


def event_fields(event_type: str, fields: Mapping[str, Any], allowed: Sequence[str]) -> list[str]:
    """The given fields that `event_type` does not carry."""
    return [k for k, v in fields.items() if v not in (None, (), []) and k not in allowed]
