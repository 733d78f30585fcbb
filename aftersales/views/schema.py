"""JSON Schema (draft 7) of every record kind, generated from the field specs `validate` uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aftersales.store.fileio import write_output
from aftersales.store.spec import (
    COMMON_EVENT_FIELDS,
    KINDS_WITH_ASSET,
    RECORD_SHAPES,
    ListOf,
    MapOf,
    OneOf,
    Shape,
    Type,
    event_fields,
)

DRAFT = "http://json-schema.org/draft-07/schema#"
TITLES = {
    "settings": "aftersales.yaml: settings of a records folder",
    "asset": "assets/<ID>.yaml: an installed product",
    "ticket": "tickets/<YYYY>/<ID>.yaml: a service request and its events",
    "inspection": "inspections/<YYYY>/<ID>.yaml: an inspection, its checks and findings",
    "part": "parts/<ID>.yaml: a spare part and its stock movements",
}


def schema_for(kind: str) -> dict[str, Any]:
    """The schema of one record kind (`settings`, `asset`, `ticket`, `inspection`, `part`)."""
    body = RECORD_SHAPES[kind].schema()
    if kind == "ticket":
        body["properties"]["events"]["items"]["allOf"] = _event_rules()
        # the first event is `reported` (positional items; the others are checked by `items` above)
        body["properties"]["events"]["allOf"] = [{"items": [{"properties": {"type": {"const": "reported"}}}]}]
        body["allOf"] = [{"if": {"properties": {"kind": {"enum": list(KINDS_WITH_ASSET)}}, "required": ["kind"]},
                          "then": {"required": ["asset"]}}]
    return {"$schema": DRAFT, "$id": f"aftersales-{kind}.schema.json", "title": TITLES[kind], **body}


def _event_rules() -> list[dict[str, Any]]:
    """Each event type carries only its own fields (RECORDS.md's table)."""
    return [
        {"if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
         "then": {"propertyNames": {"enum": [*COMMON_EVENT_FIELDS, *extra]}}}
        for kind, extra in event_fields().items()
    ]


def write_all(folder: Path) -> list[Path]:
    """Write `<kind>.schema.json` for every kind into `folder`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in RECORD_SHAPES:
        path = folder / f"{kind}.schema.json"
        text = json.dumps(schema_for(kind), ensure_ascii=False, indent=2) + "\n"
        write_output(path, text.encode("utf-8"))
        written.append(path)
    return written


def field_tables() -> str:
    """Markdown tables of every record kind's fields, from the same specs (shown in the README)."""
    def rows(shape: Shape, prefix: str) -> list[str]:
        out = []
        for f in shape.fields.values():
            name = f"{prefix}{f.name}"
            kind = f.type
            out.append(f"| `{name}` | {kind.label} | {'yes' if f.required else ''} | {f.doc} |")
            inner: Type | None = kind.item if isinstance(kind, ListOf) else kind
            if isinstance(inner, OneOf):
                inner = next((o for o in inner.options if isinstance(o, Shape)), None)
            if isinstance(inner, MapOf) and isinstance(inner.value, Shape):
                out.extend(rows(inner.value, f"{name}.<id>."))
            elif isinstance(inner, Shape):
                out.extend(rows(inner, f"{name}[]." if isinstance(kind, ListOf) else f"{name}."))
        return out

    parts = []
    for kind, shape in RECORD_SHAPES.items():
        parts.append(f"#### {TITLES[kind]}\n\n| field | type | required | meaning |\n|---|---|---|---|")
        parts.append("\n".join(rows(shape, "")))
        parts.append("")
    return "\n".join(parts)
