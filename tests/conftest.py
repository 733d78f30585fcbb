"""A records folder written from small inline YAML texts, and the real command run on it.

One factory writes every kind of record as YAML text: `settings_yaml`, `asset_yaml`, `part_yaml`,
`inspection_yaml` and `ticket_yaml` (with `event` for its events). Every value is given as the YAML
text it is written as (`phone='"13800001234"'` stays quoted), a list as its items (one-line flow
mappings or block texts), and None, an empty text or an empty list leaves a key out. Their defaults
give the fixture's records (SETTINGS, ASSET, PART, INSPECTION, `ticket()`) byte for byte, so the
line numbers other tests rely on stay where they are: pass what a test needs, never change a
default. The `records` fixture writes them where they belong:
`records.ticket("T-2", event("10:00", "reported"), kind="inquiry", asset=None)`. tests/README.md
says more.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tempfile
import textwrap
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from aftersales.cli import cli

pytest_plugins = ["webtools"]  # the web app's fixtures (`web`, `accounts_file`)

Value = str | int | float | Sequence[str] | None
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = "2026-03-14"  # the day of a bare clock time: event("09:12", ...)


def mapping_yaml(**keys: Value) -> str:
    """A YAML mapping, one key a line in the order given: a text on one line follows its key, a
    text of several lines goes under it (indented), a list gives one `- item` per element."""
    lines: list[str] = []
    for key, value in keys.items():
        if value is None or (isinstance(value, (list, tuple)) and not value) or value == "":
            continue
        if isinstance(value, (list, tuple)):
            lines.append(f"{key}:")
            lines += [_item(item) for item in value]
            continue
        text = textwrap.dedent(str(value)).rstrip("\n")
        if "\n" in text:
            lines += [f"{key}:", textwrap.indent(text, "  ")]
        else:
            lines.append(f"{key}: {text}")
    return "".join(line + "\n" for line in lines)


def _item(text: str) -> str:
    first, *rest = textwrap.dedent(text).rstrip("\n").split("\n")
    return "\n".join(["  - " + first, *("    " + line for line in rest)])


# --- settings -------------------------------------------------------------------------
# The sections of the fixture's settings: pass another text (or None to leave the section out)
# to `settings_yaml`, e.g. settings_yaml(customer="某学校", maintenance=PLANS, calendars=None).

AREAS = """\
lobby: {name: 门厅, priority: critical}
office: {name: 办公室, priority: normal}
"""
CALENDARS = """\
workdays:
  week: [mon, tue, wed, thu, fri]
  hours: ["08:30-12:00", "13:30-17:30"]
  holidays: [2026-02-15..2026-02-23]
"""
TARGETS = """\
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
"""
WARRANTY = """\
years: 5
max_extension_years: 3
"""
MAINTENANCE = """\
- id: quarterly
  areas: all
  rrule: "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
  start: 2026-03-31
  checklist: [appearance, function]
"""


# The tests log events of 2026 long after they happened: only the late-entry tests count lateness
# (they set `late_after` themselves).
LATE_AFTER = "3650d   # the tests log events of 2026 long after they happened"


def settings_yaml(*, name: str = "测试项目", customer: str | None = None, supplier: str | None = None,
                  timezone: str = "Asia/Shanghai", areas: Value = AREAS, priorities: Value = "[critical, normal]",
                  calendars: Value = CALENDARS, targets: Value = TARGETS, warranty: Value = WARRANTY,
                  maintenance: Value = MAINTENANCE, late_after: Value = LATE_AFTER, **more: Value) -> str:
    """aftersales.yaml: the project's keys, then one section per keyword (`targets` are the SLA's);
    `more` adds sections at the end."""
    project = mapping_yaml(name=name, customer=customer, supplier=supplier, timezone=timezone)
    return mapping_yaml(schema=1, project=project, areas=areas, priorities=priorities, calendars=calendars,
                        sla=mapping_yaml(targets=targets), warranty=warranty, maintenance=maintenance,
                        late_after=late_after, **more)


# --- records ----------------------------------------------------------------------------

def asset_yaml(asset_id: str = "CHAIR-1", *, name: str = "报告厅剧院椅", category: str = "theater-chair",
               area: str = "lobby", installed: str | None = "2025-08-20", **more: Value) -> str:
    """assets/<ID>.yaml; `more` (quantity, model, warranty...) follows `installed`."""
    return mapping_yaml(id=asset_id, name=name, category=category, area=area, installed=installed, **more)


def part_yaml(part_id: str, *movements: str, name: str = "M8 连接螺栓", **more: Value) -> str:
    """parts/<ID>.yaml: `more` (unit, min) before the movements, like {date: 2026-01-05, in: 200}."""
    return mapping_yaml(id=part_id, name=name, **more, movements=movements)


INSPECTION_CHECK = "{asset: CHAIR-1, appearance: ok, function: issue}"
INSPECTION_FINDING = "{id: F1, asset: CHAIR-1, problem: 靠背回弹不足}"


def inspection_yaml(inspection_id: str = "INS-1", *, plan: str | None = "quarterly", date: str = "2026-03-27",
                    inspectors: Value = "[eng-zhang]", areas: Value = "[lobby]", checks: Value = (INSPECTION_CHECK,),
                    findings: Value = (INSPECTION_FINDING,), **more: Value) -> str:
    """inspections/<YYYY>/<ID>.yaml; `more` (signoff) follows the findings."""
    return mapping_yaml(id=inspection_id, plan=plan, date=date, inspectors=inspectors, areas=areas, checks=checks,
                        findings=findings, **more)


def at(when: str, tz: ZoneInfo = SHANGHAI) -> str:
    """An instant as records write it: `09:12` (on 2026-03-14), `07-01 09:00` (in 2026),
    `2025-12-01 09:00`, `... 09:00:30`, in `tz`; a time already written with `T` stays as it is."""
    if "T" in when:
        return when
    if re.fullmatch(r"\d\d:\d\d(:\d\d)?", when):
        when = f"{DAY} {when}"
    elif not re.match(r"\d{4}-", when):
        when = f"2026-{when}"
    return dt.datetime.fromisoformat(when).replace(tzinfo=tz).isoformat()


def event(when: str, kind: str, more: str = "", *, tz: ZoneInfo = SHANGHAI, **fields: Value) -> str:
    """One event as a flow mapping: event("12:30", "resolved", cost=0, parts="[{part: BOLT-M8, qty: 2}]");
    `when` as `at` reads it; `more` is raw text after the fields (", cost: 0")."""
    bits = [f"at: {at(when, tz)}", f"type: {kind}", *(f"{k}: {v}" for k, v in fields.items() if v is not None)]
    return "{" + ", ".join(bits) + more + "}"


REPORTED = event("09:12", "reported")


def ticket_yaml(ticket_id: str, *events: str, kind: str = "repair", asset: str | None = "CHAIR-1",
                summary: str = "扶手松动", **more: Value) -> str:
    """tickets/<YYYY>/<ID>.yaml: event N (default: REPORTED) on line 5 + N (4 + N without an asset);
    `more` (area, severity, reporter...) follows the events."""
    return mapping_yaml(id=ticket_id, kind=kind, asset=asset, summary=summary, events=events or (REPORTED,),
                        **more)


# The fixture's records, as the factory gives them.
SETTINGS = settings_yaml()
ASSET = asset_yaml()
PART = part_yaml("BOLT-M8", "{date: 2026-01-05, in: 200}")
INSPECTION = inspection_yaml()
TICKET = "tickets/2026/T-1.yaml"
TICKET_HEAD = ticket_yaml("T-1").removesuffix(f"  - {REPORTED}\n")  # lines 1-5 of `ticket()`


def ticket(*events: str, extra: str = "") -> str:
    """Ticket T-1 (repair of CHAIR-1): event N is on line 5 + N; `extra` keys come after the events."""
    return ticket_yaml("T-1", *events) + textwrap.dedent(extra)


class Records:
    """A records folder under tmp_path: settings, the asset CHAIR-1 and the part BOLT-M8 (with
    `starter=False`, a folder that already exists, made by `aftersales init` say, as it is)."""

    def __init__(self, root: Path, *, starter: bool = True) -> None:
        self.root = root
        if not starter:
            return
        self.settings()
        self.asset()
        self.write("parts/BOLT-M8.yaml", PART)
        for folder in ("tickets", "inspections"):
            (root / folder).mkdir()

    def settings(self, **sections: Value) -> Path:
        """aftersales.yaml from `settings_yaml(**sections)`."""
        return self.write("aftersales.yaml", settings_yaml(**sections))

    def asset(self, asset_id: str = "CHAIR-1", **fields: Value) -> Path:
        return self.write(f"assets/{asset_id}.yaml", asset_yaml(asset_id, **fields))

    def part(self, part_id: str, *movements: str, **fields: Value) -> Path:
        return self.write(f"parts/{part_id}.yaml", part_yaml(part_id, *movements, **fields))

    def inspection(self, inspection_id: str = "INS-1", **fields: Value) -> Path:
        """In the folder of the year of its date."""
        text = inspection_yaml(inspection_id, **fields)
        year = re.search(r"^date: (\d{4})", text, re.MULTILINE)
        assert year, text
        return self.write(f"inspections/{year[1]}/{inspection_id}.yaml", text)

    def ticket(self, ticket_id: str, *events: str, **fields: Value) -> Path:
        """In the folder of the year its first event is written in."""
        text = ticket_yaml(ticket_id, *events, **fields)
        year = re.search(r"at: (\d{4})-", text)
        assert year, text
        return self.write(f"tickets/{year[1]}/{ticket_id}.yaml", text)

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


def needs_weasyprint() -> None:
    """Skip, saying why, where the pdf extra or the system library it loads (Pango) is missing."""
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        pytest.skip("the pdf extra is not installed: pip install '.[pdf]'")
    except OSError as exc:
        pytest.skip(f"WeasyPrint cannot start here ({exc}); on Debian: apt-get install libpango-1.0-0")


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


# --- git ----------------------------------------------------------------------------------

@pytest.fixture
def quiet_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git run by a test, by `git install` and by git itself never sees the machine's own config, and
    runs the merge driver as `aftersales` from PATH: the one installed beside this Python. Modules
    that run git use it with `pytestmark = pytest.mark.usefixtures("quiet_git")`."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("AFTERSALES_RECORDS", raising=False)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
