"""The staff pages: signing in, sessions, the board, logging work from a phone, opening tickets,
the reports, and `--commit`."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import time

import pytest
from conftest import INSPECTION, TICKET, run
from webtools import PASSWORD, TOKEN, TZ, text_of

pytest.importorskip("flask")

from aftersales.edit.users import remove_user, set_password


def ticket_text(ident: str, reported: dt.datetime, *events: str, kind: str = "repair", extra: str = "") -> str:
    lines = [f"id: {ident}", f"kind: {kind}"] + (["asset: CHAIR-1"] if kind == "repair" else []) + [
        "summary: 扶手松动", 'reporter: {name: 王老师, phone: "13800001234"}', extra, "events:",
        f"  - {{at: {reported.isoformat()}, type: reported, by: cs-li}}"] + [f"  - {e}" for e in events]
    return "\n".join(line for line in lines if line) + "\n"


def put(web, ident: str, reported: dt.datetime, *events: str, **options: str) -> str:
    rel = f"tickets/{reported.year}/{ident}.yaml"
    web.records.write(rel, ticket_text(ident, reported, *events, **options))
    return rel


# --- signing in and sessions ------------------------------------------------------------------

def test_pages_need_an_account(web):
    answer = web.client().get("/tickets/T-1")
    assert (answer.status_code, answer.headers["Location"]) == (303, "/login?next=/tickets/T-1")


def test_signing_in_sets_a_session_cookie_scripts_and_other_sites_cannot_use(web):
    client = web.client()
    answer = web.login(client, "cs-li")
    assert (answer.status_code, answer.headers["Location"]) == (303, "/tickets")
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("aftersales_session=")
    assert "; HttpOnly" in cookie and "; SameSite=Lax" in cookie and "; Path=/" in cookie
    assert "Secure" not in cookie   # plain http on this machine: a Secure cookie would never come back
    assert client.get("/tickets").status_code == 200


def test_over_tls_the_cookie_is_secure_and_hsts_is_sent(web):
    client = web.client()
    https = "https://service.example.com"
    token = TOKEN.search(client.get("/login", base_url=https).get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"csrf": token, "name": "cs-li", "password": PASSWORD}, base_url=https)
    assert "; Secure" in answer.headers["Set-Cookie"]
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_behind_a_trusted_proxy_the_forwarded_scheme_counts(web):
    direct = web.client()
    direct.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    assert "Secure" not in web.login(direct, "cs-li").headers["Set-Cookie"]
    client = web.client(proxies=1)
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    assert "; Secure" in web.login(client, "cs-li").headers["Set-Cookie"]


@pytest.mark.parametrize(("name", "password"), [("cs-li", "wrong password!"), ("nobody", PASSWORD), ("", "")])
def test_a_wrong_name_or_password_says_only_that(web, name, password):
    answer = web.login(web.client(), name, password)
    assert answer.status_code == 401
    assert "账号或密码错误。" in text_of(answer)
    assert "Set-Cookie" not in answer.headers or "user" not in answer.headers["Set-Cookie"]


def test_after_signing_in_you_go_back_where_you_were_but_never_to_another_site(web):
    for target, expected in [("/tickets/T-1", "/tickets/T-1"), ("//evil.example/x", "/tickets"),
                             ("https://evil.example", "/tickets"), ("/\\evil.example", "/tickets")]:
        client = web.client()
        token = web.token(client, "/login")
        answer = client.post("/login", data={"csrf": token, "name": "cs-li", "password": PASSWORD,
                                             "next": target})
        assert answer.headers["Location"] == expected


def test_five_failed_sign_ins_for_one_account_lock_it_for_a_while(web):
    client = web.client()
    assert [web.login(client, "cs-li", "wrong password!").status_code for _ in range(5)] == [401] * 5
    elsewhere = web.client(address="203.0.113.50")
    answer = web.login(elsewhere, "cs-li")
    assert answer.status_code == 429
    assert text_of(answer) == "抱歉 抱歉 登录失败次数过多，请 15 分钟后再试。"
    assert web.login(elsewhere, "eng-zhang").status_code == 303


def test_five_failed_sign_ins_from_one_address_stop_it_guessing_other_accounts(web):
    client = web.client()
    for name in ("a1", "a2", "a3", "a4", "a5"):
        web.login(client, name, "wrong password!")
    assert web.login(client, "eng-zhang").status_code == 429
    assert web.login(web.client(address="203.0.113.50"), "eng-zhang").status_code == 303


def test_a_new_password_or_a_removed_account_ends_the_sessions(web):
    client = web.signed_in("cs-li")
    set_password(web.users, "cs-li", "another good password")
    assert web.client().get("/tickets").status_code == 303
    assert client.get("/tickets").status_code == 303
    client = web.signed_in("eng-zhang")
    remove_user(web.users, "eng-zhang")
    assert client.get("/tickets").status_code == 303


def test_a_session_lasts_a_working_day(web, monkeypatch):
    client = web.signed_in("cs-li")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 11 * 3600)
    assert client.get("/tickets").status_code == 200
    monkeypatch.setattr(time, "time", lambda: real() + 13 * 3600)
    assert client.get("/tickets").status_code == 303


def test_signing_out_ends_the_session_even_for_a_copy_of_its_cookie(web):
    client = web.signed_in("cs-li")
    copied = client.get_cookie("aftersales_session").value
    token = web.token(client, "/tickets")
    assert client.post("/logout", data={"csrf": token}).headers["Location"] == "/login"
    assert client.get("/tickets").status_code == 303
    thief = web.client()
    thief.set_cookie("aftersales_session", copied)
    assert thief.get("/tickets").status_code == 303


# --- the board --------------------------------------------------------------------------------

AT = dt.datetime(2026, 3, 14, 11, 0, tzinfo=TZ)


def board_records(web):
    put(web, "T-1", dt.datetime(2026, 3, 14, 9, 12, tzinfo=TZ), "{at: 2026-03-14T09:20:00+08:00, type: assigned, "
        "to: eng-zhang}")
    put(web, "T-2", dt.datetime(2026, 3, 14, 10, 50, tzinfo=TZ), "{at: 2026-03-14T10:52:00+08:00, type: assigned, "
        "to: eng-wang}")
    put(web, "T-3", dt.datetime(2026, 3, 14, 8, 0, tzinfo=TZ))
    put(web, "T-4", dt.datetime(2026, 3, 14, 8, 30, tzinfo=TZ),
        "{at: 2026-03-14T09:00:00+08:00, type: resolved}")
    put(web, "T-5", dt.datetime(2026, 3, 14, 7, 0, tzinfo=TZ), kind="inquiry")
    web.now = AT


def board_ids(page) -> list[str]:
    return re.findall(r'<a href="/tickets/(T-\d)"><strong>', page.get_data(as_text=True))


def test_the_desk_sees_open_tickets_breached_and_at_risk_first(web):
    board_records(web)
    page = web.signed_in("cs-li").get("/tickets")
    assert board_ids(page) == ["T-3", "T-1", "T-2", "T-5"]
    shown = text_of(page)
    assert ("T-3 处理中 扶手松动 门厅 · 最高 · 已过时间 3h · 负责人：未分派 响应 · 超时 · 2026-03-14 10:00 "
            "(1h 00m 超时)") in shown
    assert "T-1 处理中 扶手松动 门厅 · 最高 · 已过时间 1h · 负责人：eng-zhang 响应 · 即将超时 · 2026-03-14 11:12 " \
           "(12m 剩余)" in shown
    assert '<meta http-equiv="refresh" content="60">' in page.get_data(as_text=True)


def test_show_all_adds_closed_tickets(web):
    board_records(web)
    assert board_ids(web.signed_in("cs-li").get("/tickets?all=1")) == ["T-3", "T-1", "T-2", "T-5", "T-4"]


def test_an_engineer_sees_only_their_own_and_unassigned_open_tickets(web):
    board_records(web)
    client = web.signed_in("eng-zhang")
    assert board_ids(client.get("/tickets?all=1")) == ["T-3", "T-1", "T-5"]
    assert client.get("/tickets/T-1").status_code == 200
    assert client.get("/tickets/T-2").status_code == 403
    assert client.get("/tickets/T-4").status_code == 403


def test_an_unknown_ticket_is_not_found(web):
    board_records(web)
    assert web.signed_in("cs-li").get("/tickets/T-9").status_code == 404
    assert web.signed_in("cs-li").get("/tickets/..%2faftersales").status_code == 404


# --- a ticket page and logging work -----------------------------------------------------------

def test_the_desk_sees_the_whole_phone_number_and_the_notes(web):
    put(web, "T-1", AT, '{at: 2026-03-14T11:10:00+08:00, type: paused, reason: 等配件, note: 客户下午不在}')
    web.now = AT + dt.timedelta(minutes=20)
    html = web.signed_in("cs-li").get("/tickets/T-1").get_data(as_text=True)
    assert '<a href="tel:13800001234">13800001234</a>' in html
    assert "客户下午不在" in html and "等配件" in html


def test_the_staff_see_the_progress_link_to_send_to_a_reporter(web):
    put(web, "T-1", AT)
    web.now = AT
    shown = text_of(web.signed_in("cs-li").get("/tickets/T-1"))
    assert f"报修人查看进度的链接 https://service.example.com{web.progress_url('T-1')}" in shown
    assert "报修人查看进度的链接" not in text_of(web.signed_in("school-office").get("/tickets/T-1"))


def test_the_school_reads_tickets_without_phone_numbers_notes_or_forms(web):
    put(web, "T-1", AT, '{at: 2026-03-14T11:10:00+08:00, type: paused, reason: 等配件, note: 客户下午不在}',
        "{at: 2026-03-14T11:20:00+08:00, type: note, note: 内部消息}")
    web.now = AT + dt.timedelta(minutes=30)
    page = web.signed_in("school-office").get("/tickets/T-1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for hidden in ("1380000", "0000", "客户下午不在", "等配件", "内部消息", "<form method=\"post\" action=\"/tickets"):
        assert hidden not in html
    assert "王老师" in html and "暂停" in html


def test_an_engineer_logs_arrived_and_resolved_from_a_phone(web):
    reported = dt.datetime.now(TZ).replace(microsecond=0) - dt.timedelta(hours=1)
    rel = put(web, "T-1", reported)
    before = (web.records.root / rel).read_text(encoding="utf-8")
    client = web.signed_in("eng-zhang")
    token = web.token(client, "/tickets/T-1")
    answer = client.post("/tickets/T-1/log", data={"csrf": token, "type": "arrived"})
    assert answer.headers["Location"] == "/tickets/T-1"
    assert "T-1：已记录 arrived；工单状态：处理中。" in text_of(client.get("/tickets/T-1"))
    answer = client.post("/tickets/T-1/log", data={
        "csrf": token, "type": "resolved", "part": ["BOLT-M8", "", ""], "qty": ["2", "", ""], "cost": "0",
        "note": "换了两颗螺栓"})
    assert answer.headers["Location"] == "/tickets"   # no longer an open ticket of theirs
    after = (web.records.root / rel).read_text(encoding="utf-8")
    assert after.startswith(before)
    added = after[len(before):].splitlines()
    assert re.fullmatch(r"  - \{at: \S+\+08:00, type: arrived, by: eng-zhang\}", added[0])
    assert re.fullmatch(r"  - \{at: \S+\+08:00, type: resolved, by: eng-zhang, parts: \[\{part: BOLT-M8, qty: 2\}\], "
                        r"cost: 0, note: 换了两颗螺栓\}", added[1])
    assert len(added) == 2
    assert web.records.run().exit_code == 0


def test_an_event_logged_later_takes_the_time_given(web):
    reported = dt.datetime.now(TZ).replace(microsecond=0, second=0) - dt.timedelta(hours=2)
    rel = put(web, "T-1", reported)
    client = web.signed_in("eng-zhang")
    when = reported + dt.timedelta(minutes=30)
    client.post("/tickets/T-1/log", data={"csrf": web.token(client, "/tickets/T-1"), "type": "arrived",
                                          "at": when.strftime("%Y-%m-%dT%H:%M")})
    assert (web.records.root / rel).read_text(encoding="utf-8").endswith(
        f"  - {{at: {when.isoformat()}, type: arrived, by: eng-zhang}}\n")


def test_a_refused_event_says_why_and_writes_nothing(web):
    reported = dt.datetime.now(TZ).replace(microsecond=0) - dt.timedelta(hours=1)
    rel = put(web, "T-1", reported)
    before = (web.records.root / rel).read_bytes()
    client = web.signed_in("cs-li")
    answer = client.post("/tickets/T-1/log", data={"csrf": web.token(client, "/tickets/T-1"), "type": "callback",
                                                   "satisfaction": "5"})
    assert answer.headers["Location"] == "/tickets/T-1"
    assert ("未能保存：refused, nothing was written: `callback` on a ticket that is not resolved"
            in text_of(client.get("/tickets/T-1")))
    assert (web.records.root / rel).read_bytes() == before


@pytest.mark.parametrize(("fields", "message"), [
    ({"type": "callback", "satisfaction": "five"}, "satisfaction: 'five' is not a number"),
    ({"type": "assigned", "at": "2999-01-01T00:00"}, "is in the future"),
    ({"type": "note", "note": "x" * 501}, "note: at most 500 characters"),
])
def test_bad_values_are_refused_with_a_reason(web, fields, message):
    reported = dt.datetime.now(TZ).replace(microsecond=0) - dt.timedelta(hours=1)
    rel = put(web, "T-1", reported)
    before = (web.records.root / rel).read_bytes()
    client = web.signed_in("mgr-chen")
    client.post("/tickets/T-1/log", data={"csrf": web.token(client, "/tickets/T-1"), **fields})
    assert message in text_of(client.get("/tickets/T-1"))
    assert (web.records.root / rel).read_bytes() == before


def test_a_part_that_does_not_exist_is_refused(web):
    rel = put(web, "T-1", dt.datetime.now(TZ).replace(microsecond=0) - dt.timedelta(hours=1))
    before = (web.records.root / rel).read_bytes()
    client = web.signed_in("eng-zhang")
    client.post("/tickets/T-1/log", data={"csrf": web.token(client, "/tickets/T-1"), "type": "resolved",
                                          "part": "../../aftersales", "qty": "1"})
    assert "no part '../../aftersales'" in text_of(client.get("/tickets/T-1"))
    assert (web.records.root / rel).read_bytes() == before


@pytest.mark.parametrize(("account", "event_type"), [("cs-li", "arrived"), ("eng-zhang", "cancelled"),
                                                     ("eng-zhang", "assigned"), ("mgr-chen", "reported")])
def test_each_role_logs_only_its_own_event_types(web, account, event_type):
    rel = put(web, "T-1", dt.datetime.now(TZ).replace(microsecond=0) - dt.timedelta(hours=1))
    before = (web.records.root / rel).read_bytes()
    client = web.signed_in(account)
    answer = client.post("/tickets/T-1/log", data={"csrf": web.token(client, "/tickets/T-1"), "type": event_type,
                                                   "to": "eng-zhang"})
    assert answer.status_code == 403
    assert (web.records.root / rel).read_bytes() == before


def test_an_engineer_cannot_log_on_another_engineers_ticket(web):
    rel = put(web, "T-1", dt.datetime.now(TZ).replace(microsecond=0) - dt.timedelta(hours=1),
              "{at: " + (dt.datetime.now(TZ).replace(microsecond=0) - dt.timedelta(minutes=50)).isoformat()
              + ", type: assigned, to: eng-wang}")
    before = (web.records.root / rel).read_bytes()
    client = web.signed_in("eng-zhang")
    answer = client.post("/tickets/T-1/log", data={"csrf": web.token(client, "/tickets"), "type": "arrived"})
    assert answer.status_code == 403
    assert (web.records.root / rel).read_bytes() == before


def test_the_log_forms_come_from_the_field_spec(web):
    put(web, "T-1", AT)
    web.now = AT
    html = web.signed_in("eng-zhang").get("/tickets/T-1").get_data(as_text=True)
    assert re.findall(r'<input type="hidden" name="type" value="(\w+)">', html) == [
        "responded", "diagnosed", "arrived", "informed", "paused", "resumed", "workaround", "resolved", "revisit",
        "note"]
    assert '<input id="workaround-until" name="until" type="datetime-local">' in html
    assert '<input id="paused-reason" name="reason" maxlength="500">' in html
    assert html.count('<select name="part"') == 3
    assert '<option value="BOLT-M8">M8 连接螺栓 (BOLT-M8)</option>' in html


# --- opening tickets --------------------------------------------------------------------------

def test_the_desk_opens_a_ticket(web):
    client = web.signed_in("cs-li")
    answer = client.post("/tickets/new", data={
        "csrf": web.token(client, "/tickets/new"), "kind": "repair", "asset": "CHAIR-1", "category": "surface",
        "severity": "urgent", "channel": "phone", "summary": "皮面划破", "location": "第5排8号", "name": "李老师",
        "phone": "13900002222"})
    [path] = web.tickets()
    assert answer.headers["Location"] == f"/tickets/{path.stem}"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"id: {path.stem}\nkind: repair\nasset: CHAIR-1\nseverity: urgent\ncategory: surface\n"
                           'channel: phone\nreporter: {name: 李老师, phone: "13900002222"}\nlocation: 第5排8号\n'
                           "summary: 皮面划破\nevents:\n  - {at: ")
    assert text.endswith(", type: reported, by: cs-li}\n")


def test_a_ticket_without_what_it_needs_is_not_opened(web):
    client = web.signed_in("cs-li")
    answer = client.post("/tickets/new", data={"csrf": web.token(client, "/tickets/new"), "kind": "repair",
                                               "summary": "皮面划破"})
    assert answer.status_code == 400
    assert "未能保存：asset: required for a repair ticket" in text_of(answer)
    assert web.tickets() == []


# --- reports ----------------------------------------------------------------------------------

def test_the_reports_page_lists_four_quarters_and_the_inspections(web):
    web.records.write("inspections/2026/INS-1.yaml", INSPECTION)
    web.now = dt.datetime(2026, 5, 2, 9, 0, tzinfo=TZ)
    shown = text_of(web.signed_in("school-office").get("/reports"))
    assert shown.startswith("报告 工单 报告 school-office（学校） 退出 报告 季度售后服务报告 "
                            "2026Q2 · 中文 网页 · 中文 PDF · English 网页 · English PDF 2026Q1 ")
    assert "2025Q3 · 中文 网页" in shown and "2025Q2" not in shown
    assert shown.endswith("巡检报告 INS-1 2026-03-27 · 中文 网页 · 中文 PDF · English 网页 · English PDF")


def test_a_quarterly_report_as_a_web_page_allows_exactly_its_own_styles(web):
    web.now = dt.datetime(2026, 5, 2, 9, 0, tzinfo=TZ)
    page = web.signed_in("mgr-chen").get("/reports/quarterly/2026Q1.zh.html")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>季度售后服务报告</h1>" in html
    policy = page.headers["Content-Security-Policy"]
    assert re.fullmatch(r"default-src 'none'; style-src 'self' 'sha256-[A-Za-z0-9+/]+=*'; img-src 'self' data:; "
                        r"form-action 'self'; frame-ancestors 'none'; base-uri 'none'", policy)
    assert "<script" not in html


@pytest.mark.slow
def test_reports_as_pdf(web):
    web.records.write("inspections/2026/INS-1.yaml", INSPECTION)
    web.now = dt.datetime(2026, 5, 2, 9, 0, tzinfo=TZ)
    client = web.signed_in("school-office")
    for url in ("/reports/quarterly/2026Q1.en.pdf", "/reports/inspection/INS-1.zh.pdf"):
        page = client.get(url)
        assert page.status_code == 200
        assert page.headers["Content-Type"] == "application/pdf"
        assert page.get_data()[:5] == b"%PDF-"


@pytest.mark.parametrize("url", ["/reports/quarterly/2026Q5.en.html", "/reports/quarterly/2026Q1.fr.html",
                                 "/reports/quarterly/2026Q1.en.docx", "/reports/inspection/INS-9.en.html",
                                 "/reports/inspection/INS-1.en.exe"])
def test_unknown_reports_are_not_found(web, url):
    web.records.write("inspections/2026/INS-1.yaml", INSPECTION)
    assert web.signed_in("mgr-chen").get(url).status_code == 404


def test_records_that_do_not_validate_are_shown_to_the_staff_who_fix_them(web):
    web.records.write(TICKET, "id: T-1\nkind: repair\n")
    page = web.signed_in("cs-li").get("/tickets")
    assert page.status_code == 503
    assert "记录未通过校验，无法显示： the records do not validate (2 errors); nothing was computed:" in text_of(page)
    assert "tickets/2026/T-1.yaml:1:1: error[required]" in text_of(page)
    school = web.signed_in("school-office").get("/tickets")
    assert text_of(school).endswith("系统暂时无法读取记录，已通知工作人员。请拨打服务热线。")


# --- every write a commit -----------------------------------------------------------------

def git(root, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repository(web, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")   # no identity but the one the app gives
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = web.records.root
    git(root, "init", "-q")
    assert run("git", "install", "--records", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "-c", "user.name=setup", "-c", "user.email=setup@example.com", "commit", "-qm", "Records")
    return root


@pytest.mark.slow
def test_with_commit_each_web_write_is_a_commit_by_its_author(web, repository):
    web.app(commit=True)
    web.report(web.client())
    [path] = web.tickets()
    rel = path.relative_to(repository).as_posix()
    assert git(repository, "log", "-1", "--format=%an <%ae>|%cn|%s") == (
        f"web-intake <web-intake@aftersales.invalid>|aftersales serve|Report {path.stem} about CHAIR-1 from its "
        "QR label\n")
    assert git(repository, "show", "--name-only", "--format=", "HEAD") == f"{rel}\n"
    client = web.signed_in("eng-zhang")
    client.post(f"/tickets/{path.stem}/log", data={"csrf": web.token(client, "/tickets"), "type": "arrived"})
    assert git(repository, "log", "-1", "--format=%an <%ae>|%s") == (
        f"eng-zhang <eng-zhang@aftersales.invalid>|{path.stem}: arrived (web, eng-zhang)\n")
    assert git(repository, "status", "--porcelain", "--", "tickets") == ""


@pytest.mark.slow
def test_a_commit_takes_only_the_file_written_whatever_else_is_staged(web, repository):
    web.app(commit=True)
    (repository / "notes.txt").write_text("staged by someone\n")
    git(repository, "add", "notes.txt")
    web.report(web.client())
    assert git(repository, "show", "--name-only", "--format=", "HEAD").startswith("tickets/")
    assert git(repository, "status", "--porcelain") == "A  notes.txt\n"


@pytest.mark.slow
def test_commit_outside_a_repository_refuses_to_start(web):
    from aftersales.core.errors import AftersalesError

    with pytest.raises(AftersalesError, match=r"--commit: .* is not inside a git repository; run `git init` there"):
        web.app(commit=True)
