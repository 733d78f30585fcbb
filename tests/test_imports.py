"""`asset import` and `parts import`: delivery lists in .xlsx and .csv, English and Chinese headers,
bad rows located at their cells, re-imports that change nothing, partial updates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import Records, run
from openpyxl import Workbook

from aftersales.edit.imports import ASSET_COLUMNS, PART_COLUMNS
from aftersales.edit.sheets import aliases, header_key

DORM = "  office: {name: 办公室, priority: normal}\n"


@pytest.fixture
def folder(records: Records, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Records:
    """The conftest records with a third area, dorm (学生宿舍); the sheets are written to the
    current folder, so messages name them as a person typed them."""
    records.edit("aftersales.yaml", DORM, DORM + "  dorm: {name: 学生宿舍, priority: normal}\n")
    monkeypatch.chdir(tmp_path)
    return records


def xlsx(name: str, rows: list[list[object]], sheet: str = "Sheet1", merges: tuple[str, ...] = (),
         others: dict[str, list[list[object]]] | None = None) -> str:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    for title, more in (others or {}).items():
        extra = book.create_sheet(title)
        for row in more:
            extra.append(row)
    book.save(name)
    return name


def files(records: Records) -> dict[str, bytes]:
    """Every record file's bytes (lock files aside)."""
    return {p.relative_to(records.root).as_posix(): p.read_bytes() for p in sorted(records.root.rglob("*"))
            if p.is_file() and ".aftersales" not in p.parts}


def asset_import(records: Records, *args: str):
    return run("asset", "import", *args, "--records", str(records.root))


def parts_import(records: Records, *args: str):
    return run("parts", "import", *args, "--records", str(records.root))


def text(records: Records, rel: str) -> str:
    return (records.root / rel).read_text(encoding="utf-8")


# A delivery list as suppliers send it: a title row, Chinese headers with units in brackets, a
# serial-number and a price column that are not asset fields, the area merged over two rows and
# given by its name, an Excel date, a date as Chinese text, full-width digits.
DELIVERY = [
    ["送货清单：某学校家具项目"],
    ["序号", "编号", "名称", "类别", "区域", "位置", "数量（张）", "安装日期", "质保年限", "单价"],
    [1, "AUD-CHAIR-A", "报告厅剧院椅 A 区", "theater-chair", "门厅", "1-12 排", 240, dt.date(2025, 8, 20), 5, 300],
    [2, "AUD-CHAIR-B", "报告厅剧院椅 B 区", "theater-chair", None, "13-20 排", "１６０", "2025年8月21日", None, 300],
    [3, "DORM-BED-1", "宿舍组合床", "bed", "dorm", None, "120", "2025/8/22", "3", 800],
]


def test_an_xlsx_delivery_list_with_chinese_headers_creates_the_assets(folder):
    xlsx("delivery.xlsx", DELIVERY, merges=("E3:E4",))
    result = asset_import(folder, "delivery.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stderr == ("delivery.xlsx:Sheet1!A2: warning: column '序号' is not an asset field; ignored\n"
                             "delivery.xlsx:Sheet1!J2: warning: column '单价' is not an asset field; ignored\n")
    assert result.stdout == (
        "  row  asset        action    what\n"
        "-----  -----------  --------  ----------------------------------------\n"
        "    3  AUD-CHAIR-A  created   报告厅剧院椅 A 区 (theater-chair, lobby)\n"
        "    4  AUD-CHAIR-B  created   报告厅剧院椅 B 区 (theater-chair, lobby)\n"
        "    5  DORM-BED-1   created   宿舍组合床 (bed, dorm)\n"
        "\n"
        "3 created, 0 changed, 0 unchanged\n")
    assert text(folder, "assets/AUD-CHAIR-A.yaml") == (
        "id: AUD-CHAIR-A\nname: 报告厅剧院椅 A 区\ncategory: theater-chair\narea: lobby\nlocation: 1-12 排\n"
        "quantity: 240\ninstalled: 2025-08-20\nwarranty:\n  years: 5\n")
    assert text(folder, "assets/AUD-CHAIR-B.yaml") == (
        "id: AUD-CHAIR-B\nname: 报告厅剧院椅 B 区\ncategory: theater-chair\narea: lobby\nlocation: 13-20 排\n"
        "quantity: 160\ninstalled: 2025-08-21\n")
    assert text(folder, "assets/DORM-BED-1.yaml") == (
        "id: DORM-BED-1\nname: 宿舍组合床\ncategory: bed\narea: dorm\nquantity: 120\ninstalled: 2025-08-22\n"
        "warranty:\n  years: 3\n")
    assert folder.run().stdout == "ok: 4 assets, 0 tickets, 0 inspections, 1 part, no problems\n"


def test_re_importing_the_same_file_changes_nothing(folder):
    xlsx("delivery.xlsx", DELIVERY, merges=("E3:E4",))
    assert asset_import(folder, "delivery.xlsx").exit_code == 0
    before = files(folder)
    again = asset_import(folder, "delivery.xlsx")
    assert (again.exit_code, again.stdout) == (0, "0 created, 0 changed, 3 unchanged\n")
    assert files(folder) == before


def test_a_csv_with_english_headers_and_a_byte_order_mark(folder):
    Path("assets.csv").write_bytes(
        "\ufeffID,Name,Category,Area,Quantity,Installed,Warranty Years\n"
        "DESK-1,办公桌,desk,office,12,2025-08-20,\n"
        "LOBBY-SOFA,\"等候区沙发, 三人位\",sofa,lobby,4,2025-08-20,5\n".encode())
    result = asset_import(folder, "assets.csv")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1] == "2 created, 0 changed, 0 unchanged"
    assert text(folder, "assets/LOBBY-SOFA.yaml") == (
        "id: LOBBY-SOFA\nname: \"等候区沙发, 三人位\"\ncategory: sofa\narea: lobby\nquantity: 4\n"
        "installed: 2025-08-20\nwarranty:\n  years: 5\n")


def test_a_csv_saved_by_a_chinese_excel_is_read_as_gb18030(folder):
    Path("assets.csv").write_bytes("编号,名称,类别,区域\nDESK-1,办公桌,desk,办公室\n".encode("gb18030"))
    result = asset_import(folder, "assets.csv")
    assert result.exit_code == 0, result.output
    assert text(folder, "assets/DESK-1.yaml") == "id: DESK-1\nname: 办公桌\ncategory: desk\narea: office\n"


def test_a_bad_row_is_located_at_its_cell_and_nothing_is_written(folder):
    rows = [["编号", "名称", "类别", "区域", "数量", "安装日期"]]
    rows += [[f"BED-{n}", "宿舍组合床", "bed", "dorm", 1, "2025-08-20"] for n in range(1, 16)]
    rows.append(["BED-16", "宿舍组合床", "bed", "Dorm", 1, "2025-08-20"])
    xlsx("delivery.xlsx", rows)
    before = files(folder)
    result = asset_import(folder, "delivery.xlsx")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: refused, nothing was written: 1 problem in delivery.xlsx:Sheet1:\n"
                             "  delivery.xlsx:Sheet1!D17: unknown area 'Dorm' (did you mean 'dorm'?)\n")
    assert files(folder) == before


def test_every_problem_of_every_row_is_reported_at_once(folder):
    Path("delivery.csv").write_text(
        "编号,名称,类别,区域,数量,安装日期,质保年限\n"
        "NEW-1,新桌,desk,office,十二,2025-13-01,5\n"          # not a number; not a date
        "NEW 2,新桌,desk,office,0,2025-08-20,60\n"             # not an id; quantity below 1; years above 50
        "NEW-3,,desk,Lobbby,1,,\n"                             # no name for a new asset; unknown area
        "CHAIR-1,,,Attic,,,\n"                                 # an existing asset: unknown area
        "NEW-3,新桌,desk,office,1,,\n"                         # the same id twice
        ",新桌,desk,office,1,,\n"                              # no id
        "chair-1,新桌,desk,office,1,,\n", encoding="utf-8")    # an existing id in another case
    before = files(folder)
    result = asset_import(folder, "delivery.csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: refused, nothing was written: 11 problems in delivery.csv:",
        "  delivery.csv:E2: 数量: expected a whole number, got '十二'",
        "  delivery.csv:F2: 安装日期: '2025-13-01' is not a date: write it like 2025-08-20, or use an Excel date",
        "  delivery.csv:A3: 编号: 'NEW 2' is not an id (letters, digits and '-', starting with a letter)",
        "  delivery.csv:E3: 数量: 0 is out of range; expected a whole number from 1",
        "  delivery.csv:G3: 质保年限: 60 is out of range; expected a whole number from 0 to 50",
        "  delivery.csv:B4: new asset NEW-3: 名称 (name) is missing (required)",
        "  delivery.csv:D4: unknown area 'Lobbby' (did you mean 'lobby'?)",
        "  delivery.csv:D5: unknown area 'Attic' (areas: lobby, office, dorm)",
        "  delivery.csv:A6: asset NEW-3 is also on row 4: one row per asset",
        "  delivery.csv:A7: 编号 (id) is empty: every row names an asset",
        "  delivery.csv:A8: asset 'chair-1' differs only in case from CHAIR-1: write the id as it is",
    ]
    assert files(folder) == before


def test_a_partial_update_changes_only_the_filled_cells_in_place(folder):
    folder.write("assets/CHAIR-1.yaml", "# 报告厅\nid: CHAIR-1\nname: 报告厅剧院椅   # 240 张\n"
                 "category: theater-chair\narea: lobby\ninstalled: 2025-08-20\nwarranty: {extensions: [{years: 1}]}\n")
    Path("update.csv").write_text("编号,名称,区域,数量,型号,质保年限\nCHAIR-1,,office,240,TC-300,5\n", encoding="utf-8")
    dry = asset_import(folder, "update.csv", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout == (
        "  row  asset    action    what\n"
        "-----  -------  --------  --------------------------------------------\n"
        "    2  CHAIR-1  changed   area: lobby → office; quantity: 1 → 240; mo…\n"
        "\n"
        "dry run: 0 created, 1 changed, 0 unchanged (nothing was written)\n")
    assert "quantity" not in text(folder, "assets/CHAIR-1.yaml")
    result = asset_import(folder, "update.csv", "--format", "json")
    assert json.loads(result.stdout) == {
        "source": "update.csv", "dry_run": False, "created": 0, "changed": 1, "unchanged": 0,
        "rows": [{"row": 2, "where": "update.csv:2", "asset": "CHAIR-1", "action": "changed",
                  "changes": {"area": {"before": "lobby", "after": "office"},
                              "quantity": {"before": 1, "after": 240},
                              "model": {"before": None, "after": "TC-300"},
                              "warranty.years": {"before": None, "after": 5}},
                  "movements": []}],
        "warnings": []}
    # the name cell was empty: the name, its comment and every other byte stay
    assert text(folder, "assets/CHAIR-1.yaml") == (
        "# 报告厅\nid: CHAIR-1\nname: 报告厅剧院椅   # 240 张\ncategory: theater-chair\narea: office\n"
        "quantity: 240\nmodel: TC-300\ninstalled: 2025-08-20\nwarranty: {years: 5, extensions: [{years: 1}]}\n")
    assert folder.run().exit_code == 0


def test_warranty_years_go_into_an_existing_block_mapping(folder):
    folder.write("assets/CHAIR-1.yaml", "id: CHAIR-1\nname: 椅\ncategory: chair\narea: lobby\nwarranty:\n"
                 "  extensions:\n    - {years: 1}\n")
    Path("w.csv").write_text("id,warranty.years\nCHAIR-1,6\n", encoding="utf-8")
    assert asset_import(folder, "w.csv").exit_code == 0
    assert text(folder, "assets/CHAIR-1.yaml").endswith("warranty:\n  years: 6\n  extensions:\n    - {years: 1}\n")
    Path("w.csv").write_text("id,warranty.years\nCHAIR-1,7\n", encoding="utf-8")
    assert asset_import(folder, "w.csv").exit_code == 0
    assert text(folder, "assets/CHAIR-1.yaml").endswith("warranty:\n  years: 7\n  extensions:\n    - {years: 1}\n")


def test_an_asset_file_that_does_not_validate_stops_the_whole_import(folder):
    folder.write("assets/DESK-1.yaml", "id: DESK-1\nname: [broken\n")
    Path("w.csv").write_text("id,quantity\nCHAIR-1,2\nDESK-1,3\n", encoding="utf-8")
    before = files(folder)
    result = asset_import(folder, "w.csv")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: refused, nothing was written: 1 problem in w.csv:\n"
        "  w.csv:3: assets/DESK-1.yaml does not validate, fix it first: assets/DESK-1.yaml:3:1: "
        "error[yaml-syntax]: invalid YAML: did not find expected ',' or ']'\n")
    assert files(folder) == before


def test_the_header_row_and_the_sheet_are_found_or_named(folder):
    xlsx("book.xlsx", [["清单"], ["编号", "名称", "类别", "区域", "安装日其"],
                       ["X-1", "椅", "chair", "lobby", "2025-08-20"]],
         sheet="家具", others={"备件": [["备注"], ["送货单号 20250820-01"]]})
    typo = asset_import(folder, "book.xlsx")
    assert typo.exit_code == 1
    assert typo.stderr == ("Error: refused, nothing was written: 1 problem in book.xlsx:家具:\n"
                           "  book.xlsx:家具!E2: unknown column '安装日其' (did you mean '安装日期'?)\n")
    unknown = asset_import(folder, "book.xlsx", "--sheet", "家具表")
    assert (unknown.exit_code, unknown.stderr) == (
        2, "Error: book.xlsx has no sheet '家具表' (sheets: 家具, 备件) (did you mean '家具'?)\n")
    none = asset_import(folder, "book.xlsx", "--sheet", "备件")
    assert none.exit_code == 2
    assert none.stderr.startswith("Error: book.xlsx:备件: no header row in the first 20 rows")
    old = Path("old.xls")
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert asset_import(folder, "old.xls").stderr == (
        "Error: old.xls: save it as .xlsx (Excel workbook) or .csv first; .xls files are not read\n")
    Path("fake.xlsx").write_text("not a zip")
    fake = asset_import(folder, "fake.xlsx")
    assert fake.exit_code == 1 and fake.stderr.startswith("Error: cannot read fake.xlsx: it is not an Excel .xlsx")
    assert asset_import(folder, "missing.csv").stderr == "Error: missing.csv: no such file\n"


def test_an_xlsx_with_english_headers_serial_dates_and_numbers_in_text_columns(folder):
    # a date column whose format was cleared shows the serial number; a model number typed as 300
    xlsx("d.xlsx", [["ID", "Name", "Category", "Area", "Model", "Installed"],
                    ["X-1", "椅", "chair", "lobby", 300, 45889]])
    assert asset_import(folder, "d.xlsx").exit_code == 0
    assert text(folder, "assets/X-1.yaml") == (
        "id: X-1\nname: 椅\ncategory: chair\narea: lobby\nmodel: \"300\"\ninstalled: 2025-08-20\n")


def test_every_header_names_one_column():
    """The one table of aliases (from the field spec) never gives one header two meanings."""
    for cols in (ASSET_COLUMNS, PART_COLUMNS):
        table = aliases(cols)
        assert len(table) == sum(len({header_key(h) for h in c.headers}) for c in cols)
    assert [c.name for c in ASSET_COLUMNS] == ["id", "name", "category", "area", "location", "quantity", "model",
                                               "installed", "warranty.years"]
    assert aliases(ASSET_COLUMNS)[header_key("质保年限（年）")].name == "warranty.years"


# --- parts --------------------------------------------------------------------------------------

PARTS = [
    ["备件编号", "名称", "单位", "最低库存", "日期", "入库数量", "盘点数量", "备注"],
    ["BOLT-M8", "M8 连接螺栓", "pcs", None, "2026-03-02", 100, None, "补货"],
    ["SPONGE-30", "座椅海绵", "块", 5, dt.date(2026, 1, 5), "２０", None, None],
    ["SPONGE-30", None, None, None, "2026-03-31", None, 18, "季度盘点"],
]


def test_parts_import_creates_parts_and_adds_movements(folder):
    xlsx("stock.xlsx", PARTS, sheet="备件")
    result = parts_import(folder, "stock.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "  row  part       action    what\n"
        "-----  ---------  --------  --------------------------------------\n"
        "    2  BOLT-M8    changed   received 100 pcs on 2026-03-02\n"
        "    3  SPONGE-30  created   座椅海绵; received 20 块 on 2026-01-05\n"
        "    4  SPONGE-30  created   counted 18 块 on 2026-03-31\n"
        "\n"
        "1 created, 1 changed, 0 unchanged\n")
    assert text(folder, "parts/BOLT-M8.yaml") == (
        "id: BOLT-M8\nname: M8 连接螺栓\nmovements:\n  - {date: 2026-01-05, in: 200}\n"
        "  - {date: 2026-03-02, in: 100, note: 补货}\n")
    assert text(folder, "parts/SPONGE-30.yaml") == (
        "id: SPONGE-30\nname: 座椅海绵\nunit: 块\nmin: 5\nmovements:\n  - {date: 2026-01-05, in: 20}\n"
        "  - {date: 2026-03-31, count: 18, note: 季度盘点}\n")
    before = files(folder)
    again = parts_import(folder, "stock.xlsx")
    assert (again.exit_code, again.stdout) == (0, "0 created, 0 changed, 2 unchanged\n")
    assert files(folder) == before


def test_parts_import_only_adds_to_an_existing_part(folder):
    Path("p.csv").write_text("id,name,unit,min,date,in\nBOLT-M8,M8 螺栓,kg,50,,10\n", encoding="utf-8")
    before = files(folder)
    result = parts_import(folder, "p.csv")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: refused, nothing was written: 3 problems in p.csv:\n"
        "  p.csv:B2: part BOLT-M8: 名称 (name) 'M8 螺栓' differs from 'M8 连接螺栓' in parts/BOLT-M8.yaml; an import "
        "does not change a part's name: edit the file, or correct the sheet\n"
        "  p.csv:C2: part BOLT-M8: 单位 (unit) 'kg' differs from 'pcs' in parts/BOLT-M8.yaml; an import does not "
        "change a part's unit: edit the file, or correct the sheet\n"
        "  p.csv:E2: 日期 (date) is missing: a movement needs its date (or give --date for rows without one)\n")
    assert files(folder) == before
    Path("p.csv").write_text("id,min,in\nBOLT-M8,50,10\n", encoding="utf-8")
    dated = parts_import(folder, "p.csv", "--date", "2026-03-02")
    assert dated.exit_code == 0, dated.output
    assert text(folder, "parts/BOLT-M8.yaml") == (
        "id: BOLT-M8\nname: M8 连接螺栓\nmin: 50\nmovements:\n  - {date: 2026-01-05, in: 200}\n"
        "  - {date: 2026-03-02, in: 10}\n")
    Path("p.csv").write_text("id,min,in\nBOLT-M8,60,10\n", encoding="utf-8")
    kept = parts_import(folder, "p.csv", "--date", "2026-03-02")
    assert (kept.exit_code, kept.stdout) == (0, "0 created, 0 changed, 1 unchanged\n")
    assert kept.stderr == ("p.csv:B2: warning: part BOLT-M8: 最低库存 (min) 60 differs from 50 in "
                           "parts/BOLT-M8.yaml; not changed (edit the file to change it)\n")


def test_parts_import_rows_hold_one_movement_of_a_positive_quantity(folder):
    Path("p.csv").write_text("id,name,date,in,count\nNEW-1,新件,2026-03-02,5,5\nNEW-2,新件,2026-03-02,0,\n"
                             "NEW-3,,2026-03-02,1,\n", encoding="utf-8")
    result = parts_import(folder, "p.csv")
    assert result.stderr == (
        "Error: refused, nothing was written: 3 problems in p.csv:\n"
        "  p.csv:E2: a row holds one movement: give only one of 入库数量 (in), 出库数量 (out), 盘点数量 (count)\n"
        "  p.csv:D3: in: 0 is not a quantity above 0\n"
        "  p.csv:B4: new part NEW-3: 名称 (name) is missing (required)\n")


def test_a_formula_without_a_saved_result_is_located(folder):
    # openpyxl, like other programs, writes formulas without their results; Excel would compute them
    xlsx("f.xlsx", [["编号", "名称", "类别", "区域", "数量"], ["X-1", "椅", "chair", "lobby", "=2*3"],
                    ["X-2", "椅", "chair", "lobby", 4]])
    result = asset_import(folder, "f.xlsx")
    assert (result.exit_code, result.stderr) == (1, (
        "Error: refused, nothing was written: 1 problem in f.xlsx:Sheet1:\n"
        "  f.xlsx:Sheet1!E2: 数量: a formula whose result the file does not hold (it was never saved by Excel): "
        "open the file in Excel, save it, and import it again\n"))
    assert not (folder.root / "assets" / "X-2.yaml").exists()
