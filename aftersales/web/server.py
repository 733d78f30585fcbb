"""Running the app with waitress, the server `aftersales serve` uses (any WSGI server runs
`create_app()` as well)."""

from __future__ import annotations

import logging

import waitress
from flask import Flask

MAX_BODY = 1024 * 1024       # the app refuses more than 64 KB anyway; waitress stops the rest earlier
MAX_HEADERS = 64 * 1024


def run(app: Flask, host: str, port: int, threads: int, proxies: int) -> None:
    """Serve `app` until interrupted. Proxy headers are dropped unless proxies are trusted (the app
    itself then reads them, see `create_app`)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    waitress.serve(app, host=host, port=port, threads=threads, ident="aftersales",
                   clear_untrusted_proxy_headers=not proxies, max_request_body_size=MAX_BODY,
                   max_request_header_size=MAX_HEADERS)
