"""The built-in templates are found both in an installed wheel and in a source checkout that
shadows it (running the tests from the repository root imports the source tree)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aftersales.views import templating

ROOT = Path(__file__).resolve().parent.parent


def test_the_source_checkout_s_templates_folder_is_the_repository_s():
    assert templating.SOURCE_TEMPLATES == ROOT / "templates"
    assert (templating.SOURCE_TEMPLATES / "quarterly.md.j2").is_file()


@pytest.mark.slow
def test_without_the_installed_template_package_the_source_folder_is_used(tmp_path):
    """Import the package from a copy of the source tree where `aftersales.templates` cannot be
    imported (as when the tests run from a clone whose wheel is installed elsewhere)."""
    script = (
        "import sys, importlib.abc\n"
        "class Hide(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'aftersales.templates':\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Hide())\n"
        "from aftersales.views import templating\n"
        "print(templating.builtin_folder())\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert Path(done.stdout.strip()) == ROOT / "templates"
