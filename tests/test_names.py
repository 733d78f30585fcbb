"""Display names in the settings: people, asset categories, part units, target names and groups,
the currency. `validate` and the JSON Schema know them; documents show them in one language."""

from __future__ import annotations

import json

import pytest
from conftest import SETTINGS, expect, run

from aftersales.core.model import Name
from aftersales.store.load import load
from aftersales.views.labels import Names

FIRST = SETTINGS.count("\n") + 1  # the first line added after the fixture's settings

NAMES = """\
people:
  eng-zhang: {name: {en: Zhang Wei, zh: 张伟}, role: {en: Service engineer, zh: 售后工程师}, phone: "13900000001"}
  cs-li: {name: Li Na}
  cs-wu: {name: 吴芳}
categories:
  theater-chair: {en: Theater chair, zh: 剧院椅}
  bed: {zh: 组合床}
units:
  pcs: {en: pcs, zh: 件}
"""


def settings_of(records):
    return load(records.root).records().settings


def test_names_are_read_and_valid(records):
    records.write("aftersales.yaml", SETTINGS.replace("  timezone:", "  currency: EUR\n  timezone:") + NAMES)
    expect(records.run(), code=0)
    s = settings_of(records)
    assert s.currency == "EUR"
    assert s.people["eng-zhang"].name == Name(by_lang={"en": "Zhang Wei", "zh": "张伟"})
    assert s.people["eng-zhang"].phone == "13900000001"
    assert s.people["cs-li"].name == Name(text="Li Na") and s.people["cs-li"].role == Name(text="")
    assert s.categories["bed"] == Name(by_lang={"zh": "组合床"})


def test_the_currency_defaults_to_cny(records):
    assert settings_of(records).currency == "CNY"


def test_one_language_per_document_and_ids_where_a_name_is_missing(records):
    records.write("aftersales.yaml", SETTINGS + NAMES)
    s = settings_of(records)
    zh, en = Names("zh", s), Names("en", s)
    assert (zh("person", "eng-zhang"), en("person", "eng-zhang")) == ("张伟", "Zhang Wei")
    assert (zh("role", "eng-zhang"), en("role", "eng-zhang")) == ("售后工程师", "Service engineer")
    assert (zh("person", "cs-li"), en("person", "cs-li")) == ("Li Na", "Li Na")   # plain, no Chinese: both
    assert (zh("person", "cs-wu"), en("person", "cs-wu")) == ("吴芳", "cs-wu")    # plain Chinese: not in English
    assert (zh("asset-category", "bed"), en("asset-category", "bed")) == ("组合床", "bed")  # never the zh name
    assert (zh("unit", "pcs"), en("unit", "pcs")) == ("件", "pcs")
    assert zh("person", "eng-nobody") == "eng-nobody"
    # The fixture's areas are plain Chinese text: the Chinese document shows it, the English one the id.
    assert (zh("area", "lobby"), en("area", "lobby")) == ("门厅", "lobby")
    assert (zh("area", "unknown"), en("area", "unknown")) == ("未指定区域", "no area given")


def test_target_names_and_groups(records):
    text = SETTINGS.replace("warranty:\n", """\
  names:
    response: {en: Response, zh: 响应}
  groups:
    - {id: first, name: {en: The first hours, zh: 最初几小时}, targets: [response]}
warranty:
""")
    records.write("aftersales.yaml", text)
    expect(records.run(), code=0)
    s = settings_of(records)
    assert [(g.id, g.targets) for g in s.target_groups] == [("first", ("response",))]
    assert Names("zh", s)("target-group", "first") == "最初几小时"
    assert Names("en", s)("target", "response") == "Response"


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_names_and_groups_must_name_targets_that_exist(records):
    text = SETTINGS.replace("warranty:\n", """\
  names:
    respnse: {en: Response}
  groups:
    - {id: first, name: First, targets: [response, on-site]}
    - {id: again, name: Again, targets: [response]}
    - {id: first, name: Twice, targets: [return-inspection]}
warranty:
""")
    records.write("aftersales.yaml", text)
    sla, first, again, twice = (line_of(text, n) for n in ("sla:", "id: first, name: First", "id: again",
                                                             "name: Twice"))
    # An unknown target is a warning (a target taken out of the settings may keep its name and group);
    # a target in two groups and a group id used twice are errors.
    expect(records.run(),
           f"aftersales.yaml:{sla}:1: warning[unknown-target]: sla.names.respnse: no target 'respnse' "
           "(did you mean 'response'?)",
           f"aftersales.yaml:{first}:1: warning[unknown-target]: sla.groups (first).targets: no target 'on-site'",
           f"aftersales.yaml:{again}:1: error[duplicate]: sla.groups (again).targets: 'response' is already in "
           "group 'first'",
           f"aftersales.yaml:{twice}:1: error[duplicate-id]: sla.groups: group id 'first' is used twice")


@pytest.mark.parametrize(("added", "message"), [
    ("categories:\n  bed: {}\n", "error[empty]: categories.bed: give the name in en or zh"),
    ("categories:\n  bed: {fr: lit}\n", "error[unknown-key]: categories.bed.fr: unknown key"),
    ("units:\n  pcs: 3\n", "error[type]: units.pcs: expected text, got 3"),
    ("people:\n  eng-zhang: {role: 工程师}\n", "error[required]: people.eng-zhang.name: required key is missing"),
])
def test_bad_names_are_located_errors(records, added, message):
    records.write("aftersales.yaml", SETTINGS + added)
    result = records.run()
    assert result.exit_code == 1
    assert f"aftersales.yaml:{FIRST + 1}:" in result.stdout.splitlines()[0]
    assert message in result.stdout.splitlines()[0], result.stdout


def test_a_currency_is_an_iso_code(records):
    records.edit("aftersales.yaml", "  timezone:", "  currency: rmb\n  timezone:")
    result = records.run()
    assert "error[format]: project.currency: 'rmb' is not an ISO 4217 currency code like CNY" in result.stdout


def test_the_json_schema_knows_the_names(tmp_path):
    assert run("schema", "-o", str(tmp_path)).exit_code == 0
    schema = json.loads((tmp_path / "settings.schema.json").read_text(encoding="utf-8"))
    props = schema["properties"]
    assert {"people", "categories", "units"} <= set(props)
    assert {"names", "groups"} <= set(props["sla"]["properties"])
    assert props["project"]["properties"]["currency"]["pattern"] == "^[A-Z]{3}$"
    by_lang = props["categories"]["additionalProperties"]["oneOf"][1]
    assert by_lang["minProperties"] == 1 and set(by_lang["properties"]) == {"en", "zh"}
