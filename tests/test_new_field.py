"""A field added to the spec is known everywhere at once: writers, `validate`, the JSON Schema,
the field tables of docs/records.md and the command-line options.

The `weather` fixture adds `weather` to the event spec (carried by `arrived` events only) and to
the finding spec, as someone adding a field to aftersales/store/spec.py would, and puts both back
after the test. The options of `ticket log` and `inspection finding` are made from the spec when
the command module is imported, so the tests build those two commands again (`rebuilt`): the same
arguments, options and code, with the spec's options made from the spec as it now stands.
"""

from __future__ import annotations

import click
import jsonschema
import pytest
from click.testing import CliRunner
from conftest import INSPECTION, TICKET, Records, event, expect, ticket

from aftersales.cli import cli, inspection_cmds, ticket_cmds
from aftersales.cli.options import field_options
from aftersales.store import spec
from aftersales.store.spec import Field, Text
from aftersales.views.schema import field_tables, schema_for

WEATHER = "the weather on site"
INS = "inspections/2026/INS-1.yaml"


@pytest.fixture
def weather(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec.EVENT, "fields", {
        **spec.EVENT.fields, "weather": Field("weather", Text(), WEATHER, carried_by=("arrived",))})
    monkeypatch.setattr(spec.FINDING, "fields", {**spec.FINDING.fields, "weather": Field("weather", Text(), WEATHER)})
    # the parse cache is keyed on the code's bytes, which a changed spec object does not change
    monkeypatch.setenv("AFTERSALES_CACHE", "off")


# The commands and the fields they have no option for (as in ticket_cmds and inspection_cmds).
LOG = (ticket_cmds.log_command, spec.EVENT, ("at", "type", "logged"))
FINDING = (inspection_cmds.finding_command, spec.FINDING, ("id", "closed", "ticket"))


def rebuilt(command: click.Command, shape: spec.Shape, skip: tuple[str, ...]) -> click.Command:
    """`command` with its options for the fields of `shape` made again from the spec as it is now."""
    made = [p for p in command.params if p.name in shape.fields]

    def holder() -> None: ...

    field_options(shape, skip=skip)(holder)
    fresh = list(reversed(holder.__click_params__))
    first, last = command.params.index(made[0]), command.params.index(made[-1])
    return click.Command(command.name, params=command.params[:first] + fresh + command.params[last + 1:],
                         callback=command.callback, help=command.help)


def invoke(command: click.Command, records: Records, *args: str):
    """Run `command` under a root like the real one (which turns the package's errors into messages)."""
    root = type(cli)("aftersales", commands=[command], context_settings=cli.context_settings)
    result = CliRunner().invoke(root, [str(command.name), *args, "--records", str(records.root)],
                                catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


# --- validate -----------------------------------------------------------------------------

def test_validate_accepts_it_where_the_spec_allows_it(records, weather):
    records.write(TICKET, ticket(event("09:12", "reported"), event("10:00", "arrived", weather="小雨")))
    records.inspection(findings=["{id: F1, problem: 地面湿滑, weather: 小雨}"])
    expect(records.run(), code=0)
    records.write(TICKET, ticket(event("09:12", "reported"), event("10:00", "note", weather="小雨")))
    expect(records.run(), f"{TICKET}:7:1: error[event-field]: `note` does not carry `weather` "
                          "(only `arrived` events do)")


def test_without_the_field_in_the_spec_validate_refuses_it(records):
    records.write(TICKET, ticket(event("09:12", "reported"), event("10:00", "arrived", weather="小雨")))
    # `  - {at: 2026-03-14T10:00:00+08:00, type: arrived, weather: 小雨}`: the key starts in column 52
    expect(records.run(), f"{TICKET}:7:52: error[unknown-key]: events[2].weather: unknown key")


# --- the JSON Schema and the field tables --------------------------------------------------

def test_the_json_schema_describes_it(weather):
    described = {"type": "string", "minLength": 1, "description": WEATHER}
    tickets = schema_for("ticket")
    assert tickets["properties"]["events"]["items"]["properties"]["weather"] == described
    assert schema_for("inspection")["properties"]["findings"]["items"]["properties"]["weather"] == described
    validator = jsonschema.Draft7Validator(tickets)
    ticket_with = {"id": "T-1", "kind": "inquiry", "summary": "x", "events": [
        {"at": "2026-03-14T09:12:00+08:00", "type": "reported"}]}
    for kind, errors in (("arrived", 0), ("note", 1)):
        ticket_with["events"][1:] = [{"at": "2026-03-14T10:00:00+08:00", "type": kind, "weather": "小雨"}]
        assert len(list(validator.iter_errors(ticket_with))) == errors, kind


def test_the_field_tables_list_it(weather):
    # the tables of docs/records.md (scripts/readme_tables.py): one row, in the table of its record part
    lines = field_tables().splitlines()
    row = lines.index(f"| `events[].weather` | text |  | {WEATHER} |")
    assert lines[row - 1].startswith("| `events[].")
    row = lines.index(f"| `findings[].weather` | text |  | {WEATHER} |")
    assert lines[row - 1].startswith("| `findings[].")


# --- the command line -----------------------------------------------------------------------

@pytest.mark.parametrize("made", [LOG, FINDING], ids=["ticket log", "inspection finding"])
def test_it_becomes_an_option_of_the_command_that_writes_it(weather, made):
    command = made[0]
    fresh = rebuilt(*made)
    names = [p.name for p in fresh.params]
    assert "weather" in names and [n for n in names if n != "weather"] == [p.name for p in command.params]
    help_text = CliRunner().invoke(fresh, ["--help"], terminal_width=200).output
    assert "  --weather TEXT  " in help_text and "The weather on site." in help_text


# --- the writers ----------------------------------------------------------------------------

def test_ticket_log_writes_it(records, weather):
    path = records.write(TICKET, ticket())
    log = rebuilt(*LOG)
    result = invoke(log, records, "T-1", "arrived", "--at", "2026-03-14 10:00", "--weather", "小雨")
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == ticket(
        event("09:12", "reported"), "{at: 2026-03-14T10:00:00+08:00, type: arrived, weather: 小雨}")
    expect(records.run(), code=0)
    before = path.read_bytes()
    refused = invoke(log, records, "T-1", "note", "--at", "2026-03-14 10:30", "--weather", "小雨")
    assert (refused.exit_code, refused.stderr) == (1, "Error: refused, nothing was written: `note` does not "
                                                      "carry `weather` (only `arrived` events do)\n")
    assert path.read_bytes() == before


def test_inspection_finding_writes_it(records, weather):
    path = records.write(INS, INSPECTION)
    finding = rebuilt(*FINDING)
    result = invoke(finding, records, "INS-1", "--problem", "地面湿滑", "--weather", "小雨")
    assert (result.exit_code, result.stdout) == (0, "INS-1 F2\n"), result.output
    assert path.read_text(encoding="utf-8") == INSPECTION + "  - {id: F2, problem: 地面湿滑, weather: 小雨}\n"
    expect(records.run(), code=0)
