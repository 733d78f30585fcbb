"""The web app on a records folder of the tests: accounts, the secret, a test client per person."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from aftersales.core import links
from aftersales.edit.users import add_user

SECRET = "a-test-secret-of-the-web-app-0123456789"
PASSWORD = "correct horse battery"
ACCOUNTS = {"cs-li": "desk", "eng-zhang": "engineer", "eng-wang": "engineer", "mgr-chen": "manager",
            "school-office": "school"}
SERVE = """\
serve:
  base_url: https://service.example.com
  hotline: 400-820-1234
"""
TZ = dt.timezone(dt.timedelta(hours=8))
TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="session")
def accounts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One accounts file for the whole run (scrypt is slow on purpose); each test copies it."""
    path = tmp_path_factory.mktemp("accounts") / "users.yaml"
    for name, role in ACCOUNTS.items():
        add_user(path, name, role, PASSWORD)
    return path


class Web:
    """The app over `records` (with a `serve:` section), the accounts outside it, and helpers."""

    def __init__(self, records: Any, users: Path) -> None:
        self.records = records
        self.users = users
        self.now: dt.datetime | None = None   # the app's clock; None: the real time
        self._app: Any = None
        settings = records.root / "aftersales.yaml"
        settings.write_text(settings.read_text(encoding="utf-8") + SERVE, encoding="utf-8")

    def app(self, **options: Any) -> Any:
        from aftersales.web import create_app

        if self._app is None or options:
            self._app = create_app(self.records.root, self.users, secret=SECRET,
                                   clock=lambda: self.now or dt.datetime.now(TZ), **options)
            self._app.testing = False   # errors go through the app's own error pages, as in production
        return self._app

    def client(self, address: str = "198.51.100.7", **options: Any) -> Any:
        client = self.app(**options).test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client

    @staticmethod
    def key(kind: str, ident: str) -> str:
        return links.key(SECRET.encode(), kind, ident)

    def report_url(self, asset: str = "CHAIR-1") -> str:
        return f"/r/{asset}?k={self.key('asset', asset)}"

    def progress_url(self, ticket: str) -> str:
        return f"/t/{ticket}?k={self.key('ticket', ticket)}"

    @staticmethod
    def token(client: Any, url: str) -> str:
        page = client.get(url)
        found = TOKEN.search(page.get_data(as_text=True))
        assert found, f"no form token on {url} ({page.status_code})"
        return found.group(1)

    def report(self, client: Any, asset: str = "CHAIR-1", **fields: str) -> Any:
        """Send the form of a label (fields default to a valid report)."""
        data = {"csrf": self.token(client, self.report_url(asset)), "k": self.key("asset", asset),
                "category": "structure", "text": "扶手松动", "location": "第3排12号", "name": "王老师",
                "phone": "13800001234", **fields}
        return client.post(f"/r/{asset}", data=data)

    def login(self, client: Any, name: str, password: str = PASSWORD) -> Any:
        return client.post("/login", data={"csrf": self.token(client, "/login"), "name": name, "password": password})

    def signed_in(self, name: str, **options: Any) -> Any:
        client = self.client(**options)
        assert self.login(client, name).status_code == 303
        return client

    def tickets(self) -> list[Path]:
        return sorted((self.records.root / "tickets").rglob("*.yaml"))


@pytest.fixture
def web(records: Any, accounts_file: Path, tmp_path: Path) -> Web:
    users = tmp_path / "accounts" / "users.yaml"
    users.parent.mkdir()
    shutil.copy(accounts_file, users)
    return Web(records, users)


def text_of(response: Any) -> str:
    """The visible text of a page, tags dropped and white space squeezed (for exact messages)."""
    html = response.get_data(as_text=True)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`aftersales serve` in its own process on a free port of 127.0.0.1, until `stop()`."""

    def __init__(self, root: Path, users: Path, *options: str) -> None:
        self.root = root
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "AFTERSALES_SERVE_SECRET": SECRET, "GIT_CONFIG_GLOBAL": "/dev/null",
               "GIT_CONFIG_NOSYSTEM": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aftersales", "serve", "--records", str(root), "--users", str(users),
             "--port", str(self.port), "--threads", "8", *options],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/login", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start: {self.stop()}")
                time.sleep(0.2)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
        _, err = self.process.communicate(timeout=30)
        return err
