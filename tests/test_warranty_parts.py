"""`aftersales warranty`, `aftersales asset show` and `aftersales parts` on a small folder, checked exactly.

The folder (settings of test_kpis: 5-year warranties, 3 repairs within 365 days make a replacement
candidate), as of 2026-11-23 unless said:

  W-TODAY installed 2021-11-23 -> warranty ends 2026-11-23, 0 days left (ends within 180 days)
  W-EXT   installed 2020-01-10, 5 + 2 extension years -> 2027-01-10: 7 + 31 + 10 = 48 days left
  W-300   installed 2022-09-20 -> 2027-09-20: 30+31+31+28+31+30+31+30+31+28 = 301 days left
  W-GONE  installed 2021-11-22 -> ended 2026-11-22 (-1)
  W-NONE  no install date
  CHAIR-1 / DESK-1 (2025-08-20) -> 2030-08-20: nothing to say
  W-EXT repairs reported 2025-12-01, 2026-03-01, 2026-11-20 (354 days apart, in warranty) -> candidate
  P-LOW  (min 5): in 10 on 07-01, 5 used on 08-01 -> 5 <= 5: low; used in 2026Q3: 5
  BOLT-M8 (pcs, no min): in 200 on 01-05, nothing used -> 200
  ROD-M8 (m, no min): in 200 on 01-05, 2.5 used on 08-01 -> 197.5; used in 2026Q3: 2.5
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import SHANGHAI, Records, event, run
from test_kpis import SETTINGS, product

from aftersales.engine.parts import usage_from

AT = "2026-11-23"


@pytest.fixture
def folder(records: Records) -> Records:
    records.write("aftersales.yaml", SETTINGS)
    product(records, "DESK-1", area="office", category="desk")
    product(records, "W-TODAY", installed="2021-11-23")
    product(records, "W-EXT", installed="2020-01-10", warranty="{extensions: [{years: 2, fee: 100}]}")
    product(records, "W-300", installed="2022-09-20")
    product(records, "W-GONE", installed="2021-11-22")
    product(records, "W-NONE", installed=None)
    for n, day in enumerate(("2025-12-01", "2026-03-01", "2026-11-20")):   # `asset show W-EXT` lists them
        records.ticket(f"T-CAND{n}", event(f"{day} 09:00", "reported"), event(f"{day} 18:00", "resolved"),
                       asset="W-EXT", summary="测试")
    records.part("P-LOW", "{date: 2026-07-01, in: 10}", name="备件 P-LOW", min=5)
    records.part("ROD-M8", "{date: 2026-01-05, in: 200}", name="M8 螺杆", unit="m")   # sold by the metre
    records.ticket("T-U", event("08-01 09:00", "reported"),
                   event("08-01 10:00", "resolved", parts="[{part: P-LOW, qty: 5}, {part: ROD-M8, qty: 2.5}]"),
                   asset="W-TODAY")
    return records


def cmd(folder: Records, *args: str, at: str = AT):
    return run(*args, "--records", str(folder.root), "--at", at)


def ok(folder: Records, *args: str, at: str = AT) -> str:
    result = cmd(folder, *args, at=at)
    assert result.exit_code == 0, result.output
    return result.stdout


# --- warranty ---------------------------------------------------------------------------------

def test_warranty_table(folder):
    assert ok(folder, "warranty") == (
        "Ending within 180 days: 2\n"
        "asset    name          area    ends        days\n"
        "-------  ------------  ------  ----------  ------\n"
        "W-TODAY  产品 W-TODAY  lobby   2026-11-23  0\n"
        "W-EXT    产品 W-EXT    lobby   2027-01-10  48\n"
        "\n"
        "Ended: 1\n"
        "asset    name         area    ends        days\n"
        "-------  -----------  ------  ----------  ------\n"
        "W-GONE   产品 W-GONE  lobby   2026-11-22  -1\n"
        "\n"
        "Without an install date: W-NONE\n"
        "Replacement candidates: W-EXT (3 repairs)\n")


def test_warranty_json(folder):
    def row(aid: str, end: str, days: int) -> dict[str, object]:
        return {"asset": aid, "name": f"产品 {aid}", "area": "lobby", "end": end, "days_left": days}

    assert json.loads(ok(folder, "warranty", "--format", "json")) == {
        "as_of": "2026-11-23", "within_days": 180,
        "expiring": [row("W-TODAY", "2026-11-23", 0), row("W-EXT", "2027-01-10", 48)],
        "expired": [row("W-GONE", "2026-11-22", -1)],
        "missing_installed": ["W-NONE"],
        "replacement_candidates": [{"asset": "W-EXT", "repairs": ["T-CAND0", "T-CAND1", "T-CAND2"]}],
    }


def test_warranty_within_365_days(folder):
    data = json.loads(ok(folder, "warranty", "--within", "365d", "--format", "json"))
    assert data["within_days"] == 365
    assert [(r["asset"], r["days_left"]) for r in data["expiring"]] == [("W-TODAY", 0), ("W-EXT", 48), ("W-300", 301)]
    assert ok(folder, "warranty", "--within", "365d").startswith("Ending within 365 days: 3\n")


def test_warranty_as_of_an_earlier_day(folder):
    # 2026-11-19: W-TODAY has 4 days left, W-GONE 3 (neither ended); the third repair is not reported yet
    data = json.loads(ok(folder, "warranty", "--format", "json", at="2026-11-19"))
    assert [(r["asset"], r["days_left"]) for r in data["expiring"]] == [
        ("W-GONE", 3), ("W-TODAY", 4), ("W-EXT", 52)]
    assert (data["expired"], data["replacement_candidates"]) == ([], [])


@pytest.mark.parametrize("within", ["2h", "30m", "abc", "180x"])
def test_warranty_within_must_be_days(folder, within):
    result = cmd(folder, "warranty", "--within", within)
    assert result.exit_code == 2, result.output
    assert "--within" in result.stderr and result.stdout == ""


def test_warranty_refuses_records_that_do_not_validate(folder):
    folder.write("assets/W-BAD.yaml", "id: W-BAD\nname: x\ncategory: chair\narea: nowhere\n")
    result = cmd(folder, "warranty")
    assert result.exit_code == 1
    assert "do not validate" in result.stderr and "assets/W-BAD.yaml" in result.stderr


# --- asset show ----------------------------------------------------------------------------------

def test_asset_show_warranty_end_and_ticket_history(folder):
    assert ok(folder, "asset", "show", "W-EXT") == (
        "W-EXT  产品 W-EXT\n"
        "  category   chair\n"
        "  area       lobby (门厅)\n"
        "  quantity   1\n"
        "  installed  2020-01-10\n"
        "  warranty   until 2027-01-10 (7 years, 2 by extension; 48 days left)\n"
        "\n"
        "Tickets (3)\n"
        "ticket    reported    kind    status    summary\n"
        "--------  ----------  ------  --------  ---------\n"
        "T-CAND0   2025-12-01  repair  resolved  测试\n"
        "T-CAND1   2026-03-01  repair  resolved  测试\n"
        "T-CAND2   2026-11-20  repair  resolved  测试\n")


def test_asset_show_as_of_an_instant(folder):
    # 2026-11-20 12:00: the third repair is reported (09:00) but not yet resolved (18:00); 51 days left
    out = ok(folder, "asset", "show", "W-EXT", at="2026-11-20 12:00")
    assert "  warranty   until 2027-01-10 (7 years, 2 by extension; 51 days left)\n" in out
    assert "Tickets (3, 1 open)\n" in out and "T-CAND2   2026-11-20  repair  open      测试\n" in out
    assert "Tickets (2)\n" in ok(folder, "asset", "show", "W-EXT", at="2026-11-19")


def test_asset_show_lists_the_latest_tickets_and_every_open_one(folder):
    # 2026-11-20 12:00: T-CAND2 is open; T-CAND0 and T-CAND1 are resolved
    out = ok(folder, "asset", "show", "W-EXT", "--last", "1", at="2026-11-20 12:00")
    assert "Tickets (3, 1 open)\nListed: the 1 latest; 2 more not listed (--all lists every one).\n" in out
    assert "T-CAND2" in out and "T-CAND0" not in out and "T-CAND1" not in out
    # only the open one
    out = ok(folder, "asset", "show", "W-EXT", "--last", "0", at="2026-11-20 12:00")
    assert "Listed: the 1 open one; 2 more not listed (--all lists every one).\n" in out and "T-CAND2" in out
    out = ok(folder, "asset", "show", "W-EXT", "--last", "0")   # nothing open: nothing listed
    assert out.endswith("Tickets (3)\nListed: none (no open ones); 3 more not listed (--all lists every one).\n")
    # the latest one, and the open one before it (T-CAND1 reopened on 2026-11-21)
    folder.ticket("T-CAND1", event("2026-03-01 09:00", "reported"), event("2026-03-01 18:00", "resolved"),
                  event("2026-11-21 09:00", "reopened"), asset="W-EXT", summary="测试")
    folder.ticket("T-CAND3", event("2026-11-22 09:00", "reported"), asset="W-EXT", summary="测试")
    out = ok(folder, "asset", "show", "W-EXT", "--last", "1")
    assert "Tickets (4, 2 open)\nListed: the 1 latest and the 1 open one before them; 2 more not listed" in out
    rows = [line.split()[0] for line in out.splitlines() if line.startswith("T-")]
    assert rows == ["T-CAND1", "T-CAND3"]       # in the order they were reported
    # --all, and a --last that covers them all, list every one with no note
    for args in (("--all",), ("--last", "4")):
        out = ok(folder, "asset", "show", "W-EXT", *args)
        assert "Listed:" not in out
        assert [line.split()[0] for line in out.splitlines() if line.startswith("T-")] == [
            "T-CAND0", "T-CAND1", "T-CAND2", "T-CAND3"]
    assert "Invalid value for '--last'" in cmd(folder, "asset", "show", "W-EXT", "--last", "-1").stderr
    both = cmd(folder, "asset", "show", "W-EXT", "--last", "1", "--all")   # which one? said, not guessed
    assert both.exit_code == 2 and "--last and --all do not go together (--all lists every ticket)" in both.stderr
    assert "Traceback" not in both.output


def test_asset_show_as_json(folder):
    assert json.loads(ok(folder, "asset", "show", "W-EXT", "--last", "2", "--format", "json")) == {
        "asset": {"id": "W-EXT", "name": "产品 W-EXT", "category": "chair", "area": "lobby", "location": None,
                  "quantity": 1, "model": None, "installed": "2020-01-10"},
        "as_of": "2026-11-23T00:00:00+08:00",
        "warranty": {"end": "2027-01-10", "years": 7, "extension_years": 2, "days_left": 48},
        "tickets": {"count": 3, "open": 0, "not_listed": 1, "listed": [
            {"id": "T-CAND1", "reported": "2026-03-01T09:00:00+08:00", "kind": "repair", "status": "resolved",
             "summary": "测试"},
            {"id": "T-CAND2", "reported": "2026-11-20T09:00:00+08:00", "kind": "repair", "status": "resolved",
             "summary": "测试"}]},
    }
    everything = json.loads(ok(folder, "asset", "show", "W-EXT", "--all", "--format", "json"))["tickets"]
    assert [t["id"] for t in everything["listed"]] == ["T-CAND0", "T-CAND1", "T-CAND2"]
    assert everything["not_listed"] == 0


def test_asset_show_an_ended_and_an_unknown_warranty(folder):
    out = ok(folder, "asset", "show", "W-G")    # a unique prefix
    assert out.startswith("W-GONE  产品 W-GONE\n")
    assert "  warranty   until 2026-11-22 (5 years; ended)\n" in out and out.endswith("Tickets (0)\n")
    assert "  warranty   unknown (no install date)\n" in ok(folder, "asset", "show", "W-NONE")
    # the last day of the warranty still counts as covered
    assert "  warranty   until 2026-11-23 (5 years; 0 days left)\n" in ok(folder, "asset", "show", "W-TODAY")


@pytest.mark.parametrize(("given", "message"), [
    ("W-", "asset 'W-' is ambiguous: it could be W-300, W-EXT, W-GONE, W-NONE, W-TODAY"),
    ("NOPE", "no asset 'NOPE'"),
])
def test_asset_show_an_unknown_or_ambiguous_id(folder, given, message):
    result = cmd(folder, "asset", "show", given)
    assert result.exit_code == 2
    assert message in result.stderr


# --- parts ---------------------------------------------------------------------------------------

def test_parts_table(folder):
    assert ok(folder, "parts") == (
        "part     name         stock    min    low\n"
        "-------  -----------  -------  -----  -----\n"
        "BOLT-M8  M8 连接螺栓  200 pcs\n"
        "P-LOW    备件 P-LOW   5 pcs    5      LOW\n"
        "ROD-M8   M8 螺杆      197.5 m\n")


def test_parts_low_only(folder):
    assert ok(folder, "parts", "--low") == (
        "part    name        stock    min    low\n"
        "------  ----------  -------  -----  -----\n"
        "P-LOW   备件 P-LOW  5 pcs    5      LOW\n")
    # As of 07-31 nothing has been used: P-LOW holds 10 > 5
    assert ok(folder, "parts", "--low", at="2026-07-31") == "no parts\n"


def test_parts_usage_in_a_period(folder):
    assert ok(folder, "parts", "--period", "2026Q3") == (
        "part     name         stock    min    low    used\n"
        "-------  -----------  -------  -----  -----  ------\n"
        "BOLT-M8  M8 连接螺栓  200 pcs                0\n"
        "P-LOW    备件 P-LOW   5 pcs    5      LOW    5\n"
        "ROD-M8   M8 螺杆      197.5 m                2.5\n")
    used = {r["part"]: r["used"] for r in json.loads(ok(folder, "parts", "--period", "2026Q4", "--format", "json"))}
    assert used == {"BOLT-M8": 0, "P-LOW": 0, "ROD-M8": 0}
    # --from/--to include both days: 08-01 alone holds the usage, 08-02 onwards none
    one_day = json.loads(ok(folder, "parts", "--from", "2026-08-01", "--to", "2026-08-01", "--format", "json"))
    assert {r["part"]: r["used"] for r in one_day} == {"BOLT-M8": 0, "P-LOW": 5, "ROD-M8": 2.5}
    later = json.loads(ok(folder, "parts", "--from", "2026-08-02", "--format", "json"))
    assert {r["part"]: r["used"] for r in later} == {"BOLT-M8": 0, "P-LOW": 0, "ROD-M8": 0}


def test_parts_json(folder):
    assert json.loads(ok(folder, "parts", "--period", "2026Q3", "--format", "json")) == [
        {"part": "BOLT-M8", "name": "M8 连接螺栓", "unit": "pcs", "stock": 200, "min": None, "used": 0,
         "low": False},
        {"part": "P-LOW", "name": "备件 P-LOW", "unit": "pcs", "stock": 5, "min": 5, "used": 5, "low": True},
        {"part": "ROD-M8", "name": "M8 螺杆", "unit": "m", "stock": 197.5, "min": None, "used": 2.5, "low": False},
    ]
    # without a period there is no usage to report
    assert [r["used"] for r in json.loads(ok(folder, "parts", "--format", "json"))] == [None, None, None]


def test_parts_period_and_from_together_is_a_usage_error(folder):
    result = cmd(folder, "parts", "--period", "2026Q3", "--from", "2026-07-01")
    assert result.exit_code == 2
    assert "either --period or --from/--to" in result.stderr
    assert cmd(folder, "parts", "--period", "2026Q5").exit_code == 2


def test_warranty_within_takes_a_bare_number_of_days_too(folder):
    days, suffixed = cmd(folder, "warranty", "--within", "90"), cmd(folder, "warranty", "--within", "90d")
    assert days.exit_code == 0 and days.output == suffixed.output


def test_a_days_usage_does_not_depend_on_the_order_it_is_added_in():
    # 0.1 + 0.2 + 0.3 is 0.6000000000000001 added left to right and 0.6 right to left: the cache gives
    # uses in file order, a full pass in ticket order, and both must show the same stock.
    at = dt.datetime(2026, 3, 14, 10, tzinfo=SHANGHAI)
    uses = [("GLUE", at, 0.1), ("GLUE", at, 0.2), ("GLUE", at, 0.3)]
    forward = usage_from(uses, SHANGHAI)
    backward = usage_from(reversed(uses), SHANGHAI)
    assert forward == backward == {"GLUE": {dt.date(2026, 3, 14): 0.6}}
