"""What a security review looks for: forms from other sites, script in any field, headers, sizes,
forged cookies, secrets, and errors that tell nothing."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from conftest import TICKET, ticket
from webtools import SECRET, TZ, text_of

pytest.importorskip("flask")

from aftersales.core.errors import UsageError

EXPIRED = "抱歉 抱歉 表单已过期或不是从本站提交的。请返回、刷新页面后重新提交（需允许 Cookie）。"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")


# --- CSRF -------------------------------------------------------------------------------------

def test_a_report_without_the_form_token_is_refused_and_writes_nothing(web):
    answer = web.client().post("/r/CHAIR-1", data={"k": web.key("asset", "CHAIR-1"), "category": "other",
                                                   "text": "坏了", "phone": "13800001234"})
    assert answer.status_code == 400
    assert text_of(answer) == EXPIRED
    assert web.tickets() == []


def test_a_token_of_another_session_is_refused(web):
    token = web.token(web.client(), web.report_url())
    answer = web.client(address="203.0.113.9").post(
        "/r/CHAIR-1", data={"csrf": token, "k": web.key("asset", "CHAIR-1"), "category": "other", "text": "坏了",
                            "phone": "13800001234"})
    assert answer.status_code == 400
    assert web.tickets() == []


def test_signed_in_forms_without_the_token_are_refused(web):
    web.records.write(TICKET, ticket())
    before = (web.records.root / TICKET).read_bytes()
    client = web.signed_in("mgr-chen")
    for path, data in [("/tickets/T-1/log", {"type": "note", "note": "x"}),
                       ("/tickets/new", {"kind": "inquiry", "summary": "x"}), ("/logout", {}),
                       ("/login", {"name": "mgr-chen", "password": "correct horse battery"})]:
        answer = client.post(path, data={**data, "csrf": "forged"})
        assert answer.status_code == 400, path
    assert (web.records.root / TICKET).read_bytes() == before
    assert len(web.tickets()) == 1
    assert client.get("/tickets").status_code == 200   # still signed in: logging out needs the token too


def test_signing_in_starts_a_new_session_with_a_new_token(web):
    client = web.client()
    before = web.token(client, "/login")
    web.login(client, "cs-li")
    assert web.token(client, "/tickets") != before


# --- script in any field is text ------------------------------------------------------------

PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
ESCAPED = "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"


class Elements(HTMLParser):
    """Every element and attribute a browser would build from a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def assert_inert(html: str) -> None:
    """The payload is on the page as text, and no element or attribute of it exists."""
    built = Elements(html)
    assert not built.tags & {"script", "img"}, built.tags
    assert not [a for a in built.attributes if a.startswith("on")], built.attributes
    assert ESCAPED in html


def test_script_typed_into_the_report_form_is_shown_as_text_everywhere(web):
    web.now = dt.datetime(2026, 3, 14, 9, 12, tzinfo=TZ)
    client = web.client()
    sent = web.report(client, text=PAYLOAD, location=PAYLOAD, name=PAYLOAD[:40])
    assert sent.status_code == 303
    [path] = web.tickets()
    assert_inert(client.get(sent.headers["Location"]).get_data(as_text=True))
    desk = web.signed_in("cs-li")
    assert_inert(desk.get("/tickets").get_data(as_text=True))
    page = desk.get(f"/tickets/{path.stem}").get_data(as_text=True)
    assert_inert(page)
    assert page.count(ESCAPED) == 2   # summary and location; the name is cut at 40 characters
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x " in page


def test_script_in_a_form_sent_back_with_mistakes_is_shown_as_text(web):
    answer = web.report(web.client(), phone=PAYLOAD[:30], text=PAYLOAD)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert_inert(html)
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;im"' in html


def test_script_in_the_records_is_shown_as_text_on_every_page(web):
    web.records.write("assets/CHAIR-1.yaml", f"id: CHAIR-1\nname: '{PAYLOAD}'\ncategory: theater-chair\n"
                      f"area: lobby\nlocation: '{PAYLOAD}'\n")
    web.records.write("parts/BOLT-M8.yaml", f"id: BOLT-M8\nname: '{PAYLOAD}'\n")
    web.records.edit("aftersales.yaml", "lobby: {name: 门厅, priority: critical}",
                     f"lobby: {{name: '{PAYLOAD}', priority: critical}}")
    web.records.edit("aftersales.yaml", "hotline: 400-820-1234", f"hotline: '{PAYLOAD}'")
    web.records.write(TICKET, ticket(
        "{at: 2026-03-14T09:12:00+08:00, type: reported, by: cs-li}",
        f"{{at: 2026-03-14T09:20:00+08:00, type: assigned, to: '{PAYLOAD}', note: '{PAYLOAD}'}}",
        f"{{at: 2026-03-14T09:30:00+08:00, type: paused, reason: '{PAYLOAD}'}}",
        # (a phone number is checked as one: validate refuses the payload there)
        extra=f"location: '{PAYLOAD}'\nreporter: {{name: '{PAYLOAD}', phone: '13800001234'}}\n"))
    web.now = dt.datetime(2026, 3, 14, 10, 0, tzinfo=TZ)
    assert_inert(web.client().get(web.report_url()).get_data(as_text=True))
    assert_inert(web.client().get(web.progress_url("T-1")).get_data(as_text=True))
    for account in ("cs-li", "mgr-chen", "school-office"):
        client = web.signed_in(account)
        assert_inert(client.get("/tickets").get_data(as_text=True))
        assert_inert(client.get("/tickets/T-1").get_data(as_text=True))


# --- headers and pages ----------------------------------------------------------------------

def pages(web):
    web.records.write(TICKET, ticket())
    client = web.client()
    yield "report form", client.get(web.report_url())
    yield "progress", client.get(web.progress_url("T-1"))
    yield "sign-in", client.get("/login")
    yield "bad link", client.get("/r/CHAIR-1?k=forged")
    yield "not found", client.get("/nowhere")
    desk = web.signed_in("mgr-chen")
    yield "board", desk.get("/tickets")
    yield "ticket", desk.get("/tickets/T-1")
    yield "new ticket", desk.get("/tickets/new")
    yield "reports", desk.get("/reports")


def test_every_page_has_the_strict_policy_and_no_script_at_all(web):
    for name, page in pages(web):
        headers = page.headers
        assert headers["Content-Security-Policy"] == CSP, name
        assert headers["X-Frame-Options"] == "DENY", name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["Referrer-Policy"] == "no-referrer", name
        assert headers["Cache-Control"] == "no-store", name
        assert "Strict-Transport-Security" not in headers, name   # only over TLS
        html = page.get_data(as_text=True)
        assert not re.search(r"<script|\son\w+=|style=|javascript:", html, re.I), name


def test_the_style_sheet_is_a_file_that_may_be_cached(web):
    css = web.client().get("/static/app.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "no-store" not in css.headers.get("Cache-Control", "")


def test_a_request_larger_than_any_form_is_refused(web):
    client = web.client()
    answer = client.post("/r/CHAIR-1", data={"csrf": web.token(client, web.report_url()),
                                             "k": web.key("asset", "CHAIR-1"), "text": "长" * 40_000})
    assert answer.status_code == 413
    assert text_of(answer) == "抱歉 抱歉 提交的内容过大。"
    assert web.tickets() == []


def test_a_session_cookie_signed_with_another_secret_signs_nobody_in(web):
    from aftersales.web import create_app

    other = create_app(web.records.root, web.users, secret="another-secret-for-another-server-0123")
    client = other.test_client()
    token = web.token(client, "/login")
    client.post("/login", data={"csrf": token, "name": "mgr-chen", "password": "correct horse battery"})
    cookie = client.get_cookie("aftersales_session")
    assert cookie is not None
    mine = web.client()
    mine.set_cookie("aftersales_session", cookie.value)
    assert mine.get("/tickets").status_code == 303


def test_the_app_needs_a_real_secret(web, monkeypatch):
    from aftersales.web import create_app

    monkeypatch.delenv("AFTERSALES_SERVE_SECRET", raising=False)
    with pytest.raises(UsageError, match=r"^\$AFTERSALES_SERVE_SECRET is not set: it needs at least 32 random"):
        create_app(web.records.root, web.users)
    monkeypatch.setenv("AFTERSALES_SERVE_SECRET", "short")
    with pytest.raises(UsageError, match=r"^\$AFTERSALES_SERVE_SECRET has 5 characters: it needs at least 32"):
        create_app(web.records.root, web.users)
    monkeypatch.setenv("AFTERSALES_SERVE_SECRET", SECRET)
    assert create_app(web.records.root, web.users).extensions["aftersales"].secret == SECRET.encode()


def test_an_unexpected_error_shows_a_short_page_and_no_traceback(web, monkeypatch, caplog):
    from aftersales.web import public

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire at /srv/secret/path")

    monkeypatch.setattr(public, "load_asset", broken)
    page = web.client().get(web.report_url())
    assert page.status_code == 500
    assert text_of(page) == "抱歉 抱歉 系统出错了。请拨打服务热线。"
    assert "the disk is on fire" in caplog.text   # for the operator's log only


def test_the_app_never_runs_in_debug_mode(web):
    assert web.app().debug is False
