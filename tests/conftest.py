"""A records folder written from small inline YAML texts, and the real command run on it."""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aftersales.cli import cli

pytest_plugins = ["webtools"]  # the web app's fixtures (`web`, `accounts_file`)

# Minimal settings whose line numbers the tests rely on (so the shipped defaults may change freely).
SETTINGS = """\
schema: 1
project:
  name: 测试项目
  timezone: Asia/Shanghai
areas:
  lobby: {name: 门厅, priority: critical}
  office: {name: 办公室, priority: normal}
priorities: [critical, normal]
calendars:
  workdays:
    week: [mon, tue, wed, thu, fri]
    hours: ["08:30-12:00", "13:30-17:30"]
    holidays: [2026-02-15..2026-02-23]
sla:
  targets:
    - id: response
      when: {kind: repair}
      start: reported
      stop: [responded, resolved]
      within: {critical: 2h, normal: 4h}
    - id: return-inspection
      when: {kind: [return, exchange]}
      start: reported
      stop: [inspected]
      within: 3d
      calendar: workdays
warranty:
  years: 5
  max_extension_years: 3
maintenance:
  - id: quarterly
    areas: all
    rrule: "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
    start: 2026-03-31
    checklist: [appearance, function]
# The tests log events of 2026 long after they happened: only the late-entry tests count lateness.
late_after: 3650d
"""

ASSET = """\
id: CHAIR-1
name: 报告厅剧院椅
category: theater-chair
area: lobby
installed: 2025-08-20
"""

PART = """\
id: BOLT-M8
name: M8 连接螺栓
movements:
  - {date: 2026-01-05, in: 200}
"""

# Lines 1-5; the events given to `ticket()` start on line 6, extra keys follow them.
TICKET_HEAD = """\
id: T-1
kind: repair
asset: CHAIR-1
summary: 扶手松动
events:
"""
REPORTED = "{at: 2026-03-14T09:12:00+08:00, type: reported}"
TICKET = "tickets/2026/T-1.yaml"

INSPECTION = """\
id: INS-1
plan: quarterly
date: 2026-03-27
inspectors: [eng-zhang]
areas: [lobby]
checks:
  - {asset: CHAIR-1, appearance: ok, function: issue}
findings:
  - {id: F1, asset: CHAIR-1, problem: 靠背回弹不足}
"""


def event(time: str, kind: str, more: str = "") -> str:
    """One event of 2026-03-14 as a flow mapping: event("10:00", "resolved", ", cost: 0")."""
    return f"{{at: 2026-03-14T{time}:00+08:00, type: {kind}{more}}}"


def ticket(*events: str, extra: str = "") -> str:
    """Ticket T-1 (repair of CHAIR-1): event N is on line 5 + N; `extra` keys come after the events."""
    lines = "".join(f"  - {e}\n" for e in (events or (REPORTED,)))
    return TICKET_HEAD + lines + textwrap.dedent(extra)


class Records:
    """A records folder under tmp_path: settings, the asset CHAIR-1 and the part BOLT-M8."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.write("aftersales.yaml", SETTINGS)
        self.write("assets/CHAIR-1.yaml", ASSET)
        self.write("parts/BOLT-M8.yaml", PART)
        for folder in ("tickets", "inspections"):
            (root / folder).mkdir()

    def write(self, rel: str, text: str) -> Path:
        return self.write_bytes(rel, textwrap.dedent(text).encode("utf-8"))

    def write_bytes(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def edit(self, rel: str, old: str, new: str) -> None:
        """Replace `old` (which must occur exactly once) by `new` in one file."""
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def run(self, *args: str) -> Result:
        """`aftersales validate --records ROOT ARGS`."""
        return run("validate", "--records", str(self.root), *args)


def run(*args: str) -> Result:
    """Invoke the real command line in-process."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    # A traceback is never an acceptable answer to bad input.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def problems(result: Result) -> list[str]:
    """The problem lines `validate` printed: its output without the summary line."""
    return result.stdout.splitlines()[:-1]


def expect(result: Result, *lines: str, code: int = 1) -> None:
    """`validate` printed exactly these problem lines and exited with `code`."""
    assert problems(result) == list(lines)
    assert result.exit_code == code, result.output


@pytest.fixture
def records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Records:
    monkeypatch.delenv("AFTERSALES_RECORDS", raising=False)
    return Records(tmp_path / "records")


# --- golden files -----------------------------------------------------------------

def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite the golden files that differ from the output; the tests that rewrote one "
                          "fail, so a run that changed a golden file is never mistaken for a passing one")


GOLDEN_HINT = "if the change is intended: python -m pytest --update-goldens, then review `git diff tests/golden`"


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """`golden(path, text)`: the text must equal the golden file byte for byte; with
    --update-goldens a differing file is rewritten and the test fails."""
    update = request.config.getoption("--update-goldens")

    def check(path: Path, text: str) -> None:
        data = text.encode("utf-8")
        if update and (not path.exists() or path.read_bytes() != data):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            pytest.fail(f"rewrote {path.name}: review the diff, then run the tests again without --update-goldens")
        assert path.exists(), f"{path} is missing; {GOLDEN_HINT}"
        assert data == path.read_bytes(), f"differs from {path.name}; {GOLDEN_HINT}"

    return check


# The parse cache goes to a folder of this test session, never the user's own cache.
os.environ.setdefault("AFTERSALES_CACHE_DIR", tempfile.mkdtemp(prefix="aftersales-test-cache-"))
