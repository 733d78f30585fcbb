"""The data in and out docs cannot drift: their tables come from the spec and the export tables,
the sample delivery list is the script's output, and the README's onboarding flow works."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
try:
    import data_docs
    import make_delivery
finally:
    sys.path.pop(0)


@pytest.mark.parametrize("name", ["import.md", "export.md"])
def test_the_generated_tables_in_the_docs_are_up_to_date(name):
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert data_docs.updated(name, text) == text, "run `python scripts/data_docs.py`"


def test_the_sample_delivery_list_is_the_scripts_output():
    assert (ROOT / "docs" / "delivery.xlsx").read_bytes() == make_delivery.data(), \
        "run `python scripts/make_delivery.py`"


def test_the_readme_points_to_the_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in ("docs/import.md", "docs/export.md", "docs/delivery.xlsx"):
        assert f"]({link})" in readme


def test_a_new_contract_goes_from_the_delivery_list_to_a_committed_folder(tmp_path, monkeypatch):
    """The README's onboarding flow: init, import the furniture, import the parts, validate, commit."""
    monkeypatch.delenv("AFTERSALES_RECORDS", raising=False)
    shutil.copy(ROOT / "docs" / "delivery.xlsx", tmp_path / "delivery.xlsx")
    folder = tmp_path / "school-records"
    assert run("init", str(folder), "--name", "苏州某学校家具项目").exit_code == 0
    monkeypatch.chdir(folder)
    assets = run("asset", "import", "../delivery.xlsx", "--sheet", "家具")
    assert assets.exit_code == 0, assets.output
    assert assets.stdout.splitlines()[-1] == "18 created, 0 changed, 0 unchanged"
    assert assets.stderr == "../delivery.xlsx:家具!A2: warning: column '序号' is not an asset field; ignored\n"
    parts = run("parts", "import", "../delivery.xlsx", "--sheet", "备件")
    assert parts.stdout.splitlines()[-1] == "7 created, 0 changed, 0 unchanged"
    assert run("validate").stdout == "ok: 18 assets, 0 tickets, 0 inspections, 7 parts, no problems\n"
    # the area merged over a room's rows counts for each row; areas were given by their names
    assert (folder / "assets" / "LOB-SOFA-2.yaml").read_text(encoding="utf-8") == (
        "id: LOB-SOFA-2\nname: 等候区真皮沙发 单人位\ncategory: sofa\narea: lobby\nlocation: 一楼大厅东侧\n"
        "quantity: 6\nmodel: SF-100\ninstalled: 2025-08-20\n")
    assert (folder / "parts" / "SPONGE-30.yaml").read_text(encoding="utf-8") == (
        "id: SPONGE-30\nname: 座椅海绵 30mm\nunit: 块\nmin: 5\nmovements:\n"
        "  - {date: 2025-08-20, in: 20, note: 首批备件入库}\n")
    if shutil.which("git"):
        env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "Records of the contract"]):
            subprocess.run(["git", *args], cwd=folder, env=env, check=True)
        listed = subprocess.run(["git", "ls-files"], cwd=folder, env=env, check=True, capture_output=True, text=True)
        assert "assets/AUD-CHAIR-A.yaml" in listed.stdout.splitlines()
    again = run("asset", "import", "../delivery.xlsx", "--sheet", "家具")
    assert again.stdout == "0 created, 0 changed, 18 unchanged\n"
