"""Reading one record file: bytes, YAML, then the field spec of its kind.

`read_file` is the only function that reads a record file's content; what it
returns depends on the file's bytes alone, so a cache can sit behind it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aftersales.core.model import Settings
from aftersales.core.problems import Problem, require_valid
from aftersales.store import build
from aftersales.store.fileio import read_regular
from aftersales.store.paths import SETTINGS_FILE
from aftersales.store.spec import RECORD_SHAPES, Context
from aftersales.store.yamlio import Mark, YamlProblem, parse

Cleaned = dict[str, Any]


def read_file(path: Path, rel: str, kind: str) -> tuple[Cleaned | None, list[Problem]]:
    """Read and check one file against its kind's fields: cleaned values (or None) and problems."""
    try:
        data = read_regular(path)
    except OSError as exc:
        ctx = Context(rel)
        ctx.error(Mark(1, 1), "unreadable", f"cannot read the file: {exc.strerror or exc}")
        return None, ctx.problems
    return check_bytes(data, rel, kind)


def check_bytes(data: bytes, rel: str, kind: str) -> tuple[Cleaned | None, list[Problem]]:
    """Check bytes (read, or about to be written) exactly as `read_file` checks a file."""
    ctx = Context(rel)
    try:
        value, notes = parse(data)
    except YamlProblem as exc:
        ctx.error(exc.mark, exc.code, exc.message)
        return None, ctx.problems
    for mark, severity, code, message in notes:
        (ctx.warning if severity == "warning" else ctx.error)(mark, code, message)
    clean = RECORD_SHAPES[kind].check(value, Mark(1, 1), ctx, "")
    return (clean if isinstance(clean, dict) else None), ctx.problems


def read_settings(root: Path) -> Settings:
    """Only the settings (for commands that write one record and need not read them all)."""
    clean, problems = read_file(root / SETTINGS_FILE, SETTINGS_FILE, "settings")
    require_valid(problems, f"refused, nothing was written: {SETTINGS_FILE} does not validate", "fix it first")
    assert clean is not None  # a file that gives no value has an error
    return build.settings(clean)
