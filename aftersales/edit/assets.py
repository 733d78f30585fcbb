"""Writing asset files: a new asset laid out like RECORDS.md's example, and changed fields of an
existing one edited in place (comments, key order and every other byte stay).

Values are flat, keyed by column name (`warranty.years` for the nested field), as `asset new`
and `asset import` both give them. Every write is checked first with the rules `validate`
applies (`reading.check_bytes`, then `checks.check_asset`) and made atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from aftersales.checks.assets import check_asset
from aftersales.core.errors import Refused
from aftersales.core.model import Asset, Settings
from aftersales.core.problems import Problem, did_you_mean
from aftersales.edit.tickets import Folder, refusal
from aftersales.edit.yamledit import Edit, YamlDoc
from aftersales.edit.yamltext import scalar
from aftersales.store import build
from aftersales.store.fileio import write_atomic
from aftersales.store.paths import record_path
from aftersales.store.reading import Cleaned, check_bytes
from aftersales.store.spec import ASSET

NESTED = "warranty.years"


def area_id(settings: Settings, text: str) -> str | None:
    """The area an id or a display name (学生宿舍) names, or None."""
    if text in settings.areas:
        return text
    return next((a.id for a in settings.areas.values() if a.name == text), None)


def unknown_area(settings: Settings, text: str) -> str:
    """`unknown area 'Dorm' (did you mean 'dorm'?)`, the closest area id or name; without one
    close, the areas there are."""
    names = {a.name: a.id for a in settings.areas.values()}
    hint = did_you_mean(text, [*settings.areas, *names])
    if not hint:
        return f"unknown area {text!r} (areas: {', '.join(settings.areas)})"
    return f"unknown area {text!r}{hint}"


def values_of(clean: Cleaned) -> dict[str, Any]:
    """An asset file's values by column name, with the defaults an absent key stands for."""
    values = {key: ASSET.get(clean, key) for key in ASSET.order if key != "warranty"}
    values[NESTED] = clean.get("warranty", {}).get("years")
    return values


def asset_text(values: Mapping[str, Any]) -> str:
    """A new asset file: the fields in RECORDS.md's order, the warranty years nested."""
    lines = []
    for key in ASSET.order:
        if key == "warranty":
            if values.get(NESTED) is not None:
                lines += ["warranty:", f"  years: {scalar(values[NESTED])}"]
        elif values.get(key) is not None:
            lines.append(f"{key}: {scalar(values[key])}")
    return "\n".join(lines) + "\n"


def changed_text(text: str, changes: Mapping[str, Any]) -> str:
    """`text` with each changed field's value replaced where it stands (or its key added in
    RECORDS.md's order); everything else kept byte for byte."""
    for key, value in changes.items():
        doc = YamlDoc(text)
        text = (_set_years(doc, value) if key == NESTED else _set_top(doc, key, scalar(value))).text
    return text


def _set_top(doc: YamlDoc, key: str, value: str) -> Edit:
    found = doc.entry(key)
    if found is not None and not _null(found[1]):
        return doc.replace_node(found[1], value)
    return doc.set_top(key, value, ASSET.order)


def _null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def _set_years(doc: YamlDoc, years: Any) -> Edit:
    found = doc.entry("warranty")
    if found is None:
        return doc.insert(len(doc.lines), ["warranty:", f"  years: {scalar(years)}"])
    key, node = found
    if _null(node):
        line = key.start_mark.line
        return doc.replace_lines(line, line + 1, ["warranty:", f"  years: {scalar(years)}"])
    if not isinstance(node, yaml.MappingNode):  # pragma: no cover - the file was checked before
        raise Refused("refused, nothing was written: `warranty` is not a mapping")
    inner = next((v for k, v in node.value if getattr(k, "value", None) == "years"), None)
    if inner is not None:
        return doc.replace_node(inner, scalar(years))
    if node.flow_style:  # `warranty: {extensions: [...]}`: `years` goes first inside the braces
        at = node.start_mark.index + 1
        line = doc.text.count("\n", 0, at) + 1
        return Edit(doc.text[:at] + f"years: {scalar(years)}, " + doc.text[at:], range(line, line + 1))
    pad = " " * node.value[0][0].start_mark.column
    return doc.insert(key.start_mark.line + 1, [f"{pad}years: {scalar(years)}"])


def check_text(settings: Settings, data: bytes, rel: str) -> tuple[Asset | None, list[Problem]]:
    """The asset the bytes hold and every error `validate` would report in them."""
    clean, problems = check_bytes(data, rel, "asset")
    asset = build.asset(clean, rel) if clean is not None else None
    if asset is not None:
        problems += list(check_asset(asset, settings))
        if asset.id != rel.rsplit("/", 1)[-1][:-len(".yaml")]:  # pragma: no cover - the writers name the file
            problems.append(Problem(rel, 1, 1, "error", "id-mismatch", "the id does not match the file name"))
    return asset, [p for p in problems if p.is_error]


def new_asset(folder: Folder, values: Mapping[str, Any]) -> tuple[Asset, Path]:
    """Write assets/ID.yaml; never overwrites a file (an existing asset is refused)."""
    ident = values["id"]
    rel = record_path("asset", ident)
    if ident in folder.index["asset"]:
        raise Refused(exists(ident, folder.index["asset"][ident]))
    same_case = [a for a in folder.index["asset"] if a.lower() == ident.lower()]
    if same_case:
        raise Refused(f"refused, nothing was written: asset {ident} differs only in case from {same_case[0]}")
    data = asset_text(values).encode("utf-8")
    asset, errors = check_text(folder.settings, data, rel)
    if errors or asset is None:
        raise Refused(refusal(errors, None))
    try:
        write_atomic(folder.root / rel, data, exclusive=True)
    except FileExistsError:
        raise Refused(exists(ident, rel)) from None
    return asset, folder.root / rel


def exists(ident: str, rel: str) -> str:
    return (f"refused, nothing was written: asset {ident} already exists ({rel}); change it in the file, "
            "or with `aftersales asset import`")

