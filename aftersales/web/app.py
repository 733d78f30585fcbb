"""The app factory: `create_app()` is a WSGI application over one records folder.

    aftersales serve --records school-records --users /etc/aftersales/users.yaml
    waitress-serve --call 'aftersales.web:create_app'          # any WSGI server: settings from
    gunicorn 'aftersales.web:create_app()'                     # the environment (docs/web.md)

The files stay the truth: every page reads the records through the same loader as the
command line, and every write goes through the same writers (locked, atomic, validated).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, g
from jinja2 import StrictUndefined
from werkzeug.middleware.proxy_fix import ProxyFix

from aftersales.core.links import secret_from_env
from aftersales.edit.gitcommit import Committer
from aftersales.edit.users import USERS_VAR, users_path
from aftersales.store.paths import find_root
from aftersales.store.reading import read_settings
from aftersales.views.templating import builtin_folder
from aftersales.views.webtexts import page_texts
from aftersales.web import public, security, staff
from aftersales.web.service import SESSION_SECONDS, Service

COMMIT_VAR = "AFTERSALES_SERVE_COMMIT"
PROXIES_VAR = "AFTERSALES_SERVE_PROXIES"
MAX_REQUEST = 64 * 1024          # a form is a few KB; nothing else is ever sent


class _App(Flask):
    """Every template is HTML: every value is escaped, whatever the file is called."""

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        return True


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def create_app(records: str | os.PathLike[str] | None = None, users: str | os.PathLike[str] | None = None, *,
               secret: str | bytes | None = None, commit: bool | None = None, proxies: int | None = None,
               clock: Callable[[], dt.datetime] | None = None) -> Flask:
    """The app over the records folder `records` (else $AFTERSALES_RECORDS, else the folder found from
    here), with the staff accounts in `users` (else $AFTERSALES_USERS; without one only the public
    pages work). `secret` defaults to $AFTERSALES_SERVE_SECRET; `commit` (else
    $AFTERSALES_SERVE_COMMIT=1) makes each write a git commit; `proxies` (else
    $AFTERSALES_SERVE_PROXIES) is the number of reverse proxies in front whose X-Forwarded-For and
    X-Forwarded-Proto headers are believed. Refuses to start on settings that do not validate."""
    root = find_root(records)
    read_settings(root)
    key = secret.encode("utf-8") if isinstance(secret, str) else secret or secret_from_env()
    users_file = users_path(users) if users or os.environ.get(USERS_VAR) else None
    commit = _flag(COMMIT_VAR) if commit is None else commit
    proxies = int(os.environ.get(PROXIES_VAR) or 0) if proxies is None else proxies
    service = Service(root, key, users_file, Committer.open(root) if commit else None, clock)

    web = Path(builtin_folder()) / "web"
    app = _App("aftersales.web", template_folder=str(web), static_folder=str(web / "static"),
               static_url_path="/static")
    app.jinja_options = {"undefined": StrictUndefined, "trim_blocks": True, "lstrip_blocks": True}
    app.config.update(
        SECRET_KEY=service.session_key,
        SESSION_COOKIE_NAME="aftersales_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,   # and True on every request that came over TLS (security.Sessions)
        PERMANENT_SESSION_LIFETIME=dt.timedelta(seconds=SESSION_SECONDS),
        MAX_CONTENT_LENGTH=MAX_REQUEST,
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST,
        MAX_FORM_PARTS=100,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.extensions["aftersales"] = service
    security.install(app)

    @app.before_request
    def language() -> None:
        try:
            g.lang = service.settings().serve.language
        except Exception:  # unreadable settings: the error page still speaks the default language
            g.lang = "zh"
        g.L = page_texts(g.lang)

    @app.context_processor
    def everywhere() -> dict[str, Any]:
        return {"L": g.get("L") or page_texts("zh"), "lang": g.get("lang", "zh"), "user": g.get("user")}

    app.register_blueprint(public.blueprint)
    app.register_blueprint(staff.blueprint)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    return app
