"""`aftersales notify` against real local servers: robots on 127.0.0.1 that answer (and fail) as
WeCom, DingTalk, Feishu and a webhook gateway do, and an SMTP server that requires STARTTLS.

Ticket T-1 (a repair of CHAIR-1, in the lobby: priority critical) is reported on 2026-03-14 at
09:12. Its `response` clock allows 2 h: at risk from 10:42 (0.75 of 2 h), breached after
11:12, escalated after 12:12 (escalate_after 1h). Its `resolution` clock allows 8 h and pauses.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from conftest import run
from notify_servers import DINGTALK_SECRET, FEISHU_SECRET, Mailbox, Robots, self_signed_certificate

from aftersales.notify import run as notify_run
from aftersales.notify.state import opened

SETTINGS = """\
schema: 1
project:
  name: 测试项目
  supplier: 某家具公司
  timezone: Asia/Shanghai
areas:
  lobby: {name: 门厅, priority: critical}
  office: {name: 办公室, priority: normal}
priorities: [critical, normal]
sla:
  targets:
    - id: response
      when: {kind: repair}
      start: reported
      stop: [responded, resolved]
      within: {critical: 2h, normal: 4h}
    - id: resolution
      when: {kind: repair}
      start: reported
      stop: [resolved]
      within: 8h
      pausable: true
notify:
  channels:
    - {id: desk, kind: wecom, url_env: T_WECOM}
    - {id: managers, kind: dingtalk, url_env: T_DINGTALK, secret_env: T_DINGTALK_SECRET}
    - {id: ops, kind: feishu, url_env: T_FEISHU, secret_env: T_FEISHU_SECRET}
    - {id: hook, kind: webhook, url_env: T_HOOK}
    - {id: mail, kind: email, to: [pm@example.com], from: aftersales@example.com, smtp_env: T_SMTP}
  rules:
    - {on: [at-risk], to: [desk]}
    - {on: [breached, escalation], when: {priority: critical}, to: [desk, managers]}
    - {on: [finding-overdue, maintenance-overdue, warranty-expiring, low-stock], to: [ops]}
"""

PROMISE = "报告厅剧院椅 · 门厅\n扶手松动\n承诺：2026-03-14 11:12 前（2h）\n"
BREACHED = "【已超时】响应 T-1\n" + PROMISE + "已超时 3分钟"
SMS = "【某家具公司】王老师您好，您报修的“扶手松动”（单号 T-1）"
DESK = "/wecom/desk"
MANAGERS = "/dingtalk/managers"


def ticket(ident: str = "T-1", *events: str, asset: str = "CHAIR-1", extra: str = "") -> str:
    lines = "".join(f"  - {{at: 2026-03-14T{e}}}\n" for e in (events or ("09:12:00+08:00, type: reported",)))
    return f"id: {ident}\nkind: repair\nasset: {asset}\nsummary: 扶手松动\n{textwrap.dedent(extra)}events:\n{lines}"


@pytest.fixture
def robots(monkeypatch):
    server = Robots()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # a proxy set for the package registries must not catch these
    monkeypatch.setenv("T_WECOM", server.url(DESK + "?key=abc"))
    monkeypatch.setenv("T_DINGTALK", server.url(MANAGERS + "?access_token=abc"))
    monkeypatch.setenv("T_DINGTALK_SECRET", DINGTALK_SECRET)
    monkeypatch.setenv("T_FEISHU", server.url("/feishu/ops"))
    monkeypatch.setenv("T_FEISHU_SECRET", FEISHU_SECRET)
    monkeypatch.setenv("T_HOOK", server.url("/hook/gateway"))
    monkeypatch.setattr(notify_run, "BACKOFF_SECONDS", 0.01)
    yield server
    server.close()


@pytest.fixture
def folder(records):
    records.write("aftersales.yaml", SETTINGS)
    records.write("assets/DESK-1.yaml", "id: DESK-1\nname: 办公桌\ncategory: desk\narea: office\n")
    records.write("tickets/2026/T-1.yaml", ticket())
    return records


def notify(folder, at: str, *args: str):
    state = folder.root.parent / "notify.sqlite"
    return run("notify", "--records", str(folder.root), "--state", str(state), "--at", f"2026-03-14 {at}", *args)


def contents(requests) -> list[str]:
    return [r.body["markdown"]["content"] if "markdown" in r.body and "content" in r.body["markdown"]
            else r.body["markdown"]["text"] if "markdown" in r.body else r.body["content"]["text"] for r in requests]


# --- the clock of one ticket --------------------------------------------------------------

def test_at_risk_then_breached_sends_two_messages_then_none(folder, robots):
    assert notify(folder, "10:30").exit_code == 0
    assert robots.requests == []
    first = notify(folder, "10:45")
    assert (first.exit_code, first.output) == (0, "")
    assert contents(robots.accepted(DESK)) == [
        "**【即将超时】响应 T-1**\n报告厅剧院椅 · 门厅\n扶手松动\n承诺：2026-03-14 11:12 前（2h）\n剩余 27分钟"]
    assert robots.accepted(DESK)[0].body["msgtype"] == "markdown"
    assert notify(folder, "10:50").exit_code == 0
    assert len(robots.requests) == 1
    assert notify(folder, "11:15").exit_code == 0
    assert contents(robots.accepted(DESK))[1:] == [
        "**【已超时】响应 T-1**\n报告厅剧院椅 · 门厅\n扶手松动\n承诺：2026-03-14 11:12 前（2h）\n已超时 3分钟"]
    assert contents(robots.accepted(MANAGERS)) == [
        "**【已超时】响应 T-1**\n\n报告厅剧院椅 · 门厅\n\n扶手松动\n\n承诺：2026-03-14 11:12 前（2h）\n\n已超时 3分钟"]
    for at in ("11:20", "11:40", "12:05"):
        assert notify(folder, at).exit_code == 0
    assert len(robots.requests) == 3


def test_escalation_goes_once_to_the_desk_and_the_managers(folder, robots):
    notify(folder, "11:15")
    assert notify(folder, "12:10").exit_code == 0
    assert len(robots.requests) == 2
    assert notify(folder, "12:13").exit_code == 0
    assert notify(folder, "12:30").exit_code == 0
    assert [c.splitlines()[0] for c in contents(robots.requests[2:])] == ["**【超时升级】响应 T-1**"] * 2
    assert contents(robots.accepted(DESK))[-1].endswith("已超时 1小时1分钟，请介入")


def test_a_paused_clock_sends_nothing_until_it_runs_again(folder, robots):
    folder.write("tickets/2026/T-1.yaml", ticket(
        "T-1", "09:12:00+08:00, type: reported", "09:30:00+08:00, type: responded",
        "10:00:00+08:00, type: paused, reason: 等配件", "19:00:00+08:00, type: resumed"))
    for at in ("16:00", "18:00", "18:59"):  # at risk from 15:12 and late after 17:12, were it not paused
        assert notify(folder, at).exit_code == 0
    assert robots.requests == []
    # 48 minutes counted before the pause: 6 h are used up 5 h 12 min after 19:00
    assert run("notify", "--records", str(folder.root), "--state", str(folder.root.parent / "notify.sqlite"),
               "--at", "2026-03-15 00:13").exit_code == 0
    assert contents(robots.accepted(DESK)) == [
        "**【即将超时】解决 T-1**\n报告厅剧院椅 · 门厅\n扶手松动\n承诺：2026-03-15 02:12 前（8h）\n剩余 1小时59分钟"]


def test_a_ticket_resolved_before_the_run_sends_nothing(folder, robots):
    folder.write("tickets/2026/T-1.yaml", ticket(
        "T-1", "09:12:00+08:00, type: reported", "10:50:00+08:00, type: resolved"))
    assert notify(folder, "10:55").exit_code == 0  # it was at risk from 10:42 to 10:50
    assert notify(folder, "11:30").exit_code == 0
    assert robots.requests == []


def test_after_downtime_the_missed_alerts_go_out_as_one_summary_per_channel(folder, robots):
    folder.write("tickets/2026/T-2.yaml", ticket("T-2", "10:30:00+08:00, type: reported", asset="DESK-1"))
    folder.write("tickets/2026/T-3.yaml", ticket("T-3", "10:00:00+08:00, type: reported"))
    result = notify(folder, "14:00")  # nothing ran since 09:00
    assert (result.exit_code, result.output) == (0, "")
    assert contents(robots.accepted(DESK)) == [
        "**补发：未能及时发出的提醒共 3 条**\n"
        "【超时升级】响应 T-1 已超时 2小时48分钟，请介入\n"
        "【超时升级】响应 T-3 已超时 2小时，请介入\n"
        "【即将超时】响应 T-2 剩余 30分钟"]
    assert contents(robots.accepted(MANAGERS)) == [
        "**补发：未能及时发出的提醒共 2 条**\n\n"
        "【超时升级】响应 T-1 已超时 2小时48分钟，请介入\n\n"
        "【超时升级】响应 T-3 已超时 2小时，请介入"]
    assert notify(folder, "14:05").exit_code == 0
    assert notify(folder, "14:20").exit_code == 0
    assert len(robots.requests) == 2


def test_more_alerts_than_a_channel_may_send_a_minute_are_batched(folder, robots):
    folder.edit("aftersales.yaml", "{id: desk, kind: wecom, url_env: T_WECOM}",
                "{id: desk, kind: wecom, url_env: T_WECOM, per_minute: 2}")
    for n in (2, 3):
        folder.write(f"tickets/2026/T-{n}.yaml", ticket(f"T-{n}"))
    assert notify(folder, "10:45").exit_code == 0
    assert contents(robots.accepted(DESK)) == [
        "**提醒：共 3 条**\n【即将超时】响应 T-1 剩余 27分钟\n【即将超时】响应 T-2 剩余 27分钟\n"
        "【即将超时】响应 T-3 剩余 27分钟"]


def test_english_messages(folder, robots):
    folder.edit("aftersales.yaml", "notify:\n", "notify:\n  language: en\n")
    notify(folder, "10:45")
    notify(folder, "11:15")
    assert contents(robots.accepted(DESK)) == [
        "**At risk: response T-1**\n报告厅剧院椅 · lobby\n扶手松动\nPromise: by 2026-03-14 11:12 (2h)\n27m left",
        "**Breached: response T-1**\n报告厅剧院椅 · lobby\n扶手松动\nPromise: by 2026-03-14 11:12 (2h)\nlate by 3m"]


# --- failures -----------------------------------------------------------------------------

def test_a_failed_send_is_retried_in_the_run_then_on_the_next_run(folder, robots):
    robots.script(DESK, "500", "500")
    result = notify(folder, "10:45", "--retries", "1")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 1 message could not be sent (tried again on the next run):\n"
        '  desk: 【即将超时】响应 T-1: HTTP 500 Internal Server Error: {"error": "internal error"} (after 2 tries)\n')
    assert len(robots.requests) == 2 and not robots.accepted()
    assert notify(folder, "10:50").exit_code == 0
    assert len(robots.accepted(DESK)) == 1
    assert notify(folder, "10:55").exit_code == 0
    assert len(robots.requests) == 3


def test_a_robots_error_code_is_a_failure_and_is_not_retried_in_the_run(folder, robots):
    robots.script(DESK, "errcode")
    result = notify(folder, "10:45")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  desk: 【即将超时】响应 T-1: the server refused it: error 93000 (invalid webhook url)")
    assert len(robots.requests) == 1
    assert notify(folder, "10:50").exit_code == 0
    assert len(robots.accepted(DESK)) == 1


def test_a_robots_too_many_messages_code_is_retried_with_backoff(folder, robots):
    robots.script(DESK, "busy")
    assert notify(folder, "10:45").exit_code == 0
    assert [r.accepted for r in robots.requests] == [False, True]


@pytest.mark.slow  # waits for a timeout
def test_a_server_that_does_not_answer_in_time_is_a_failure(folder, robots):
    robots.script(DESK, "timeout")
    result = notify(folder, "10:45", "--timeout", "0.5", "--retries", "0")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == "  desk: 【即将超时】响应 T-1: no answer within 0.5 s"
    assert notify(folder, "10:50").exit_code == 0
    assert len(robots.accepted(DESK)) == 1


def test_a_channel_whose_variable_is_unset_is_refused_with_the_reason_and_the_others_still_send(
        folder, robots, monkeypatch):
    monkeypatch.delenv("T_DINGTALK_SECRET")
    result = notify(folder, "11:15")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 1 message could not be sent (tried again on the next run):\n"
        "  managers: 【已超时】响应 T-1: $T_DINGTALK_SECRET is not set (the channel's URL or secret is read from "
        "the environment, never from the records)\n")
    assert len(robots.accepted(DESK)) == 1  # the desk heard of it all the same


def test_dingtalk_requests_are_signed_and_the_robot_checks_the_signature(folder, robots, monkeypatch):
    notify(folder, "11:15")
    (request,) = robots.accepted(MANAGERS)
    assert request.query["access_token"] == "abc" and request.query["timestamp"].isdigit()
    assert request.body["msgtype"] == "markdown" and request.body["markdown"]["title"] == "【已超时】响应 T-1"
    monkeypatch.setenv("T_DINGTALK_SECRET", "SEC-wrong")
    result = notify(folder, "12:13")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  managers: 【超时升级】响应 T-1: the server refused it: error 310000 (sign not match)")


@pytest.mark.slow
def test_two_runs_at_once_never_send_the_same_alert_twice(folder, robots):
    robots.delay = 1.0  # the first run holds the state while its message is on its way
    for n in (2, 3):
        folder.write(f"tickets/2026/T-{n}.yaml", ticket(f"T-{n}"))
    state = folder.root.parent / "notify.sqlite"
    command = [sys.executable, "-m", "aftersales", "notify", "--records", str(folder.root), "--state", str(state),
               "--at", "2026-03-14 10:45"]
    runs = [subprocess.Popen(command, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]
    outputs = [r.communicate(timeout=60) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert sorted(c.splitlines()[0] for c in contents(robots.requests)) == [
        "**【即将超时】响应 T-1**", "**【即将超时】响应 T-2**", "**【即将超时】响应 T-3**"]


def test_the_rate_limit_counts_the_messages_of_earlier_runs(tmp_path):
    waited: list[float] = []
    sender = notify_run.Sender({}, clock=lambda: 130.0, sleep=waited.append)
    with opened(tmp_path / "state.sqlite") as state:
        for t in (100.0, 110.0, 125.0):
            state.record_send("desk", t)
        sender._wait_for_room("desk", 2, state)  # 2 a minute: room again 60 s after the send at 110
        sender._wait_for_room("desk", 3, state)
        sender._wait_for_room("ops", 3, state)
    assert waited == [40.0, 30.0]


# --- other channels -------------------------------------------------------------------------

def test_the_webhook_gets_the_documented_json(folder, robots):
    folder.edit("aftersales.yaml", "    - {on: [at-risk], to: [desk]}", "    - {on: [breached], to: [hook]}")
    assert notify(folder, "11:15").exit_code == 0
    (request,) = robots.accepted("/hook")
    assert request.body == {
        "kind": "breached", "subject": "T-1", "ticket": "T-1", "target": "response", "cycle": 1,
        "deadline": "2026-03-14T11:12:00+08:00", "due": None, "since": "2026-03-14T11:12:00+08:00",
        "late_seconds": 180, "summary": "扶手松动", "asset": "CHAIR-1", "area": "lobby", "priority": "critical",
        "title": "【已超时】响应 T-1",
        "message": BREACHED}


def test_a_webhook_answering_ok_false_is_a_failure(folder, robots):
    folder.edit("aftersales.yaml", "    - {on: [at-risk], to: [desk]}", "    - {on: [at-risk], to: [hook]}")
    robots.script("/hook/gateway", "errcode")
    result = notify(folder, "10:45", "--retries", "0")
    assert result.stderr.splitlines()[1] == (
        '  hook: 【即将超时】响应 T-1: the server refused it: "ok": false (gateway refused)')


def test_feishu_gets_signed_text_and_the_date_alerts(folder, robots):
    folder.write("assets/CHAIR-1.yaml", "id: CHAIR-1\nname: 报告厅剧院椅\ncategory: theater-chair\narea: lobby\n"
                                        "location: 一楼\ninstalled: 2021-04-01\n")
    folder.write("parts/BOLT-M8.yaml", "id: BOLT-M8\nname: M8 连接螺栓\nmin: 250\nmovements:\n"
                                       "  - {date: 2026-01-05, in: 200}\n")
    folder.write("inspections/2026/INS-1.yaml", textwrap.dedent("""\
        id: INS-1
        date: 2026-03-02
        inspectors: [eng-zhang]
        findings:
          - {id: F1, asset: CHAIR-1, location: 第5排8号, problem: 靠背回弹不足, owner: eng-zhang, due: 2026-03-10}
        """))
    folder.edit("aftersales.yaml", "notify:\n", textwrap.dedent("""\
        maintenance:
          - {id: monthly, name: 月度保养, areas: all, rrule: "FREQ=MONTHLY;BYMONTHDAY=-1", start: 2026-01-31,
             checklist: [appearance]}
        notify:
        """))
    assert notify(folder, "00:10").exit_code == 0
    (request,) = robots.accepted("/feishu")
    assert request.body["msg_type"] == "text" and request.body["sign"]
    assert request.body["content"]["text"] == (
        "补发：未能及时发出的提醒共 5 条\n"
        "【库存不足】M8 连接螺栓（BOLT-M8） 库存 200 pcs，补货点 250\n"
        "【保养逾期】月度保养 应于 2026-01-31 完成，已逾期 42 天\n"
        "【保养逾期】月度保养 应于 2026-02-28 完成，已逾期 14 天\n"
        "【质保将到期】报告厅剧院椅（CHAIR-1） 质保至 2026-04-01，还剩 18 天\n"
        "【整改逾期】INS-1 F1 整改期限 2026-03-10，已逾期 4 天，负责人 eng-zhang")


@pytest.fixture
def mailbox(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = self_signed_certificate(folder)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this server's certificate
    box = Mailbox(cert, key)
    monkeypatch.setenv("T_SMTP", box.url())
    yield box
    box.close()


@pytest.mark.slow  # openssl makes a certificate
def test_email_goes_through_smtp_with_starttls_and_a_login(folder, robots, mailbox):
    folder.edit("aftersales.yaml", "    - {on: [at-risk], to: [desk]}", "    - {on: [escalation], to: [mail]}")
    assert notify(folder, "12:13").exit_code == 0
    ((sender, recipients, content),) = mailbox.messages
    assert (sender, recipients) == ("aftersales@example.com", ["pm@example.com"])
    mail = email.message_from_bytes(content, policy=email.policy.default)
    assert mail["Subject"] == "【超时升级】响应 T-1"
    assert mail.get_content().replace("\r\n", "\n") == (
        "【超时升级】响应 T-1\n" + PROMISE + "已超时 1小时1分钟，请介入\n")


@pytest.mark.slow  # openssl makes a certificate
def test_a_refused_smtp_login_is_a_failure_with_the_reason(folder, robots, mailbox, monkeypatch):
    folder.edit("aftersales.yaml", "    - {on: [at-risk], to: [desk]}", "    - {on: [escalation], to: [mail]}")
    monkeypatch.setenv("T_SMTP", mailbox.url("wrong"))
    result = notify(folder, "12:13")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == "  mail: 【超时升级】响应 T-1: the SMTP server refused the login (535)"
    assert mailbox.messages == []


# --- customer progress messages ------------------------------------------------------------

REPORTER = "reporter: {name: 王老师, phone: \"13800001234\"}\n"


def test_the_reporter_gets_a_progress_message_through_the_gateway_and_the_phone_is_never_logged(folder, robots):
    folder.edit("aftersales.yaml", "  rules:\n", "  customer: {channel: hook}\n  rules:\n")
    folder.write("tickets/2026/T-1.yaml", ticket(
        "T-1", "09:12:00+08:00, type: reported", "09:40:00+08:00, type: responded", extra=REPORTER))
    dry = notify(folder, "09:45", "--dry-run")
    assert "13800001234" not in dry.output and "138****1234" in dry.output
    result = notify(folder, "09:45", "--verbose")
    assert result.exit_code == 0
    assert result.output == f"sent to hook: {SMS}我们已受理，正在处理。 (to 138****1234)\n"
    (request,) = robots.accepted("/hook")
    assert request.body == {"kind": "progress", "event": "responded", "ticket": "T-1", "phone": "13800001234",
                            "name": "王老师", "message": SMS + "我们已受理，正在处理。"}
    assert notify(folder, "10:00").exit_code == 0
    assert len(robots.requests) == 1
    for path in folder.root.parent.glob("notify.sqlite*"):
        assert b"13800001234" not in path.read_bytes()


def test_only_the_latest_fresh_event_sends_a_progress_message_and_a_failure_does_not_show_the_phone(
        folder, robots):
    folder.edit("aftersales.yaml", "  rules:\n", "  customer: {channel: hook, within: 2h}\n  rules:\n")
    folder.write("tickets/2026/T-1.yaml", ticket(
        "T-1", "09:12:00+08:00, type: reported", "09:40:00+08:00, type: responded",
        "10:30:00+08:00, type: arrived", "11:00:00+08:00, type: resolved", extra=REPORTER))
    robots.script("/hook/gateway", "errcode")
    result = notify(folder, "11:05", "--retries", "0")
    assert result.exit_code == 1 and "13800001234" not in result.output
    assert result.stderr.splitlines()[1] == (
        f'  hook: {SMS}已处理完毕，如仍有问题请随时联系我们。 (to 138****1234): the server refused it: "ok": false')
    assert notify(folder, "11:10").exit_code == 0
    assert [r.body["event"] for r in robots.accepted("/hook")] == ["resolved"]
    assert notify(folder, "13:30").exit_code == 0  # older than `within`: nothing more
    assert len(robots.requests) == 2


# --- dry run, state and settings ------------------------------------------------------------

def test_dry_run_prints_the_messages_and_changes_no_state(folder, robots, tmp_path):
    result = notify(folder, "11:15", "--dry-run")
    assert result.output == (
        f"--- desk (wecom), alert\n{BREACHED}\n\n--- managers (dingtalk), alert\n{BREACHED}\n")
    assert robots.requests == [] and not (folder.root.parent / "notify.sqlite").exists()
    assert notify(folder, "10:40", "--dry-run").output == "nothing to send\n"
    notify(folder, "10:45")
    state = folder.root.parent / "notify.sqlite"
    before = state.read_bytes()
    data = json.loads(notify(folder, "11:15", "--dry-run", "--format", "json").output)
    assert data["dry_run"] is True
    assert [(m["channel"], m["kind"], m["alerts"]) for m in data["messages"]] == [
        ("desk", "alert", [{"kind": "breached", "subject": "T-1", "target": "response", "cycle": "1", "how": "sent"},
                           ]),
        ("managers", "alert", [{"kind": "breached", "subject": "T-1", "target": "response", "cycle": "1",
                                "how": "sent"}])]
    assert state.read_bytes() == before


def test_json_output_of_a_run_says_what_was_sent(folder, robots):
    data = json.loads(notify(folder, "10:45", "--format", "json").output)
    assert data["dry_run"] is False
    assert [(m["channel"], m["title"], m["sent"], m["error"]) for m in data["messages"]] == [
        ("desk", "【即将超时】响应 T-1", True, None)]


def test_the_state_lives_in_the_users_state_folder_outside_the_records(folder, robots, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("AFTERSALES_STATE_DIR", raising=False)
    assert run("notify", "--records", str(folder.root), "--at", "2026-03-14 10:45").exit_code == 0
    (state,) = (tmp_path / "xdg" / "aftersales").glob("notify-records-*.sqlite")
    rows = sqlite3.connect(state).execute("SELECT kind, subject, target, cycle, channel, how FROM sent").fetchall()
    assert rows == [("at-risk", "T-1", "response", "1", "desk", "sent")]
    inside = run("notify", "--records", str(folder.root), "--state", str(folder.root / "state.sqlite"))
    assert inside.exit_code == 2
    assert inside.stderr.startswith(f"Error: --state {folder.root / 'state.sqlite'}: the notify state must live "
                                    "outside the records folder")


def test_a_state_file_that_is_not_a_database_is_a_clear_error(folder, robots):
    (folder.root.parent / "notify.sqlite").write_text("not a database\n" * 100)
    result = notify(folder, "10:45")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot use the notify state {folder.root.parent / 'notify.sqlite'}: "
                                    "file is not a database; move it away")
    assert robots.requests == []


def test_validate_checks_the_notify_settings(folder, monkeypatch):
    for name in ("T_WECOM", "T_DINGTALK", "T_DINGTALK_SECRET", "T_FEISHU", "T_FEISHU_SECRET", "T_HOOK", "T_SMTP"):
        monkeypatch.setenv(name, "set")
    folder.edit("aftersales.yaml", "    - {id: desk, kind: wecom, url_env: T_WECOM}\n",
                "    - {id: desk, kind: wecom}\n    - {id: desk, kind: email, url_env: T_X, to: [a@b.c]}\n")
    folder.edit("aftersales.yaml", "    - {on: [at-risk], to: [desk]}",
                "    - {on: [at_risk], to: [desks], when: {area: hall, target: respons}}")
    folder.edit("aftersales.yaml", "  rules:\n", "  customer: {channel: desk}\n  rules:\n")
    result = folder.run()
    assert result.stdout.splitlines()[:-1] == [
        "aftersales.yaml:25:1: error[required]: notify.channels (desk): a wecom channel needs `url_env`",
        "aftersales.yaml:26:1: error[duplicate-id]: notify.channels: channel id 'desk' is used twice",
        "aftersales.yaml:26:1: error[required]: notify.channels (desk): an email channel needs `smtp_env`",
        "aftersales.yaml:26:1: error[value]: notify.channels (desk): an email channel has no `url_env` "
        "(only wecom, dingtalk, feishu, webhook)",
        "aftersales.yaml:31:1: error[value]: notify.customer.channel: 'desk' is an email channel; customer messages "
        "go through a webhook channel (the SMS or WeChat gateway), never a group chat",
        "aftersales.yaml:33:1: error[unknown-channel]: notify.rules[1].to: no channel 'desks' (did you mean 'desk'?)",
        "aftersales.yaml:33:1: error[value]: notify.rules[1].when.area: 'hall' is not one of lobby, office",
        "aftersales.yaml:33:1: error[value]: notify.rules[1].when.target: 'respons' is not one of response, "
        "resolution (did you mean 'response'?)",
        "aftersales.yaml:33:13: error[value]: notify.rules[1].on[1]: 'at_risk' is not one of at-risk, breached, "
        "escalation, finding-overdue, maintenance-overdue, warranty-expiring, low-stock (did you mean 'at-risk'?)",
    ]
    assert result.exit_code == 1


def test_validate_warns_when_a_channels_variable_is_unset(folder, monkeypatch):
    for name in ("T_WECOM", "T_DINGTALK", "T_FEISHU", "T_FEISHU_SECRET", "T_HOOK", "T_SMTP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("T_DINGTALK_SECRET", "set")
    result = folder.run()
    assert result.stdout.splitlines()[:-1] == [
        "aftersales.yaml:25:1: warning[notify-env]: notify.channels (desk): $T_WECOM is not set; `aftersales notify` "
        "cannot send to this channel in this environment",
        "aftersales.yaml:26:1: warning[notify-env]: notify.channels (managers): $T_DINGTALK is not set; "
        "`aftersales notify` cannot send to this channel in this environment",
        "aftersales.yaml:27:1: warning[notify-env]: notify.channels (ops): $T_FEISHU, $T_FEISHU_SECRET are not set; "
        "`aftersales notify` cannot send to this channel in this environment",
    ]  # hook and mail are in no rule: nothing would go there
    assert result.exit_code == 0


def test_the_json_schema_knows_the_notify_settings(tmp_path):
    import jsonschema
    import yaml

    assert run("schema", "-o", str(tmp_path)).exit_code == 0
    schema = json.loads((tmp_path / "settings.schema.json").read_text("utf-8"))
    settings = yaml.safe_load(SETTINGS)
    for rule in settings["notify"]["rules"]:  # PyYAML reads YAML 1.1, where a bare `on` key is true;
        rule["on"] = rule.pop(True)           # editors read YAML 1.2, where it is the word `on`
    settings["notify"]["customer"] = {"channel": "hook", "on": ["resolved"], "within": "2h"}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(settings)) == []
    settings["notify"]["channels"][0]["url"] = "https://qyapi.weixin.qq.com/..."  # a secret in the records
    (error,) = jsonschema.Draft7Validator(schema).iter_errors(settings)
    assert "'url' was unexpected" in error.message


def test_the_commented_example_in_the_default_settings_validates(tmp_path, monkeypatch):
    for name in ("AFTERSALES_WECOM_DESK", "AFTERSALES_DINGTALK_MGR", "AFTERSALES_DINGTALK_SECRET",
                 "AFTERSALES_FEISHU_OPS", "AFTERSALES_SMTP"):
        monkeypatch.setenv(name, "set")
    assert run("init", str(tmp_path / "new")).exit_code == 0
    settings = tmp_path / "new" / "aftersales.yaml"
    text = settings.read_text("utf-8")
    assert "\n# notify:\n" in text
    settings.write_text(text.replace("\n# notify:\n", "\nnotify:\n").replace("\n#   ", "\n  "), "utf-8")
    result = run("validate", "--records", str(tmp_path / "new"))
    assert (result.exit_code, result.stdout) == (0, "ok: 0 assets, 0 tickets, 0 inspections, 0 parts, no problems\n")


def test_notify_without_channels_says_so(records):
    result = run("notify", "--records", str(records.root), "--dry-run")
    assert (result.exit_code, result.stderr) == (2, "Error: the settings have no `notify:` channels, so there is "
                                                    "nowhere to send; docs/notify.md shows how to add them\n")
