"""Scan-to-report: the form of a QR label opens a repair ticket through the ticket writer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from webtools import TZ, text_of

pytest.importorskip("flask")

ERROR = re.compile(r'<p class="error"[^>]*>([^<]*)</p>')
FORM_TEXT = ("扫码报修 报告厅剧院椅 门厅 请告诉我们这件家具出了什么问题，我们会尽快联系您并安排维修。 "
             "出了什么问题？ 结构 表面 功能 五金件 安全 清洁 其他 问题描述 具体位置 您的姓名 联系电话 提交报修 "
             "紧急情况请拨打 400-820-1234。")


def test_the_label_opens_a_form_in_chinese_with_the_asset_and_the_categories_as_buttons(web):
    page = web.client().get(web.report_url())
    assert page.status_code == 200
    assert text_of(page) == "扫码报修 · 报告厅剧院椅 " + FORM_TEXT
    html = page.get_data(as_text=True)
    assert html.count('type="radio" name="category"') == 7


def test_the_location_is_prefilled_from_the_asset(web):
    web.records.write("assets/CHAIR-1.yaml", "id: CHAIR-1\nname: 报告厅剧院椅\ncategory: theater-chair\n"
                      "area: lobby\nlocation: 报告厅一楼 1-12 排\n")
    html = web.client().get(web.report_url()).get_data(as_text=True)
    assert '<input id="location" name="location" maxlength="100" value="报告厅一楼 1-12 排"' in html


def test_a_report_opens_a_repair_ticket_from_the_label_and_shows_its_number_and_progress(web):
    web.now = dt.datetime(2026, 3, 14, 9, 12, 30, tzinfo=TZ)
    client = web.client()
    sent = web.report(client)
    [path] = web.tickets()
    ticket_id = path.stem
    assert sent.status_code == 303
    assert sent.headers["Location"] == web.progress_url(ticket_id)
    assert path.relative_to(web.records.root).as_posix() == f"tickets/2026/{ticket_id}.yaml"
    assert ticket_id.startswith("T-20260314-")
    assert path.read_text(encoding="utf-8") == (
        f"id: {ticket_id}\n"
        "kind: repair\n"
        "asset: CHAIR-1\n"
        "category: structure\n"
        "channel: qr\n"
        'reporter: {name: 王老师, phone: "13800001234"}\n'
        "location: 第3排12号\n"
        "summary: 扶手松动\n"
        "events:\n"
        "  - {at: 2026-03-14T09:12:30+08:00, type: reported, by: web-intake}\n")
    assert web.records.run().exit_code == 0
    shown = text_of(client.get(sent.headers["Location"]))
    assert shown.startswith(f"报修进度 · {ticket_id} 报修进度 谢谢！您的报修已收到。 请收藏本页面，随时查看维修进度。 "
                            f"工单号 {ticket_id} 状态 处理中 家具 报告厅剧院椅 · 第3排12号 问题 扶手松动 "
                            "处理经过 2026-03-14 09:12 已收到报修 服务承诺 联系您 · 2026-03-14 11:12 前： 按时")


def test_what_people_type_becomes_one_clean_line(web):
    web.report(web.client(), text="  扶手\n松动，\t\x1b[31m晃得厉害\u202e ", name=" 王老师 ", location="第3排\r\n12号")
    [path] = web.tickets()
    text = path.read_text(encoding="utf-8")
    assert 'summary: "扶手 松动， [31m晃得厉害"\n' in text   # control and direction characters dropped
    assert 'reporter: {name: 王老师, phone: "13800001234"}' in text
    assert "location: 第3排 12号\n" in text


@pytest.mark.parametrize(("fields", "errors"), [
    ({"category": ""}, ["请选择问题类型。"]),
    ({"category": "broken"}, ["请选择问题类型。"]),
    ({"text": "   "}, ["请填写此项。"]),
    ({"phone": ""}, ["请填写此项。"]),
    ({"phone": "call me"}, ["请填写电话号码（数字，可含 + - 或空格）。"]),
    ({"text": "长" * 301, "name": "名" * 41}, ["内容过长（最多 300 个字）。", "内容过长（最多 40 个字）。"]),
])
def test_a_form_with_mistakes_is_shown_again_with_the_reasons_and_nothing_is_written(web, fields, errors):
    answer = web.report(web.client(), **fields)
    assert answer.status_code == 400
    assert ERROR.findall(answer.get_data(as_text=True)) == errors
    assert web.tickets() == []


def test_the_name_is_optional(web):
    assert web.report(web.client(), name="").status_code == 303
    [path] = web.tickets()
    assert 'reporter: {phone: "13800001234"}' in path.read_text(encoding="utf-8")


def test_the_same_report_sent_twice_is_one_ticket(web):
    web.now = dt.datetime(2026, 3, 14, 9, 12, tzinfo=TZ)
    client = web.client()
    first = web.report(client)
    web.now += dt.timedelta(minutes=9, seconds=59)
    other = web.client(address="203.0.113.9")
    again = web.report(other, text=" 扶手松动 ", name="李老师", phone="13900002222")
    assert len(web.tickets()) == 1
    assert again.headers["Location"] == first.headers["Location"]
    assert "刚才已收到同样的报修，这是同一张工单。" in text_of(other.get(again.headers["Location"]))


def test_a_different_text_or_a_later_report_is_a_new_ticket(web):
    web.now = dt.datetime(2026, 3, 14, 9, 12, tzinfo=TZ)
    client = web.client()
    web.report(client)
    web.report(client, text="靠背断了")
    web.now += dt.timedelta(minutes=10, seconds=1)
    web.report(client)
    assert len(web.tickets()) == 3


def test_merging_looks_across_midnight(web):
    web.now = dt.datetime(2026, 3, 14, 23, 58, tzinfo=TZ)
    web.report(web.client())
    web.now = dt.datetime(2026, 3, 15, 0, 3, tzinfo=TZ)
    web.report(web.client())
    assert len(web.tickets()) == 1


def test_the_merge_window_comes_from_the_settings(web):
    web.records.edit("aftersales.yaml", "  hotline: 400-820-1234\n", "  hotline: 400-820-1234\n  merge_within: 1m\n")
    web.now = dt.datetime(2026, 3, 14, 9, 12, tzinfo=TZ)
    web.report(web.client())
    web.now += dt.timedelta(minutes=2)
    web.report(web.client())
    assert len(web.tickets()) == 2


def test_english_pages_by_setting(web):
    web.records.edit("aftersales.yaml", "  hotline: 400-820-1234\n", "  hotline: 400-820-1234\n  language: en\n")
    page = text_of(web.client().get(web.report_url()))
    assert page == ("Report a problem · 报告厅剧院椅 Report a problem 报告厅剧院椅 lobby Tell us what is wrong with "
                    "this furniture. We will contact you and fix it. What is wrong? structure surface function "
                    "hardware safety cleaning other Describe the problem Where exactly Your name Your phone number "
                    "Send the report In an emergency, call 400-820-1234.")


# --- keys ---------------------------------------------------------------------------------

BAD_LINK = "抱歉 抱歉 此链接无效。请重新扫描家具上的二维码，或拨打服务热线。"


@pytest.mark.parametrize("query", ["", "?k=", "?k=0000000000000000", "?k=TICKET", "?k=OTHER"])
def test_a_missing_or_forged_key_is_refused_before_anything_is_read(web, query):
    query = query.replace("TICKET", web.key("ticket", "CHAIR-1")).replace("OTHER", web.key("asset", "CHAIR-2"))
    page = web.client().get("/r/CHAIR-1" + query)
    assert page.status_code == 403
    assert text_of(page) == BAD_LINK


def test_a_report_with_a_forged_key_writes_nothing(web):
    client = web.client()
    answer = web.report(client, k=web.key("asset", "CHAIR-2"))
    assert answer.status_code == 403
    assert web.tickets() == []


def test_a_key_typed_from_the_small_print_may_differ_in_case_and_confusable_letters(web):
    key = web.key("asset", "CHAIR-1")
    typed = key.upper().replace("1", "l").replace("0", "O")
    assert web.client().get(f"/r/CHAIR-1?k={typed}").status_code == 200


def test_a_valid_key_of_an_asset_that_is_gone_is_not_found(web):
    page = web.client().get(f"/r/CHAIR-9?k={web.key('asset', 'CHAIR-9')}")
    assert page.status_code == 404
    assert text_of(page) == "抱歉 抱歉 页面不存在。"


@pytest.mark.parametrize("path", ["/r/..%2f..%2faftersales?k=x", "/r/../aftersales.yaml", "/r/%2e%2e?k=x",
                                  "/r/CHAIR-1%00?k=x", "/r/aftersales.yaml?k=x"])
def test_nothing_from_the_url_reaches_the_file_system(web, path):
    assert web.client().get(path).status_code in (403, 404)


# --- limits -------------------------------------------------------------------------------

def test_reports_are_limited_per_client_address(web):
    web.records.edit("aftersales.yaml", "  hotline: 400-820-1234\n",
                     "  hotline: 400-820-1234\n  limits: {per_address: 2, per_asset: 50}\n")
    client = web.client()
    assert [web.report(client, text=f"问题 {n}").status_code for n in range(3)] == [303, 303, 429]
    assert text_of(web.report(client, text="问题 4")) == "抱歉 抱歉 一小时内从这里提交的报修太多。请拨打服务热线。"
    assert len(web.tickets()) == 2
    assert web.report(web.client(address="203.0.113.9"), text="问题 5").status_code == 303


def test_reports_are_limited_per_asset(web):
    web.records.edit("aftersales.yaml", "  hotline: 400-820-1234\n",
                     "  hotline: 400-820-1234\n  limits: {per_address: 50, per_asset: 2}\n")
    codes = [web.report(web.client(address=f"203.0.113.{n}"), text=f"问题 {n}").status_code for n in range(3)]
    assert codes == [303, 303, 429]
    assert len(web.tickets()) == 2


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(web):
    web.records.edit("aftersales.yaml", "  hotline: 400-820-1234\n",
                     "  hotline: 400-820-1234\n  limits: {per_address: 1, per_asset: 50}\n")
    direct = web.client(address="127.0.0.1")
    spoofed = {"X-Forwarded-For": "192.0.2.1"}
    assert web.report(direct, text="一").status_code == 303
    direct.environ_base["HTTP_X_FORWARDED_FOR"] = spoofed["X-Forwarded-For"]
    assert web.report(direct, text="二").status_code == 429   # a made-up header does not escape the limit
    proxied = web.client(address="127.0.0.1", proxies=1)
    proxied.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.1"
    assert web.report(proxied, text="三").status_code == 303
    proxied.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.2"
    assert web.report(proxied, text="四").status_code == 303


def test_a_report_on_broken_settings_writes_nothing_and_says_to_call(web):
    client = web.client()
    token = web.token(client, web.report_url())
    web.records.edit("aftersales.yaml", "timezone: Asia/Shanghai", "timezone: Mars/Olympus")
    answer = client.post("/r/CHAIR-1", data={"csrf": token, "k": web.key("asset", "CHAIR-1"),
                                             "category": "structure", "text": "扶手松动", "phone": "13800001234"})
    assert answer.status_code == 503
    assert text_of(answer) == "抱歉 抱歉 系统暂时无法读取记录，已通知工作人员。请拨打服务热线。"
    assert web.tickets() == []
