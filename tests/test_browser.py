"""The HTML reports in a real browser: Debian's Chromium, headless, driven by Playwright (never a
downloaded browser). Each report must render its body text in the intended font (the one the CSS
names first, which Chromium drops when the rule is broken), fit a 390 px phone without anything
sticking out sideways except inside the tables' own scroll boxes, and print on A4 to as many pages
as WeasyPrint lays out, give or take one.

Marked `browser` (and `slow`); skipped, saying why, where Chromium or Playwright is not installed
(`.ci/run` installs both where apt-get is available).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsers import chromium
from conftest import needs_weasyprint, run

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "records"
FONT = "Noto Sans CJK SC"  # the first family of base.css; Debian's fonts-noto-cjk

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPORTS = {
    "quarterly.zh": ("report", "quarterly", "--period", "2026Q3", "--at", "2026-11-23", "--lang", "zh"),
    "quarterly.en": ("report", "quarterly", "--period", "2026Q3", "--at", "2026-11-23", "--lang", "en"),
    "inspection.zh": ("report", "inspection", "INS-2026Q1", "--at", "2026-04-10", "--lang", "zh"),
    "inspection.en": ("report", "inspection", "INS-2026Q1", "--at", "2026-04-10", "--lang", "en"),
}

# Elements whose right edge passes the window's, outside any `.scroll` box (a table's own scroll box).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".scroll")) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) out.push(el.tagName + "." + el.className + " " + box.right);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width: width, out: out};
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:   # tests/browsers.py: Debian's chromium, or a skip with the reason
        yield launched


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("html")
    out = {}
    for name, args in REPORTS.items():
        result = run(*args, "--records", str(BUNDLED), "--format", "html")
        assert result.exit_code == 0, result.output
        out[name] = folder / f"{name}.html"
        out[name].write_text(result.stdout, encoding="utf-8")
    return out


def rendered_font(page: Any, selector: str) -> list[str]:
    """The font files Chromium really drew the element's text with (not the CSS list it was asked for)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return [f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]


@pytest.mark.parametrize("name", list(REPORTS))
def test_body_text_is_drawn_in_the_intended_font(browser, pages, name):
    page = browser.new_page()
    page.goto(pages[name].as_uri())
    family = page.evaluate("getComputedStyle(document.querySelector('main dd')).fontFamily")
    assert family.startswith(f'"{FONT}"'), family
    assert rendered_font(page, "main dd") == [FONT]          # the project name, in Chinese
    assert rendered_font(page, "main h2") == [FONT]          # a heading in the report's language
    page.close()


@pytest.mark.parametrize("name", list(REPORTS))
def test_nothing_sticks_out_sideways_on_a_phone(browser, pages, name):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(pages[name].as_uri())
    found = page.evaluate(OVERFLOW)
    assert found["out"] == [], found["out"][:5]
    assert found["scrollWidth"] == found["width"] == 390
    # The wide tables do scroll, inside their own box.
    assert page.evaluate("[...document.querySelectorAll('.scroll')].some(b => b.scrollWidth > b.clientWidth)")
    page.close()


@pytest.mark.parametrize("name", list(REPORTS))
def test_chromium_prints_as_many_a4_pages_as_weasyprint(browser, pages, name):
    pypdf = pytest.importorskip("pypdf")
    needs_weasyprint()
    from aftersales.views.pdf import pdf_bytes

    html = pages[name].read_text(encoding="utf-8")
    page = browser.new_page()
    page.goto(pages[name].as_uri())
    printed = page.pdf(prefer_css_page_size=True, print_background=True)
    page.close()
    chromium = pypdf.PdfReader(io.BytesIO(printed))
    weasy = pypdf.PdfReader(io.BytesIO(pdf_bytes(html)))
    box = chromium.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)  # A4
    assert abs(len(chromium.pages) - len(weasy.pages)) <= 1, (len(chromium.pages), len(weasy.pages))
