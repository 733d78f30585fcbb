"""The real server: `aftersales serve` (waitress) on 127.0.0.1 taking parallel reports, losing none."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Records, run
from webtools import SERVE, TOKEN, Server, Web

pytest.importorskip("waitress")

PARALLEL = 20


@pytest.fixture
def live(tmp_path: Path, accounts_file: Path) -> Iterator[tuple[Records, Path]]:
    records = Records(tmp_path / "records")
    settings = records.root / "aftersales.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + SERVE
                        + "  limits: {per_address: 1000, per_asset: 1000}\n", encoding="utf-8")
    users = tmp_path / "users.yaml"
    shutil.copy(accounts_file, users)
    yield records, users


def report(base: str, text: str, start: threading.Barrier) -> str:
    """One phone: open the label's page, wait for the others, send the form; the ticket id it got."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    key = Web.key("asset", "CHAIR-1")
    page = opener.open(f"{base}/r/CHAIR-1?k={key}", timeout=60).read().decode("utf-8")
    token = TOKEN.search(page).group(1)
    form = urllib.parse.urlencode({"csrf": token, "k": key, "category": "structure", "text": text,
                                   "phone": "13800001234"}).encode()
    start.wait(timeout=60)
    answer = opener.open(f"{base}/r/CHAIR-1", data=form, timeout=120)   # follows the 303 to the progress page
    assert answer.status == 200
    shown = re.search(r'<dd class="ticket-number">([^<]+)</dd>', answer.read().decode("utf-8"))
    assert shown, answer.url
    assert answer.url.startswith(f"{base}/t/{shown.group(1)}?k=")
    return shown.group(1)


def send_all(base: str, texts: list[str]) -> list[str]:
    start = threading.Barrier(len(texts))
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def one(n: int) -> None:
        try:
            results[n] = report(base, texts[n], start)
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    return [results[n] for n in range(len(texts))]


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env).stdout


@pytest.mark.slow
def test_twenty_parallel_reports_are_twenty_valid_tickets_and_twenty_commits(live):
    records, users = live
    git(records.root, "init", "-q")
    assert run("git", "install", "--records", str(records.root)).exit_code == 0
    git(records.root, "add", "-A")
    git(records.root, "-c", "user.name=setup", "-c", "user.email=setup@example.com", "commit", "-qm", "Records")
    server = Server(records.root, users, "--commit")
    try:
        texts = [f"第{n}排座椅扶手松动" for n in range(PARALLEL)]
        ids = send_all(server.base, texts)
    finally:
        server.stop()
    assert len(set(ids)) == PARALLEL
    files = sorted((records.root / "tickets").rglob("*.yaml"))
    assert sorted(p.stem for p in files) == sorted(ids)
    summaries = {p.stem: re.search(r"^summary: (.+)$", p.read_text(encoding="utf-8"), re.M).group(1) for p in files}
    assert sorted(summaries[i] for i in ids) == sorted(texts)
    assert [summaries[i] for i in ids] == texts   # each phone got the ticket of its own report
    assert records.run().exit_code == 0
    log = git(records.root, "log", "--format=%an|%s").splitlines()
    assert len(log) == PARALLEL + 1
    assert sorted(log[:-1]) == sorted(f"web-intake|Report {i} about CHAIR-1 from its QR label" for i in ids)
    assert git(records.root, "status", "--porcelain") == ""


@pytest.mark.slow
def test_twenty_parallel_copies_of_one_report_are_one_ticket(live):
    records, users = live
    server = Server(records.root, users)
    try:
        ids = send_all(server.base, ["扶手松动"] * PARALLEL)
    finally:
        server.stop()
    assert len(set(ids)) == 1
    assert len(list((records.root / "tickets").rglob("*.yaml"))) == 1
    assert records.run().exit_code == 0


def test_serve_says_how_to_install_the_web_extra_when_it_is_missing(tmp_path, records, monkeypatch):
    monkeypatch.setitem(sys.modules, "aftersales.web", None)   # as if Flask were not installed
    done = run("serve", "--records", str(records.root))
    assert (done.exit_code, done.stderr) == (2, "Error: `aftersales serve` needs the web extra: pip install "
                                                "'aftersales[web]'\n")
