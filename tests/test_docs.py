"""Docs that cannot drift: every command has help with examples and is in the README;
the README's field tables are the ones the specs generate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from aftersales import __version__
from aftersales.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
INTERNAL = {"git merge-driver"}  # called by git, not by people


def commands(group: click.Group = cli, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found += commands(command, full + " ")
        else:
            found.append((full, command))
    return found


ALL = commands()


@pytest.mark.parametrize(("name", "command"), ALL, ids=[n for n, _ in ALL])
def test_every_command_has_help_with_an_example(name, command):
    if name in INTERNAL:
        assert command.help
        return
    assert command.help and "Example" in command.help, f"{name}: --help needs examples"


@pytest.mark.parametrize("name", [n for n, _ in ALL if n not in INTERNAL])
def test_every_command_is_in_the_readme(name):
    leaf = name.split(" ")[-1]
    assert f"`{name}" in README or (f"`{name.split(' ')[0]} " in README and leaf in README), name


def test_every_option_has_help():
    for name, command in ALL:
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}: option without help"


def test_the_field_tables_in_the_readme_are_generated_from_the_specs():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from readme_tables import updated
    finally:
        sys.path.pop(0)
    assert updated(README) == README, "run `python scripts/readme_tables.py` to update the README"


@pytest.mark.slow
def test_python_dash_m_runs_the_command_line():
    done = subprocess.run([sys.executable, "-m", "aftersales", "--version"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0
    assert done.stdout.strip() == f"aftersales, version {__version__}"


def test_every_subpackage_ships_in_the_wheel():
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {"aftersales." + p.parent.relative_to(ROOT / "aftersales").as_posix().replace("/", ".")
             for p in (ROOT / "aftersales").rglob("__init__.py") if p.parent != ROOT / "aftersales"}
    assert found | {"aftersales", "aftersales.templates"} == listed


def test_wrap_counts_chinese_as_two_cells_and_breaks_between_characters():
    from aftersales.views.tables import width, wrap

    lines = wrap("note: 贴保护膜临时处理，约定周五完成修补 until 2025-11-07", 24, "  ", "    ")
    # the comma may not start a line: the character before it comes down with it
    assert lines == ["  note: 贴保护膜临时处", "    理，约定周五完成修补", "    until 2025-11-07"]
    assert all(width(line) <= 24 for line in lines)


def test_wrap_keeps_opening_punctuation_with_what_follows_and_breaks_at_line_breaks():
    from aftersales.views.tables import wrap

    # `（` would end the first line and `）` start the third: both move down with a neighbour
    assert wrap("一二三（四五六）", 8, "", "") == ["一二三", "（四五", "六）"]
    assert wrap("第一行\n第二行", 20, "> ", "  ") == ["> 第一行", "  第二行"]
    assert wrap("a\x1b[31mred", 20) == ["a\\x1b[31mred"]
