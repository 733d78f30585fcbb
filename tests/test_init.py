"""`aftersales init`: a new records folder that validates clean, and never over an existing one."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from conftest import run

from aftersales.core.errors import AftersalesError

FOLDERS = ["assets", "inspections", "parts", "tickets"]


def missing(year: int) -> list[tuple[int, str]]:
    """The year and why, when the installed `holidays` data does not have it yet."""
    from aftersales.engine.holidays_cn import china_year

    try:
        china_year(year)
    except AftersalesError as exc:
        return [(year, str(exc))]
    return []


def test_init_creates_the_settings_and_the_record_folders(tmp_path):
    folder = tmp_path / "school"
    result = run("init", str(folder), "--start", "2026-03-02")
    assert result.exit_code == 0
    assert result.output == (f"created {folder}/ with aftersales.yaml and empty record folders; "
                             "maintenance plans start 2026-03-02\n"
                             "the workdays calendar has the official holidays of 2026\n"
                             + "".join(f"{year} still needs its holidays: {why}\n" for year, why in missing(2027))
                             + f"next: edit {folder}/aftersales.yaml, then `aftersales validate --records {folder}`\n")
    assert (folder / "aftersales.yaml").is_file()
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == FOLDERS


def test_a_new_folder_validates_clean(tmp_path):
    folder = tmp_path / "school"
    run("init", str(folder))
    result = run("validate", "--records", str(folder))
    assert (result.exit_code, result.output) == (
        0, "ok: 0 assets, 0 tickets, 0 inspections, 0 parts, no problems\n")


def test_init_into_an_existing_empty_folder(tmp_path):
    assert run("init", str(tmp_path)).exit_code == 0
    assert run("validate", "--records", str(tmp_path)).exit_code == 0


def test_name_customer_and_timezone_are_written(tmp_path):
    folder = tmp_path / "school"
    result = run("init", str(folder), "--name", "苏州某学校家具项目", "--customer", "某学校",
                 "--timezone", "Europe/Berlin")
    assert result.exit_code == 0
    project = yaml.safe_load((folder / "aftersales.yaml").read_text(encoding="utf-8"))["project"]
    assert (project["name"], project["customer"], project["timezone"]) == (
        "苏州某学校家具项目", "某学校", "Europe/Berlin")
    assert "苏州某学校家具项目" in (folder / "aftersales.yaml").read_text(encoding="utf-8")
    assert run("validate", "--records", str(folder)).exit_code == 0


@pytest.mark.parametrize("name", ["no", "a: b", "1:30", "0512", "# not a comment", "~", "it's \"quoted\""])
def test_a_name_needing_quotes_round_trips_as_text(tmp_path, name):
    folder = tmp_path / "school"
    assert run("init", str(folder), "--name", name, "--customer", name).exit_code == 0
    project = yaml.safe_load((folder / "aftersales.yaml").read_text(encoding="utf-8"))["project"]
    assert (project["name"], project["customer"]) == (name, name)
    assert run("validate", "--records", str(folder)).exit_code == 0


def test_init_refuses_an_existing_folder_and_leaves_it_untouched(tmp_path):
    folder = tmp_path / "school"
    folder.mkdir()
    files = {"aftersales.yaml": b"schema: 1\n# mine\n", "notes.txt": "备忘\r\n".encode(), "x.bin": b"\x00\xff"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    result = run("init", str(folder), "--name", "新项目")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"Error: {folder} already exists and is not empty; "
                             "init never overwrites a folder\n")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files


def test_init_refuses_a_file(tmp_path):
    path = tmp_path / "school"
    path.write_bytes(b"a file")
    assert run("init", str(path)).exit_code == 2
    assert path.read_bytes() == b"a file"


@pytest.mark.slow
def test_python_m_aftersales_help():
    done = subprocess.run([sys.executable, "-m", "aftersales", "--help"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: aftersales [OPTIONS] COMMAND")
    for command in ("init", "validate"):
        assert f"  {command} " in done.stdout


# --- the first day of a new folder -------------------------------------------------------------

def test_a_new_folder_is_not_overdue_on_its_first_day(tmp_path):
    folder = tmp_path / "school"
    result = run("init", str(folder), "--start", "2027-03-10")
    assert result.exit_code == 0, result.output
    text = (folder / "aftersales.yaml").read_text(encoding="utf-8")
    assert text.count("    start: 2027-03-10\n") == 2            # both plans count from the start
    quiet = run("maintenance", "due", "--records", str(folder), "--at", "2027-03-10", "--fail-on-overdue")
    assert (quiet.exit_code, quiet.output) == (0, "")   # nothing overdue: cron hears nothing
    due = run("maintenance", "due", "--records", str(folder), "--at", "2027-03-10", "--format", "json")
    assert due.exit_code == 0, due.output
    # office upkeep (early 30d): its window opened 03-01; the quarterly one (14d) opens 03-17
    assert [(s["plan"], s["due"], s["status"]) for s in json.loads(due.stdout)] == [
        ("office-upkeep", "2027-03-31", "due"),
        ("quarterly-inspection", "2027-03-31", "upcoming"),
        ("office-upkeep", "2027-09-30", "upcoming"),
    ]


def test_init_fills_the_official_holidays_it_has_and_names_the_years_it_has_not(tmp_path, monkeypatch):
    from aftersales.edit import init as scaffold

    real = scaffold.china_year

    def only_2026(year):
        if year != 2026:
            raise AftersalesError(f"the official notice for {year} is not published in the installed data")
        return real(year)

    monkeypatch.setattr(scaffold, "china_year", only_2026)
    folder = tmp_path / "school"
    result = run("init", str(folder), "--start", "2026-06-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:3] == [
        "the workdays calendar has the official holidays of 2026",
        "2027 still needs its holidays: the official notice for 2027 is not published in the installed data"]
    text = (folder / "aftersales.yaml").read_text(encoding="utf-8")
    assert "      - 2026-10-01..2026-10-07   # National Day\n" in text
    assert "    extra_workdays: [2026-01-04, 2026-02-14, 2026-02-28, 2026-05-09, 2026-09-20, 2026-10-10]\n" in text
    assert run("validate", "--records", str(folder)).exit_code == 0


def test_without_any_published_year_the_calendar_is_left_to_fill(tmp_path, monkeypatch):
    from aftersales.edit import init as scaffold

    def none(year):
        raise AftersalesError("official Chinese holidays need the 'holidays' package")

    monkeypatch.setattr(scaffold, "china_year", none)
    folder = tmp_path / "school"
    assert run("init", str(folder), "--start", "2031-01-05").exit_code == 0
    text = (folder / "aftersales.yaml").read_text(encoding="utf-8")
    assert "    holidays: []                 # fill with `aftersales calendar cn YEAR`\n" in text
    assert "    extra_workdays: []\n" in text
    assert run("validate", "--records", str(folder)).exit_code == 0


@pytest.mark.parametrize("start", ["2027-3-1", "tomorrow", "2027-02-30"])
def test_a_bad_start_is_a_usage_error_and_nothing_is_made(tmp_path, start):
    result = run("init", str(tmp_path / "school"), "--start", start)
    assert result.exit_code == 2
    assert f"{start!r} is not a date" in result.stderr
    assert not (tmp_path / "school").exists()
