"""Every Markdown document survives any text: names from the settings and words from the records
that hold `|`, tags, emphasis, links or line breaks are shown as written and never break a table
(hardening, point 20: the zh quarterly report once left `|` and tags unescaped in area names)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import run

BUNDLED = Path(__file__).resolve().parent.parent / "records"
AT = "2026-11-23"
HOSTILE = "甲|乙 <i>x</i> *y* [l](u) `c` #h ~s~ _u_"

# a flow value after `en:` or `zh:` in the settings: every name the documents take from there
_NAME = re.compile(r"\b(en|zh): ([^,}\n]+)")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The bundled records with every en/zh name in the settings, the project's name and parties,
    and every asset's name replaced by text full of Markdown and HTML."""
    root = tmp_path_factory.mktemp("hostile") / "records"
    shutil.copytree(BUNDLED, root)
    settings = root / "aftersales.yaml"
    text = settings.read_text(encoding="utf-8")
    text, names = _NAME.subn(lambda m: f'{m.group(1)}: "{m.group(1)}{HOSTILE}"', text)
    assert names > 40, "the settings no longer name things in en/zh pairs: find another way in"
    text = re.sub(r"(?m)^(  (?:name|customer|supplier)): .*$", rf'\1: "{HOSTILE}"', text)
    settings.write_text(text, encoding="utf-8")
    for asset in (root / "assets").glob("*.yaml"):
        body = asset.read_text(encoding="utf-8")
        asset.write_text(re.sub(r"(?m)^name: .*$", f'name: "{HOSTILE}\\\\n第二行"', body), encoding="utf-8")
    return root


def documents(root: Path) -> list[tuple[str, str]]:
    """(what, Markdown) of the quarterly report and of every inspection report, in both languages."""
    out = []
    for lang in ("en", "zh"):
        result = run("report", "quarterly", "--period", "2026Q3", "--lang", lang, "--records", str(root),
                     "--at", AT)
        assert result.exit_code == 0, result.output
        out.append((f"quarterly {lang}", result.stdout))
        for path in sorted((root / "inspections").rglob("*.yaml")):
            result = run("report", "inspection", path.stem, "--lang", lang, "--records", str(root), "--at", AT)
            assert result.exit_code == 0, result.output
            out.append((f"{path.stem} {lang}", result.stdout))
    return out


def tables(markdown: str) -> list[list[str]]:
    """The Markdown tables of a document, each as its lines."""
    found: list[list[str]] = []
    current: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    return found


def test_the_hostile_names_reach_the_documents(hostile):
    for what, text in documents(hostile):
        assert r"甲\|乙 &lt;i&gt;x&lt;/i&gt; \*y\* \[l\](u) \`c\` \#h \~s\~ \_u\_" in text, what


def test_no_text_breaks_a_table_or_becomes_markup(hostile):
    for what, text in documents(hostile):
        assert "<i>" not in text and "*y*" not in text and "[l](u)" not in text, what
        assert "\n第二行" not in text, what     # a line break in a name never ends a row
        for table in tables(text):
            widths = {len(_UNESCAPED_PIPE.findall(row)) for row in table}
            assert len(widths) == 1, f"{what}: a row has more or fewer cells than its header:\n" + "\n".join(table)
