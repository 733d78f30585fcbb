"""`aftersales init`: a new records folder that validates clean, and never over an existing one."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from conftest import run

FOLDERS = ["assets", "inspections", "parts", "tickets"]


def test_init_creates_the_settings_and_the_record_folders(tmp_path):
    folder = tmp_path / "school"
    result = run("init", str(folder))
    assert result.exit_code == 0
    assert result.output == (f"created {folder}/ with aftersales.yaml and empty record folders\n"
                             f"next: edit {folder}/aftersales.yaml, then "
                             f"`aftersales validate --records {folder}`\n")
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
