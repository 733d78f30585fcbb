"""The web app of `aftersales serve`: routes only, over the same loader and writers as the
command line. The factory `create_app` is a WSGI application (Flask; the `web` extra)."""

from aftersales.web.app import create_app

__all__ = ["create_app"]
