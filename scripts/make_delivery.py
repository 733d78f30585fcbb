"""Write docs/delivery.xlsx: a sample delivery list (送货清单) as a supplier sends it, for the
onboarding flow in the README (`aftersales asset import` and `aftersales parts import`).

Deterministic: the same bytes every run (tests/test_onboarding.py checks the committed file).
Sheet 家具 (furniture): a title row, Chinese headers (one with a unit in brackets), a 序号
column that is not an asset field, areas by their names in the default settings, the area
merged over the rows of one room, installation dates as Excel dates. Sheet 备件 (spare parts):
the first stock, received on the acceptance day.

    python scripts/make_delivery.py            # rewrite docs/delivery.xlsx
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from aftersales.views.exportfiles import steady_zip

OUT = Path(__file__).resolve().parent.parent / "docs" / "delivery.xlsx"
INSTALLED = dt.date(2025, 8, 20)

# (id, name, category, area name, location, quantity, model, warranty years or None)
FURNITURE = [
    ("LOB-DESK-1", "接待台（人造石台面）", "reception-desk", "门厅及等候区", "一楼大厅", 1, "RD-2400", None),
    ("LOB-SOFA-1", "等候区真皮沙发 三人位", "sofa", "门厅及等候区", "一楼大厅东侧", 4, "SF-300", None),
    ("LOB-SOFA-2", "等候区真皮沙发 单人位", "sofa", "门厅及等候区", "一楼大厅东侧", 6, "SF-100", None),
    ("AUD-CHAIR-A", "报告厅剧院椅 A 区", "theater-chair", "报告厅", "报告厅一楼 1-12 排", 240, "TC-300", None),
    ("AUD-CHAIR-B", "报告厅剧院椅 B 区", "theater-chair", "报告厅", "报告厅一楼 13-20 排", 160, "TC-300", None),
    ("AUD-CHAIR-VIP", "主席台贵宾椅", "theater-chair", "报告厅", "主席台", 16, "TC-500", None),
    ("AUD-LECTERN-1", "实木演讲台", "lectern", "报告厅", "主席台", 1, "LT-80", None),
    ("CLS-BENCH-PHY", "物理实验台", "lab-bench", "专业教室", "实验楼 301", 12, "LB-1500", None),
    ("CLS-BENCH-CHEM", "化学实验台（耐酸碱台面）", "lab-bench", "专业教室", "实验楼 302", 12, "LB-1800", None),
    ("CLS-DESK-ART", "美术教室画桌", "desk", "专业教室", "艺术楼 201", 30, "AD-1200", None),
    ("OFF-DESK-1", "教师办公桌", "desk", "教师办公室", "行政楼二楼", 48, "OD-1400", None),
    ("OFF-CHAIR-1", "教师办公椅", "office-chair", "教师办公室", "行政楼二楼", 48, "OC-20", None),
    ("OFF-CAB-1", "文件柜", "cabinet", "教师办公室", "行政楼二楼", 24, "FC-900", None),
    ("DORM-BED-A", "学生宿舍组合床 A 栋", "bed", "学生宿舍", "A 栋 1-6 层", 360, "BD-2000", 3),
    ("DORM-BED-B", "学生宿舍组合床 B 栋", "bed", "学生宿舍", "B 栋 1-6 层", 360, "BD-2000", 3),
    ("BB-SHELF-1", "书吧书架", "shelf", "书吧", "图书馆一楼", 20, "BS-2100", None),
    ("BB-TABLE-1", "书吧阅读桌", "table", "书吧", "图书馆一楼", 10, "RT-1600", None),
    ("BB-SOFA-1", "书吧沙发", "sofa", "书吧", "图书馆一楼", 8, "SF-200", None),
]

# (id, name, unit, reorder point, quantity received)
PARTS = [
    ("BOLT-M8", "M8 连接螺栓", "pcs", 50, 200),
    ("ART-STONE-PATCH", "人造石修补套装", "set", 1, 2),
    ("SPONGE-30", "座椅海绵 30mm", "块", 5, 20),
    ("LEATHER-PATCH", "真皮修补片", "片", 5, 10),
    ("DRAWER-SLIDE", "抽屉滑轨", "副", 4, 12),
    ("BED-LADDER", "床梯踏板", "块", 4, 10),
    ("GUARD-RAIL", "床护栏", "根", 2, 6),
]


def workbook() -> Workbook:
    book = Workbook()
    furniture = book.active
    furniture.title = "家具"
    furniture.append(["苏州某学校家具项目 送货清单（家具）"])
    furniture.merge_cells("A1:J1")
    furniture.append(["序号", "编号", "名称", "类别", "区域", "位置", "数量（件）", "型号", "安装日期", "质保年限"])
    start = 3
    for n, (ident, name, category, area, location, qty, model, years) in enumerate(FURNITURE, 1):
        furniture.append([n, ident, name, category, area, location, qty, model, INSTALLED, years])
    _merge_areas(furniture, start)
    for row in furniture.iter_rows(min_row=start, min_col=9, max_col=9):
        row[0].number_format = "yyyy-mm-dd"
    for cell in furniture[2]:
        cell.font = Font(bold=True)
    parts = book.create_sheet("备件")
    parts.append(["编号", "名称", "单位", "最低库存", "入库日期", "入库数量", "备注"])
    for ident, name, unit, minimum, qty in PARTS:
        parts.append([ident, name, unit, minimum, INSTALLED, qty, "首批备件入库"])
    for row in parts.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].number_format = "yyyy-mm-dd"
    for cell in parts[1]:
        cell.font = Font(bold=True)
    created = dt.datetime(2025, 8, 20, 9, 0)
    book.properties.creator = "aftersales"
    book.properties.created = created
    return book


def _merge_areas(ws, start: int) -> None:
    """Merge the area cells of consecutive rows of one area (column E), as such lists do."""
    row = start
    while row < start + len(FURNITURE):
        end = row
        while end + 1 < start + len(FURNITURE) and FURNITURE[end + 1 - start][3] == FURNITURE[row - start][3]:
            end += 1
        if end > row:
            ws.merge_cells(f"E{row}:E{end}")
        row = end + 1


def data() -> bytes:
    out = io.BytesIO()
    book = workbook()
    book.save(out)
    return steady_zip(out.getvalue(), book.properties.created)


if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_bytes(data())
    print(f"wrote {OUT}")
