"""QR label sheets: A4 pages of labels, one per asset, each with the QR code of the asset's
report link (inline SVG made by segno), the link in small print under it for those who
cannot scan, the asset's name and location and the service hotline.

HTML (print from a browser) or PDF (through WeasyPrint, the `pdf` extra). The same
records, secret and settings give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from aftersales.core import links
from aftersales.core.errors import UsageError
from aftersales.core.model import Asset, Records
from aftersales.views.labels import Names, texts
from aftersales.views.templating import builtin_text, render

FORMATS = ("html", "pdf")
PER_PAGE = 12   # 3 columns x 4 rows on A4

TEXTS: dict[str, dict[str, str]] = {
    "en": {"title": "QR labels", "scan": "Scan to report a problem", "type": "Cannot scan? Open:",
           "hotline": "Hotline"},
    "zh": {"title": "报修二维码", "scan": "扫码报修", "type": "无法扫码？请在浏览器中打开：", "hotline": "服务热线"},
}


@dataclass(frozen=True)
class Label:
    asset: Asset
    area: str
    url: str
    qr: Markup


def qr_svg(url: str, title: str) -> Markup:
    """The QR code of `url` as inline SVG that scales to its box (error correction M, 4-module margin)."""
    try:
        import segno
    except ImportError:
        raise UsageError("QR codes need segno: pip install 'aftersales[web]'") from None
    return Markup(segno.make(url, error="m").svg_inline(omitsize=True, title=title))


def choose(records: Records, areas: Sequence[str] = (), assets: Sequence[str] = ()) -> list[Asset]:
    """The assets to label: those of the given areas and ids (all without either), by area then id."""
    order = list(records.settings.areas)
    chosen = [a for a in records.assets.values()
              if (not areas and not assets) or a.area in areas or a.id in assets]
    return sorted(chosen, key=lambda a: (order.index(a.area) if a.area in order else len(order), a.id))


def render_sheet(records: Records, assets: Sequence[Asset], secret: bytes, lang: str) -> str:
    """The HTML of the label sheets."""
    serve = records.settings.serve
    if not serve.base_url:
        raise UsageError("labels need the address of the app: set serve.base_url in aftersales.yaml "
                         "(like https://service.example.com)")
    if not assets:
        raise UsageError("no asset to label")
    names = Names(lang, records.settings)
    text = texts(TEXTS, lang)
    labels = []
    for asset in assets:
        url = links.asset_url(serve.base_url, secret, asset.id)
        labels.append(Label(asset, names("area", asset.area), url, qr_svg(url, f"{text['scan']}: {asset.name}")))
    pages = [labels[i:i + PER_PAGE] for i in range(0, len(labels), PER_PAGE)]
    return render(Path(records.root), "labels.html.j2",
                  {"pages": pages, "L": text, "lang": lang, "project": records.settings.name,
                   "hotline": serve.hotline, "css": builtin_text("labels.css")})


def to_pdf(html: str) -> bytes:
    """A PDF of an HTML document (WeasyPrint, the `pdf` extra)."""
    try:
        from weasyprint import HTML
    except ImportError:
        raise UsageError("PDF needs WeasyPrint: pip install 'aftersales[pdf]' (or write --format html and "
                         "print it from a browser)") from None
    return HTML(string=html).write_pdf()
