"""`report inspection`: content in both languages and formats against golden files, escaping,
template overrides, determinism.

The golden files are tests/golden/inspection.{en,zh}.{md,html}. After a deliberate change to
the report, `python -m pytest --update-goldens` rewrites them (and fails); review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Records, run, settings_yaml

GOLDEN = Path(__file__).parent / "golden"
AT = "2026-04-10"

SETTINGS = settings_yaml(name="苏州工业园区某学校家具项目", customer="某学校", supplier="某家具公司", areas="""\
lobby: {name: 门厅及等候区, priority: critical}
office: {name: 教师办公室, priority: normal}
""", calendars=None, targets=None, warranty=None, maintenance="""\
- id: quarterly-inspection
  name: 季度巡检
  areas: all
  rrule: "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
  start: 2026-03-31
  early: 14d
  inspectors: 2
  checklist: [appearance, function, fastening]
""")
INSPECTION = """\
id: INS-2026Q1
plan: quarterly-inspection
date: 2026-03-27
inspectors: [eng-zhang, eng-wang]
areas: [lobby, office]
checks:
  - {asset: DESK-1, appearance: ok, function: ok}
  - {asset: CHAIR-1, appearance: ok, function: issue, fastening: ok}
  - {asset: SOFA-1, appearance: issue, function: n/a, fastening: ok}
findings:
  - id: F1
    asset: CHAIR-1
    location: 第5排8号
    category: function
    severity: normal
    problem: 靠背回弹不足
    action: 更换回弹弹簧
    owner: eng-zhang
    due: 2026-04-03
    closed: 2026-04-02
    ticket: T-1
  - id: F2
    asset: SOFA-1
    category: surface
    severity: urgent
    problem: "皮面划伤 | 约 3 cm <b>"
    action: 修补皮面
    owner: eng-wang
    due: 2026-04-05
    closed: 2026-04-08
  - {id: F3, asset: SOFA-1, problem: 扶手松动, action: 紧固, owner: eng-wang, due: 2026-04-09}
  - {id: F4, problem: 门厅地垫卷边, owner: 总务处, due: 2026-04-30}
  - {id: F5, problem: 抽屉滑轨异响, due: 2026-04-20, closed: 2026-04-12}
signoff: {name: 总务处李主任, date: 2026-03-27}
"""


def build(records: Records) -> Records:
    records.write("aftersales.yaml", SETTINGS)
    records.asset(location="报告厅一楼")
    records.asset("SOFA-1", name="等候区真皮沙发")
    records.asset("DESK-1", name="教师办公桌", area="office")
    records.ticket("T-1")
    records.write("inspections/2026/INS-2026Q1.yaml", INSPECTION)
    return records


def report(records: Records, *args: str):
    return run("report", "inspection", "INS-2026Q1", "--records", str(records.root), "--at", AT, *args)


def rendered(records: Records, lang: str, fmt: str) -> str:
    result = report(records, "--lang", lang, "--format", fmt)
    assert result.exit_code == 0, result.output
    return result.stdout


CASES = [(lang, fmt) for lang in ("en", "zh") for fmt in ("md", "html")]


@pytest.fixture
def school(records) -> Records:
    return build(records)


@pytest.mark.parametrize(("lang", "fmt"), CASES)
def test_the_report_matches_its_golden_file(school, lang, fmt, golden):
    first = rendered(school, lang, fmt)
    assert first == rendered(school, lang, fmt), "two runs differ"
    golden(GOLDEN / f"inspection.{lang}.{fmt}", first)


def test_the_content_the_school_needs(school):
    text = rendered(school, "en", "md")
    assert "- **Customer:** 某学校\n" in text and "- **Inspectors:** eng-zhang, eng-wang\n" in text
    assert "3 assets on the list, 2 fully checked, 2 with an issue. Problems found: 5.\n" in text
    assert "| DESK-1 | 教师办公桌 |  | OK | OK | not checked |\n" in text
    assert "| F1 | CHAIR-1 | 第5排8号 | function | normal | 靠背回弹不足 |\n" in text  # problem summary
    assert "| F1 | 更换回弹弹簧 | eng-zhang | 2026-04-03 |\n" in text                   # solution
    tracking = text.split("## Rectification status as of 2026-04-10\n")[1].split("##")[0]
    statuses = [line.split(" | ")[1] for line in tracking.splitlines() if line.startswith("| F")]
    assert statuses == ["closed on time", "closed late", "**overdue**", "open", "open"]  # F5: closed 04-12
    assert "- **Signed for the customer by:** 总务处李主任\n- **Date:** 2026-03-27\n" in text


def test_statuses_follow_the_as_of_date(school):
    before = report(school, "--at", "2026-04-04").stdout
    rows = before.split("## Rectification status as of 2026-04-04\n")[1]
    assert "| F2 | open | 2026-04-05 |  |  |" in rows       # closed on 04-08: not yet
    assert "| F1 | closed on time | 2026-04-03 | 2026-04-02 | T-1 |" in rows


def test_zh_headings_labels_and_statuses(school):
    text = rendered(school, "zh", "md")
    for words in ("# 巡检报告 INS-2026Q1", "- **客户：** 某学校", "## 问题汇总", "## 整改方案",
                  "## 整改跟踪（截至 2026-04-10）", "| F1 | 按期完成 |", "| F2 | 逾期完成 |", "| F3 | **已逾期** |",
                  "| F4 | 整改中 |", "| F1 | CHAIR-1 | 第5排8号 | 功能 | 一般 | 靠背回弹不足 |",
                  "**有问题**", "未检查"):
        assert words in text, words


def test_unsigned_reports_leave_lines_to_sign(school):
    school.edit("inspections/2026/INS-2026Q1.yaml", "signoff: {name: 总务处李主任, date: 2026-03-27}\n", "")
    assert "- **Signed for the customer by:** ____________________\n" in rendered(school, "en", "md")
    html = rendered(school, "zh", "html")
    assert '<p>客户签字：<span class="line">&nbsp;</span></p>' in html


def test_record_text_is_escaped(school):
    school.edit("inspections/2026/INS-2026Q1.yaml", "problem: 靠背回弹不足", "problem: \"<script>alert('x')</script>\"")
    html = rendered(school, "en", "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    md = rendered(school, "en", "md")
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in md and "<script" not in md


def test_the_html_is_one_self_contained_a4_page(school):
    html = rendered(school, "zh", "html")
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert "@page { size: A4;" in html and "thead { display: table-header-group; }" in html
    assert "<link" not in html and "src=" not in html and "http" not in html


def test_output_file_is_written(school, tmp_path):
    out = tmp_path / "out" / "INS-2026Q1.html"
    result = report(school, "--format", "html", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8") == rendered(school, "en", "html")


def test_a_records_template_extends_the_built_in_one(school):
    school.write("templates/inspection.md.j2", """\
        {% extends "builtin/inspection.md.j2" %}
        {% block header %}
        **某家具公司 售后服务部**

        {{ super() }}
        {%- endblock %}
        """)
    text = rendered(school, "en", "md")
    assert text.startswith("**某家具公司 售后服务部**\n\n# Inspection report INS-2026Q1\n")
    assert "## Problem summary" in text


def test_an_inspection_after_the_as_of_date_did_not_exist(school):
    result = report(school, "--at", "2026-03-26")
    assert result.exit_code == 2
    assert result.stderr == "Error: INS-2026Q1 is dated 2026-03-27, after --at 2026-03-26: it did not exist yet\n"


def test_an_unknown_inspection(school):
    result = run("report", "inspection", "INS-9", "--records", str(school.root))
    assert result.exit_code == 2 and result.stderr == "Error: no inspection 'INS-9'\n"
