"""The app's defences, in one place: CSRF tokens on every form, session cookies that scripts
cannot read and other sites cannot send, a strict Content-Security-Policy (no inline script,
no script at all), headers that keep pages out of frames and links out of Referer headers,
and error pages that say what went wrong without saying anything about the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from typing import Any

from flask import Flask, Response, abort, g, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from aftersales.core.errors import AftersalesError
from aftersales.core.problems import Invalid
from aftersales.views.webtexts import page_texts
from aftersales.web.permissions import SEES_NOTES

log = logging.getLogger("aftersales.web")

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)


class Sessions(SecureCookieSessionInterface):
    """Signed session cookies, `Secure` whenever the request came over TLS (directly or through a
    trusted proxy) or the app is told it always does."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def csrf_token() -> str:
    """The form token of this browser session (made on first use)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuse a form that does not carry this session's token (sent from another site, or replayed
    from an old session)."""
    if request.method not in UNSAFE_METHODS:
        return
    given, expected = request.form.get("csrf", ""), session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(400, description="form_expired")


def inline_styles(html: str) -> str:
    """The CSP sources that allow exactly the <style> blocks of a document we made (the reports
    carry their CSS inline, so that a saved file stays whole)."""
    hashes = [base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
              for css in _STYLE.findall(html)]
    return " ".join(f"'sha256-{h}'" for h in hashes)


def headers(response: Response) -> Response:
    styles = g.get("inline_styles")
    response.headers["Content-Security-Policy"] = (
        CSP.replace("style-src 'self'", f"style-src 'self' {styles}") if styles else CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"   # the keys in our links never leave in a Referer
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"    # pages hold personal data and keys
    return response


ERRORS = {400: "form_expired", 403: "forbidden", 404: "not_found", 405: "not_found", 413: "too_large",
          429: "too_many", 500: "server_error", 503: "unavailable"}


def error_page(status: int, key: str, problems: str = "", **values: Any) -> tuple[str, int]:
    texts = g.get("L") or page_texts("zh")
    extra = {"problems": problems} if problems else {}
    return render_template("message.html.j2", L=texts, title=texts["error_title"],
                           message=texts.get(key, key).format(**values), status=status, **extra), status


def install(app: Flask) -> None:
    app.session_interface = Sessions()
    app.before_request(check_csrf)
    app.after_request(headers)
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        key = exc.description if isinstance(exc.description, str) and exc.description in page_texts("en") \
            else ERRORS.get(status, "server_error")
        return error_page(status, key)

    @app.errorhandler(Invalid)
    def invalid_records(exc: Invalid) -> Any:
        log.error("the records do not validate: %s", exc)
        user = g.get("user")
        if user is not None and user.role in SEES_NOTES:   # the staff who can fix them see which problems
            return error_page(503, "records_invalid", problems=str(exc))
        return error_page(503, "unavailable")

    @app.errorhandler(AftersalesError)
    def refused(exc: AftersalesError) -> Any:
        return error_page(409 if exc.exit_code == 1 else 400, "not_saved", reason=str(exc))

    @app.errorhandler(Exception)
    def crashed(exc: Exception) -> Any:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_page(500, "server_error")
