"""PDF documents: the HTML reports laid out on A4 by WeasyPrint (the optional `pdf` extra).

The same HTML and CSS as the browser prints (paged media: A4, margins, the page
footer with the report number and page numbers); the fonts come from the
system (Debian: fonts-noto-cjk for Chinese).
"""

from __future__ import annotations

import logging

from aftersales.core.errors import AftersalesError

INSTALL = ("--format pdf needs WeasyPrint, an optional extra: pip install 'aftersales[pdf]' "
           "(in a source checkout: pip install '.[pdf]')")


def pdf_bytes(html: str) -> bytes:
    """The HTML document as PDF bytes; the same HTML gives the same bytes."""
    try:
        import weasyprint  # an optional dependency: imported when a PDF is asked for
    except ImportError:
        raise AftersalesError(INSTALL) from None
    except OSError as exc:  # WeasyPrint installed, but a system library it loads (Pango) is missing
        raise AftersalesError(f"WeasyPrint cannot start: {exc}") from None
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its CSS warnings are not the user's business
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    data = weasyprint.HTML(string=html).write_pdf()
    assert data is not None
    return bytes(data)
