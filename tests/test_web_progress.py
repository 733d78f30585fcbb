"""The reporter's progress page: the repair in plain words and the promises, nothing internal."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import REPORTED, TICKET, event, ticket
from webtools import TZ, text_of

pytest.importorskip("flask")

STORY = ticket(
    "{at: 2026-03-14T09:12:00+08:00, type: reported, by: web-intake}",
    event("09:20", "assigned", ", by: cs-li, to: eng-zhang, note: 内部备注 13900009999"),
    event("09:40", "responded", ", by: eng-zhang"),
    event("10:30", "arrived", ", by: eng-zhang"),
    event("10:40", "paused", ", reason: 等配件 老王说"),
    event("11:00", "resumed"),
    event("11:30", "workaround", ", until: 2026-03-16T17:00:00+08:00"),
    event("11:50", "note", ", note: 客户脾气不好"),
    event("12:30", "resolved", ", by: eng-zhang, parts: [{part: BOLT-M8, qty: 2}], cost: 0"),
    extra="""\
    channel: qr
    reporter: {name: 王老师, phone: "13800001234"}
    location: 第3排12号
    """)


def test_the_progress_page_tells_the_repair_in_plain_words(web):
    web.records.write(TICKET, STORY)
    web.now = dt.datetime(2026, 3, 14, 13, 0, tzinfo=TZ)
    page = web.client().get(web.progress_url("T-1"))
    assert page.status_code == 200
    assert text_of(page) == (
        "报修进度 · T-1 报修进度 工单号 T-1 状态 已修复 家具 报告厅剧院椅 · 第3排12号 问题 扶手松动 处理经过 "
        "2026-03-14 09:12 已收到报修 2026-03-14 09:20 已安排维修人员 2026-03-14 09:40 客服已与您联系 "
        "2026-03-14 10:30 维修人员已到场 2026-03-14 10:40 暂停：等待配件或您的确认 2026-03-14 11:00 继续维修 "
        "2026-03-14 11:30 已临时处理，约定 2026-03-16 17:00 前彻底修复 2026-03-14 12:30 已修复 "
        "服务承诺 联系您 · 2026-03-14 11:12 前： 按时完成 服务热线：400-820-1234")


def test_the_progress_page_never_shows_notes_names_phone_numbers_or_other_tickets(web):
    web.records.write(TICKET, STORY)
    web.records.write("tickets/2026/T-2.yaml", ticket(extra="summary: 别的工单\n").replace("id: T-1", "id: T-2")
                      .replace("summary: 扶手松动\n", ""))
    web.now = dt.datetime(2026, 3, 14, 13, 0, tzinfo=TZ)
    html = web.client().get(web.progress_url("T-1")).get_data(as_text=True)
    for secret in ("内部备注", "1390000", "1380000", "0000", "客户脾气", "老王", "等配件", "eng-zhang", "cs-li",
                   "王老师", "web-intake", "BOLT", "T-2", "别的工单"):
        assert secret not in html


def test_a_late_promise_says_so(web):
    web.records.write(TICKET, ticket())
    web.now = dt.datetime(2026, 3, 14, 12, 0, tzinfo=TZ)
    page = web.client().get(web.progress_url("T-1"))
    assert text_of(page).endswith("服务承诺 联系您 · 2026-03-14 11:12 前： 已超时 服务热线：400-820-1234")
    assert '<li class="late">' in page.get_data(as_text=True)


def test_a_promise_kept_late_and_a_cancelled_ticket(web):
    web.records.write(TICKET, ticket(REPORTED, event("12:00", "responded"), event("12:10", "cancelled")))
    web.now = dt.datetime(2026, 3, 14, 13, 0, tzinfo=TZ)
    shown = text_of(web.client().get(web.progress_url("T-1")))
    assert "状态 已取消" in shown
    assert "2026-03-14 12:10 已取消" in shown
    assert "联系您 · 2026-03-14 11:12 前： 超时完成" in shown


def test_the_page_shows_the_ticket_as_it_stands_now(web):
    web.records.write(TICKET, STORY)
    web.now = dt.datetime(2026, 3, 14, 10, 0, tzinfo=TZ)
    shown = text_of(web.client().get(web.progress_url("T-1")))
    assert "状态 处理中" in shown
    assert "维修人员已到场" not in shown


@pytest.mark.parametrize("query", ["", "?k=0000000000000000", "?k=ASSET"])
def test_a_missing_or_forged_key_is_refused(web, query):
    web.records.write(TICKET, STORY)
    page = web.client().get("/t/T-1" + query.replace("ASSET", web.key("asset", "T-1")))
    assert page.status_code == 403
    assert text_of(page) == "抱歉 抱歉 此链接无效。请重新扫描家具上的二维码，或拨打服务热线。"


def test_a_valid_key_of_a_ticket_that_does_not_exist_is_not_found(web):
    assert web.client().get(web.progress_url("T-20260314-AAAAAA")).status_code == 404


def test_a_broken_ticket_file_is_not_shown(web):
    web.records.write(TICKET, STORY.replace("type: resumed", "type: resumd"))
    page = web.client().get(web.progress_url("T-1"))
    assert page.status_code == 503
    assert text_of(page) == "抱歉 抱歉 系统暂时无法读取记录，已通知工作人员。请拨打服务热线。"


def test_a_broken_file_elsewhere_does_not_stop_the_page(web):
    web.records.write(TICKET, STORY)
    web.records.write("tickets/2026/T-2.yaml", "id: T-2\nkind: [\n")
    assert web.client().get(web.progress_url("T-1")).status_code == 200
