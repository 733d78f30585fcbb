#!/usr/bin/env python3
"""Write the sample records folder: one school's furniture after-sales history.

The project (a school in Suzhou Industrial Park; see shared/DOMAIN.md) bought
theater chairs for its auditorium, specialist-classroom furniture, teacher
office furniture, dormitory combination beds, a reception desk and waiting
sofas for its lobby, and book-bar furniture. This script writes, in RECORDS.md
format version 1:

- ``aftersales.yaml``: ``aftersales/default_settings.yaml`` with the project's
  names, the 2025 and 2026 holiday calendars and plans starting in 2025;
- ``assets/``: 54 products in all six areas, most installed in August 2025,
  a few older ones whose warranty has expired or expires soon, three with
  extensions;
- ``tickets/``: hand-written scenarios (every event type, SLA targets met and
  breached, workarounds, pauses, reopenings, cancellations, holidays, repeat
  repairs, out-of-warranty work, inspection follow-ups, tickets still open)
  and a seeded background history that fills the sample to 250 tickets;
- ``inspections/``: five quarterly inspections (one late) and two office
  upkeeps, with a check per asset, findings and sign-off;
- ``parts/``: spare parts whose deliveries and quarterly counts follow the
  parts the tickets use, some ending at or below their reorder point.

The history is read "as of" 2026-11-23: nothing is dated after 2026-11-22.
The sample feeds the README's quick start, the tests and the benchmarks, so
it must be stable: everything comes from seeded ``random.Random`` streams and
sorted iteration, never the clock; two runs give byte-identical files. Only
the standard library is needed to write (the YAML is formatted by hand so the
files look like RECORDS.md's examples); ``--check`` reads everything back with
PyYAML and checks the rules of RECORDS.md.

    python scripts/make_records.py                   # the sample, into records/
    python scripts/make_records.py --tickets 100000 --out /tmp/big   # benchmarks
    python scripts/make_records.py --check           # write, then verify
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import random
import re
import shutil
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

SEED = 20250820
TZ = timezone(timedelta(hours=8))  # Asia/Shanghai has had no daylight saving since 1991
FIRST_REPORT_DAY = date(2025, 9, 1)
LAST_BACKGROUND_DAY = date(2026, 11, 13)  # background work finishes before the cut-off
AS_OF = date(2026, 11, 23)
CUTOFF = datetime(2026, 11, 23, 0, 0, tzinfo=TZ)  # nothing happens at or after this
SAMPLE_TICKETS = 250
ROOT = Path(__file__).resolve().parent.parent
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

CS = ("cs-li", "cs-zhou")
ENGINEERS = ("eng-zhang", "eng-wang", "eng-chen")
PM = "pm-liu"
TECH_SUPPORT = "tech-support"

# Official public holidays and make-up working days (调休) of mainland China.
HOLIDAYS_2025 = (
    ("2025-01-01", "2025-01-01", "New Year's Day"),
    ("2025-01-28", "2025-02-04", "Spring Festival"),
    ("2025-04-04", "2025-04-06", "Qingming"),
    ("2025-05-01", "2025-05-05", "Labour Day"),
    ("2025-05-31", "2025-06-02", "Dragon Boat Festival"),
    ("2025-10-01", "2025-10-08", "National Day and Mid-Autumn Festival"),
)
EXTRA_WORKDAYS_2025 = ("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11")
HOLIDAYS_2026 = (
    ("2026-01-01", "2026-01-03"),
    ("2026-02-15", "2026-02-23"),
    ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"),
    ("2026-06-19", "2026-06-21"),
    ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
)
EXTRA_WORKDAYS_2026 = (
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
)


def _day_set(ranges: Iterable[tuple[str, ...]]) -> frozenset[date]:
    days: set[date] = set()
    for first, last, *_ in ranges:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            days.add(day)
            day += timedelta(days=1)
    return frozenset(days)


HOLIDAYS = _day_set(HOLIDAYS_2025 + HOLIDAYS_2026)
EXTRA_WORKDAYS = frozenset(
    date.fromisoformat(d) for d in EXTRA_WORKDAYS_2025 + EXTRA_WORKDAYS_2026
)


def is_workday(day: date) -> bool:
    """A working day of the `workdays` calendar."""
    return day in EXTRA_WORKDAYS or (day.weekday() < 5 and day not in HOLIDAYS)


def add_workdays(day: date, count: int) -> date:
    """The `count`-th working day after `day`."""
    while count > 0:
        day += timedelta(days=1)
        count -= is_workday(day)
    return day


def at(day: date, hhmm: str) -> datetime:
    """A local time on `day`."""
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), TZ)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=round(n))


# --------------------------------------------------------------------------- settings


def display_width(text: str) -> int:
    """Columns the text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def set_value(text: str, key_pattern: str, value: str) -> str:
    """Replace the value of the one line matching `key_pattern`, keeping its comment column."""
    pattern = re.compile(rf"^(?P<head>{key_pattern})(?P<value>\S+)(?P<gap>\s*)(?P<tail>#.*)?$", re.M)
    matches = list(pattern.finditer(text))
    if len(matches) != 1:
        raise SystemExit(f"default settings: expected one line like {key_pattern!r}")
    m = matches[0]
    line = m.group("head") + value
    if m.group("tail"):
        column = display_width(m.group("head") + m.group("value") + m.group("gap"))
        line += " " * max(1, column - display_width(line)) + m.group("tail")
    return text[: m.start()] + line + text[m.end() :]


def settings_text(default: str) -> str:
    """The project's aftersales.yaml: the default settings with this project's values."""
    text = set_value(default, r"  name: ", "苏州工业园区某学校家具项目")
    if text.count("\n  # id: school-a") != 1:
        raise SystemExit("default settings: expected one line `  # id: school-a`")
    text = text.replace("\n  # id: school-a", "\n  id: SIP-SCH   ")   # same width: the comment stays aligned
    text = set_value(text, r"  customer: ", "苏州工业园区某学校")
    text = set_value(text, r"  supplier: ", "某家具有限公司")
    text = set_value(text, r"    start: (?=2026-03-31)", "2025-09-30")
    text = set_value(text, r"    start: (?=2026-06-30)", "2025-12-31")
    text = add_people(text)
    return add_2025_calendar(text)


# Who the ids of the sample are: their names and roles in both languages, and work phones.
PEOPLE = (
    ("cs-li", "Li Na", "李娜", "Customer service", "客服专员", "0512-62880101"),
    ("cs-zhou", "Zhou Min", "周敏", "Customer service", "客服专员", "0512-62880102"),
    ("eng-zhang", "Zhang Wei", "张伟", "Service engineer", "售后工程师", "13962100001"),
    ("eng-wang", "Wang Qiang", "王强", "Service engineer", "售后工程师", "13962100002"),
    ("eng-chen", "Chen Jie", "陈杰", "Service engineer", "售后工程师", "13962100003"),
    ("pm-liu", "Liu Yang", "刘洋", "Project manager", "项目经理", "13962100000"),
    ("tech-support", "Technical support team", "技术支持组", "Factory technical support", "厂家技术支持",
     "0512-62880199"),
)


def add_people(text: str) -> str:
    """Put the sample's people where the default settings have `people: {}`."""
    if text.count("\npeople: {}\n") != 1:
        raise SystemExit("default settings: expected one line `people: {}`")
    lines = ["people:\n"]
    for pid, en, zh, role_en, role_zh, phone in PEOPLE:
        lines.append(f"  {pid}: {{name: {{en: {en}, zh: {zh}}}, role: {{en: {role_en}, zh: {role_zh}}}, "
                     f'phone: "{phone}"}}\n')
    return text.replace("\npeople: {}\n", "\n" + "".join(lines))


def add_2025_calendar(text: str) -> str:
    """Put the 2025 holidays and make-up days before the 2026 ones already listed."""
    holidays = re.search(r"^(?P<indent> *)holidays:\n(?P<first>(?P<item> *)- .*\n)", text, re.M)
    if holidays is None:
        raise SystemExit("default settings: no block list under `holidays:`")
    if "2025-" not in text[holidays.end() : holidays.end() + 400]:
        item, first = holidays.group("item"), holidays.group("first")
        column = first.index("#") if "#" in first else len(item) + 27
        lines = []
        for start, end, label in HOLIDAYS_2025:
            value = start if start == end else f"{start}..{end}"
            head = f"{item}- {value}"
            lines.append(f"{head}{' ' * max(1, column - len(head))}# {label}\n")
        text = text[: holidays.start("first")] + "".join(lines) + text[holidays.start("first") :]
    extra = re.search(r"^(?P<head> *extra_workdays: \[)(?P<items>[^\]]*)\]", text, re.M)
    if extra is None:
        raise SystemExit("default settings: no flow list `extra_workdays: [...]`")
    if "2025-" not in extra.group("items"):
        head = extra.group("head")
        items = ", ".join(EXTRA_WORKDAYS_2025) + ",\n" + " " * len(head) + extra.group("items")
        text = text[: extra.start()] + head + items + "]" + text[extra.end() :]
    return text


# --------------------------------------------------------------------------- YAML output

_YAML_IMPLICIT = re.compile(
    r"""^(?:~|null|Null|NULL|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE
    |on|On|ON|off|Off|OFF|y|Y|n|N|=|<<
    |[-+]?(?:0b[01_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)
    |[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}.*)?)$""",
    re.X,
)


def scalar(value: Any, flow: bool = False, quote: bool = False) -> str:
    """One YAML scalar, plain when that reads back as the same string, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value)
    needs_quotes = (
        quote
        or not text
        or text[0] in "-?:,[]{}#&*!|>'\"%@` \t"
        or text[-1] in " \t:"
        or ": " in text
        or " #" in text
        or "\n" in text
        or (flow and any(c in text for c in ",[]{}"))
        or _YAML_IMPLICIT.match(text) is not None
    )
    return json.dumps(text, ensure_ascii=False) if needs_quotes else text


def flow(value: Any) -> str:
    """A value on one line: flow mappings and sequences, or a scalar."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, Quoted):
        return scalar(value.text, flow=True, quote=True)
    return scalar(value, flow=True)


@dataclass(frozen=True)
class Quoted:
    """A string always written in quotes (phone numbers: they look like numbers)."""

    text: str


def block(record: dict[str, Any], flow_keys: Iterable[str] = (), indent: str = "") -> str:
    """A block mapping; lists of mappings become one flow mapping per line."""
    lines = []
    flow_keys = set(flow_keys)
    for key, value in record.items():
        if value is None:
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{indent}{key}:")
            for item in value:
                if key in flow_keys:
                    lines.append(f"{indent}  - {flow(item)}")
                else:
                    body = block(item, flow_keys, indent + "    ")
                    lines.append(f"{indent}  - " + body[len(indent) + 4 :].rstrip("\n"))
        elif isinstance(value, dict) and key not in flow_keys:
            lines.append(f"{indent}{key}:")
            lines.append(block(value, flow_keys, indent + "  ").rstrip("\n"))
        elif isinstance(value, (dict, list, tuple, Quoted)):
            lines.append(f"{indent}{key}: {flow(value)}")
        else:
            lines.append(f"{indent}{key}: {scalar(value)}")
    return "\n".join(lines) + "\n"


def plain(value: Any) -> Any:
    """The value as a YAML loader gives it back (for --check)."""
    if isinstance(value, Quoted):
        return value.text
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- assets


@dataclass(frozen=True)
class Asset:
    id: str
    name: str
    category: str
    area: str
    location: str
    quantity: int
    model: str
    installed: date
    spot: tuple[str, dict[str, tuple[int, int]]]  # where in the asset a problem is: template, ranges
    extensions: tuple[tuple[int, int, str], ...] = ()  # (years, fee, contract)

    def warranty_end(self) -> date:
        years = 5 + sum(e[0] for e in self.extensions)
        return self.installed.replace(year=self.installed.year + years)

    def record(self) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "area": self.area,
            "location": self.location,
            "quantity": self.quantity,
            "model": self.model,
            "installed": self.installed,
        }
        if self.extensions:
            rec["warranty"] = {
                "years": 5,
                "extensions": [
                    {"years": y, "fee": fee, "contract": c} for y, fee, c in self.extensions
                ],
            }
        return rec

    def where(self, rng: random.Random) -> str:
        template, ranges = self.spot
        return template.format(**{k: rng.randint(lo, hi) for k, (lo, hi) in ranges.items()})


def seats(rows: tuple[int, int], per_row: int = 20) -> tuple[str, dict[str, tuple[int, int]]]:
    return "第{row}排{seat}号", {"row": rows, "seat": (1, per_row)}


def rooms(first: int, last: int, suffix: str = "") -> tuple[str, dict[str, tuple[int, int]]]:
    return "{room} 室" + suffix, {"room": (first, last)}


def beds(building: str, floor: int) -> tuple[str, dict[str, tuple[int, int]]]:
    return building + " 栋 {room} 室 {bed} 号床", {
        "room": (floor * 100 + 1, floor * 100 + 18),
        "bed": (1, 4),
    }


def spot(text: str) -> tuple[str, dict[str, tuple[int, int]]]:
    return text, {}


def numbered(template: str, last: int) -> tuple[str, dict[str, tuple[int, int]]]:
    return template, {"n": (1, last)}


def make_assets() -> list[Asset]:
    """The school's furniture: ids sorted within each area, the order files are listed."""
    d = date.fromisoformat
    aug = "2025-08-"
    assets = [
        # Auditorium (high priority).
        Asset("AUD-CHAIR-A", "报告厅剧院椅 A 区", "theater-chair", "auditorium",
              "报告厅一楼 1-12 排", 240, "TC-300", d(aug + "20"), seats((1, 12)),
              ((2, 12000, "EXT-2025-01"),)),
        Asset("AUD-CHAIR-B", "报告厅剧院椅 B 区", "theater-chair", "auditorium",
              "报告厅一楼 13-23 排", 220, "TC-300", d(aug + "20"), seats((13, 23))),
        Asset("AUD-CHAIR-C", "报告厅楼座剧院椅", "theater-chair", "auditorium",
              "报告厅二楼楼座 1-8 排", 160, "TC-300", d(aug + "21"), seats((1, 8))),
        Asset("AUD-CHAIR-D", "小报告厅剧院椅", "theater-chair", "auditorium",
              "行政楼三楼小报告厅", 120, "TC-220", d("2021-03-18"), seats((1, 10), 12)),
        Asset("AUD-CHAIR-VIP", "主席台会议椅", "chair", "auditorium", "报告厅主席台", 16,
              "HY-08", d(aug + "21"), numbered("主席台第 {n} 座", 16)),
        Asset("AUD-DESK-1", "报告厅主席台桌", "desk", "auditorium", "报告厅主席台", 8,
              "HT-1800", d(aug + "21"), numbered("主席台第 {n} 张桌", 8)),
        Asset("AUD-LECTERN-1", "报告厅演讲台", "lectern", "auditorium", "报告厅主席台左侧", 1,
              "YJT-02", d(aug + "21"), spot("主席台左侧演讲台")),
        # Lobby and waiting area (critical).
        Asset("LOB-CAB-1", "门厅校史展示柜", "cabinet", "lobby", "行政楼一楼门厅西侧", 2,
              "ZS-2400", d(aug + "19"), numbered("西侧第 {n} 组展示柜", 2)),
        Asset("LOB-DESK-1", "门厅接待台（人造石台面）", "reception-desk", "lobby",
              "行政楼一楼门厅", 1, "JD-3600", d(aug + "18"), spot("接待台"),
              ((1, 3000, "EXT-2025-02"), (2, 5400, "EXT-2026-03"))),
        Asset("LOB-SOFA-1", "等候区真皮沙发（三人位）", "sofa", "lobby", "门厅东侧等候区", 3,
              "SF-320", d(aug + "18"), numbered("等候区第 {n} 组三人位", 3)),
        Asset("LOB-SOFA-2", "等候区真皮沙发（单人位）", "sofa", "lobby", "门厅东侧等候区", 6,
              "SF-110", d(aug + "18"), numbered("等候区第 {n} 张单人位", 6)),
        Asset("LOB-SOFA-3", "访客接待室真皮沙发", "sofa", "lobby", "行政楼一楼访客接待室", 2,
              "SF-320", d(aug + "19"), numbered("接待室第 {n} 组沙发", 2)),
        Asset("LOB-TABLE-1", "等候区茶几", "coffee-table", "lobby", "门厅东侧等候区", 4,
              "CJ-1200", d(aug + "18"), numbered("等候区第 {n} 张茶几", 4)),
        # Specialist classrooms (high).
        Asset("CLS-BENCH-CHEM", "化学实验室实验台", "lab-bench", "classroom",
              "科技楼三楼化学实验室", 24, "SY-2400H", d(aug + "22"), numbered("{n} 号实验台", 24)),
        Asset("CLS-BENCH-PHY", "物理实验室实验台", "lab-bench", "classroom",
              "科技楼三楼物理实验室", 24, "SY-2400", d(aug + "22"), numbered("{n} 号实验台", 24)),
        Asset("CLS-CAB-LAB", "实验室器材柜", "cabinet", "classroom", "科技楼三楼实验准备间",
              18, "QC-900", d(aug + "22"), numbered("准备间 {n} 号柜", 18)),
        Asset("CLS-CHAIR-CMP", "计算机教室椅", "chair", "classroom", "科技楼四楼计算机教室",
              50, "JY-20", d(aug + "23"), numbered("计算机教室 {n} 号座", 50)),
        Asset("CLS-CHAIR-MUS", "音乐教室合唱椅", "chair", "classroom", "艺术楼一楼音乐教室",
              60, "YY-30", d(aug + "23"), numbered("合唱台第 {n} 号椅", 60)),
        Asset("CLS-DESK-ART", "美术教室画桌", "desk", "classroom", "艺术楼二楼美术教室", 40,
              "MS-1200", d(aug + "22"), numbered("美术教室 {n} 号画桌", 40)),
        Asset("CLS-DESK-CMP", "计算机教室电脑桌", "desk", "classroom", "科技楼四楼计算机教室",
              50, "DN-1400", d(aug + "23"), numbered("计算机教室 {n} 号桌", 50)),
        Asset("CLS-DESK-MKR", "创客教室工作台", "desk", "classroom", "科技楼二楼创客教室", 12,
              "CK-1600", d("2021-12-15"), numbered("创客教室 {n} 号工作台", 12)),
        Asset("CLS-STOOL-ART", "美术教室画凳", "chair", "classroom", "艺术楼二楼美术教室", 40,
              "MD-45", d(aug + "22"), numbered("美术教室 {n} 号画凳", 40)),
        Asset("CLS-STOOL-LAB", "实验室圆凳", "chair", "classroom", "科技楼三楼物理、化学实验室",
              96, "SD-40", d(aug + "22"), numbered("实验室 {n} 号圆凳", 96)),
        Asset("CLS-STOOL-MKR", "创客教室升降凳", "chair", "classroom", "科技楼二楼创客教室", 36,
              "CK-S1", d("2021-12-15"), numbered("创客教室 {n} 号凳", 36)),
        # Teacher offices (normal).
        Asset("OFF-CAB-1F", "教师文件柜（一楼）", "cabinet", "office", "教学楼 A 一楼教师办公室",
              12, "WJG-900", d(aug + "25"), rooms(101, 106, "办公室文件柜")),
        Asset("OFF-CAB-2F", "教师文件柜（二楼）", "cabinet", "office", "教学楼 A 二楼教师办公室",
              15, "WJG-900", d(aug + "25"), rooms(201, 208, "办公室文件柜")),
        Asset("OFF-CAB-ADM", "行政楼档案柜", "cabinet", "office", "行政楼二楼档案室", 16,
              "DA-1000", d("2022-03-10"), numbered("档案室 {n} 号柜", 16)),
        Asset("OFF-CHAIR-1F", "教师办公椅（一楼）", "chair", "office", "教学楼 A 一楼教师办公室",
              24, "BY-60", d(aug + "25"), rooms(101, 106, "办公室")),
        Asset("OFF-CHAIR-2F", "教师办公椅（二楼）", "chair", "office", "教学楼 A 二楼教师办公室",
              30, "BY-60", d(aug + "25"), rooms(201, 208, "办公室")),
        Asset("OFF-CHAIR-3F", "教师办公椅（三楼）", "chair", "office", "教学楼 A 三楼教师办公室",
              28, "BY-60", d(aug + "25"), rooms(301, 308, "办公室")),
        Asset("OFF-DESK-1F", "教师办公桌（一楼）", "desk", "office", "教学楼 A 一楼教师办公室",
              24, "BG-1400", d(aug + "25"), rooms(101, 106, "办公室")),
        Asset("OFF-DESK-2F", "教师办公桌（二楼）", "desk", "office", "教学楼 A 二楼教师办公室",
              30, "BG-1400", d(aug + "25"), rooms(201, 208, "办公室")),
        Asset("OFF-DESK-3F", "教师办公桌（三楼）", "desk", "office", "教学楼 A 三楼教师办公室",
              28, "BG-1400", d(aug + "25"), rooms(301, 308, "办公室")),
        Asset("OFF-DESK-ADM", "行政楼办公桌", "desk", "office", "行政楼二、三楼办公室", 20,
              "BG-1600", d("2021-03-05"), rooms(201, 212, "办公室")),
        Asset("OFF-SOFA-HEAD", "校长室会客沙发", "sofa", "office", "行政楼三楼校长室", 1,
              "SF-210", d(aug + "25"), spot("校长室会客区")),
        # Dormitories (normal): combination beds (bed above, desk and wardrobe below).
        *[
            Asset(f"DORM-BED-{b}{f}", f"{b} 栋 {f} 楼组合床", "bed", "dorm",
                  f"学生宿舍 {b} 栋 {f} 楼", qty, "ZHC-1900", d(aug + day), beds(b, f))
            for b, day in (("A", "26"), ("B", "28"))
            for f, qty in zip(range(1, 6), (40, 44, 44, 48, 36), strict=True)
        ],
        Asset("DORM-BED-C1", "C 栋 1 楼组合床", "bed", "dorm", "学生宿舍 C 栋 1 楼", 40,
              "ZHC-1800", d("2021-03-22"), beds("C", 1)),
        Asset("DORM-BED-C2", "C 栋 2 楼组合床", "bed", "dorm", "学生宿舍 C 栋 2 楼", 40,
              "ZHC-1800", d("2021-03-22"), beds("C", 2), ((1, 8600, "EXT-2026-02"),)),
        Asset("DORM-BED-C3", "C 栋 3 楼组合床", "bed", "dorm", "学生宿舍 C 栋 3 楼", 40,
              "ZHC-1800", d("2021-03-22"), beds("C", 3)),
        # Book bar (normal).
        Asset("BB-CHAIR-1", "书吧阅读椅", "chair", "bookbar", "图书馆一楼书吧", 32, "YD-C2",
              d(aug + "24"), numbered("阅读区 {n} 号椅", 32)),
        Asset("BB-SHELF-1", "书吧靠墙书架", "shelf", "bookbar", "图书馆一楼书吧", 12,
              "SJ-2000", d(aug + "24"), numbered("靠墙第 {n} 组书架", 12)),
        Asset("BB-SHELF-2", "书吧中岛书架", "shelf", "bookbar", "图书馆一楼书吧", 6,
              "SJ-1200D", d(aug + "24"), numbered("中岛第 {n} 组书架", 6)),
        Asset("BB-SOFA-1", "书吧休闲沙发", "sofa", "bookbar", "图书馆一楼书吧靠窗区", 10,
              "SF-B90", d(aug + "24"), numbered("靠窗第 {n} 组沙发", 10)),
        Asset("BB-STEP-1", "书吧阶梯座位", "step-seat", "bookbar", "图书馆一楼书吧阅读阶梯", 1,
              "JT-3", d(aug + "24"), numbered("阶梯第 {n} 级", 5)),
        Asset("BB-TABLE-1", "书吧阅读桌", "reading-table", "bookbar", "图书馆一楼书吧", 8,
              "YD-1800", d(aug + "24"), numbered("阅读区 {n} 号桌", 8)),
    ]
    return assets


AREAS = ("lobby", "classroom", "office", "dorm", "auditorium", "bookbar")
AREA_PRIORITY = {
    "lobby": "critical", "classroom": "high", "office": "normal",
    "dorm": "normal", "auditorium": "high", "bookbar": "normal",
}
RESOLUTION = 480  # minutes: the settings' resolution target, for the mood of the callback

# --------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class Part:
    id: str
    name: str
    unit: str
    min: int
    first_delivery: int
    reorder: int
    lead_days: int  # working days from order to delivery


PARTS = (  # sized to the sample's use: a few reorders, a few parts low at the cut-off
    Part("ART-STONE-PATCH", "人造石修补套装", "set", 1, 2, 2, 20),
    Part("BED-SCREW", "组合床专用螺丝", "pcs", 30, 100, 60, 5),
    Part("BOLT-M8", "M8 连接螺栓", "pcs", 20, 80, 50, 5),
    Part("CASTER-50", "50mm 椅子脚轮", "pcs", 4, 8, 8, 8),
    Part("DRAWER-SLIDE", "三节抽屉滑轨", "pair", 4, 10, 8, 8),
    Part("GAS-LIFT", "办公椅气压棒", "pcs", 2, 4, 4, 12),
    Part("GUARD-RAIL", "组合床护栏", "pcs", 3, 6, 4, 25),
    Part("HINGE-35", "35mm 柜门铰链", "pcs", 2, 6, 6, 6),
    Part("LADDER-STEP", "组合床爬梯踏板", "pcs", 2, 4, 4, 10),
    Part("LEATHER-PATCH", "真皮修补片", "pcs", 2, 6, 4, 18),
    Part("SEAT-SPRING", "剧院椅翻板回弹弹簧", "pcs", 2, 6, 6, 10),
    Part("SPONGE-SEAT", "座椅海绵垫", "pcs", 2, 6, 6, 10),
)
FIRST_DELIVERY_DAY = date(2025, 8, 25)
COUNT_DAYS = tuple(date.fromisoformat(d) for d in (
    "2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30", "2026-09-30",
))


# --------------------------------------------------------------------------- tickets


EVENT_FIELD_ORDER = ("to", "verdict", "until", "reason", "parts", "cost", "satisfaction", "note")


@dataclass
class Ticket:
    """A ticket being written: its fields and its append-only event log."""

    kind: str
    summary: str
    category: str | None = None
    asset: Asset | None = None
    area: str | None = None
    priority: str | None = None  # an explicit priority, overriding the area's
    severity: str | None = None
    channel: str = "phone"
    reporter: tuple[str, str] | None = None
    location: str | None = None
    inspection: str | None = None
    show_area: bool = True
    key: str = ""  # a name for cross references and the scenario list
    tag: str = ""  # what the ticket demonstrates
    id: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reported(self) -> datetime:
        return self.events[0]["at"]

    @property
    def last_at(self) -> datetime:
        return self.events[-1]["at"]

    @property
    def effective_priority(self) -> str:
        return self.priority or AREA_PRIORITY.get(self.area or "", "normal")

    def add(self, when: datetime, type_: str, by: str | None = None, **extra: Any) -> Ticket:
        """Append an event; curated scenarios must already be in time order."""
        if self.events and when < self.last_at:
            raise ValueError(f"{self.key or self.summary}: {type_} at {when} before {self.last_at}")
        event: dict[str, Any] = {"at": when, "type": type_}
        if by:
            event["by"] = by
        unknown = set(extra) - set(EVENT_FIELD_ORDER)
        if unknown:
            raise ValueError(f"{type_} cannot carry {sorted(unknown)}")
        event.update({k: extra[k] for k in EVENT_FIELD_ORDER if extra.get(k) is not None})
        self.events.append(event)
        return self

    def ev(self, when: str, type_: str, by: str | None = None, **extra: Any) -> Ticket:
        """Append an event at a time written relative to the previous one (see `when`)."""
        return self.add(when_after(self.last_at, when), type_, by, **extra)

    def resolved_day(self) -> date | None:
        days = [e["at"].date() for e in self.events if e["type"] == "resolved"]
        return days[-1] if days else None

    def status(self) -> str:
        """open, resolved or cancelled, derived from the events as RECORDS.md says."""
        status = "open"
        for event in self.events:
            if event["type"] in ("resolved", "cancelled"):
                status = event["type"]
            elif event["type"] == "reopened":
                status = "open"
        return status

    def is_open(self) -> bool:
        return self.status() == "open"

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "asset": self.asset.id if self.asset else None,
            "area": self.area if self.show_area else None,
            "priority": self.priority,
            "severity": self.severity,
            "category": self.category,
            "channel": self.channel,
            "reporter": (
                {"name": self.reporter[0], "phone": Quoted(self.reporter[1])}
                if self.reporter
                else None
            ),
            "location": self.location,
            "summary": self.summary,
            "inspection": self.inspection,
            "events": self.events,
        }


def when_after(previous: datetime, spec: str) -> datetime:
    """`+15m`, `+2h`, `+3d`, `14:30` (same day), `+1d 09:00`, or `2025-10-16 08:40`."""
    m = re.fullmatch(r"\+(\d+)([mhd])", spec)
    if m:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
        return previous + timedelta(**{unit: int(m.group(1))})
    m = re.fullmatch(r"\+(\d+)d (\d\d:\d\d)", spec)
    if m:
        return at(previous.date() + timedelta(days=int(m.group(1))), m.group(2))
    if re.fullmatch(r"\d\d:\d\d", spec):
        return at(previous.date(), spec)
    return datetime.fromisoformat(spec).replace(tzinfo=TZ)


def ticket_id(rng: random.Random, day: date, taken: set[str]) -> str:
    """`T-YYYYMMDD-` and six Crockford base32 characters, unique in the folder."""
    while True:
        tid = f"T-{day:%Y%m%d}-" + "".join(rng.choice(CROCKFORD) for _ in range(6))
        if tid not in taken:
            taken.add(tid)
            return tid


REPORTERS = {
    "lobby": (("何老师", "0512-62881001"), ("总务处张主任", "13862110035")),
    "classroom": (("陈老师", "13606213378"), ("刘老师", "18912671102"),
                  ("赵老师", "13951102297"), ("钱老师", "15262430917")),
    "office": (("王老师", "13800001234"), ("教务处郑老师", "13913578842"),
               ("总务处张主任", "13862110035")),
    "dorm": (("宿管孙阿姨", "13771820456"), ("学生处徐老师", "13584862219"),
             ("宿管马师傅", "15995720381")),
    "auditorium": (("报告厅吴老师", "13912340021"), ("总务处张主任", "13862110035")),
    "bookbar": (("书吧周老师", "15051260318"), ("图书馆冯老师", "13656217740")),
}
SCHOOL_OFFICE = ("总务处李主任", "13800512888")


# --------------------------------------------------------------------------- curated scenarios


class Scenarios:
    """The hand-written tickets: each demonstrates something the reports must show."""

    def __init__(self, assets: dict[str, Asset]) -> None:
        self.assets = assets
        self.tickets: list[Ticket] = []

    def new(self, kind: str, reported: str, summary: str, *, asset: str | None = None,
            area: str | None = None, by: str = "cs-li", reporter: int = 0,
            tag: str = "", key: str = "", **fields: Any) -> Ticket:
        the_asset = self.assets[asset] if asset else None
        area = area or (the_asset.area if the_asset else None)
        people = REPORTERS.get(area or "", (SCHOOL_OFFICE,))
        if fields.get("channel") == "inspection":  # found by our inspectors, reported to the school
            people = (SCHOOL_OFFICE,)
        ticket = Ticket(kind=kind, summary=summary, asset=the_asset, area=area,
                        reporter=people[reporter % len(people)], key=key, tag=tag, **fields)
        ticket.add(datetime.fromisoformat(reported).replace(tzinfo=TZ), "reported", by)
        self.tickets.append(ticket)
        return ticket

    def build(self) -> list[Ticket]:
        self.emergencies()
        self.agreed_deadlines()
        self.pauses()
        self.reopen_and_cancel()
        self.returns_and_exchanges()
        self.complaints_and_inquiries()
        self.repeat_repairs()
        self.warranty()
        self.holidays_and_priorities()
        self.inspection_follow_ups()
        self.late_parts()
        self.still_open()
        return self.tickets

    def emergencies(self) -> None:
        self.new("repair", "2025-10-15 10:05", "剧院椅靠背断裂，断口尖锐，有划伤风险",
                 asset="AUD-CHAIR-B", severity="emergency", category="safety",
                 location="第15排8号", tag="emergency: every target met") \
            .ev("+3m", "assigned", "cs-li", to="eng-zhang") \
            .ev("+5m", "responded", "eng-zhang", note="电话确认，已请报告厅管理员封闭该座位") \
            .ev("10:55", "arrived", "eng-zhang") \
            .ev("12:10", "resolved", "eng-zhang", parts=[{"part": "BOLT-M8", "qty": 4}], cost=0,
                note="更换靠背连接件并紧固") \
            .ev("12:30", "accepted", "eng-zhang", note="吴老师现场签字确认") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=5)
        self.new("repair", "2025-11-18 21:40", "组合床护栏脱落，学生夜间有坠床风险",
                 asset="DORM-BED-A2", severity="emergency", category="safety", by="cs-zhou",
                 location="A 栋 207 室 3 号床",
                 tag="emergency at night: response, on-site and resolution breached; "
                     "workaround after the deadline changes nothing") \
            .ev("+8m", "assigned", "cs-zhou", to="eng-chen") \
            .ev("22:35", "responded", "eng-chen", note="电话指导宿管让学生临时换床") \
            .ev("+1d 08:40", "arrived", "eng-chen") \
            .ev("09:10", "workaround", "eng-chen", until=at(date(2025, 11, 19), "17:00"),
                note="临时用绑带固定护栏") \
            .ev("14:30", "resolved", "eng-chen", cost=0,
                parts=[{"part": "GUARD-RAIL", "qty": 1}, {"part": "BED-SCREW", "qty": 6}]) \
            .ev("+1d 10:15", "callback", "cs-li", satisfaction=3, note="希望夜间响应更快")
        self.new("repair", "2026-03-09 07:50", "接待台人造石台面转角崩裂，边缘锋利",
                 asset="LOB-DESK-1", severity="emergency", category="safety", channel="wechat",
                 location="接待台东侧转角",
                 tag="emergency in the lobby: resolution 8h05m after the report, met only "
                     "because a workaround agreed 16:00") \
            .ev("+6m", "assigned", "cs-li", to="eng-wang") \
            .ev("08:05", "responded", "eng-wang") \
            .ev("08:55", "arrived", "eng-wang") \
            .ev("09:20", "workaround", "eng-wang", until=at(date(2026, 3, 9), "16:00"),
                note="转角贴防撞条临时防护，约定下午完成修补") \
            .ev("15:55", "resolved", "eng-wang", parts=[{"part": "ART-STONE-PATCH", "qty": 1}],
                cost=0) \
            .ev("16:10", "accepted", "eng-wang") \
            .ev("+1d 09:30", "callback", "cs-zhou", satisfaction=5)

    def agreed_deadlines(self) -> None:
        self.new("repair", "2025-11-05 09:20", "接待台人造石台面出现约 15 cm 裂纹",
                 asset="LOB-DESK-1", severity="urgent", category="surface",
                 location="接待台正面",
                 tag="workaround before the deadline, resolved before the agreed date: met") \
            .ev("+15m", "responded", "eng-wang") \
            .ev("10:40", "arrived", "eng-wang") \
            .ev("11:30", "workaround", "eng-wang", until=at(date(2025, 11, 7), "17:00"),
                note="贴保护膜临时处理，约定周五完成修补") \
            .ev("2025-11-07 15:20", "resolved", "eng-wang",
                parts=[{"part": "ART-STONE-PATCH", "qty": 1}], cost=0) \
            .ev("15:40", "accepted", "eng-wang") \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=5)
        self.new("repair", "2026-03-16 14:30", "书吧沙发皮面撕裂约 8 cm", asset="BB-SOFA-1",
                 category="surface", channel="wechat", location="靠窗第 2 组沙发",
                 tag="workaround before the deadline, resolved after the agreed date: breached") \
            .ev("+40m", "responded", "eng-chen") \
            .ev("16:20", "arrived", "eng-chen") \
            .ev("16:45", "workaround", "eng-chen", until=at(date(2026, 3, 20), "17:00"),
                note="先用同色胶带临时封闭，订购皮料") \
            .ev("2026-03-23 11:30", "resolved", "eng-chen",
                parts=[{"part": "LEATHER-PATCH", "qty": 2}], cost=0, note="皮料晚到一个工作日") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=3, note="修补处颜色略有差异")
        self.new("repair", "2026-05-12 08:50", "实验台台面封边脱落", asset="CLS-BENCH-PHY",
                 category="surface", location="5 号实验台",
                 tag="workaround whose agreed date (14:00) is earlier than the 8h deadline; "
                     "resolved before it: met") \
            .ev("+15m", "responded", "eng-zhang") \
            .ev("09:40", "arrived", "eng-zhang") \
            .ev("10:00", "workaround", "eng-zhang", until=at(date(2026, 5, 12), "14:00"),
                note="先贴临时封边，下午实验课前完成") \
            .ev("13:20", "resolved", "eng-zhang", cost=0) \
            .ev("+1d 10:30", "callback", "cs-li", satisfaction=4)
        self.new("repair", "2026-01-08 10:10", "第 1-3 排多个座位写字板无法收回",
                 asset="AUD-CHAIR-A", category="function", location="第1-3排",
                 tag="escalated to technical support; multi-day workaround agreed; accepted") \
            .ev("+5m", "assigned", "cs-li", to="eng-zhang") \
            .ev("10:25", "responded", "eng-zhang") \
            .ev("12:30", "arrived", "eng-zhang") \
            .ev("13:30", "escalated", "eng-zhang", to=TECH_SUPPORT, note="疑似写字板转轴批次问题") \
            .ev("14:00", "workaround", "eng-zhang", until=at(date(2026, 1, 12), "17:00"),
                note="写字板固定在收起位置，可正常就座") \
            .ev("2026-01-12 15:30", "resolved", "eng-zhang",
                parts=[{"part": "BOLT-M8", "qty": 12}], cost=0, note="厂家技术支持更换转轴组件") \
            .ev("16:00", "accepted", PM) \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=4)

    def pauses(self) -> None:
        self.new("repair", "2026-01-12 14:10", "抽屉滑轨断裂，抽屉无法拉出",
                 asset="OFF-DESK-2F", category="function", location="206 室办公室",
                 tag="paused overnight waiting for parts: resolution met (2h45m counted)") \
            .ev("+5m", "assigned", "cs-zhou", to="eng-chen") \
            .ev("14:30", "responded", "eng-chen") \
            .ev("15:40", "arrived", "eng-chen") \
            .ev("16:05", "paused", "eng-chen", reason="等待抽屉滑轨配件") \
            .ev("+1d 09:10", "resumed", "eng-chen", reason="配件到货") \
            .ev("10:00", "resolved", "eng-chen", parts=[{"part": "DRAWER-SLIDE", "qty": 2}],
                cost=0) \
            .ev("15:00", "callback", "cs-zhou", satisfaction=4)
        self.new("repair", "2026-04-21 10:30", "电脑桌键盘托架滑轨断裂",
                 asset="CLS-DESK-CMP", category="function", location="计算机教室 23 号桌",
                 tag="paused overnight, still breached: 8h30m counted") \
            .ev("+30m", "responded", "eng-wang") \
            .ev("13:50", "arrived", "eng-wang") \
            .ev("15:00", "paused", "eng-wang", reason="等待滑轨配件") \
            .ev("+1d 09:00", "resumed", "eng-wang", reason="配件到货") \
            .ev("13:00", "resolved", "eng-wang", parts=[{"part": "DRAWER-SLIDE", "qty": 1}],
                cost=0) \
            .ev("16:00", "callback", "cs-li", satisfaction=4)
        self.new("repair", "2026-09-08 09:30", "文件柜锁具失灵，柜门无法打开",
                 asset="OFF-CAB-2F", category="function", location="204 室办公室文件柜",
                 tag="two visits without reopening: not a first-time fix") \
            .ev("+20m", "responded", "eng-chen") \
            .ev("11:00", "arrived", "eng-chen") \
            .ev("11:30", "paused", "eng-chen", reason="锁芯型号不符，需另行订购") \
            .ev("+1d 09:00", "resumed", "eng-chen", reason="锁芯到货") \
            .ev("09:30", "arrived", "eng-chen") \
            .ev("10:00", "resolved", "eng-chen", cost=0, note="更换锁芯") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=4)

    def reopen_and_cancel(self) -> None:
        self.new("repair", "2026-03-10 09:15", "座椅翻板无法自动回弹", asset="AUD-CHAIR-B",
                 category="function", location="第20排5号",
                 tag="reopened six days later, second opening met; two callbacks") \
            .ev("+15m", "responded", "eng-zhang") \
            .ev("11:00", "arrived", "eng-zhang") \
            .ev("11:40", "resolved", "eng-zhang", cost=0, note="调整翻板阻尼") \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=4) \
            .ev("2026-03-16 08:50", "reopened", "cs-li", note="同一座位再次无法回弹") \
            .ev("09:10", "responded", "eng-zhang") \
            .ev("10:30", "arrived", "eng-zhang") \
            .ev("11:15", "resolved", "eng-zhang", parts=[{"part": "SEAT-SPRING", "qty": 1}],
                cost=0) \
            .ev("11:30", "accepted", "eng-zhang") \
            .ev("+1d 09:40", "callback", "cs-li", satisfaction=5)
        self.new("repair", "2025-12-02 10:00", "阅读桌桌腿晃动", asset="BB-TABLE-1",
                 category="structure", location="阅读区 3 号桌",
                 tag="reopened in the evening: second opening breached (response, on-site, "
                     "resolution)") \
            .ev("+20m", "responded", "eng-chen") \
            .ev("13:40", "arrived", "eng-chen") \
            .ev("14:10", "resolved", "eng-chen", parts=[{"part": "BOLT-M8", "qty": 4}], cost=0) \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=5) \
            .ev("2025-12-08 16:30", "reopened", "cs-zhou", note="桌腿再次晃动") \
            .ev("+1d 08:45", "responded", "eng-chen") \
            .ev("10:00", "arrived", "eng-chen") \
            .ev("10:40", "resolved", "eng-chen", parts=[{"part": "BOLT-M8", "qty": 4}], cost=0,
                note="加装加强角码") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=2, note="问题反复，希望彻底解决")
        self.new("repair", "2026-01-20 10:05", "办公椅无法升降", asset="OFF-CHAIR-1F",
                 category="function", location="103 室办公室",
                 tag="cancelled before any deadline: clocks void") \
            .ev("+3m", "assigned", "cs-zhou", to="eng-wang") \
            .ev("10:25", "cancelled", "cs-zhou", note="老师来电，已自行调节好")
        self.new("repair", "2025-12-16 15:30", "美术教室 5 张画凳腿松动",
                 asset="CLS-STOOL-ART", category="hardware", location="美术教室后排",
                 tag="cancelled after the on-site and resolution deadlines: breached") \
            .ev("+15m", "responded", "eng-wang", note="约定课后上门") \
            .ev("+1d 16:00", "note", "eng-wang", note="老师临时有课，改约周五") \
            .ev("2025-12-19 09:00", "cancelled", "cs-li", note="学校已自行加固，不再需要上门")
        self.new("repair", "2026-05-20 11:00", "接待室沙发坐垫塌陷", asset="LOB-SOFA-3",
                 category="function", location="接待室第 1 组沙发",
                 tag="cancelled, then reopened and resolved") \
            .ev("+20m", "responded", "eng-wang") \
            .ev("11:40", "cancelled", "cs-li", note="接待室临时改作他用，老师表示暂不维修") \
            .ev("2026-05-25 09:00", "reopened", "cs-li", note="老师重新报修") \
            .ev("09:15", "responded", "eng-wang") \
            .ev("10:30", "arrived", "eng-wang") \
            .ev("12:00", "resolved", "eng-wang", parts=[{"part": "SPONGE-SEAT", "qty": 2}],
                cost=0) \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=4)

    def returns_and_exchanges(self) -> None:
        self.new("return", "2025-09-30 15:20", "新到 2 把办公椅颜色与样品不符，申请退货",
                 asset="OFF-CHAIR-3F", category="other", location="305 室办公室",
                 tag="return reported before National Day, inspected after it: met (3 working "
                     "days end on the 10-11 make-up day)") \
            .ev("+10m", "assigned", "cs-li", to="eng-wang") \
            .ev("15:40", "responded", "eng-wang") \
            .ev("2025-10-10 10:00", "arrived", "eng-wang") \
            .ev("10:20", "inspected", "eng-wang", verdict="accept", note="色差属实") \
            .ev("2025-10-17 14:00", "resolved", "eng-wang", note="已退货并补发同色办公椅") \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=4)
        self.new("exchange", "2026-02-13 10:30", "4 把阅读椅椅面开裂，申请换货",
                 asset="BB-CHAIR-1", category="structure", location="阅读区 9-12 号椅",
                 tag="exchange before Spring Festival inspected on the 4th working day "
                     "(02-14 make-up day counts): breached") \
            .ev("+20m", "responded", "eng-chen") \
            .ev("2026-02-26 09:40", "arrived", "eng-chen") \
            .ev("10:00", "inspected", "eng-chen", verdict="accept") \
            .ev("2026-03-06 15:00", "resolved", "eng-chen", note="已更换 4 把新椅") \
            .ev("15:20", "accepted", "eng-chen") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=3, note="换货等待时间较长")
        self.new("return", "2026-06-08 09:30", "3 把计算机教室椅椅背断裂，申请退货",
                 asset="CLS-CHAIR-CMP", category="structure", location="计算机教室 11-13 号座",
                 key="return-rejected",
                 tag="return inspected in time, rejected (damage by use), then cancelled") \
            .ev("+20m", "responded", "eng-zhang") \
            .ev("+1d 14:00", "arrived", "eng-zhang") \
            .ev("14:20", "inspected", "eng-zhang", verdict="reject",
                note="断裂处有明显外力撞击痕迹，属人为损坏，不在退货范围") \
            .ev("15:00", "note", PM, note="已向学校说明，可按有偿维修处理") \
            .ev("+1d 10:00", "cancelled", "cs-li", note="学校撤回退货申请，改为报修")
        self.new("repair", "2026-06-10 10:10", "3 把计算机教室椅椅背断裂（人为损坏，有偿维修）",
                 asset="CLS-CHAIR-CMP", category="structure", location="计算机教室 11-13 号座",
                 tag="in warranty but damage by use: charged (cost 360)") \
            .ev("+10m", "responded", "eng-zhang", note="已报价，学校确认") \
            .ev("13:30", "arrived", "eng-zhang") \
            .ev("15:10", "resolved", "eng-zhang", cost=360, note="更换 3 个椅背总成") \
            .ev("15:30", "accepted", "eng-zhang") \
            .ev("+1d 09:30", "callback", "cs-li", satisfaction=4)

    def complaints_and_inquiries(self) -> None:
        self.new("complaint", "2025-11-20 09:00", "投诉：宿舍护栏脱落，夜间报修响应慢",
                 asset="DORM-BED-A2", category="other", reporter=1,
                 tag="complaint escalated to the project manager") \
            .ev("+5m", "assigned", "cs-li", to="cs-zhou") \
            .ev("09:30", "responded", "cs-zhou") \
            .ev("10:00", "escalated", "cs-zhou", to=PM) \
            .ev("14:00", "note", PM, note="约谈宿管，制定夜间应急值班安排") \
            .ev("+1d 16:00", "resolved", PM, note="已增设夜间值班工程师") \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=3)
        self.new("complaint", "2026-04-14 13:40", "投诉：维修人员上课时间施工，噪音影响教学",
                 area="classroom", channel="email", category="other",
                 tag="complaint without an asset") \
            .ev("+50m", "responded", "cs-zhou") \
            .ev("+1d 10:00", "resolved", PM, note="已调整为课后施工") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=4)
        self.new("inquiry", "2025-09-09 10:00", "索取教师办公桌甲醛检测报告", area="office",
                 channel="email", category="other",
                 tag="inquiry answered the next day, no callback: callback clock breached") \
            .ev("+30m", "responded", "cs-li") \
            .ev("+1d 15:00", "resolved", "cs-li", note="已邮件发送第三方检测报告")
        self.new("inquiry", "2026-10-20 14:20", "询问 C 栋组合床延长保修的费用",
                 asset="DORM-BED-C3", category="other", reporter=1,
                 tag="inquiry about extending an expired warranty") \
            .ev("+25m", "responded", PM) \
            .ev("+2d 11:00", "resolved", PM, note="已发送延保报价：每年按数量计费") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=5)

    def repeat_repairs(self) -> None:
        bed = "DORM-BED-B3"
        self.new("repair", "2025-10-14 20:10", "爬梯踏板松动", asset=bed, category="hardware",
                 by="cs-zhou", location="B 栋 308 室 2 号床",
                 tag="evening report: on-site and resolution breached, callback 30 min late; "
                     "1st of 4 repairs of DORM-BED-B3 within 231 days (replacement candidate)") \
            .ev("+20m", "responded", "eng-chen") \
            .ev("+1d 08:50", "arrived", "eng-chen") \
            .ev("09:30", "resolved", "eng-chen", parts=[{"part": "BED-SCREW", "qty": 4}], cost=0) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=4)
        self.new("repair", "2026-03-19 12:40", "同一床位护栏再次松动，学生反映夜间晃动",
                 asset=bed, severity="urgent", category="structure",
                 location="B 栋 308 室 2 号床",
                 tag="repeat repair within 90 days (3rd on DORM-BED-B3)") \
            .ev("+20m", "responded", "eng-chen") \
            .ev("14:30", "arrived", "eng-chen") \
            .ev("15:30", "resolved", "eng-chen", cost=0,
                parts=[{"part": "GUARD-RAIL", "qty": 1}, {"part": "BED-SCREW", "qty": 4}]) \
            .ev("15:45", "accepted", "eng-chen") \
            .ev("+1d 09:30", "callback", "cs-li", satisfaction=2, note="同一床位多次维修")
        self.new("complaint", "2026-03-20 10:30", "投诉：308 室床位护栏三个月内多次松动",
                 asset=bed, category="other", reporter=1,
                 tag="complaint about repeat failures, escalated; callback 2") \
            .ev("+30m", "responded", "cs-zhou") \
            .ev("11:20", "escalated", "cs-zhou", to=PM) \
            .ev("2026-03-25 17:00", "resolved", PM, note="承诺暑期前对该楼层护栏整体加固") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=2)
        self.new("repair", "2026-06-02 09:10", "床架与墙体连接处开裂", asset=bed,
                 category="structure", location="B 栋 308 室",
                 tag="4th repair of DORM-BED-B3; escalated to technical support") \
            .ev("+20m", "responded", "eng-chen") \
            .ev("11:00", "arrived", "eng-chen") \
            .ev("11:30", "escalated", "eng-chen", to=TECH_SUPPORT,
                note="疑似批次结构问题，提交技术支持组评估") \
            .ev("16:40", "resolved", "eng-chen", parts=[{"part": "BED-SCREW", "qty": 6}], cost=0,
                note="已加装加强角码") \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=3)
        sofa = "LOB-SOFA-2"
        self.new("repair", "2025-10-21 10:00", "单人沙发扶手皮面开线", asset=sofa,
                 category="surface", location="等候区第 4 张单人位",
                 tag="first of two LOB-SOFA-2 repairs 44 days apart") \
            .ev("+10m", "responded", "eng-wang") \
            .ev("11:20", "arrived", "eng-wang") \
            .ev("12:10", "resolved", "eng-wang", parts=[{"part": "LEATHER-PATCH", "qty": 1}],
                cost=0) \
            .ev("12:20", "accepted", "eng-wang") \
            .ev("15:30", "callback", "cs-zhou", satisfaction=5)
        self.new("repair", "2025-12-04 14:00", "单人沙发坐垫皮面开裂", asset=sofa,
                 category="surface", location="等候区第 4 张单人位",
                 tag="repeat repair within 90 days") \
            .ev("+15m", "responded", "eng-wang") \
            .ev("15:30", "arrived", "eng-wang") \
            .ev("16:40", "resolved", "eng-wang", parts=[{"part": "LEATHER-PATCH", "qty": 2}],
                cost=0) \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=3, note="希望提升皮面耐磨性")

    def warranty(self) -> None:
        chairs = "AUD-CHAIR-D"  # installed 2021-03-18: warranty ended 2026-03-18
        self.new("repair", "2025-11-11 10:30", "座椅海绵塌陷", asset=chairs, category="function",
                 location="第3排6号", tag="old asset, still in warranty: free") \
            .ev("+20m", "responded", "eng-zhang") \
            .ev("13:30", "arrived", "eng-zhang") \
            .ev("14:20", "resolved", "eng-zhang", parts=[{"part": "SPONGE-SEAT", "qty": 1}],
                cost=0) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=5)
        self.new("repair", "2026-05-19 14:00", "2 把座椅翻板弹簧断裂", asset=chairs,
                 category="function", location="第8排3-4号",
                 tag="out of warranty: charged (cost 240); paused for the quote, so resolution "
                     "met while on-site breached") \
            .ev("+20m", "responded", "eng-zhang", note="已告知保修期已过，需按报价收费") \
            .ev("14:25", "paused", "eng-zhang", reason="等待学校确认保外维修报价") \
            .ev("+1d 09:00", "resumed", "cs-li", reason="学校已确认报价") \
            .ev("10:00", "arrived", "eng-zhang") \
            .ev("11:00", "resolved", "eng-zhang", parts=[{"part": "SEAT-SPRING", "qty": 2}],
                cost=240) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=4)
        self.new("repair", "2026-10-27 09:40", "扶手断裂", asset=chairs, category="structure",
                 location="第1排7号",
                 tag="out of warranty (cost 380): 3 repairs within 365 days, yet not a "
                     "replacement candidate") \
            .ev("+20m", "responded", "eng-zhang") \
            .ev("13:00", "arrived", "eng-zhang") \
            .ev("14:30", "resolved", "eng-zhang", parts=[{"part": "BOLT-M8", "qty": 4}],
                cost=380) \
            .ev("+1d 10:30", "callback", "cs-zhou", satisfaction=4)
        self.new("repair", "2026-09-15 10:00", "办公桌抽屉滑轨损坏", asset="OFF-DESK-ADM",
                 category="function", location="206 室办公室",
                 tag="out of warranty (expired 2026-03-05): cost 150") \
            .ev("+25m", "responded", "eng-chen") \
            .ev("14:00", "arrived", "eng-chen") \
            .ev("14:45", "resolved", "eng-chen", parts=[{"part": "DRAWER-SLIDE", "qty": 2}],
                cost=150) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=4)
        self.new("repair", "2026-10-13 10:20", "床板断裂", asset="DORM-BED-C2",
                 category="structure", location="C 栋 215 室 1 号床",
                 tag="in warranty only thanks to the extension (base warranty ended 2026-03-22)") \
            .ev("+20m", "responded", "eng-chen") \
            .ev("14:00", "arrived", "eng-chen") \
            .ev("15:20", "resolved", "eng-chen", parts=[{"part": "BED-SCREW", "qty": 6}], cost=0,
                note="延保期内免费更换床板") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=5)
        self.new("maintenance", "2026-08-25 09:00", "C 栋组合床防虫防腐处理（保外，有偿）",
                 asset="DORM-BED-C3", category="cleaning", channel="onsite", reporter=1,
                 tag="maintenance out of warranty, charged (cost 600)") \
            .ev("+10m", "assigned", "cs-li", to="eng-chen") \
            .ev("2026-08-27 09:00", "arrived", "eng-chen") \
            .ev("16:00", "resolved", "eng-chen", cost=600) \
            .ev("16:20", "accepted", "eng-chen") \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=5)

    def holidays_and_priorities(self) -> None:
        self.new("repair", "2025-09-30 17:20", "三人沙发坐垫开线", asset="LOB-SOFA-1",
                 category="surface", channel="wechat", location="等候区第 2 组三人位",
                 tag="reported the evening before National Day; workaround until the first "
                     "working day after it: met") \
            .ev("+15m", "responded", "eng-wang") \
            .ev("19:40", "arrived", "eng-wang") \
            .ev("20:00", "workaround", "eng-wang", until=at(date(2025, 10, 9), "17:00"),
                note="国庆假期门厅封闭，节后修复") \
            .ev("2025-10-09 11:00", "resolved", "eng-wang",
                parts=[{"part": "LEATHER-PATCH", "qty": 1}], cost=0) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=5)
        self.new("repair", "2026-09-30 16:40", "楼座 3 个座位翻板卡死", asset="AUD-CHAIR-C",
                 category="function", location="楼座第4排",
                 tag="reported the day before National Day 2026; workaround until 10-08: met") \
            .ev("+15m", "responded", "eng-zhang") \
            .ev("17:50", "arrived", "eng-zhang") \
            .ev("18:10", "workaround", "eng-zhang", until=at(date(2026, 10, 8), "12:00"),
                note="假期报告厅不使用，已贴停用标识，节后第一个工作日修复") \
            .ev("2026-10-08 10:30", "resolved", "eng-zhang",
                parts=[{"part": "SEAT-SPRING", "qty": 3}], cost=0) \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=5)
        self.new("repair", "2026-02-14 16:30", "文件柜柜门铰链脱落", asset="OFF-CAB-2F",
                 category="function", location="203 室办公室文件柜",
                 tag="reported on the make-up day before Spring Festival, paused over the "
                     "holiday: resolution met, on-site breached (not pausable)") \
            .ev("+20m", "responded", "eng-wang") \
            .ev("17:00", "paused", "eng-wang", reason="春节放假，经老师同意节后处理") \
            .ev("2026-02-24 08:30", "resumed", "eng-wang", reason="节后复工") \
            .ev("09:20", "arrived", "eng-wang") \
            .ev("10:00", "resolved", "eng-wang", parts=[{"part": "HINGE-35", "qty": 2}], cost=0) \
            .ev("+1d 09:30", "callback", "cs-li", satisfaction=4)
        self.new("repair", "2026-06-05 08:10", "2 张画桌桌面开裂（中考美术加试考场）",
                 asset="CLS-DESK-ART", priority="critical", category="structure",
                 location="美术教室 7、8 号画桌",
                 tag="explicit priority critical overriding the area's high") \
            .ev("+10m", "responded", "eng-zhang") \
            .ev("09:30", "arrived", "eng-zhang") \
            .ev("11:00", "resolved", "eng-zhang", cost=0, note="更换桌面板") \
            .ev("11:10", "accepted", "eng-zhang") \
            .ev("15:00", "callback", "cs-li", satisfaction=5)
        self.new("repair", "2025-09-04 19:30", "新生入住，床下书桌抽屉卡滞",
                 asset="DORM-BED-A1", priority="high", category="function", by="cs-zhou",
                 location="A 栋 112 室 2 号床",
                 tag="explicit priority high in a normal area; evening visit, met") \
            .ev("+15m", "responded", "eng-chen") \
            .ev("21:10", "arrived", "eng-chen") \
            .ev("21:50", "resolved", "eng-chen", parts=[{"part": "DRAWER-SLIDE", "qty": 1}],
                cost=0) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=5)
        self.new("repair", "2025-10-28 13:20", "办公椅后仰过松", asset="OFF-CHAIR-3F",
                 category="function", location="302 室办公室",
                 tag="fixed by phone: no visit, on-site stopped by resolved") \
            .ev("+15m", "responded", "eng-wang", note="电话指导调节后仰旋钮") \
            .ev("13:45", "resolved", "eng-wang", cost=0, note="电话指导解决，无需上门") \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=5)

    def inspection_follow_ups(self) -> None:
        self.new("repair", "2025-09-26 16:20", "巡检发现扶手连接螺栓松动", asset="AUD-CHAIR-B",
                 category="hardware", channel="inspection", inspection="INS-2025Q3",
                 by="eng-zhang", location="第18排3-6号", key="INS-2025Q3/F1",
                 tag="from inspection INS-2025Q3 F1; workaround over the weekend: met") \
            .ev("+0m", "arrived", "eng-zhang") \
            .ev("16:40", "workaround", "eng-zhang", until=at(date(2025, 9, 30), "17:00"),
                note="已停用相关座位") \
            .ev("2025-09-29 10:10", "resolved", "eng-zhang",
                parts=[{"part": "BOLT-M8", "qty": 8}], cost=0) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=5)
        self.new("maintenance", "2025-12-23 14:10", "巡检发现水槽柜门铰链松脱",
                 asset="CLS-BENCH-CHEM", category="hardware", channel="inspection",
                 inspection="INS-2025Q4", by="eng-chen", location="3 号实验台",
                 key="INS-2025Q4/F1",
                 tag="maintenance from inspection INS-2025Q4 F1; callback 20 min late") \
            .ev("+5m", "assigned", "eng-chen", to="eng-chen") \
            .ev("+1d 09:00", "arrived", "eng-chen") \
            .ev("09:40", "resolved", "eng-chen", parts=[{"part": "HINGE-35", "qty": 2}], cost=0) \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=5)
        self.new("repair", "2025-12-23 15:00", "巡检发现护栏连接螺丝松动", asset="DORM-BED-B3",
                 category="hardware", channel="inspection", inspection="INS-2025Q4",
                 by="eng-zhang", location="B 栋 308 室 2 号床", key="INS-2025Q4/F3",
                 tag="from inspection INS-2025Q4 F3; 2nd repair of DORM-BED-B3") \
            .ev("+0m", "arrived", "eng-zhang") \
            .ev("15:40", "resolved", "eng-zhang", parts=[{"part": "BED-SCREW", "qty": 8}], cost=0) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=4)
        self.new("maintenance", "2026-04-08 15:30", "巡检发现人造石台面转角崩边约 1 cm",
                 asset="LOB-DESK-1", category="surface", channel="inspection",
                 inspection="INS-2026Q1", by="eng-wang", location="接待台西侧转角",
                 key="INS-2026Q1/F1", tag="from the late inspection INS-2026Q1") \
            .ev("+10m", "assigned", PM, to="eng-wang") \
            .ev("2026-04-10 09:00", "arrived", "eng-wang") \
            .ev("11:30", "resolved", "eng-wang", parts=[{"part": "ART-STONE-PATCH", "qty": 1}],
                cost=0) \
            .ev("11:40", "accepted", "eng-wang") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=5)
        self.new("maintenance", "2026-04-08 15:40", "巡检发现两把办公椅气压棒下沉",
                 asset="OFF-CHAIR-2F", category="function", channel="inspection",
                 inspection="INS-2026Q1", by="eng-wang", location="205 室办公室",
                 key="INS-2026Q1/F2", tag="inspection finding closed late (parts short)") \
            .ev("+10m", "assigned", PM, to="eng-wang") \
            .ev("+1d 10:00", "note", "eng-wang", note="气压棒库存不足，已催货") \
            .ev("2026-04-22 09:30", "arrived", "eng-wang") \
            .ev("10:00", "resolved", "eng-wang", parts=[{"part": "GAS-LIFT", "qty": 2}], cost=0) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=4)
        self.new("maintenance", "2026-04-08 16:00", "巡检发现爬梯踏板开裂（保外）",
                 asset="DORM-BED-C1", category="structure", channel="inspection",
                 inspection="INS-2026Q1", by="eng-zhang", location="C 栋 108 室 2 号床",
                 key="INS-2026Q1/F3", tag="out-of-warranty work from an inspection (cost 90)") \
            .ev("+10m", "assigned", PM, to="eng-chen") \
            .ev("2026-04-16 09:30", "arrived", "eng-chen") \
            .ev("10:10", "resolved", "eng-chen", parts=[{"part": "LADDER-STEP", "qty": 2}],
                cost=90) \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=4)
        self.new("maintenance", "2026-06-24 14:30", "巡检发现沙发皮面开裂", asset="BB-SOFA-1",
                 category="surface", channel="inspection", inspection="INS-2026Q2",
                 by="eng-chen", location="靠窗第 3 组沙发", key="INS-2026Q2/F1",
                 tag="from inspection INS-2026Q2 F1") \
            .ev("+10m", "assigned", PM, to="eng-chen") \
            .ev("2026-07-02 09:30", "arrived", "eng-chen") \
            .ev("10:40", "resolved", "eng-chen", parts=[{"part": "LEATHER-PATCH", "qty": 1}],
                cost=0) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=4)
        self.new("repair", "2026-09-22 10:30", "巡检发现档案柜锁具卡滞", asset="OFF-CAB-ADM",
                 category="function", channel="inspection", inspection="INS-2026Q3",
                 by="eng-zhang", location="档案室 5 号柜", key="INS-2026Q3/F2",
                 tag="open: workaround agreed 10-16, still not resolved (breached, running); "
                     "its finding is open and past due") \
            .ev("+0m", "arrived", "eng-zhang") \
            .ev("11:00", "workaround", "eng-zhang", until=at(date(2026, 10, 16), "17:00"),
                note="锁芯已润滑，可临时使用；原厂锁芯订货中") \
            .ev("2026-10-20 10:00", "note", "cs-li", note="厂家锁芯延期到货，已告知档案室")
        self.new("maintenance", "2025-12-10 11:00", "保养发现桌面木皮边缘起翘",
                 asset="OFF-DESK-3F", category="surface", channel="inspection",
                 inspection="UPK-2025H2", by="eng-wang", location="308 室办公室",
                 key="UPK-2025H2/F1", tag="from office upkeep UPK-2025H2") \
            .ev("+5m", "assigned", "eng-wang", to="eng-wang") \
            .ev("2025-12-18 15:00", "arrived", "eng-wang") \
            .ev("16:00", "resolved", "eng-wang", cost=0, note="重新压贴封边") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=5)
        self.new("maintenance", "2026-06-18 10:40", "保养发现文件柜抽屉滑轨阻滞",
                 asset="OFF-CAB-1F", category="function", channel="inspection",
                 inspection="UPK-2026H1", by="eng-wang", location="104 室办公室文件柜",
                 key="UPK-2026H1/F1", tag="from office upkeep UPK-2026H1") \
            .ev("+5m", "assigned", "eng-wang", to="eng-wang") \
            .ev("2026-06-29 14:00", "arrived", "eng-wang") \
            .ev("14:40", "resolved", "eng-wang", parts=[{"part": "DRAWER-SLIDE", "qty": 2}],
                cost=0) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=4)

    def late_parts(self) -> None:
        self.new("repair", "2026-11-03 09:40", "3 张床护栏断裂", asset="DORM-BED-A4",
                 category="structure", reporter=1, location="A 栋 406 室",
                 tag="uses three guard rails: GUARD-RAIL ends below its reorder point") \
            .ev("+20m", "responded", "eng-chen") \
            .ev("11:10", "arrived", "eng-chen") \
            .ev("13:20", "resolved", "eng-chen", cost=0,
                parts=[{"part": "GUARD-RAIL", "qty": 3}, {"part": "BED-SCREW", "qty": 8}]) \
            .ev("+1d 10:00", "callback", "cs-li", satisfaction=5)
        self.new("repair", "2026-11-09 08:45", "接待台台面被重物砸出凹坑", asset="LOB-DESK-1",
                 category="surface", location="接待台正面",
                 tag="uses two stone patch kits: ART-STONE-PATCH ends below its reorder point") \
            .ev("+10m", "responded", "eng-wang") \
            .ev("09:50", "arrived", "eng-wang") \
            .ev("13:40", "resolved", "eng-wang", cost=0,
                parts=[{"part": "ART-STONE-PATCH", "qty": 2}]) \
            .ev("13:50", "accepted", "eng-wang") \
            .ev("+1d 10:00", "callback", "cs-zhou", satisfaction=4)

    def still_open(self) -> None:
        self.new("repair", "2026-11-18 10:20", "组合床护栏断裂", asset="DORM-BED-B2",
                 category="structure", reporter=1, location="B 栋 215 室 1 号床",
                 tag="open, paused waiting for guard rails (stock low): clock paused, "
                     "not breached") \
            .ev("+20m", "responded", "eng-chen") \
            .ev("13:30", "arrived", "eng-chen", note="已让学生临时换床") \
            .ev("14:10", "paused", "eng-chen", reason="护栏库存不足，等待厂家补货")
        self.new("repair", "2026-11-16 14:20", "6 把合唱椅椅脚断裂", asset="CLS-CHAIR-MUS",
                 category="structure", location="合唱台第 2 排",
                 tag="open: responded, never visited; on-site and resolution past deadline") \
            .ev("+20m", "responded", "eng-zhang") \
            .ev("+1d 09:00", "note", "eng-zhang", note="椅脚需厂家定制，已下单")
        self.new("repair", "2026-11-22 16:40", "阅读椅脚垫脱落", asset="BB-CHAIR-1",
                 category="hardware", channel="wechat", location="阅读区 21 号椅",
                 tag="open, reported on a Sunday afternoon; response met, on-site running") \
            .ev("+25m", "responded", "eng-chen")
        self.new("return", "2026-11-20 16:10", "新补充的 2 套组合床床板尺寸不符，申请退货",
                 asset="DORM-BED-A5", category="other", reporter=1,
                 tag="open return, not yet inspected, deadline 2026-11-25 still ahead") \
            .ev("+20m", "responded", "eng-chen")
        self.new("exchange", "2026-11-12 10:00", "单人沙发真皮色差明显，申请换货",
                 asset="LOB-SOFA-2", category="surface", location="等候区第 6 张单人位",
                 tag="open exchange: inspected in time, waiting for the new sofa") \
            .ev("+20m", "responded", "eng-wang") \
            .ev("2026-11-16 13:40", "arrived", "eng-wang") \
            .ev("14:00", "inspected", "eng-wang", verdict="accept") \
            .ev("+1d 10:00", "note", "cs-li", note="新沙发已下单，预计 12 月初到货")
        self.new("complaint", "2026-11-19 15:20", "投诉：沙发换货周期过长",
                 asset="LOB-SOFA-2", category="other", tag="open complaint, escalated") \
            .ev("+30m", "responded", "cs-zhou") \
            .ev("16:30", "escalated", "cs-zhou", to=PM)
        self.new("inquiry", "2026-11-22 19:30", "询问寒假期间宿舍家具保养安排", area="dorm",
                 channel="wechat", category="other", by="cs-zhou", reporter=1,
                 tag="open inquiry, nothing done yet")
        self.new("maintenance", "2026-11-10 09:00", "教师办公桌冬季打蜡保养",
                 asset="OFF-DESK-1F", category="cleaning", channel="phone",
                 tag="open maintenance, scheduled after the cut-off") \
            .ev("+15m", "assigned", "cs-li", to="eng-wang") \
            .ev("+1h", "note", "eng-wang", note="约定 11 月 25 日课后上门")


# --------------------------------------------------------------------------- background history


@dataclass(frozen=True)
class Problem:
    category: str
    summary: str
    parts: tuple[tuple[str, int, int], ...] = ()  # (part, least, most)
    minutes: int = 40  # typical time to fix on site
    orderable: bool = False  # may need parts ordered, i.e. a pause or a workaround


P = Problem
# Guard rails and stone patch kits are left to the scenarios, so that their stock ends low
# whatever the background draws.
PROBLEMS: dict[str, tuple[Problem, ...]] = {
    "theater-chair": (
        P("hardware", "扶手连接螺栓松动", (("BOLT-M8", 2, 4),), 30),
        P("function", "座椅翻板无法自动回弹", (("SEAT-SPRING", 1, 2),), 45, True),
        P("surface", "座椅皮面划破", (("LEATHER-PATCH", 1, 1),), 60, True),
        P("function", "座椅海绵塌陷", (("SPONGE-SEAT", 1, 2),), 45, True),
        P("structure", "靠背与框架连接处开裂", (("BOLT-M8", 4, 6),), 90, True),
        P("function", "写字板无法收回", (("BOLT-M8", 1, 2),), 40),
        P("cleaning", "座椅面料污渍需专业清洁", (), 60),
    ),
    "desk": (
        P("function", "抽屉滑轨损坏，抽屉拉不开", (("DRAWER-SLIDE", 1, 2),), 45, True),
        P("surface", "桌面木皮起泡", (), 90, True),
        P("surface", "桌面封边脱落", (), 40),
        P("hardware", "桌腿连接件松动，桌面晃动", (("BOLT-M8", 2, 4),), 30),
        P("function", "键盘托架卡滞", (("DRAWER-SLIDE", 1, 1),), 30),
    ),
    "chair": (
        P("function", "升降失灵，坐高下沉", (("GAS-LIFT", 1, 1),), 30, True),
        P("hardware", "椅脚轮脱落", (("CASTER-50", 1, 2),), 20),
        P("structure", "椅背连接处松动", (("BOLT-M8", 2, 2),), 30),
        P("surface", "座面面料破损", (("SPONGE-SEAT", 1, 1),), 50, True),
        P("hardware", "椅脚垫脱落", (), 15),
    ),
    "bed": (
        P("structure", "护栏松动晃动", (("BED-SCREW", 2, 6),), 40),
        P("structure", "护栏连接处开裂", (("BED-SCREW", 2, 4),), 60, True),
        P("hardware", "爬梯踏板松动", (("BED-SCREW", 2, 4),), 30),
        P("structure", "爬梯踏板开裂", (("LADDER-STEP", 1, 1),), 40, True),
        P("function", "床下书桌抽屉卡滞", (("DRAWER-SLIDE", 1, 1),), 40),
        P("function", "衣柜门铰链脱落", (("HINGE-35", 1, 2),), 30),
        P("structure", "床板异响", (("BED-SCREW", 2, 4),), 40),
    ),
    "sofa": (
        P("surface", "真皮坐垫开线", (("LEATHER-PATCH", 1, 1),), 60, True),
        P("surface", "皮面划伤", (("LEATHER-PATCH", 1, 1),), 50),
        P("function", "坐垫海绵塌陷", (("SPONGE-SEAT", 1, 2),), 60, True),
        P("hardware", "沙发脚松动", (("BOLT-M8", 2, 2),), 20),
        P("cleaning", "皮面污渍需专业清洁", (), 60),
    ),
    "reception-desk": (
        P("surface", "人造石台面细小划痕", (), 90, True),
        P("cleaning", "台面污渍难以清除", (), 40),
        P("function", "接待台抽屉滑轨卡滞", (("DRAWER-SLIDE", 1, 1),), 40),
        P("function", "柜门铰链松脱", (("HINGE-35", 1, 2),), 30),
    ),
    "coffee-table": (
        P("hardware", "茶几脚松动", (("BOLT-M8", 2, 2),), 20),
        P("surface", "台面划痕", (), 40),
    ),
    "cabinet": (
        P("function", "柜门铰链松脱，柜门下垂", (("HINGE-35", 2, 2),), 30),
        P("function", "抽屉滑轨卡滞", (("DRAWER-SLIDE", 1, 1),), 40, True),
        P("function", "柜门锁具失灵", (), 40, True),
        P("structure", "层板托钉脱落", (), 20),
    ),
    "lab-bench": (
        P("surface", "台面封边脱落", (), 40),
        P("function", "水槽柜门铰链松脱", (("HINGE-35", 2, 2),), 30),
        P("hardware", "台架连接件松动", (("BOLT-M8", 4, 4),), 40),
        P("function", "抽屉滑轨损坏", (("DRAWER-SLIDE", 1, 2),), 40, True),
    ),
    "lectern": (
        P("function", "话筒架升降卡滞", (), 40),
        P("hardware", "台体连接件松动", (("BOLT-M8", 2, 2),), 30),
    ),
    "shelf": (
        P("structure", "层板托钉缺失，层板下沉", (), 20),
        P("hardware", "书架与墙体固定件松动", (("BOLT-M8", 2, 4),), 40),
        P("surface", "书架侧板磕碰掉漆", (), 40),
    ),
    "reading-table": (
        P("hardware", "桌腿晃动", (("BOLT-M8", 2, 4),), 30),
        P("surface", "桌面划痕", (), 40),
    ),
    "step-seat": (
        P("surface", "阶梯坐垫面料破损", (("SPONGE-SEAT", 1, 2),), 60, True),
        P("hardware", "阶梯踏步木饰面松动", (("BOLT-M8", 2, 2),), 40),
    ),
}
SAFETY = {  # emergencies: severity emergency, category safety
    "theater-chair": "靠背断裂，有划伤风险",
    "bed": "护栏脱落，有坠落风险",
    "reception-desk": "台面崩边，边缘锋利",
    "shelf": "书架倾斜，有倾倒风险",
    "chair": "椅脚断裂，有摔倒风险",
    "cabinet": "柜体倾斜，有倾倒风险",
    "sofa": "沙发框架断裂，有夹伤风险",
}
UPKEEP = {
    "theater-chair": ("hardware", "剧院椅扶手及翻板润滑调整"),
    "bed": ("cleaning", "组合床防虫防腐处理"),
    "desk": ("surface", "桌面打蜡保养"),
    "sofa": ("cleaning", "真皮沙发清洁护理"),
    "reception-desk": ("surface", "人造石台面抛光养护"),
    "shelf": ("structure", "书架紧固与层板调整"),
    "cabinet": ("hardware", "柜门铰链润滑调整"),
    "chair": ("hardware", "椅子五金紧固与润滑"),
    "lab-bench": ("surface", "实验台台面防腐养护"),
}
INQUIRIES = (
    ("询问保修范围是否包括皮面划伤", "已说明：保修期内皮面划伤可修复或更换"),
    ("询问延长保修的收费标准", "已发送延保报价单"),
    ("索取家具甲醛检测报告", "已邮件发送检测报告"),
    ("询问真皮沙发日常保养方法", "已发送保养指南"),
    ("询问剧院椅备用配件价格", "已发送配件报价"),
    ("询问寒暑假期间保养安排", "已告知假期保养计划"),
    ("询问办公椅升降调节方法", "已电话讲解"),
    ("询问人造石台面能否放置热水壶", "已说明：需使用隔热垫"),
)
COMPLAINTS = (
    "投诉：维修人员未按约定时间上门",
    "投诉：维修后现场未清理",
    "投诉：同一问题多次维修",
    "投诉：客服电话无人接听",
    "投诉：配件等待时间过长",
    "投诉：施工影响午休",
)
RETURNS = (
    ("other", "新到货家具颜色与样品不符，申请{kind}"),
    ("structure", "到货家具存在明显结构缺陷，申请{kind}"),
    ("surface", "到货家具表面划伤，申请{kind}"),
    ("function", "家具功能不符合合同要求，申请{kind}"),
)
KIND_SHARES = {"repair": 46, "maintenance": 21, "complaint": 12, "inquiry": 11,
               "return": 5.5, "exchange": 4.5}  # percent of the background tickets
MONTH_WEIGHTS = {1: 0.8, 2: 0.35, 3: 1.2, 4: 1.0, 5: 1.0, 6: 1.0, 7: 0.45, 8: 0.5,
                 9: 1.4, 10: 1.0, 11: 1.0, 12: 1.0}
CATEGORY_WEIGHT = {"theater-chair": 1.6, "bed": 1.3, "sofa": 1.2, "chair": 1.0, "desk": 1.0,
                   "reception-desk": 1.4, "cabinet": 0.8, "shelf": 0.7}


class Background:
    """A seeded synthetic history following the same rules as the scenarios."""

    def __init__(self, rng: random.Random, assets: list[Asset], cap_repairs: bool) -> None:
        self.rng = rng
        self.assets = assets
        self.cap_repairs = cap_repairs
        self.repair_days: dict[str, list[date]] = defaultdict(list)
        days, weights = [], []
        day = FIRST_REPORT_DAY
        while day <= LAST_BACKGROUND_DAY:
            weight = MONTH_WEIGHTS[day.month] * (1.0 if is_workday(day) else 0.25)
            days.append(day)
            weights.append(weight)
            day += timedelta(days=1)
        self.days = days
        self.day_weights = list(itertools.accumulate(weights))
        self.asset_weights = list(itertools.accumulate(
            math.sqrt(a.quantity) * CATEGORY_WEIGHT.get(a.category, 0.8) for a in assets
        ))

    def note_repairs(self, tickets: Iterable[Ticket]) -> None:
        """Count the scenarios' repairs so the cap sees them."""
        for t in tickets:
            if t.kind == "repair" and t.asset and t.status() != "cancelled":
                bisect.insort(self.repair_days[t.asset.id], t.reported.date())

    # -- drawing

    def report_time(self, area: str) -> datetime:
        rng = self.rng
        day = rng.choices(self.days, cum_weights=self.day_weights)[0]
        roll = rng.random()
        evening = 0.35 if area == "dorm" else 0.12
        if roll < evening:
            hhmm = rng.randint(17 * 60 + 30, 22 * 60 + 30)
        elif roll < evening + 0.03:
            hhmm = rng.choice((rng.randint(0, 7 * 60), rng.randint(22 * 60 + 30, 23 * 60 + 50)))
        else:
            hhmm = rng.choice((rng.randint(8 * 60, 11 * 60 + 50), rng.randint(13 * 60, 17 * 60 + 20)))
        return datetime.combine(day, time(hhmm // 60, hhmm % 60), TZ)

    def pick_asset(self, when: date, repair: bool) -> Asset | None:
        for _ in range(25):
            asset = self.rng.choices(self.assets, cum_weights=self.asset_weights)[0]
            if not repair or not self.cap_repairs or self.repair_fits(asset.id, when):
                return asset
        return None

    def repair_fits(self, asset_id: str, when: date) -> bool:
        """At most two repairs of one asset within 365 days: few replacement candidates."""
        days = sorted([*self.repair_days[asset_id], when])
        return all((days[i + 2] - days[i]).days > 365 for i in range(len(days) - 2))

    def reporter(self, area: str) -> tuple[str, str]:
        return self.rng.choice(REPORTERS[area])

    # -- one ticket

    def tickets(self, count: int) -> list[Ticket]:
        """`count` tickets whose kinds follow KIND_SHARES exactly, in a shuffled order."""
        exact = {k: share * count / 100 for k, share in KIND_SHARES.items()}
        deck = {k: math.floor(v) for k, v in exact.items()}
        by_rest = sorted(exact, key=lambda k: deck[k] - exact[k])
        for k in by_rest[: count - sum(deck.values())]:
            deck[k] += 1
        kinds = [k for k in KIND_SHARES for _ in range(deck[k])]
        self.rng.shuffle(kinds)
        return [self.ticket(kind) for kind in kinds]

    def ticket(self, kind: str) -> Ticket:
        rng = self.rng
        area = rng.choice(AREAS)
        reported = self.report_time(area)
        if kind in ("repair", "maintenance", "return", "exchange") or rng.random() < 0.4:
            asset = self.pick_asset(reported.date(), kind == "repair")
            if asset is None:
                kind, asset = "maintenance", self.pick_asset(reported.date(), False)
            assert asset is not None
            area = asset.area
        else:
            asset = None
        if kind in ("maintenance", "return", "exchange") and not is_workday(reported.date()):
            # planned work is asked for on working days
            reported = at(add_workdays(reported.date(), 1), "08:05") + minutes(rng.randint(0, 480))
        if kind == "return":
            ticket = self.return_(reported, asset, area, "return")
        else:
            ticket = getattr(self, kind)(reported, asset, area)
        ticket.events = [e for e in ticket.events if e["at"] < CUTOFF]
        if kind == "repair" and asset and ticket.status() != "cancelled":
            bisect.insort(self.repair_days[asset.id], reported.date())
        return ticket

    def start(self, kind: str, reported: datetime, asset: Asset | None, area: str,
              summary: str, category: str, **fields: Any) -> Ticket:
        rng = self.rng
        channel = fields.pop("channel", None) or rng.choices(
            ("phone", "wechat", "online", "email", "onsite"), weights=(45, 30, 12, 5, 8))[0]
        ticket = Ticket(kind=kind, summary=summary, category=category, asset=asset, area=area,
                        channel=channel, reporter=self.reporter(area),
                        location=asset.where(rng) if asset else None,
                        show_area=rng.random() < 0.85, **fields)
        by = rng.choice(CS) if reported.hour >= 8 else "cs-zhou"
        ticket.add(reported, "reported", by)
        return ticket

    def later(self, ticket: Ticket, when: datetime, type_: str, by: str | None = None,
              **extra: Any) -> datetime:
        """Append an event, never before the previous one."""
        when = max(when, ticket.last_at)
        ticket.add(when, type_, by, **extra)
        return when

    # -- kinds

    def repair(self, reported: datetime, asset: Asset, area: str) -> Ticket:
        rng = self.rng
        severity, priority = None, None
        roll = rng.random()
        if roll < 0.03 and asset.category in SAFETY:
            severity, category, summary = "emergency", "safety", SAFETY[asset.category]
            screw = "BED-SCREW" if asset.category == "bed" else "BOLT-M8"
            problem = Problem("safety", summary, ((screw, 2, 4),), 60)
        else:
            problem = rng.choice(PROBLEMS.get(asset.category, PROBLEMS["desk"]))
            category, summary = problem.category, problem.summary
            if roll < 0.15:
                severity = "urgent"
            elif roll < 0.3:
                severity = "normal"
        if rng.random() < 0.03:
            priority = rng.choice(("critical", "high"))
        ticket = self.start("repair", reported, asset, area, summary, category,
                            severity=severity, priority=priority)
        self.repair_work(ticket, problem, reported, first=True)
        return ticket

    def repair_work(self, ticket: Ticket, problem: Problem, opened: datetime, first: bool) -> None:
        """From report (or reopening) to the callback; may cancel or reopen."""
        rng = self.rng
        emergency = ticket.severity == "emergency"
        urgent = emergency or ticket.effective_priority != "normal"
        engineer = rng.choice(ENGINEERS)
        if rng.random() < 0.5:
            self.later(ticket, opened + minutes(rng.randint(2, 12)), "assigned",
                       ticket.events[0].get("by"), to=engineer)
        if first and rng.random() < 0.03:
            self.later(ticket, opened + minutes(rng.randint(10, 50)), "cancelled",
                       rng.choice(CS), note="老师已自行处理，撤销报修")
            return
        responded = self.later(ticket, self.response_time(opened, emergency), "responded",
                               engineer)
        if rng.random() < 0.07 and not emergency:  # fixed by phone
            self.later(ticket, responded + minutes(rng.randint(5, 25)), "resolved", engineer,
                       cost=0, note="电话指导解决，无需上门")
            self.after_fix(ticket, opened)
            return
        arrived = self.later(ticket, self.arrival_time(responded, urgent), "arrived", engineer)
        if rng.random() < 0.08:
            self.later(ticket, arrived + minutes(rng.randint(5, 30)), "note", engineer,
                       note=rng.choice(("已告知使用注意事项", "学校要求课后施工", "已拍照留档")))
        if rng.random() < 0.04:
            self.later(ticket, arrived + minutes(rng.randint(30, 90)), "escalated", engineer,
                       to=TECH_SUPPORT, note="需技术支持组确认维修方案")
        fix = minutes(problem.minutes * rng.uniform(0.6, 1.6))
        needs_order = problem.orderable and rng.random() < 0.3
        if needs_order and rng.random() < 0.5:
            resolved = self.paused_fix(ticket, engineer, arrived, fix)
        elif needs_order:
            resolved = self.workaround_fix(ticket, engineer, arrived, fix)
        else:
            resolved = arrived + fix
        cost = 0  # parts and work are free in warranty (reported on or before its end)
        if ticket.asset and ticket.reported.date() > ticket.asset.warranty_end():
            cost = rng.choice((80, 120, 150, 200, 260, 320))
        self.later(ticket, resolved, "resolved", engineer, parts=self.parts_for(problem),
                   cost=cost)
        self.after_fix(ticket, opened)
        if first and rng.random() < 0.05:
            reopened = at(resolved.date() + timedelta(days=rng.randint(2, 12)),
                          f"{rng.randint(8, 16)}:{rng.randint(0, 59):02d}")
            self.later(ticket, reopened, "reopened", rng.choice(CS), note="问题再次出现")
            self.repair_work(ticket, problem, ticket.last_at, first=False)

    def response_time(self, opened: datetime, emergency: bool) -> datetime:
        rng = self.rng
        hour = opened.hour + opened.minute / 60
        if emergency:
            return opened + minutes(rng.choice((rng.randint(5, 28), rng.randint(5, 28),
                                                rng.randint(25, 70))))
        if hour >= 22.5 or hour < 7.5:  # the night desk answers in the morning
            return at(opened.date() + timedelta(days=hour >= 22.5), "07:50") + minutes(
                rng.randint(0, 40))
        roll = rng.random()
        if roll < 0.8:
            return opened + minutes(rng.randint(3, 40))
        if roll < 0.93:
            return opened + minutes(rng.randint(40, 110))
        return opened + minutes(rng.randint(130, 360))

    def arrival_time(self, responded: datetime, urgent: bool) -> datetime:
        rng = self.rng
        start = self.next_shift(responded, urgent)
        roll = rng.random()
        if roll < 0.7:
            travel = rng.randint(25, 120)
        elif roll < 0.94:
            travel = rng.randint(120, 220)
        else:
            travel = rng.randint(230, 420)
        arrival = start + minutes(travel)
        if arrival.hour >= 20 or arrival.date() > start.date():  # too late: next morning
            arrival = self.next_shift(at(start.date() + timedelta(days=1), "00:00"), urgent)
            arrival += minutes(rng.randint(10, 60))
        return arrival

    def next_shift(self, when: datetime, urgent: bool) -> datetime:
        """When engineers can set out: key areas daily 07:30-19:00, others on working days."""
        first, last = ("07:30", "19:00") if urgent else ("08:30", "17:00")
        day = when.date()
        for _ in range(30):
            if urgent or is_workday(day):
                opens, closes = at(day, first), at(day, last)
                if when <= opens:
                    return opens
                if when < closes:
                    return when
            day += timedelta(days=1)
            when = at(day, "00:00")
        return when

    def paused_fix(self, ticket: Ticket, engineer: str, arrived: datetime,
                   fix: timedelta) -> datetime:
        rng = self.rng
        paused = self.later(ticket, arrived + minutes(rng.randint(15, 40)), "paused", engineer,
                            reason=rng.choice(("等待配件", "等待配件到货", "等待学校确认维修时间")))
        back = at(add_workdays(paused.date(), rng.choice((1, 1, 1, 2, 3))),
                  f"08:{rng.randint(30, 59)}")
        resumed = self.later(ticket, back, "resumed", engineer, reason="配件到货")
        return resumed + fix

    def workaround_fix(self, ticket: Ticket, engineer: str, arrived: datetime,
                       fix: timedelta) -> datetime:
        rng = self.rng
        until = at(add_workdays(arrived.date(), rng.randint(1, 4)), "17:00")
        self.later(ticket, arrived + minutes(rng.randint(15, 50)), "workaround", engineer,
                   until=until, note="已做临时处理，可正常使用")
        if rng.random() < 0.85:  # done by the agreed date
            return at(until.date(), "09:00") + minutes(rng.randint(0, 300))
        return at(add_workdays(until.date(), rng.randint(1, 3)), "10:00") + fix

    def parts_for(self, problem: Problem) -> list[dict[str, Any]] | None:
        rng = self.rng
        if not problem.parts or rng.random() < 0.25:
            return None
        return [{"part": p, "qty": rng.randint(lo, hi)} for p, lo, hi in problem.parts]

    def after_fix(self, ticket: Ticket, opened: datetime) -> None:
        rng = self.rng
        resolved = ticket.last_at
        elapsed = (resolved - opened).total_seconds() / 60
        daytime = 8 <= resolved.hour < 18
        if daytime and rng.random() < (0.6 if ticket.effective_priority != "normal" else 0.3):
            self.later(ticket, resolved + minutes(rng.randint(5, 40)), "accepted",
                       ticket.events[-1].get("by"))
        self.callback(ticket, slow=elapsed > RESOLUTION)

    def callback(self, ticket: Ticket, slow: bool = False, rate: float = 0.93) -> None:
        rng = self.rng
        if rng.random() > rate:
            return
        when = self.callback_time(ticket.last_at, late=rng.random() < 0.06)
        scores = (0.3, 0.35, 0.2, 0.1, 0.05) if slow else (0.62, 0.3, 0.06, 0.015, 0.005)
        score = rng.choices((5, 4, 3, 2, 1), weights=scores)[0]
        self.later(ticket, when, "callback", rng.choice(CS), satisfaction=score)

    def callback_time(self, resolved: datetime, late: bool) -> datetime:
        """Customer service calls back in office hours (09:00-17:59), mostly within 24 h."""
        rng = self.rng
        if late:
            return at(resolved.date() + timedelta(days=rng.randint(1, 3)), "09:00") + minutes(
                rng.randint(0, 540)) if rng.random() < 0.5 else resolved + timedelta(
                hours=24, minutes=rng.randint(10, 240))
        same_day = at(resolved.date(), "15:00") + minutes(rng.randint(0, 179))
        if resolved.hour < 13 and (rng.random() < 0.4 or resolved.hour < 9):
            return max(same_day, resolved + minutes(60))
        next_day = resolved.date() + timedelta(days=1)
        latest = min(resolved + timedelta(days=1) - minutes(5), at(next_day, "17:59"))
        earliest = at(next_day, "09:00")
        if latest <= earliest:
            return max(same_day, resolved + minutes(30))
        span = int((latest - earliest).total_seconds() // 60)
        return earliest + minutes(rng.randint(0, span))

    def maintenance(self, reported: datetime, asset: Asset, area: str) -> Ticket:
        rng = self.rng
        category, summary = UPKEEP.get(asset.category, ("cleaning", "家具整体清洁保养"))
        ticket = self.start("maintenance", reported, asset, area, summary, category,
                            channel=rng.choice(("phone", "onsite", "wechat")))
        engineer = rng.choice(ENGINEERS)
        self.later(ticket, reported + minutes(rng.randint(5, 90)), "assigned",
                   ticket.events[0].get("by"), to=engineer)
        visit = at(add_workdays(reported.date(), rng.randint(1, 6)),
                   f"{rng.choice((9, 10, 14, 15))}:{rng.choice(('00', '30'))}")
        arrived = self.later(ticket, visit, "arrived", engineer)
        parts = None
        if asset.category in ("bed", "theater-chair") and rng.random() < 0.4:
            part = "BED-SCREW" if asset.category == "bed" else "BOLT-M8"
            parts = [{"part": part, "qty": rng.randint(4, 12)}]
        cost = 0 if reported.date() <= asset.warranty_end() else rng.choice((300, 450, 600))
        self.later(ticket, arrived + minutes(rng.randint(60, 240)), "resolved", engineer,
                   parts=parts, cost=cost)
        if rng.random() < 0.5:
            self.later(ticket, ticket.last_at + minutes(rng.randint(5, 30)), "accepted",
                       engineer)
        self.callback(ticket, rate=0.85)
        return ticket

    def inquiry(self, reported: datetime, asset: Asset | None, area: str) -> Ticket:
        rng = self.rng
        summary, answer = rng.choice(INQUIRIES)
        ticket = self.start("inquiry", reported, asset, area, summary, "other")
        by = ticket.events[0].get("by")
        responded = self.later(ticket, reported + minutes(rng.randint(3, 60)), "responded", by)
        if rng.random() < 0.6:  # answered on the phone
            answered = responded + minutes(rng.randint(3, 30))
        else:  # answered the next working day
            answered = at(add_workdays(responded.date(), 1), "09:00") + minutes(
                rng.randint(0, 420))
        self.later(ticket, answered, "resolved", by, note=answer)
        self.callback(ticket, rate=0.4)
        return ticket

    def complaint(self, reported: datetime, asset: Asset | None, area: str) -> Ticket:
        rng = self.rng
        ticket = self.start("complaint", reported, asset, area, rng.choice(COMPLAINTS), "other")
        handler = rng.choice(("cs-zhou", PM))
        self.later(ticket, reported + minutes(rng.randint(3, 20)), "assigned",
                   ticket.events[0].get("by"), to=handler)
        responded = self.later(ticket, reported + minutes(rng.randint(10, 120)), "responded",
                               handler)
        if handler != PM and rng.random() < 0.35:
            self.later(ticket, responded + minutes(rng.randint(20, 120)), "escalated", handler,
                       to=PM)
        done = at(add_workdays(responded.date(), rng.randint(0, 4)),
                  f"{rng.randint(10, 17)}:{rng.randint(0, 59):02d}")
        if done <= ticket.last_at:
            done = at(add_workdays(responded.date(), 1), "10:00") + minutes(rng.randint(0, 400))
        self.later(ticket, done, "resolved", PM, note="已整改并向学校反馈")
        self.callback(ticket, slow=True, rate=0.9)
        return ticket

    def return_(self, reported: datetime, asset: Asset, area: str, kind: str) -> Ticket:
        rng = self.rng
        category, summary = rng.choice(RETURNS)
        ticket = self.start(kind, reported, asset, area,
                            summary.format(kind="退货" if kind == "return" else "换货"), category)
        engineer = rng.choice(ENGINEERS)
        self.later(ticket, reported + minutes(rng.randint(5, 30)), "assigned",
                   ticket.events[0].get("by"), to=engineer)
        self.later(ticket, reported + minutes(rng.randint(15, 90)), "responded", engineer)
        days = rng.choices((1, 2, 3, 4, 5, 6), weights=(25, 30, 25, 10, 6, 4))[0]
        visit = at(add_workdays(reported.date(), days), f"{rng.choice((9, 10, 14, 15))}:00")
        arrived = self.later(ticket, visit, "arrived", engineer)
        accept = rng.random() < 0.8
        self.later(ticket, arrived + minutes(rng.randint(10, 40)), "inspected", engineer,
                   verdict="accept" if accept else "reject")
        if not accept and rng.random() < 0.5:
            self.later(ticket, ticket.last_at + minutes(rng.randint(60, 1500)), "cancelled",
                       rng.choice(CS), note="经说明，学校撤回申请")
            return ticket
        done = at(add_workdays(arrived.date(), rng.randint(2, 10)),
                  f"{rng.randint(9, 16)}:{rng.randint(0, 59):02d}")
        note = ("已退货" if kind == "return" else "已换新") if accept else "不符合条件，已改为维修"
        self.later(ticket, done, "resolved", engineer, note=note)
        if rng.random() < 0.4:
            self.later(ticket, ticket.last_at + minutes(rng.randint(5, 30)), "accepted",
                       engineer)
        self.callback(ticket, rate=0.9)
        return ticket

    def exchange(self, reported: datetime, asset: Asset, area: str) -> Ticket:
        return self.return_(reported, asset, area, "exchange")


# --------------------------------------------------------------------------- inspections


@dataclass(frozen=True)
class Finding:
    asset: str
    location: str
    category: str
    severity: str
    problem: str
    action: str
    owner: str
    due: str
    closed: str | None = None  # None: open; "ticket": the linked ticket's resolution day
    ticket: str | None = None  # key of a scenario ticket


@dataclass(frozen=True)
class Inspection:
    id: str
    plan: str
    date: str
    inspectors: tuple[str, ...]
    findings: tuple[Finding, ...]
    signed: int = 0  # days after the inspection the school signed


F = Finding
INSPECTIONS = (
    Inspection("INS-2025Q3", "quarterly-inspection", "2025-09-26", ("eng-zhang", "eng-wang"), (
        F("AUD-CHAIR-B", "第18排3-6号", "hardware", "normal", "扶手连接螺栓松动",
          "紧固并更换螺栓", "eng-zhang", "2025-09-30", "ticket", "INS-2025Q3/F1"),
        F("DORM-BED-A3", "A 栋 312 室", "structure", "normal", "床架连接处异响", "紧固加固床架",
          "eng-chen", "2025-10-10", "2025-10-09"),
        F("LOB-SOFA-2", "等候区第 1 张单人位", "surface", "normal", "扶手皮面轻微划痕",
          "皮面修补保养", "eng-wang", "2025-10-15", "2025-10-17"),
    )),
    Inspection("INS-2025Q4", "quarterly-inspection", "2025-12-23", ("eng-zhang", "eng-chen"), (
        F("CLS-BENCH-CHEM", "3 号实验台", "hardware", "normal", "水槽柜门铰链松脱",
          "更换铰链", "eng-chen", "2025-12-30", "ticket", "INS-2025Q4/F1"),
        F("BB-SHELF-1", "靠墙第 4 组书架", "structure", "urgent", "层板托钉缺失，层板下沉",
          "补装托钉并张贴限载提示", "eng-chen", "2025-12-26", "2025-12-25"),
        F("DORM-BED-B3", "B 栋 308 室 2 号床", "hardware", "normal", "护栏连接螺丝松动",
          "紧固并更换螺丝", "eng-zhang", "2025-12-26", "ticket", "INS-2025Q4/F3"),
        F("AUD-CHAIR-D", "第3排", "surface", "normal", "座椅面料起球", "清洁保养",
          "eng-zhang", "2026-01-15", "2026-01-14"),
    ), signed=1),
    Inspection("INS-2026Q1", "quarterly-inspection", "2026-04-08", ("eng-wang", "eng-zhang"), (
        F("LOB-DESK-1", "接待台西侧转角", "surface", "normal", "人造石台面转角崩边约 1 cm",
          "修补打磨", "eng-wang", "2026-04-15", "ticket", "INS-2026Q1/F1"),
        F("OFF-CHAIR-2F", "205 室办公室", "function", "normal", "两把办公椅气压棒下沉",
          "更换气压棒", "eng-wang", "2026-04-17", "ticket", "INS-2026Q1/F2"),
        F("DORM-BED-C1", "C 栋 108 室 2 号床", "structure", "normal", "爬梯踏板开裂",
          "更换踏板（保外，按报价收费）", "eng-chen", "2026-04-20", "ticket",
          "INS-2026Q1/F3"),
    )),
    Inspection("INS-2026Q2", "quarterly-inspection", "2026-06-24", ("eng-chen", "eng-wang"), (
        F("BB-SOFA-1", "靠窗第 3 组沙发", "surface", "normal", "沙发皮面开裂", "皮面修补",
          "eng-chen", "2026-07-03", "ticket", "INS-2026Q2/F1"),
        F("CLS-STOOL-LAB", "物理实验室", "hardware", "normal", "12 个圆凳脚垫脱落",
          "补装脚垫", "eng-wang", "2026-07-10"),
        F("AUD-CHAIR-C", "楼座第2排", "function", "normal", "翻板回弹弹簧疲劳", "更换弹簧",
          "eng-zhang", "2026-07-15", "2026-07-14"),
    )),
    Inspection("INS-2026Q3", "quarterly-inspection", "2026-09-22", ("eng-zhang", "eng-chen"), (
        F("DORM-BED-B1", "B 栋 1 楼", "hardware", "normal", "多张床护栏螺丝松动",
          "全面紧固", "eng-chen", "2026-09-30", "2026-09-29"),
        F("OFF-CAB-ADM", "档案室 5 号柜", "function", "normal", "档案柜锁具卡滞", "更换锁芯",
          "eng-zhang", "2026-10-16", "ticket", "INS-2026Q3/F2"),
        F("AUD-CHAIR-A", "第7排", "surface", "normal", "5 处扶手木饰面磕碰掉漆", "补漆",
          "eng-zhang", "2026-10-23"),
        F("LOB-TABLE-1", "等候区第 2 张茶几", "surface", "normal", "茶几台面划痕", "抛光修复",
          "eng-wang", "2026-10-09", "2026-10-13"),
    )),
    Inspection("UPK-2025H2", "office-upkeep", "2025-12-10", ("eng-wang",), (
        F("OFF-DESK-3F", "308 室办公室", "surface", "normal", "桌面木皮边缘起翘",
          "重新压贴封边", "eng-wang", "2025-12-19", "ticket", "UPK-2025H2/F1"),
    )),
    Inspection("UPK-2026H1", "office-upkeep", "2026-06-18", ("eng-wang",), (
        F("OFF-CAB-1F", "104 室办公室文件柜", "function", "normal", "文件柜抽屉滑轨阻滞",
          "更换滑轨", "eng-wang", "2026-06-30", "ticket", "UPK-2026H1/F1"),
        F("OFF-DESK-ADM", "行政楼 210 室", "surface", "normal", "桌面木皮起泡脱落",
          "保外维修，待学校确认报价", "eng-wang", "2026-07-10"),
    )),
)
PLANS = {
    "quarterly-inspection": (AREAS, ("appearance", "function", "fastening")),
    "office-upkeep": (("office",), ("waxing", "lubrication", "structure")),
}
CHECK_ITEM = {  # which checklist item a finding's category fails
    "quarterly-inspection": {"surface": "appearance", "cleaning": "appearance",
                             "function": "function"},
    "office-upkeep": {"surface": "waxing", "function": "lubrication", "hardware": "lubrication"},
}
NOT_APPLICABLE = {  # checklist items that do not apply to a kind of furniture
    ("quarterly-inspection", "shelf", "function"), ("quarterly-inspection", "coffee-table",
                                                    "function"),
    ("office-upkeep", "chair", "waxing"), ("office-upkeep", "cabinet", "waxing"),
    ("office-upkeep", "sofa", "waxing"),
}


def inspection_record(ins: Inspection, assets: list[Asset],
                      tickets: dict[str, Ticket]) -> dict[str, Any]:
    areas, checklist = PLANS[ins.plan]
    default_item = checklist[-1]
    issues = {(f.asset, CHECK_ITEM[ins.plan].get(f.category, default_item))
              for f in ins.findings}
    checks = []
    for asset in assets:
        if asset.area not in areas:
            continue
        row: dict[str, Any] = {"asset": asset.id}
        for item in checklist:
            if (asset.id, item) in issues:
                row[item] = "issue"
            elif (ins.plan, asset.category, item) in NOT_APPLICABLE:
                row[item] = "n/a"
            else:
                row[item] = "ok"
        checks.append(row)
    findings = []
    for number, f in enumerate(ins.findings, 1):
        linked = tickets[f.ticket] if f.ticket else None
        closed = f.closed
        if closed == "ticket":
            assert linked is not None
            resolved = linked.resolved_day() if not linked.is_open() else None
            closed = resolved.isoformat() if resolved else None
        findings.append({
            "id": f"F{number}", "asset": f.asset, "location": f.location,
            "category": f.category, "severity": f.severity, "problem": f.problem,
            "action": f.action, "owner": f.owner, "due": date.fromisoformat(f.due),
            "closed": date.fromisoformat(closed) if closed else None,
            "ticket": linked.id if linked else None,
        })
    day = date.fromisoformat(ins.date)
    return {
        "id": ins.id, "plan": ins.plan, "date": day, "inspectors": list(ins.inspectors),
        "areas": list(areas), "checks": checks, "findings": findings,
        "signoff": {"name": SCHOOL_OFFICE[0], "date": day + timedelta(days=ins.signed)},
    }


# --------------------------------------------------------------------------- parts stock


def part_records(tickets: list[Ticket], rng: random.Random, scale: float) -> list[dict[str, Any]]:
    """Deliveries and quarterly counts that follow the parts the tickets use."""
    usage: dict[str, Counter[date]] = defaultdict(Counter)
    for t in tickets:
        for e in t.events:
            for used in e.get("parts") or ():
                usage[used["part"]][e["at"].date()] += used["qty"]
    records = []
    for part in PARTS:
        records.append({
            "id": part.id, "name": part.name, "unit": part.unit,
            "min": max(part.min, round(part.min * scale)),
            "movements": movements(part, usage[part.id], rng, scale),
        })
    return records


def count_day(quarter_end: date, used: Counter[date]) -> date:
    """The last working day of the quarter on which the part was not used (counts are
    unambiguous then), else the quarter end."""
    day = quarter_end
    for _ in range(10):
        if is_workday(day) and not used[day]:
            return day
        day -= timedelta(days=1)
    return quarter_end


def movements(part: Part, used: Counter[date], rng: random.Random,
              scale: float) -> list[dict[str, Any]]:
    minimum = max(part.min, round(part.min * scale))
    level = max(part.first_delivery, round(part.first_delivery * scale))
    reorder = max(part.reorder, round(part.reorder * scale))
    moves: list[dict[str, Any]] = [
        {"date": FIRST_DELIVERY_DAY, "in": level, "note": "首批备件入库"}
    ]
    counts = {count_day(q, used) for q in COUNT_DAYS}
    arriving: date | None = None
    day = FIRST_DELIVERY_DAY + timedelta(days=1)
    last = CUTOFF.date() - timedelta(days=1)
    while day <= last:
        if day == arriving:
            level += reorder
            moves.append({"date": day, "in": reorder, "note": "补货入库"})
            arriving = None
        if used[day] > level:  # never below zero: an urgent delivery the same day
            urgent = max(reorder, used[day] - level)
            level += urgent
            moves.append({"date": day, "in": urgent, "note": "紧急调货入库"})
        level -= used[day]
        if level <= minimum and arriving is None:
            arriving = add_workdays(day, part.lead_days)
        if day in counts:
            loss = rng.choices((0, 1, 2), weights=(75, 17, 8))[0] if level >= 20 else 0
            level -= loss
            note = "季度盘点" + (f"，盘亏 {loss}" if loss else "")
            moves.append({"date": day, "count": level, "note": note})
        day += timedelta(days=1)
    return moves


# --------------------------------------------------------------------------- writing


# --------------------------------------------------------------------------- the service plan's steps

def plan_steps(tickets: list[Ticket], rng: random.Random) -> None:
    """Add what the service plan asks of every repair: an assignment and a first diagnosis in each
    opening, a word of progress during long work, and after the last fix a message with care
    advice (7 days) and a revisit (30 days), those still to come as of the cut-off left out. The
    background history gets them in realistic proportions (most in time, some late, a few
    forgotten); a hand-written scenario gets them in time, so it still shows what it was written
    for, with the times it was written with."""
    for ticket in sorted(tickets, key=lambda t: t.id):
        steps = Steps(rng, on_time=bool(ticket.tag))
        if ticket.kind in ("complaint", "return", "exchange", "inquiry"):
            _first_steps(ticket, steps)
        if ticket.kind != "repair":
            continue
        for start, end, events in _openings(ticket):
            if not ticket.tag:
                _contact_sooner(ticket, start, events, rng)
            engineer = _engineer(events, rng)
            if not any(e["type"] == "assigned" for e in events):
                _insert(ticket, start + steps.minutes((2, 1, 4, 0.85), (6, 20)), end, "assigned",
                        events[0].get("by"), to=engineer)
            if steps.happens(0.95):
                _insert(ticket, start + steps.minutes((15, 10, 28, 0.86), (31, 90)), end, "diagnosed", engineer)
            arrived = next((e["at"] for e in events if e["type"] == "arrived"), None)
            if arrived is not None and end is not None and end - arrived > minutes(60) and steps.happens(0.93):
                _insert(ticket, arrived + steps.minutes((30, 20, 55, 0.85), (65, 150)), end, "informed", engineer)
        if ticket.status() == "resolved":
            fixed = max(e["at"] for e in ticket.events if e["type"] == "resolved")
            if steps.happens(0.92):
                day = fixed.date() + timedelta(days=steps.days((2, 1, 6, 0.87), (8, 12)))
                _insert(ticket, at(day, "09:30") + steps.minutes((30, 0, 420, 1.0), (0, 0)), CUTOFF, "message",
                        rng.choice(CS))
            if steps.happens(0.85):
                day = fixed.date() + timedelta(days=steps.days((20, 10, 28, 0.82), (32, 45)))
                score = 5 if steps.on_time else rng.choices((5, 4, 3, 2), weights=(55, 30, 10, 5))[0]
                _insert(ticket, at(day, "09:00") + steps.minutes((60, 0, 450, 1.0), (0, 0)), CUTOFF, "revisit",
                        rng.choice(ENGINEERS), satisfaction=score)


class Steps:
    """The draws of the plan's steps: (in-time value, low, high, share in time) else (late low, high);
    `on_time` gives the in-time value and never forgets a step."""

    def __init__(self, rng: random.Random, on_time: bool) -> None:
        self.rng, self.on_time = rng, on_time

    def happens(self, share: float) -> bool:
        return self.on_time or self.rng.random() < share

    def _draw(self, fast: tuple[int, int, int, float], late: tuple[int, int]) -> int:
        if self.on_time:
            return fast[0]
        if self.rng.random() < fast[3]:
            return self.rng.randint(fast[1], fast[2])
        return self.rng.randint(*late)

    def minutes(self, fast: tuple[int, int, int, float], late: tuple[int, int]) -> timedelta:
        return minutes(self._draw(fast, late))

    def days(self, fast: tuple[int, int, int, float], late: tuple[int, int]) -> int:
        return self._draw(fast, late)


def _first_steps(ticket: Ticket, steps: Steps) -> None:
    """Complaints, returns, exchanges and inquiries: the customer contacted (and, but for an
    inquiry the desk answers itself, the request assigned) in the first minutes, mostly."""
    rng = steps.rng
    start, end, events = _openings(ticket)[0]
    if not ticket.tag:
        _contact_sooner(ticket, start, events, rng)
    if not any(e["type"] in ("responded", "arrived") for e in events):
        _insert(ticket, start + steps.minutes((5, 2, 9, 0.8), (12, 45)), end, "responded", rng.choice(CS))
    if ticket.kind != "inquiry" and not any(e["type"] == "assigned" for e in events):
        to = PM if ticket.kind == "complaint" else _engineer(events, rng)
        _insert(ticket, start + steps.minutes((2, 1, 4, 0.8), (6, 25)), end, "assigned", events[0].get("by"), to=to)


def _contact_sooner(ticket: Ticket, start: datetime, events: list[dict[str, Any]], rng: random.Random) -> None:
    """The plan's first minutes, mostly kept: an assignment made 5-30 minutes after the report and
    a call-back made 10-120 minutes after it are moved to 1-4 and 2-9 minutes (drawn here, on this
    stream, so the background history itself stays as it was); only past the desk's own events."""
    for kind, late, soon in (("assigned", (5, 30), (1, 4)), ("responded", (10, 120), (2, 9))):
        event = next((e for e in events if e["type"] == kind), None)
        if event is None or not minutes(late[0]) < event["at"] - start <= minutes(late[1]):
            continue
        between = [e for e in events if start < e["at"] < event["at"]]
        if any(e["type"] not in ("assigned", "responded") for e in between) or rng.random() > 0.8:
            continue
        event["at"] = start + minutes(rng.randint(*soon))
    ticket.events.sort(key=lambda e: e["at"])


def _openings(ticket: Ticket) -> list[tuple[datetime, datetime | None, list[dict[str, Any]]]]:
    """Each opening: its start (reported, reopened), the event that ends it (resolved, cancelled,
    or the next reopening; None while open) and its events."""
    found: list[tuple[datetime, datetime | None, list[dict[str, Any]]]] = []
    current: list[dict[str, Any]] = []
    for event in ticket.events:
        if event["type"] == "reopened" and current:
            found.append((current[0]["at"], event["at"], current))
            current = []
        current.append(event)
    end = next((e["at"] for e in current if e["type"] in ("resolved", "cancelled")), None)
    found.append((current[0]["at"], end, current))
    return [(start, next((e["at"] for e in events if e["type"] in ("resolved", "cancelled")), stop), events)
            for start, stop, events in found]


def _engineer(events: list[dict[str, Any]], rng: random.Random) -> str:
    return next((e["by"] for e in events if e.get("by") in ENGINEERS), None) or rng.choice(ENGINEERS)


def _insert(ticket: Ticket, when: datetime, end: datetime | None, type_: str, by: str | None,
            **extra: Any) -> None:
    """Add an event at its time among the others, if it happens before `end` and the cut-off."""
    if when >= CUTOFF or (end is not None and when >= end):
        return
    event: dict[str, Any] = {"at": when, "type": type_}
    if by:
        event["by"] = by
    event.update({k: extra[k] for k in EVENT_FIELD_ORDER if extra.get(k) is not None})
    ticket.events.append(event)
    ticket.events.sort(key=lambda e: e["at"])   # stable: an equal time keeps the earlier event first


def generate(out: Path, tickets_wanted: int | None) -> dict[str, Any]:
    """Write the whole folder; return what was written, for --check."""
    assets = make_assets()
    by_id = {a.id: a for a in assets}
    scenarios = Scenarios(by_id).build()
    total = SAMPLE_TICKETS if tickets_wanted is None else tickets_wanted
    if total < len(scenarios):
        raise ValueError(f"--tickets must be at least {len(scenarios)} (the hand-written ones)")
    background = Background(random.Random(f"{SEED}-background"), assets,
                            cap_repairs=tickets_wanted is None)
    background.note_repairs(scenarios)
    extra = background.tickets(total - len(scenarios))
    taken: set[str] = set()
    id_rng = random.Random(f"{SEED}-ids")
    for t in scenarios:
        t.id = ticket_id(id_rng, t.reported.date(), taken)
    for t in extra:
        t.id = ticket_id(id_rng, t.reported.date(), taken)
    tickets = scenarios + extra
    plan_steps(tickets, random.Random(f"{SEED}-steps"))
    keyed = {t.key: t for t in scenarios if t.key}
    inspections = [inspection_record(i, assets, keyed) for i in INSPECTIONS]
    scale = total / SAMPLE_TICKETS
    parts = part_records(tickets, random.Random(f"{SEED}-parts"), scale)
    settings = settings_text((ROOT / "aftersales" / "default_settings.yaml").read_text("utf-8"))

    for sub in ("assets", "tickets", "inspections", "parts"):
        shutil.rmtree(out / sub, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    write(out / "aftersales.yaml", settings)
    for a in assets:
        write(out / "assets" / f"{a.id}.yaml", block(a.record(), flow_keys=("extensions",)))
    for t in tickets:
        write(out / "tickets" / f"{t.reported.year}" / f"{t.id}.yaml",
              block(t.record(), flow_keys=("events",)))
    for rec in inspections:
        write(out / "inspections" / f"{rec['date'].year}" / f"{rec['id']}.yaml",
              block(rec, flow_keys=("checks", "signoff")))
    for rec in parts:
        write(out / "parts" / f"{rec['id']}.yaml", block(rec, flow_keys=("movements",)))
    return {"assets": assets, "tickets": tickets, "scenarios": scenarios,
            "inspections": inspections, "parts": parts}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------- --check

EVENT_FIELDS = {
    "reported": set(), "assigned": {"to"}, "responded": set(), "arrived": set(),
    "inspected": {"verdict"}, "workaround": {"until"}, "paused": {"reason"},
    "resumed": {"reason"}, "escalated": {"to"}, "resolved": {"parts", "cost"},
    "accepted": set(), "callback": {"satisfaction"}, "reopened": set(), "cancelled": set(),
    "note": set(), "diagnosed": set(), "informed": set(), "message": set(), "revisit": {"satisfaction"},
}


def check(out: Path, written: dict[str, Any]) -> list[str]:
    """Read the folder back with PyYAML and check RECORDS.md's rules; return the problems."""
    import yaml  # only the check needs PyYAML

    problems: list[str] = []
    loaded: dict[str, dict[str, Any]] = {}
    for path in sorted(out.rglob("*.yaml")):
        if path.name == "aftersales.yaml":
            continue
        data = yaml.safe_load(path.read_text("utf-8"))
        rel = path.relative_to(out)
        if data.get("id") != path.stem:
            problems.append(f"{rel}: id {data.get('id')!r} is not the file name")
        loaded[str(rel)] = data
    settings = yaml.safe_load((out / "aftersales.yaml").read_text("utf-8"))
    expected = {
        **{f"assets/{a.id}.yaml": a.record() for a in written["assets"]},
        **{f"tickets/{t.reported.year}/{t.id}.yaml": t.record() for t in written["tickets"]},
        **{f"inspections/{r['date'].year}/{r['id']}.yaml": r for r in written["inspections"]},
        **{f"parts/{r['id']}.yaml": r for r in written["parts"]},
    }
    if set(expected) != set(loaded):
        problems.append(f"files differ from what was generated: {set(expected) ^ set(loaded)}")
    for rel, record in expected.items():
        if rel in loaded and plain(record) != loaded[rel]:
            problems.append(f"{rel}: does not read back as written")
    assets = {d["id"]: d for r, d in loaded.items() if r.startswith("assets/")}
    parts = {d["id"] for r, d in loaded.items() if r.startswith("parts/")}
    tickets = {d["id"]: d for r, d in loaded.items() if r.startswith("tickets/")}
    inspections = {d["id"]: d for r, d in loaded.items() if r.startswith("inspections/")}
    for rel, d in loaded.items():
        if rel.startswith("tickets/"):
            problems += check_ticket(rel, d, assets, parts, inspections)
        elif rel.startswith("inspections/"):
            problems += check_inspection(rel, d, assets, tickets, settings)
        elif rel.startswith("assets/"):
            ext = sum(e["years"] for e in (d.get("warranty") or {}).get("extensions", []))
            if ext > settings["warranty"]["max_extension_years"] or d["area"] not in AREAS:
                problems.append(f"{rel}: extensions or area out of bounds")
    return problems


def check_ticket(rel: str, d: dict[str, Any], assets: dict[str, Any], parts: set[str],
                 inspections: dict[str, Any]) -> list[str]:
    problems = []
    events = d["events"]
    if rel.split("/")[1] != str(events[0]["at"].year):
        problems.append(f"{rel}: not in the year folder of its report")
    if events[0]["type"] != "reported" or any(e["type"] == "reported" for e in events[1:]):
        problems.append(f"{rel}: `reported` must come first, and once")
    if d["kind"] in ("repair", "maintenance", "return", "exchange") and d.get("asset") is None:
        problems.append(f"{rel}: a {d['kind']} names an asset")
    if d.get("asset") and d["asset"] not in assets:
        problems.append(f"{rel}: unknown asset {d['asset']}")
    if d.get("asset") and d.get("area") and assets[d["asset"]]["area"] != d["area"]:
        problems.append(f"{rel}: area differs from the asset's")
    if d.get("inspection") and d["inspection"] not in inspections:
        problems.append(f"{rel}: unknown inspection {d['inspection']}")
    if not isinstance(d.get("reporter", {}).get("phone", ""), str):
        problems.append(f"{rel}: the phone is not a string")
    previous, status, paused, resolved_once = None, "open", False, False
    for e in events:
        when, kind = e["at"], e["type"]
        if not isinstance(when, datetime) or when.utcoffset() != timedelta(hours=8):
            problems.append(f"{rel}: {kind} at {when!r} lacks +08:00")
            continue
        if previous and when < previous:
            problems.append(f"{rel}: {kind} at {when} goes back in time")
        if when >= CUTOFF:
            problems.append(f"{rel}: {kind} at {when} after the cut-off")
        extra = set(e) - {"at", "type", "by", "note"}
        if not extra <= EVENT_FIELDS[kind]:
            problems.append(f"{rel}: {kind} carries {sorted(extra)}")
        if status == "cancelled" and kind != "reopened":
            problems.append(f"{rel}: {kind} after cancelled")
        if kind in ("callback", "accepted", "message", "revisit") and status != "resolved":
            problems.append(f"{rel}: {kind} before a resolution")
        if kind in ("diagnosed", "informed") and status != "open":
            problems.append(f"{rel}: {kind} on a ticket that is not open")
        if kind == "resumed" and not paused:
            problems.append(f"{rel}: resumed without paused")
        if kind == "reopened" and status == "open":
            problems.append(f"{rel}: reopened while open")
        for used in e.get("parts") or ():
            if used["part"] not in parts:
                problems.append(f"{rel}: unknown part {used['part']}")
        if kind in ("callback", "revisit") and e.get("satisfaction", 3) not in range(1, 6):
            problems.append(f"{rel}: satisfaction out of 1-5")
        if kind == "workaround" and e["until"] >= CUTOFF:
            problems.append(f"{rel}: workaround until after the cut-off")
        paused = (paused or kind == "paused") and kind not in ("resumed", "resolved")
        if kind in ("resolved", "cancelled"):
            status, resolved_once = kind, resolved_once or kind == "resolved"
        elif kind == "reopened":
            status = "open"
        previous = when
    return problems


def check_inspection(rel: str, d: dict[str, Any], assets: dict[str, Any],
                     tickets: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    problems = []
    plan = next(p for p in settings["maintenance"] if p["id"] == d["plan"])
    areas = AREAS if plan["areas"] == "all" else plan["areas"]
    if rel.split("/")[1] != str(d["date"].year) or d["date"] >= AS_OF:
        problems.append(f"{rel}: wrong year folder or dated after the cut-off")
    if len(d["inspectors"]) < plan.get("inspectors", 1):
        problems.append(f"{rel}: too few inspectors")
    wanted = sorted(a for a, rec in assets.items() if rec["area"] in areas)
    if sorted(c["asset"] for c in d["checks"]) != wanted:
        problems.append(f"{rel}: checks do not cover the assets of its areas")
    for c in d["checks"]:
        if set(c) != {"asset", *plan["checklist"]}:
            problems.append(f"{rel}: check of {c['asset']} lacks checklist items")
    for f in d["findings"]:
        if f["asset"] not in assets:
            problems.append(f"{rel}: {f['id']} names an unknown asset")
        if f.get("ticket") and tickets.get(f["ticket"], {}).get("inspection") != d["id"]:
            problems.append(f"{rel}: {f['id']} links a ticket that does not name it")
        if f.get("closed") and f["closed"] >= AS_OF:
            problems.append(f"{rel}: {f['id']} closed after the cut-off")
    return problems


def stock_on(part: dict[str, Any], tickets: list[Ticket], day: date) -> int:
    """Stock as RECORDS.md defines it (counts here never share a day with usage)."""
    changes: list[tuple[date, int, str, int]] = []
    for m in part["movements"]:
        kind = "count" if "count" in m else "in"
        changes.append((m["date"], 1, kind, m[kind]))
    for t in tickets:
        for e in t.events:
            for used in e.get("parts") or ():
                if used["part"] == part["id"]:
                    changes.append((e["at"].date(), 0, "out", used["qty"]))
    level = 0
    for when, _, kind, qty in sorted(changes):
        if when > day:
            break
        level = qty if kind == "count" else level + (qty if kind == "in" else -qty)
    return level


def summary(written: dict[str, Any]) -> str:
    """Counts, and what each hand-written ticket demonstrates."""
    tickets: list[Ticket] = written["tickets"]
    kinds = Counter(t.kind for t in tickets)
    types = Counter(e["type"] for t in tickets for e in t.events)
    still_open = [t for t in tickets if t.is_open()]
    stock = ", ".join(f"{p['id']} {stock_on(p, tickets, AS_OF)}/{p['min']}"
                      for p in written["parts"])
    lines = [
        f"{len(written['assets'])} assets, {len(tickets)} tickets, "
        f"{len(written['inspections'])} inspections, {len(written['parts'])} parts",
        "kinds: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()),
        "events: " + ", ".join(f"{k} {n}" for k, n in types.most_common()),
        f"open as of {AS_OF}: {len(still_open)}",
        f"stock/min as of {AS_OF}: {stock}",
        "scenarios:",
    ]
    lines += [f"  {t.id}  {t.tag}" for t in written["scenarios"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "records",
                        help="records folder to (re)write (default: records/ beside scripts/)")
    parser.add_argument("--tickets", type=int, metavar="N",
                        help=f"write N tickets instead of the {SAMPLE_TICKETS}-ticket sample "
                             "(for benchmarks)")
    parser.add_argument("--check", action="store_true",
                        help="read the folder back with PyYAML, check it, print a summary")
    args = parser.parse_args(argv)
    try:
        written = generate(args.out, args.tickets)
    except ValueError as error:
        parser.error(str(error))
    if args.check:
        problems = check(args.out, written)
        print(summary(written))
        for problem in problems:
            print("problem:", problem, file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
