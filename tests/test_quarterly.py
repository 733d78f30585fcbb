"""`aftersales report quarterly`: the JSON keys, golden documents, periods, files, escaping, templates.

Most tests run the command on the bundled sample records (`records/` at the repository root) as of
2026-11-23, in-process with click's CliRunner; the time-zone tests run it as a subprocess under
another machine time zone.

Golden files
------------
`tests/golden/quarterly/2026Q3.<lang>.<fmt>` (en/zh x md/html) hold the report of the bundled
records for 2026Q3 as of 2026-11-23, byte for byte. When a change to the report is intended,
`python -m pytest --update-goldens` rewrites them (and fails); review the diff before committing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import event, run

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "records"
GOLDEN = Path(__file__).parent / "golden" / "quarterly"
AT = "2026-11-23"
TARGETS = ["assign", "contact", "response", "diagnosis", "on-site", "resolution", "progress", "callback",
           "follow-up-message", "revisit", "return-inspection"]  # the bundled settings' ids


def quarterly(*args: str, records: Path = BUNDLED, at: str | None = AT):
    """`aftersales report quarterly ARGS --records DIR [--at AT]`, in-process."""
    if args and re.match(r"^\d{4}Q[1-4]$", args[0]):   # the quarter, as --period
        args = ("--period", *args)
    return run("report", "quarterly", *args, "--records", str(records), *(("--at", at) if at else ()))


def text_of(*args: str, records: Path = BUNDLED, at: str | None = AT) -> str:
    result = quarterly(*args, records=records, at=at)
    assert result.exit_code == 0, result.output
    return result.stdout


def json_of(*args: str, records: Path = BUNDLED, at: str | None = AT) -> dict[str, Any]:
    return json.loads(text_of(*args, "--format", "json", records=records, at=at))


def dig(data: dict[str, Any], dotted: str) -> Any:
    for key in dotted.split("."):
        assert isinstance(data, dict) and key in data, f"{dotted}: no {key!r}"
        data = data[key]
    return data


@pytest.fixture(scope="module")
def q3() -> dict[str, Any]:
    return json_of("2026Q3")


# --- JSON ----------------------------------------------------------------------------------

COUNTS = ["tickets.opened", "tickets.resolved", "tickets.cancelled", "quality.complaints",
          "satisfaction.responses", "findings.overdue", "warranty.expiring", "parts.low"]
RATES = ["quality.first_time_fix_rate", "quality.repeat_repair_rate", "quality.reopen_rate",
         "quality.complaint_rate", "callbacks.coverage", "maintenance.pm_compliance"]


def test_the_json_has_every_documented_key(q3):
    assert q3["period"]["name"] == "2026Q3"
    assert (q3["period"]["start"], q3["period"]["end"]) == ("2026-07-01T00:00:00+08:00", "2026-10-01T00:00:00+08:00")
    for key in COUNTS:
        value = dig(q3, key)
        assert isinstance(value, int) and not isinstance(value, bool) and value >= 0, key
    assert list(q3["sla"]) == TARGETS
    rates = list(RATES)
    for target in TARGETS:
        for key in ("met", "breached"):
            assert isinstance(dig(q3, f"sla.{target}.{key}"), int)
        rates.append(f"sla.{target}.compliance")
        mean = dig(q3, f"sla.{target}.mean_minutes")
        assert mean is None or (isinstance(mean, (int, float)) and mean >= 0)
    for key in rates:
        value = dig(q3, key)
        assert value is None or (isinstance(value, float) and 0 <= value <= 1), f"{key} = {value!r}"
    mean = dig(q3, "satisfaction.mean")
    assert mean is None or 1 <= mean <= 5


def test_ticket_counts_agree_with_a_reading_of_the_files_by_hand(q3):
    # A bundled ticket's id carries the day it was reported (T-YYYYMMDD-...), so
    # `ls records/tickets/2026/T-20260[789]*` lists the 32 reported in Q3. Four of them are complaints
    # (grep -l "kind: complaint"): T-20260714-MN473T, T-20260803-Q0EATV, T-20260912-9AD4S4, T-20260924-9XZZV5.
    # One ticket was cancelled in Q3 (grep "type: cancelled"): T-20260919-ZC2EW8, on 09-19.
    t = q3["tickets"]
    assert (t["opened"], t["cancelled"], q3["quality"]["complaints"]) == (32, 1, 4)


def test_out_of_warranty_figures_agree_with_a_reading_of_the_files_by_hand(q3):
    # Five years from `installed` (the settings'; the assets that give `years` give 5 too): the warranties that had
    # ended before Q3 are those of AUD-CHAIR-D (installed 2021-03-18), DORM-BED-C1 and DORM-BED-C3 (2021-03-22)
    # and OFF-DESK-ADM (2021-03-05). DORM-BED-C2 (2021-03-22) has a 1-year extension, to 2027-03-22; every other
    # asset was installed on 2021-12-15 or later. Of the tickets reported in Q3 (T-20260[789]*), two name one of
    # those four: T-20260825-4R7N0G (DORM-BED-C3, resolved at a cost of 600) and T-20260915-ZBXF1Z
    # (OFF-DESK-ADM, 150) -> 2 tickets, 750.
    w = q3["warranty"]
    assert (w["out_of_warranty_tickets"], w["out_of_warranty_cost"]) == (2, 750)


@pytest.mark.slow
def test_the_same_records_and_instant_give_byte_identical_output():
    for fmt in ("md", "html", "json"):
        first = text_of("2026Q3", "--format", fmt, "--lang", "zh")
        assert first == text_of("2026Q3", "--format", fmt, "--lang", "zh"), fmt


# --- golden documents -----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_matches_its_golden_file(lang, fmt, golden):
    golden(GOLDEN / f"2026Q3.{lang}.{fmt}", text_of("2026Q3", "--format", fmt, "--lang", lang))


# --- periods ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("at", "expected"), [
    ("2026-04-01T00:00:00+08:00", "2026Q1"),   # the first instant of Q2: Q1 is complete
    ("2026-03-31T23:59:59+08:00", "2025Q4"),   # the last second of Q1: Q1 is not
    ("2026-03-31T16:00:00Z", "2026Q1"),        # = 2026-04-01 00:00 in Shanghai
    ("2026-03-31T15:59:59Z", "2025Q4"),
    ("2026-04-01 00:00", "2026Q1"),            # no offset: read in the project time zone
    ("2026-01-01", "2025Q4"),
])
def test_previous_is_the_last_complete_quarter_before_at(at, expected):
    report = json_of("--previous", at=at)
    assert report["period"]["name"] == expected
    assert report["trend"]["previous_period"] == {"2026Q1": "2025Q4", "2025Q4": "2025Q3"}[expected]


def subprocess_report(tz: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AFTERSALES_RECORDS", "TZ")}
    env["TZ"] = tz
    return subprocess.run([sys.executable, "-m", "aftersales", "report", "quarterly", *args,
                           "--records", str(BUNDLED)], capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=60, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("tz", ["America/New_York", "UTC"])
def test_the_machine_time_zone_changes_nothing(tz):
    for at in ("2026-04-01 00:00", "2026-03-31 23:59:59"):
        here = text_of("--previous", "--format", "json", at=at)
        there = subprocess_report(tz, "--previous", "--at", at, "--format", "json")
        assert there.returncode == 0, there.stderr
        assert there.stdout == here
    md = subprocess_report(tz, "--period", "2026Q3", "--at", AT, "--lang", "zh")
    assert md.returncode == 0, md.stderr
    assert md.stdout == text_of("2026Q3", "--lang", "zh")


def test_a_custom_range_and_its_previous_period():
    report = json_of("--from", "2026-07-01", "--to", "2026-09-30")
    assert report["period"]["name"] == "2026-07-01..2026-09-30"
    # The same figures as the quarter (same instants), and the 92 days just before as the trend's base.
    assert report["tickets"] == json_of("2026Q3")["tickets"]
    assert report["trend"]["previous_period"] == "2026-03-31..2026-06-30"


@pytest.mark.parametrize(("args", "message"), [
    ((), "name the period"),
    (("2026Q3", "--previous"), "give only one of --period, --previous and --from/--to"),
    (("2026Q5",), "2026Q5"),
    (("2026-Q3",), "2026-Q3"),
    (("--from", "2026-07-01"), "--to"),
    (("--from", "2026-07-01", "--to", "2026-06-30"), "before"),
])
def test_usage_errors_exit_2(args, message):
    result = quarterly(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stdout == ""


# --- files ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_output_into_a_folder_picks_a_dated_name(tmp_path):
    expected = text_of("2026Q3", "--format", "html", "--lang", "zh")
    result = quarterly("2026Q3", "--format", "html", "--lang", "zh", "-o", f"{tmp_path}/")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quarterly-2026Q3.zh.html"]
    assert (tmp_path / "quarterly-2026Q3.zh.html").read_text(encoding="utf-8") == expected
    # The same without the trailing slash, for a folder that exists.
    assert quarterly("2026Q3", "--lang", "en", "-o", str(tmp_path)).exit_code == 0
    assert (tmp_path / "quarterly-2026Q3.en.md").read_text(encoding="utf-8") == text_of("2026Q3")


def test_output_into_a_new_folder_given_with_a_slash(tmp_path):
    result = quarterly("2026Q3", "-o", f"{tmp_path}/reports/")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reports" / "quarterly-2026Q3.en.md").is_file()


def test_output_to_a_file_is_written_atomically(tmp_path, monkeypatch):
    target = tmp_path / "report.md"
    target.write_text("an older report\n", encoding="utf-8")
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src, dst, *args, **kwargs):
        renames.append((str(src), str(dst)))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", spy)
    result = quarterly("2026Q3", "-o", str(target), "-v")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {target}\n"
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == text_of("2026Q3")
    # Written beside the target under another name, then renamed over it; nothing left behind.
    assert len(renames) == 1 and renames[0][1] == str(target)
    assert Path(renames[0][0]).parent == tmp_path and Path(renames[0][0]).name != "report.md"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]
    assert quarterly("2026Q3", "-o", str(target)).stderr == ""   # without --verbose, quiet for cron


def test_json_is_written_as_it_comes_and_a_file_only_once_whole(tmp_path, monkeypatch):
    """The JSON report goes out a piece at a time, to standard output or to -o's file, the same
    text either way; a run that fails half-way leaves the older file as it was, nothing beside it."""
    from aftersales.core.errors import AftersalesError
    from aftersales.views import quarterly as view
    whole = text_of("2026Q3", "--format", "json")
    assert json.loads(whole)["period"]["name"] == "2026Q3"
    target = tmp_path / "report.json"
    assert quarterly("2026Q3", "--format", "json", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == whole
    real = view.json_text

    def failing(records, report):
        pieces = real(records, report)
        yield next(pieces)
        raise AftersalesError("the disk went away")

    monkeypatch.setattr(view, "json_text", failing)
    result = quarterly("2026Q3", "--format", "json", "-o", str(target))
    assert result.exit_code == 1 and "the disk went away" in result.stderr
    assert target.read_text(encoding="utf-8") == whole
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_records_that_do_not_validate_exit_1_and_write_nothing(records, tmp_path):
    records.ticket("T-1", event("07-01 09:00", "reported"), kind="repiar")
    out = tmp_path / "out"
    out.mkdir()
    result = quarterly("2026Q3", "-o", f"{out}/report.md", records=records.root)
    assert result.exit_code == 1
    assert "do not validate" in result.stderr and "tickets/2026/T-1.yaml" in result.stderr
    assert result.stdout == ""
    assert list(out.iterdir()) == []


# --- what the documents contain ----------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_record_text_is_escaped_in_html_and_inert_in_markdown(records):
    # An asset whose warranty ends 2026-12-01 (listed as expiring on 2026-11-23) and a part, both named
    # with markup; a project name with an ampersand and a tag.
    records.asset("EVIL-1", name=f'"{SCRIPT}"', category='"<b>bold</b>"', installed="2021-12-01")
    records.part("EVIL-P", name=f'"{SCRIPT}"', unit='"<i>u</i>"', min=1)
    records.edit("aftersales.yaml", "name: 测试项目", 'name: "A & B <i>x</i>"')
    records.ticket("T-1", event("10-08 09:00", "reported"), asset="EVIL-1", category="structure")
    html = text_of("2026Q4", "--format", "html", records=records.root)
    assert "<script" not in html.lower()
    assert html.count(ESCAPED) == 3                       # the expiring asset, the part, the missed response
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold" not in html
    assert "&lt;i&gt;u&lt;/i&gt;" in html and "<i>" not in html
    assert "A &amp; B &lt;i&gt;x&lt;/i&gt;" in html
    md = text_of("2026Q4", records=records.root)
    assert "<script" not in md.lower() and "<b>" not in md and "<i>" not in md
    assert md.count(ESCAPED) == 3
    assert "| &lt;script&gt;alert(1)&lt;/script&gt; (EVIL-1) |" in md


def test_a_percentage_is_rounded_once(records):
    # 26 requests opened in Q3, one of them a complaint: 1 / 26 = 0.038461... = 3.846 % -> 3.8 %.
    # The JSON carries the exact fraction; only the document rounds, once.
    for n in range(1, 26):
        records.ticket(f"T-{n}", event(f"07-{n:02d} 09:00", "reported"), kind="inquiry", asset=None)
    records.ticket("T-K", event("08-01 09:00", "reported"), kind="complaint", asset=None)
    assert json_of("2026Q3", records=records.root)["quality"]["complaint_rate"] == 1 / 26
    shown = text_of("2026Q3", records=records.root)
    assert "| Complaint rate | 3.8% | 1 of 26 requests opened were complaints |" in shown


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_html_is_self_contained(lang):
    html = text_of("2026Q3", "--format", "html", "--lang", lang)
    assert html.startswith("<!DOCTYPE html>")
    assert set(re.findall(r"https?://[^\s\"'<>)]*", html)) == {"http://www.w3.org/2000/svg"}
    lowered = html.lower()
    for forbidden in ("<script", "<link", "@import", "url(", "<iframe", "<img"):
        assert forbidden not in lowered, forbidden
    assert not re.search(r"\ssrc\s*=", lowered)
    assert lowered.count("<svg") == 4


@pytest.mark.slow
def test_the_chinese_report_speaks_chinese():
    md = text_of("2026Q3", "--lang", "zh")
    html = text_of("2026Q3", "--format", "html", "--lang", "zh")
    for text in (md, html):
        assert "季度售后服务报告" in text
        for heading in ("服务请求", "服务承诺达成情况", "服务质量", "巡检与保养", "质保", "备品备件", "附录：统计口径",
                        "签字确认"):
            assert heading in text, heading
        # statuses and value names: the Q3 inspection slot was done on time; target names; kinds
        assert "按期完成" in text and "响应" in text and "维修" in text
    assert '<html lang="zh-CN">' in html
    assert "| 季度巡检 | 2026-09-30 | 按期完成 | INS-2026Q3 (2026-09-22) |" in md
    en = text_of("2026Q3")
    assert "# Quarterly service report" in en and "季度售后服务报告" not in en
    assert "| Quarterly inspection | 2026-09-30 | done | INS-2026Q3 (2026-09-22) |" in en


def test_a_user_template_extending_the_built_in_one_is_used(records):
    plain = text_of("2026Q3", records=records.root)
    records.write("templates/quarterly.md.j2", 'LETTERHEAD 某家具有限公司\n{% extends "builtin/quarterly.md.j2" %}\n')
    assert text_of("2026Q3", records=records.root) == "LETTERHEAD 某家具有限公司\n" + plain
    # The HTML report still comes from the built-in template.
    assert "LETTERHEAD" not in text_of("2026Q3", "--format", "html", records=records.root)


def test_a_user_template_replacing_the_built_in_one(records):
    records.write("templates/quarterly.md.j2", "{{ r.period.name }}: {{ r.tickets.opened }} {{ L.opened }}\n")
    records.ticket("T-1", event("07-01 09:00", "reported"))
    assert text_of("2026Q3", records=records.root) == "2026Q3: 1 Opened\n"
    assert text_of("2026Q3", "--lang", "zh", records=records.root) == "2026Q3: 1 新增\n"


def test_a_bad_date_in_from_is_a_usage_error_with_the_usual_words():
    result = quarterly("--from", "2026-13-01", "--to", "2026-12-31")
    assert result.exit_code == 2
    assert result.stderr == "Error: '2026-13-01' is not a date: write it like 2026-03-14\n"


FORMS = "write it like 2026-03-14 09:12, 09:12, 2026-03-14 or 2026-03-14T09:12:00+08:00"


@pytest.mark.parametrize(("args", "told"), [
    (("report", "quarterly", "--period", "2026-Q3"), "'2026-Q3' is not a quarter: write it like 2026Q1"),
    (("report", "quarterly", "--from", "2026-13-01"), "'2026-13-01' is not a date: write it like 2026-03-14"),
    (("sla", "--period", "Q3"), "'Q3' is not a quarter: write it like 2026Q1"),
    (("sla", "--to", "2026/09/30"), "'2026/09/30' is not a date: write it like 2026-03-14"),
    (("sla", "--at", "0930"), f"'0930' is not a time: {FORMS} (did you mean 09:30?)"),
    (("ticket", "list", "--at", "2026-12"), f"'2026-12' is not a time: {FORMS} (a date needs its day: 2026-12-01?)"),
])
def test_a_mistyped_period_or_instant_is_refused_before_the_records_are_read(records, args, told):
    """A mistyped period or instant is told at once, not after reading a folder of 100,000
    tickets: here the folder does not even validate, and the option's error is the one told."""
    records.write("tickets/2026/T-9.yaml", "id: T-9\nkind: [\n")
    result = run(*args, "--records", str(records.root))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {told}\n"


@pytest.mark.parametrize(("args", "told"), [
    (("report", "quarterly", "--period", "2026Q3", "--from", "2026-07-01"),
     "give only one of --period, --previous and --from/--to"),
    (("report", "quarterly"), "name the period: --period 2026Q1, --previous, or --from DATE --to DATE"),
    (("report", "quarterly", "--from", "2026-07-01"), "--from and --to go together"),
    (("report", "quarterly", "--from", "2026-07-01", "--to", "2026-06-30"),
     "--to 2026-06-30 is before --from 2026-07-01"),
    (("sla", "--period", "2026Q3", "--to", "2026-09-30"), "give either --period or --from/--to, not both"),
    (("parts", "--from", "2026-07-01", "--to", "2026-06-30"), "--to 2026-06-30 is before --from 2026-07-01"),
])
def test_period_options_that_do_not_go_together_are_refused_before_the_records_are_read(records, args, told):
    records.write("tickets/2026/T-9.yaml", "id: T-9\nkind: [\n")
    result = run(*args, "--records", str(records.root))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {told}\n"


def test_output_under_a_file_is_refused_with_its_path(tmp_path):
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    target = tmp_path / "plain" / "report.md"
    result = quarterly("2026Q3", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot write {target}: a part of that path is a file, not a folder "
                             "(or the file is a folder)\n")
    assert (tmp_path / "plain").read_text(encoding="utf-8") == "x"


def test_a_clock_running_late_across_a_change_of_the_clocks_is_late_by_the_time_passed(records):
    """Berlin moved its clocks on from 02:00 to 03:00 on 2026-03-29: a response due on 2026-03-28
    at 11:00 and still missing on 2026-03-30 at 11:00 is 47 hours late, not 48."""
    records.settings(timezone="Europe/Berlin")
    records.ticket("T-1", event("2026-03-28 09:00", "reported", tz=ZoneInfo("Europe/Berlin")))
    result = run("report", "quarterly", "--period", "2026Q1", "--format", "json", "--at", "2026-03-30 11:00",
                 "--records", str(records.root))
    assert result.exit_code == 0, result.output
    [breach] = json.loads(result.stdout)["breaches"]
    assert (breach["deadline"], breach["still_open"]) == ("2026-03-28T11:00:00+01:00", True)
    assert breach["over_minutes"] == 47 * 60
