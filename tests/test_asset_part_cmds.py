"""`asset new / list`, `parts new / receive / count`, and "did you mean" for mistyped ids."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from conftest import Records, run

from aftersales.core import ids
from aftersales.core.errors import UsageError


def cmd(records: Records, *args: str):
    return run(*args, "--records", str(records.root))


def text(records: Records, rel: str) -> str:
    return (records.root / rel).read_text(encoding="utf-8")


# --- asset new ----------------------------------------------------------------------------------

def test_asset_new_writes_the_asset_in_the_records_order(records):
    result = cmd(records, "asset", "new", "DESK-9", "--name", "教师办公桌", "--category", "desk", "--area", "办公室",
                 "--quantity", "12", "--installed", "2025-08-20", "--warranty-years", "3", "--location", "二楼")
    assert (result.exit_code, result.stdout) == (0, "created assets/DESK-9.yaml\n")
    assert text(records, "assets/DESK-9.yaml") == (
        "id: DESK-9\nname: 教师办公桌\ncategory: desk\narea: office\nlocation: 二楼\nquantity: 12\n"
        "installed: 2025-08-20\nwarranty:\n  years: 3\n")
    assert records.run().exit_code == 0


@pytest.mark.parametrize(("args", "code", "message"), [
    (["CHAIR-1", "--area", "lobby"], 1,
     "Error: refused, nothing was written: asset CHAIR-1 already exists (assets/CHAIR-1.yaml); change it in the "
     "file, or with `aftersales asset import`\n"),
    (["chair-1", "--area", "lobby"], 1,
     "Error: refused, nothing was written: asset chair-1 differs only in case from CHAIR-1\n"),
    (["X-1", "--area", "Lobby"], 2, "Error: --area: unknown area 'Lobby' (did you mean 'lobby'?)\n"),
    (["X-1", "--area", "lobby", "--installed", "2025-13-01"], 2,
     "Error: '2025-13-01' is not a date: write it like 2026-03-14\n"),
    (["X 1", "--area", "lobby"], 1,
     "Error: refused, nothing was written: id: 'X 1' is not an id (letters, digits and '-', starting with a "
     "letter)\n"),
    (["X-1", "--area", "lobby", "--quantity", "0"], 1,
     "Error: refused, nothing was written: quantity: 0 is out of range; expected a whole number from 1\n"),
])
def test_asset_new_refuses_cleanly(records, args, code, message):
    before = sorted(p.name for p in (records.root / "assets").iterdir())
    result = cmd(records, "asset", "new", *args, "--name", "椅", "--category", "chair")
    assert (result.exit_code, result.stderr) == (code, message)
    assert sorted(p.name for p in (records.root / "assets").iterdir()) == before
    assert text(records, "assets/CHAIR-1.yaml").startswith("id: CHAIR-1\nname: 报告厅剧院椅\n")


def test_asset_new_needs_name_category_and_area(records):
    result = cmd(records, "asset", "new", "X-1", "--name", "椅")
    assert result.exit_code == 2 and "Missing option '--category'" in result.stderr


# --- asset list ---------------------------------------------------------------------------------

@pytest.fixture
def fleet(records: Records) -> Records:
    records.write("assets/DESK-1.yaml", "id: DESK-1\nname: 教师办公桌\ncategory: desk\narea: office\nquantity: 12\n"
                  "installed: 2021-05-10\n")
    records.write("assets/SOFA-1.yaml", "id: SOFA-1\nname: 等候区沙发\ncategory: sofa\narea: lobby\n"
                  "installed: 2021-12-01\n")
    records.write("assets/SOFA-2.yaml", "id: SOFA-2\nname: 等候区沙发\ncategory: sofa\narea: lobby\n")
    return records


def test_asset_list_table_and_filters(fleet):
    # as of 2026-11-23: DESK-1 ended 2026-05-10, SOFA-1 ends 2026-12-01 (8 days), CHAIR-1 2030-08-20
    listing = cmd(fleet, "asset", "list", "--at", "2026-11-23")
    assert listing.stdout == (
        "asset    name          category       area      qty  warranty\n"
        "-------  ------------  -------------  ------  -----  -----------\n"
        "CHAIR-1  报告厅剧院椅  theater-chair  lobby       1  2030-08-20\n"
        "DESK-1   教师办公桌    desk           office     12  2026-05-10!\n"
        "SOFA-1   等候区沙发    sofa           lobby       1  2026-12-01\n"
        "SOFA-2   等候区沙发    sofa           lobby       1\n")
    expiring = cmd(fleet, "asset", "list", "--at", "2026-11-23", "--warranty", "expiring", "--format", "json")
    assert json.loads(expiring.stdout) == [
        {"asset": "SOFA-1", "name": "等候区沙发", "category": "sofa", "area": "lobby", "location": None,
         "quantity": 1, "model": None, "installed": "2021-12-01", "warranty_end": "2026-12-01", "days_left": 8}]
    ended = cmd(fleet, "asset", "list", "--at", "2026-11-23", "--warranty", "ended", "--format", "csv")
    assert ended.stdout == ("asset,name,category,area,location,quantity,model,installed,warranty_end,days_left\n"
                            "DESK-1,教师办公桌,desk,office,,12,,2021-05-10,2026-05-10,-197\n")
    by_area = cmd(fleet, "asset", "list", "--area", "门厅", "--category", "sofa", "--format", "json")
    assert [a["asset"] for a in json.loads(by_area.stdout)] == ["SOFA-1", "SOFA-2"]
    assert cmd(fleet, "asset", "list", "--area", "office", "--category", "sofa").stdout == "no assets match\n"


def test_asset_list_names_the_closest_area_and_category(fleet):
    area = cmd(fleet, "asset", "list", "--area", "offce")
    assert (area.exit_code, area.stderr) == (2, "Error: --area: unknown area 'offce' (did you mean 'office'?)\n")
    category = cmd(fleet, "asset", "list", "--category", "sofas")
    assert (category.exit_code, category.stderr) == (
        2, "Error: --category: no asset has category 'sofas' (did you mean 'sofa'?) "
           "(categories: desk, sofa, theater-chair)\n")


# --- did you mean -------------------------------------------------------------------------------

def test_a_mistyped_id_names_the_closest_one(fleet):
    shown = cmd(fleet, "asset", "show", "SOFA-3")
    assert (shown.exit_code, shown.stderr) == (2, "Error: no asset 'SOFA-3' (did you mean 'SOFA-2'?)\n")
    far = cmd(fleet, "asset", "show", "NOPE")
    assert far.stderr == "Error: no asset 'NOPE'\n"
    with pytest.raises(UsageError, match=r"^no asset 'AUD-CHAIR-Z' \(did you mean 'AUD-CHAIR-A'\?\)$"):
        ids.resolve("AUD-CHAIR-Z", ["AUD-CHAIR-A", "AUD-DESK-1"], "asset")


# --- parts --------------------------------------------------------------------------------------

def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_parts_new_receive_and_count_each_add_one_line(records):
    new = cmd(records, "parts", "new", "SPONGE-30", "--name", "座椅海绵", "--unit", "块", "--min", "5")
    assert (new.exit_code, new.stdout) == (0, "created parts/SPONGE-30.yaml\n")
    assert text(records, "parts/SPONGE-30.yaml") == "id: SPONGE-30\nname: 座椅海绵\nunit: 块\nmin: 5\n"
    got = cmd(records, "parts", "receive", "SPONGE", "20", "--date", "2026-01-05", "--note", "首批")
    assert (got.exit_code, got.stdout) == (0, "SPONGE-30: received 20 块 on 2026-01-05 (parts/SPONGE-30.yaml)\n")
    counted = cmd(records, "parts", "count", "SPONGE-30", "17.5", "--date", "2026-03-31")
    assert counted.stdout == "SPONGE-30: counted 17.5 块 on 2026-03-31 (parts/SPONGE-30.yaml)\n"
    now = cmd(records, "parts", "receive", "BOLT-M8", "100")
    assert now.stdout == f"BOLT-M8: received 100 pcs on {today().isoformat()} (parts/BOLT-M8.yaml)\n"
    assert text(records, "parts/SPONGE-30.yaml") == (
        "id: SPONGE-30\nname: 座椅海绵\nunit: 块\nmin: 5\nmovements:\n  - {date: 2026-01-05, in: 20, note: 首批}\n"
        "  - {date: 2026-03-31, count: 17.5}\n")
    assert text(records, "parts/BOLT-M8.yaml").endswith(
        f"  - {{date: 2026-01-05, in: 200}}\n  - {{date: {today().isoformat()}, in: 100}}\n")
    stock = cmd(records, "parts", "--at", "2026-04-01", "--format", "json")
    assert [(p["part"], p["stock"], p["low"]) for p in json.loads(stock.stdout)] == [
        ("BOLT-M8", 200, False), ("SPONGE-30", 17.5, False)]


def test_parts_takes_its_records_folder_before_or_after_the_command(records):
    before = run("parts", "--records", str(records.root), "receive", "BOLT-M8", "1", "--date", "2026-02-01")
    assert before.exit_code == 0, before.output
    assert text(records, "parts/BOLT-M8.yaml").endswith("  - {date: 2026-02-01, in: 1}\n")


@pytest.mark.parametrize(("args", "code", "message"), [
    (["receive", "BOLT-M9", "5"], 2, "Error: no part 'BOLT-M9' (did you mean 'BOLT-M8'?)\n"),
    (["receive", "BOLT-M8", "0"], 2, None),
    (["count", "BOLT-M8", "-1"], 2, None),
    (["receive", "BOLT-M8", "5", "--date", "2099-01-01"], 2, None),
    (["receive", "BOLT-M8", "5", "--note", " "], 2, "Error: --note must not be empty\n"),
    (["new", "BOLT-M8", "--name", "螺栓"], 1,
     "Error: refused, nothing was written: part BOLT-M8 already exists (parts/BOLT-M8.yaml); add stock with "
     "`aftersales parts receive`\n"),
])
def test_parts_commands_refuse_cleanly(records, args, code, message):
    before = text(records, "parts/BOLT-M8.yaml")
    result = cmd(records, "parts", *args)
    assert result.exit_code == code, result.output
    if message is not None:
        assert result.stderr == message
    assert text(records, "parts/BOLT-M8.yaml") == before


def test_a_future_date_is_refused_with_today_named(records):
    result = cmd(records, "parts", "receive", "BOLT-M8", "5", "--date", "2099-01-01")
    assert result.stderr == (f"Error: --date 2099-01-01 is in the future (today is {today().isoformat()}): "
                             "record stock once it has moved\n")


def test_a_part_file_that_does_not_validate_is_left_untouched(records):
    records.write("parts/BOLT-M8.yaml", "id: BOLT-M8\nname: M8 连接螺栓\nmovements:\n  - {date: 2026-01-05, in: 200, "
                  "out: 3}\n")
    before = text(records, "parts/BOLT-M8.yaml")
    result = cmd(records, "parts", "receive", "BOLT-M8", "5", "--date", "2026-02-01")
    assert (result.exit_code, result.stderr) == (1, (
        "Error: refused, nothing was written: parts/BOLT-M8.yaml does not validate (1 error); fix it first:\n"
        "  parts/BOLT-M8.yaml:4:1: error[movement]: a movement has exactly one of `in`, `out` or `count` "
        "(it has in, out)\n"
        "run `aftersales validate` for the full list\n"))
    assert text(records, "parts/BOLT-M8.yaml") == before


def test_a_flow_list_of_movements_is_refused_with_the_way_out(records):
    records.write("parts/BOLT-M8.yaml", "id: BOLT-M8\nname: M8 连接螺栓\nmovements: [{date: 2026-01-05, in: 200}]\n")
    before = text(records, "parts/BOLT-M8.yaml")
    result = cmd(records, "parts", "count", "BOLT-M8", "5", "--date", "2026-02-01")
    assert (result.exit_code, result.stderr) == (1, (
        "Error: refused, nothing was written: `movements` is written as a [flow, list]; write one item per line "
        "(`  - ...`) so items can be added (parts/BOLT-M8.yaml)\n"))
    assert text(records, "parts/BOLT-M8.yaml") == before


def test_mistyped_areas_targets_and_plans_name_the_closest_one(records):
    sla = run("sla", "--records", str(records.root), "--area", "lobi", "--target", "response")
    assert sla.stderr == "Error: no area 'lobi'; areas are lobby, office (did you mean 'lobby'?)\n"
    target = run("sla", "--records", str(records.root), "--target", "respons")
    assert target.stderr == ("Error: no target 'respons'; targets are response, return-inspection "
                             "(did you mean 'response'?)\n")
    plan = run("inspection", "new", "--records", str(records.root), "--plan", "quartely", "--inspector", "eng-zhang",
               "--date", "2026-03-27")
    assert plan.stderr == "Error: no maintenance plan 'quartely' (plans: quarterly) (did you mean 'quarterly'?)\n"
