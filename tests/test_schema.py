"""`aftersales schema`: draft-7 JSON Schemas that agree with `validate`, checked with a real validator."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import ASSET, INSPECTION, PART, REPORTED, SETTINGS, TICKET, asset_yaml, event, part_yaml, run, ticket

BUNDLED = Path(__file__).resolve().parents[1] / "records"
KINDS = ("settings", "asset", "ticket", "inspection", "part")
# where each kind lives, relative to a records root (for the records fixture: the file it replaces)
GLOBS = {"settings": "aftersales.yaml", "asset": "assets/*.yaml", "ticket": "tickets/*/*.yaml",
         "inspection": "inspections/*/*.yaml", "part": "parts/*.yaml"}
FIXTURE_FILE = {"settings": "aftersales.yaml", "asset": "assets/CHAIR-1.yaml", "ticket": TICKET,
                "inspection": "inspections/2026/INS-1.yaml", "part": "parts/BOLT-M8.yaml"}


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server sees it: dates and times stay strings."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str):
    return yaml.load(text, Loader=EditorLoader)


@pytest.fixture(scope="module")
def schemas(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("schemas") / ".schemas"
    result = run("schema", "-o", str(folder))
    assert result.exit_code == 0, result.output
    return {kind: json.loads((folder / f"{kind}.schema.json").read_text("utf-8")) for kind in KINDS}


def errors(schemas: dict[str, dict], kind: str, data) -> list[str]:
    validator = jsonschema.Draft7Validator(schemas[kind])
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


# --- the command ----------------------------------------------------------------------

def test_schema_writes_one_file_per_kind_and_names_them(tmp_path):
    folder = tmp_path / "new" / ".schemas"  # created if missing
    result = run("schema", "-o", str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == sorted(str(folder / f"{kind}.schema.json") for kind in KINDS)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{kind}.schema.json" for kind in KINDS)


def test_schema_without_a_folder_is_a_usage_error():
    result = run("schema")
    assert result.exit_code == 2
    assert "Missing option '-o' / '--output'" in result.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_each_schema_is_a_valid_draft7_schema(schemas, kind):
    schema = schemas[kind]
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["title"]
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft7Validator


def test_writing_the_schemas_twice_gives_the_same_bytes(tmp_path):
    assert run("schema", "-o", str(tmp_path / "a")).exit_code == 0
    assert run("schema", "-o", str(tmp_path / "b")).exit_code == 0
    for kind in KINDS:
        name = f"{kind}.schema.json"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


# --- valid records pass ---------------------------------------------------------------

def test_the_bundled_records_are_valid():
    result = run("validate", "--records", str(BUNDLED))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.slow) if k == "ticket" else k for k in KINDS])
def test_every_bundled_record_validates_against_its_schema(schemas, kind):  # the hundreds of bundled tickets are slow
    files = sorted(BUNDLED.glob(GLOBS[kind]))
    assert files, f"no bundled {kind} records"
    found = {f.relative_to(BUNDLED).as_posix(): errors(schemas, kind, load(f.read_text("utf-8"))) for f in files}
    assert {path: errs for path, errs in found.items() if errs} == {}


FULL_TICKET = """\
id: T-20260314-7F3K9Q
kind: repair
asset: CHAIR-1
area: lobby
priority: critical
severity: normal
category: structure
channel: phone
reporter: {name: 王老师, phone: "13800001234"}
location: 第3排12号
summary: 扶手松动
inspection: INS-1
events:
  - {at: 2026-03-14T09:12:00+08:00, type: reported, by: cs-li}
  - {at: 2026-03-14T09:20:00+08:00, type: assigned, to: eng-zhang}
  - {at: 2026-03-14T09:40:00+08:00, type: responded, by: eng-zhang, note: 电话确认}
  - {at: 2026-03-14T10:00:00+08:00, type: paused, reason: 等配件}
  - {at: 2026-03-14T11:00:00+08:00, type: resumed}
  - {at: 2026-03-14T11:10:00+08:00, type: workaround, until: 2026-03-16T17:00:00+08:00}
  - {at: 2026-03-14T11:20:00+08:00, type: escalated, to: tier-2}
  - {at: 2026-03-14T11:55:00+08:00, type: arrived, by: eng-zhang}
  - {at: 2026-03-14T12:00:00+08:00, type: inspected, verdict: accept}
  - {at: 2026-03-14T12:30:00+08:00, type: resolved, parts: [{part: BOLT-M8, qty: 2}], cost: 0}
  - {at: 2026-03-14T12:40:00+08:00, type: accepted}
  - {at: 2026-03-15T10:00:00+08:00, type: callback, by: cs-li, satisfaction: 5}
  - {at: 2026-03-16T10:00:00+08:00, type: reopened}
  - {at: 2026-03-16T11:00:00+08:00, type: cancelled}
  - {at: 2026-03-16T12:00:00+08:00, type: reopened}
  - at: 2026-03-16T13:00:00+08:00
    type: note
    note: 块状写法的事件
"""


@pytest.mark.parametrize(("kind", "text"), [
    ("settings", SETTINGS), ("asset", ASSET), ("part", PART), ("inspection", INSPECTION),
    ("ticket", ticket()), ("ticket", FULL_TICKET),
], ids=["settings", "asset", "part", "inspection", "ticket", "full-ticket"])
def test_small_valid_records_pass_both_the_schema_and_validate(schemas, records, kind, text):
    assert errors(schemas, kind, load(text)) == []
    if text is FULL_TICKET:
        records.write("inspections/2026/INS-1.yaml", INSPECTION)
        records.write("tickets/2026/T-20260314-7F3K9Q.yaml", text)
    else:
        records.write(FIXTURE_FILE[kind], text)
    result = records.run()
    assert result.exit_code == 0, result.output


def test_a_ticket_written_by_ticket_open_and_log_passes_the_schema(schemas, records):
    opened = run("ticket", "open", "--records", str(records.root), "--kind", "repair", "--asset", "CHAIR-1",
                 "--summary", "yes", "--reporter", "no", "--phone", "05121234567", "--location", "12:30",
                 "--at", "2026-03-14 09:12", "--by", "cs-li")
    assert opened.exit_code == 0, opened.output
    ticket_id = opened.stdout.strip()
    logged = run("ticket", "log", "--records", str(records.root), ticket_id, "resolved", "--at", "2026-03-14 10:00",
                 "--part", "BOLT-M8:2", "--cost", "0")
    assert logged.exit_code == 0, logged.output
    (path,) = (records.root / "tickets").rglob("*.yaml")
    assert errors(schemas, "ticket", load(path.read_text("utf-8"))) == []


# --- broken records are rejected, by the schema and by validate alike ------------------------

RESOLVED = event("10:00", "resolved")
BROKEN = {
    "ticket-unknown-key": ("ticket", ticket(extra="colour: red\n"), "'colour' was unexpected"),
    "ticket-misspelt-key": ("ticket", ticket().replace("summary:", "sumary:"), "'sumary' was unexpected"),
    "ticket-bad-kind": ("ticket", ticket().replace("kind: repair", "kind: fix"), "'fix' is not one of"),
    "ticket-missing-summary": ("ticket", ticket().replace("summary: 扶手松动\n", ""),
                               "'summary' is a required property"),
    "ticket-empty-summary": ("ticket", ticket().replace("summary: 扶手松动", 'summary: ""'), "non-empty"),
    "satisfaction-9": ("ticket", ticket(REPORTED, RESOLVED, event("11:00", "callback", ", satisfaction: 9")),
                       "9 is greater than the maximum of 5"),
    "satisfaction-not-whole": ("ticket", ticket(REPORTED, RESOLVED, event("11:00", "callback",
                                                                          ", satisfaction: 4.5")),
                               "4.5 is not of type 'integer'"),
    "cost-on-arrived": ("ticket", ticket(REPORTED, event("10:00", "arrived", ", cost: 30")),
                        "'cost' is not one of ['at', 'type', 'by', 'note', 'logged']"),
    "verdict-on-resolved": ("ticket", ticket(REPORTED, event("10:00", "resolved", ", verdict: accept")),
                            "'verdict' is not one of"),
    "unknown-event-type": ("ticket", ticket(REPORTED, event("10:00", "fixed")), "'fixed' is not one of"),
    "unknown-event-key": ("ticket", ticket(REPORTED, event("10:00", "note", ", who: li")), "'who'"),
    "time-without-offset": ("ticket", ticket("{at: 2026-03-14T09:12:00, type: reported}"), "does not match"),
    "negative-qty": ("ticket", ticket(REPORTED, event("10:00", "resolved", ", parts: [{part: BOLT-M8, qty: -1}]")),
                     "-1 is less than the minimum of 0"),
    "unquoted-phone": ("ticket", ticket(extra="reporter: {phone: 13800001234}\n"),
                       "13800001234 is not of type 'string'"),
    "empty-events": ("ticket", ticket().replace("events:\n", "events: []\n").replace(f"  - {REPORTED}\n", ""),
                     "should be non-empty"),
    "asset-unknown-key": ("asset", asset_yaml(colour="red"), "'colour' was unexpected"),
    "part-negative-in": ("part", part_yaml("BOLT-M8", "{date: 2026-01-05, in: -2}"),
                         "-2 is less than the minimum of 0"),
    "inspection-bad-result": ("inspection", INSPECTION.replace("function: issue", "function: broken"),
                              "'broken' is not one of"),
    "settings-unknown-key": ("settings", SETTINGS + "bogus: 1\n", "'bogus' was unexpected"),
    "settings-bad-type": ("settings", SETTINGS.replace("years: 5", "years: five"), "'five' is not of type"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_record_is_rejected_by_the_schema_and_by_validate(schemas, records, case):
    kind, text, message = BROKEN[case]
    found = errors(schemas, kind, load(text))
    assert any(message in e for e in found), found
    records.write(FIXTURE_FILE[kind], text)
    assert records.run().exit_code == 1


@pytest.mark.parametrize(("kind", "text"), [
    ("ticket", ticket().replace("asset: CHAIR-1\n", "")),
    ("ticket", ticket(event("09:12", "note"))),
], ids=["repair-without-asset", "first-event-not-reported"])
def test_rules_beyond_single_fields_are_in_the_schema_too(schemas, records, kind, text):
    records.write(FIXTURE_FILE[kind], text)
    assert records.run().exit_code == 1  # validate rejects it...
    assert errors(schemas, kind, load(text)) != []  # ...and so should the schema
