"""End to end on a phone-sized chromium: scan a printed label, report in Chinese, see the ticket number,
find the ticket written and valid; the engineer logs the visit from a phone and the desk sees it."""

from __future__ import annotations

import io
import re
import shutil

import pytest
from browsers import chromium
from conftest import Records, run
from webtools import PASSWORD, SECRET, Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
                       "Gecko) Mobile/15E148 MicroMessenger/8.0.44 NetType/WIFI Language/zh_CN",
         "locale": "zh-CN"}


def decode(png: bytes) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is not installed (the test extra)")
    from PIL import Image

    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_scan_report_follow_and_log_the_visit_from_phones(tmp_path, accounts_file, monkeypatch):
    pytest.importorskip("waitress")
    monkeypatch.setenv("AFTERSALES_SERVE_SECRET", SECRET)
    records = Records(tmp_path / "records")
    users = tmp_path / "users.yaml"
    shutil.copy(accounts_file, users)
    server = Server(records.root, users)
    try:
        settings = records.root / "aftersales.yaml"
        settings.write_text(settings.read_text(encoding="utf-8") + f"serve:\n  base_url: {server.base}\n"
                            "  hotline: 400-820-1234\n", encoding="utf-8")
        sheet = tmp_path / "labels.html"
        assert run("labels", "--records", str(records.root), "-o", str(sheet)).exit_code == 0
        with chromium() as browser:
            # print and scan: the label's QR code, read from the rendered sheet
            printed = browser.new_page(viewport={"width": 900, "height": 1200}, device_scale_factor=2)
            printed.goto(sheet.as_uri())
            [scanned] = decode(printed.screenshot(full_page=True))
            assert scanned.startswith(f"{server.base}/r/CHAIR-1?k=")

            # the teacher's phone: report in Chinese
            teacher = browser.new_context(**PHONE).new_page()
            blocked: list[str] = []
            teacher.on("console", lambda message: blocked.append(message.text))
            teacher.goto(scanned)
            assert teacher.locator("h1").inner_text() == "扫码报修"
            # the style sheet passes the Content-Security-Policy: the send button is the brand's blue
            assert teacher.locator("button.primary").evaluate("e => getComputedStyle(e).backgroundColor") == \
                "rgb(11, 92, 173)"
            assert fits_the_screen(teacher)
            teacher.get_by_text("结构", exact=True).click()
            teacher.get_by_label("问题描述").fill("第3排12号座椅扶手松动")
            teacher.get_by_label("具体位置").fill("报告厅第3排12号")
            teacher.get_by_label("您的姓名").fill("王老师")
            teacher.get_by_label("联系电话").fill("13800001234")
            teacher.get_by_role("button", name="提交报修").click()
            teacher.wait_for_url(re.compile(r".*/t/T-\d{8}-[0-9A-Z]{6}\?k=[0-9a-z]{16}$"))
            number = teacher.locator(".ticket-number").inner_text()
            assert "谢谢！您的报修已收到。" in teacher.locator("main").inner_text()
            assert teacher.locator("dd strong").first.inner_text() == "处理中"
            assert fits_the_screen(teacher)
            assert blocked == []   # nothing the policy refused, no error

            # the ticket is a file, written and valid
            [path] = list((records.root / "tickets").rglob("*.yaml"))
            assert path.stem == number
            text = path.read_text(encoding="utf-8")
            assert "channel: qr\n" in text and "summary: 第3排12号座椅扶手松动\n" in text
            assert 'reporter: {name: 王老师, phone: "13800001234"}' in text
            assert run("validate", "--records", str(records.root)).exit_code == 0

            # the engineer's phone: sign in, open the ticket, tap "到场"
            engineer = browser.new_context(**PHONE).new_page()
            engineer.goto(f"{server.base}/tickets/{number}")
            engineer.get_by_label("账号").fill("eng-zhang")
            engineer.get_by_label("密码").fill(PASSWORD)
            engineer.get_by_role("button", name="登录").click()
            engineer.wait_for_url(f"{server.base}/tickets/{number}")
            assert fits_the_screen(engineer)
            engineer.locator("summary", has_text="到场").click()
            engineer.get_by_role("button", name="记录：到场").click()
            assert f"{number}：已记录 arrived；工单状态：处理中。" in engineer.locator("main").inner_text()
            assert re.search(r"  - \{at: \S+, type: arrived, by: eng-zhang\}\n$", path.read_text(encoding="utf-8"))

            # the desk sees it at once, and the teacher's page tells the visit
            desk = browser.new_page()
            desk.goto(f"{server.base}/login")
            desk.get_by_label("账号").fill("cs-li")
            desk.get_by_label("密码").fill(PASSWORD)
            desk.get_by_role("button", name="登录").click()
            row = desk.locator(".board .row", has_text=number).inner_text()
            assert "第3排12号座椅扶手松动" in row and "负责人：未分派" in row
            desk.goto(f"{server.base}/tickets/{number}")
            assert "eng-zhang" in desk.locator(".timeline").inner_text()
            teacher.reload()
            assert "维修人员已到场" in teacher.locator(".timeline").inner_text()
    finally:
        server.stop()
