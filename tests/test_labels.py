"""`aftersales labels`: A4 sheets of QR labels, one per asset, whose codes decode to their report links."""

from __future__ import annotations

import io
import re

import pytest
from browsers import chromium
from conftest import run
from webtools import SECRET, SERVE

from aftersales.core import links

pytest.importorskip("segno")

ASSETS = {f"CHAIR-{n}": "lobby" for n in range(1, 8)} | {f"DESK-{n}": "office" for n in range(1, 7)}


@pytest.fixture
def sheet(records, monkeypatch):
    monkeypatch.setenv("AFTERSALES_SERVE_SECRET", SECRET)
    records.write("aftersales.yaml", (records.root / "aftersales.yaml").read_text(encoding="utf-8") + SERVE)
    for ident, area in ASSETS.items():
        records.write(f"assets/{ident}.yaml", f"id: {ident}\nname: {ident} 名称\ncategory: furniture\narea: {area}\n"
                      f"location: {ident} 的位置\n")
    return records


def url(ident: str) -> str:
    return links.asset_url("https://service.example.com", SECRET.encode(), ident)


def labels(sheet, *args: str):
    return run("labels", "--records", str(sheet.root), *args)


def test_one_label_per_asset_with_its_link_name_location_and_the_hotline(sheet):
    done = labels(sheet)
    assert done.exit_code == 0, done.output
    html = done.stdout
    assert html.count('<div class="label">') == 13
    assert html.count('<section class="sheet">') == 2          # 12 labels to an A4 page
    ordered = [*sorted(i for i in ASSETS if i.startswith("CHAIR")), *sorted(i for i in ASSETS if i.startswith("DESK"))]
    assert re.findall(r'<p class="url">([^<]+)</p>', html) == [url(i) for i in ordered]   # lobby, then office
    first = html[html.index('<div class="label">'):html.index("</div>")]
    assert first == (
        '<div class="label">\n<p class="scan">扫码报修</p>\n' + first[first.index("<svg"):first.index("</svg>") + 6]
        + '\n<p class="type">无法扫码？请在浏览器中打开：</p>\n'
        f'<p class="url">{url("CHAIR-1")}</p>\n<p class="name">CHAIR-1 名称</p>\n'
        '<p class="where">门厅 · CHAIR-1 的位置</p>\n<p class="hotline">服务热线 400-820-1234</p>\n'
        '<p class="id">CHAIR-1</p>\n')
    key = links.key(SECRET.encode(), "asset", "CHAIR-1")
    assert url("CHAIR-1") == f"https://service.example.com/r/CHAIR-1?k={key}"


def test_the_same_records_give_the_same_bytes(sheet):
    assert labels(sheet).stdout == labels(sheet).stdout


def test_areas_assets_and_language(sheet, tmp_path):
    html = labels(sheet, "--area", "office", "--lang", "en").stdout
    assert re.findall(r'<p class="id">([^<]+)</p>', html) == [f"DESK-{n}" for n in range(1, 7)]
    assert '<p class="scan">Scan to report a problem</p>' in html
    assert '<p class="hotline">Hotline 400-820-1234</p>' in html
    html = labels(sheet, "--asset", "DESK-3", "--asset", "CHAIR-7").stdout
    assert re.findall(r'<p class="id">([^<]+)</p>', html) == ["CHAIR-7", "DESK-3"]
    done = labels(sheet, "-o", str(tmp_path / "out") + "/", "--verbose")
    assert (done.exit_code, done.stderr) == (0, f"wrote {tmp_path / 'out' / 'labels.zh.html'} (13 labels)\n")


@pytest.mark.parametrize(("args", "message"), [
    (("--area", "gym"), "Error: no area 'gym'; areas are lobby, office\n"),
    (("--asset", "SOFA"), "Error: no asset 'SOFA'\n"),
    (("--format", "pdf"), "Error: a PDF goes to a file: give -o FILE\n"),
])
def test_usage_errors(sheet, args, message):
    done = labels(sheet, *args)
    assert (done.exit_code, done.stderr) == (2, message)


def test_labels_need_the_address_of_the_app_and_the_secret(sheet, monkeypatch):
    sheet.edit("aftersales.yaml", "  base_url: https://service.example.com\n", "")
    done = labels(sheet)
    assert (done.exit_code, done.stderr) == (
        2, "Error: labels need the address of the app: set serve.base_url in aftersales.yaml (like "
           "https://service.example.com)\n")
    monkeypatch.delenv("AFTERSALES_SERVE_SECRET")
    assert labels(sheet).stderr.startswith("Error: $AFTERSALES_SERVE_SECRET is not set: it needs at least 32 random")


def test_labels_are_refused_on_records_that_do_not_validate(sheet):
    sheet.write("assets/DESK-1.yaml", "id: DESK-1\nname: x\n")
    done = labels(sheet)
    assert done.exit_code == 1
    assert done.stderr.startswith("Error: the records do not validate (2 errors); nothing was computed:")


@pytest.mark.slow
def test_a_pdf_of_two_a4_pages_with_every_link(sheet, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    pytest.importorskip("weasyprint")
    target = tmp_path / "labels.pdf"
    done = labels(sheet, "-o", str(target))
    assert (done.exit_code, done.stderr) == (0, "")   # quiet for cron; --verbose says what was written
    reader = pypdf.PdfReader(io.BytesIO(target.read_bytes()))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    for ident in ASSETS:
        assert url(ident) in text, ident


@pytest.mark.slow
@pytest.mark.browser
def test_the_qr_codes_of_a_printed_sheet_decode_to_their_links(sheet, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is not installed (the test extra)")
    from PIL import Image

    page_file = tmp_path / "labels.html"
    assert labels(sheet, "-o", str(page_file)).exit_code == 0
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 900, "height": 1200}, device_scale_factor=2)
        page.goto(page_file.as_uri())
        shot = page.screenshot(full_page=True)
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert sorted(code.text for code in found) == sorted(url(ident) for ident in ASSETS)
    assert {code.format.name for code in found} == {"QRCode"}


def test_without_weasyprint_a_pdf_says_how_to_install_it(sheet, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)
    done = labels(sheet, "-o", str(tmp_path / "labels.pdf"))
    assert (done.exit_code, done.stderr) == (
        2, "Error: PDF needs WeasyPrint: pip install 'aftersales[pdf]' (or write --format html and print it from a "
           "browser)\n")
    assert not (tmp_path / "labels.pdf").exists()
