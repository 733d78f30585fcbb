"""No result depends on the state of the record cache: every computing command gives the same bytes
with the cache off, empty (cold), full (warm, with and without the snapshot of the last whole read)
and partly stale (some files changed since it was filled, a row damaged), and the quarterly report
still matches its golden files in every state.

The commands run on a copy of the bundled sample records (250 tickets), as of 2026-11-23.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from conftest import run

from aftersales.store import cache
from aftersales.views.tables import csv_rows, json_rows, to_csv, to_json

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "records"
GOLDEN = Path(__file__).parent / "golden" / "quarterly"
AT = ("--at", "2026-11-23")
STATES = ("off", "cold", "warm", "stale", "rows")

COMMANDS = [
    ("validate", *AT),
    ("sla", "--format", "json", *AT),
    ("sla", "--open", *AT),
    ("sla", "--period", "2026Q3", "--format", "csv", *AT),
    ("sla", "--status", "breached", "--area", "lobby", "--format", "json", *AT),
    ("ticket", "list", *AT),
    ("ticket", "list", "--all", "--format", "json", *AT),
    ("ticket", "list", "--all", "--format", "csv", "--since", "2026-06-01", *AT),
    ("report", "quarterly", "--period", "2026Q3", "--format", "json", *AT),
    ("warranty", "--format", "json", *AT),
    ("parts", "--format", "json", *AT),
    ("maintenance", "due", *AT),
    ("asset", "show", "AUD-CHAIR-A", *AT),
    ("ticket", "show", "T-20260105-QZWP4M", *AT),
    ("ticket", "show", "T-20260105", *AT),
]


def _age(folder: Path, seconds: float = 3600) -> None:
    when = time.time() - seconds
    for path in folder.rglob("*.yaml"):
        os.utime(path, (when, when))


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample") / "records"
    shutil.copytree(BUNDLED, folder)
    _age(folder)   # not "racy": the cache keeps these files
    return folder


@pytest.fixture(scope="module")
def expected(sample, tmp_path_factory) -> dict[tuple[str, ...], tuple[int, str]]:
    """Each command's exit code and output with the cache turned off."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AFTERSALES_CACHE", "off")
        found = {args: _run(args, sample) for args in COMMANDS}
    assert all(code == 0 and out for code, out in found.values()), found
    return found


def _run(args: tuple[str, ...], folder: Path) -> tuple[int, str]:
    result = run(*args, "--records", str(folder))
    return result.exit_code, result.stdout


@pytest.fixture(params=STATES)
def cache_state(request, sample, tmp_path, monkeypatch) -> str:
    """The sample's cache in one state: off, cold (empty), warm, stale (a third of the tickets
    changed identity since it was filled, one row damaged: the snapshot of the last whole read is
    mended with the rows of the files changed since), or rows (warm without that snapshot: every
    row is read)."""
    state = request.param
    monkeypatch.setenv("AFTERSALES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("AFTERSALES_CACHE", raising=False)
    if state == "off":
        monkeypatch.setenv("AFTERSALES_CACHE", "off")
    if state in ("warm", "stale", "rows"):
        assert run("validate", "--records", str(sample), *AT).exit_code == 0
        assert cache.cache_path(sample).exists()
    if state == "stale":
        tickets = sorted(sample.glob("tickets/*/*.yaml"))
        when = time.time() - 1800
        for path in tickets[::3]:
            path.write_bytes(path.read_bytes())   # same content, a new identity (mtime, ctime)
            os.utime(path, (when, when))
        with sqlite3.connect(cache.cache_path(sample)) as db:
            db.execute("UPDATE blobs SET payload = x'00' WHERE rel = ?", (tickets[1].relative_to(sample).as_posix(),))
    if state == "rows":
        with sqlite3.connect(cache.cache_path(sample)) as db:
            db.execute("DELETE FROM snapshot")
    return state


def test_every_command_gives_the_same_output_in_every_cache_state(cache_state, sample, expected):
    for args in COMMANDS:
        assert _run(args, sample) == expected[args], (cache_state, args)
    if cache_state != "off":   # and the run after it, warm, as well
        for args in COMMANDS:
            assert _run(args, sample) == expected[args], (cache_state, "again", args)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_quarterly_report_matches_its_golden_file_in_every_cache_state(cache_state, sample, fmt):
    for lang in ("en", "zh"):
        result = run("report", "quarterly", "--period", "2026Q3", "--format", fmt, "--lang", lang,
                     "--records", str(sample), *AT)
        assert result.exit_code == 0, result.output
        assert result.stdout.encode("utf-8") == (GOLDEN / f"2026Q3.{lang}.{fmt}").read_bytes(), (cache_state, lang)


# --- streamed output is the same text as the whole document -------------------------------

ROWS = [
    [],
    [{"a": 1, "b": "x"}],
    [{"ticket": "T-1", "n": 1.5, "ok": True, "none": None, "text": "中文 \"quoted\"\n\ttab"}, {"ticket": "T-2"}],
    [{"nested": {"x": [1, 2]}, "list": []}, {}, {"a": [{"b": None}]}, {"k": "=cmd()"}],
]


@pytest.mark.parametrize("rows", ROWS)
def test_json_rows_write_what_to_json_writes(rows):
    text = "".join(json_rows(iter(rows)))
    assert text == to_json(rows) + "\n"
    assert json.loads(text) == rows


@pytest.mark.parametrize("count", [0, 1, 499, 500, 501, 1200])
def test_csv_rows_write_what_to_csv_writes(count):
    rows = [{"a": i, "b": f"=x{i}", "c": None if i % 2 else "中"} for i in range(count)]
    assert "".join(csv_rows(iter(rows), ["a", "b", "c"])) == to_csv(rows, ["a", "b", "c"])
