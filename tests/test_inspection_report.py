"""`report inspection`: content in both languages and formats against golden files, escaping,
template overrides, determinism.

The golden files are tests/golden/inspection.{en,zh}.{md,html}. After a deliberate change to
the report, `python -m pytest --update-goldens` rewrites them (and fails); review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Records, needs_weasyprint, run, settings_yaml

GOLDEN = Path(__file__).parent / "golden"
AT = "2026-04-10"

SETTINGS = settings_yaml(name="苏州工业园区某学校家具项目", customer="某学校", supplier="某家具公司", areas="""\
lobby: {name: {en: Lobby and waiting area, zh: 门厅及等候区}, priority: critical}
office: {name: {en: Teacher offices, zh: 教师办公室}, priority: normal}
""", calendars=None, targets=None, warranty=None, maintenance="""\
- id: quarterly-inspection
  name: {en: Quarterly inspection, zh: 季度巡检}
  areas: all
  rrule: "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
  start: 2026-03-31
  early: 14d
  inspectors: 2
  checklist: [appearance, function, fastening]
""", people="""\
eng-zhang: {name: {en: Zhang Wei, zh: 张伟}, role: {en: Service engineer, zh: 售后工程师}, phone: "13900000001"}
eng-wang: {name: {en: Wang Qiang, zh: 王强}}
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
    assert "- **Customer:** 某学校\n" in text
    assert "- **Inspectors:** Zhang Wei (Service engineer, 13900000001), Wang Qiang\n" in text  # people by name
    assert "- **Report No.:** INS-2026Q1\n- **Issue date:** 2026-04-10\n" in text
    day, status = text.split("## Part A. What was found on 2026-03-27\n")[1].split(
        "## Part B. Rectification status as of 2026-04-10\n")
    assert "3 assets on the list, 2 fully checked, 2 with an issue. Problems found: 5.\n" in day
    assert "| DESK-1 | 教师办公桌 |  | OK | OK | not checked |\n" in day
    assert "| F1 | 报告厅剧院椅 (CHAIR-1) | 第5排8号 | function | normal | 靠背回弹不足 |\n" in day  # problem summary
    assert "| F1 | 更换回弹弹簧 | Zhang Wei | 2026-04-03 |\n" in day                         # solution
    assert "| F4 | 门厅地垫卷边 | 总务处 | 2026-04-30 |" not in day                          # no status on the day
    rows = [line.split(" | ") for line in status.split("##")[0].splitlines() if line.startswith("| F")]
    assert [(r[2], r[3], r[4]) for r in rows] == [
        ("Zhang Wei", "2026-04-03", "closed on time"), ("Wang Qiang", "2026-04-05", "closed late"),
        ("Wang Qiang", "2026-04-09", "**overdue**"), ("总务处", "2026-04-30", "open"),
        ("", "2026-04-20", "open")]  # F5: closed 04-12, after the issue date
    assert "Customer sign-off recorded on 2026-03-27 by 总务处李主任.\n" in text


def test_statuses_follow_the_as_of_date(school):
    before = report(school, "--at", "2026-04-04").stdout
    rows = before.split("## Part B. Rectification status as of 2026-04-04\n")[1]
    # F2 closes on 04-08: not yet
    assert "| F2 | 皮面划伤 \\| 约 3 cm &lt;b&gt; | Wang Qiang | 2026-04-05 | open |  |  |" in rows
    assert "| F1 | 靠背回弹不足 | Zhang Wei | 2026-04-03 | closed on time | 2026-04-02 | T-1 |" in rows


def test_zh_headings_labels_and_statuses(school):
    text = rendered(school, "zh", "md")
    for words in ("# 巡检报告 INS-2026Q1", "- **客户：** 某学校", "### 问题汇总", "### 整改方案",
                  "- **巡检人员：** 张伟（售后工程师，13900000001）、王强\n", "## 一、2026-03-27 巡检所见",
                  "## 二、截至 2026-04-10 的整改状态", "| 张伟 | 2026-04-03 | 按期完成 |",
                  "| 王强 | 2026-04-05 | 逾期完成 |", "| 王强 | 2026-04-09 | **已逾期** |",
                  "| 总务处 | 2026-04-30 | 整改中 |",
                  "| F1 | 报告厅剧院椅 (CHAIR-1) | 第5排8号 | 功能 | 一般 | 靠背回弹不足 |",
                  "**有问题**", "未检查", "| | 服务单位：某家具公司 | 客户：某学校 |"):
        assert words in text, words


def test_unsigned_reports_leave_lines_to_sign(school):
    school.edit("inspections/2026/INS-2026Q1.yaml", "signoff: {name: 总务处李主任, date: 2026-03-27}\n", "")
    text = rendered(school, "en", "md")
    assert "sign-off recorded" not in text
    assert text.endswith("| | For the service provider: 某家具公司 | For the customer: 某学校 |\n|---|---|---|\n"
                         "| Signature | | |\n| Name | | |\n| Date | | |\n")
    html = rendered(school, "zh", "html")
    # Both parties sign on blank lines: nothing is printed on them.
    assert html.count('<p class="line"><span class="label">签字</span><span class="blank"></span></p>') == 2


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
    assert "@page {\n  size: A4;" in html and "thead { display: table-header-group; }" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '@bottom-right { content: "第 " counter(page) " 页，共 " counter(pages) " 页"; }' in html
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


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "title", "footer", "signoff"), [
    ("zh", "巡检报告 INS-2026Q1", "第 1 页，共 {n} 页", "签字确认"),
    ("en", "Inspection report INS-2026Q1", "Page 1 of {n}", "Sign-off"),
])
def test_the_pdf(school, tmp_path, lang, title, footer, signoff):
    needs_weasyprint()
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "report.pdf"
    result = report(school, "--lang", lang, "-o", str(out))     # the format follows the extension
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(str(out))
    pages = len(reader.pages)
    text = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert 1 <= pages <= 4
    assert title in text[0] and "INS-2026Q1" in text[0]
    assert all(footer.format(n=pages).replace("1", str(i), 1) in page for i, page in enumerate(text, 1))
    assert signoff in text[-1]
