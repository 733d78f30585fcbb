"""`aftersales serve` as a command and `create_app()` as a WSGI factory configured from the environment."""

from __future__ import annotations

import pytest
from conftest import run
from webtools import SECRET, TOKEN

pytest.importorskip("flask")

from aftersales.web import server


@pytest.fixture
def started(monkeypatch):
    """What `serve` would have served, without listening anywhere."""
    calls = []
    monkeypatch.setattr(server, "run", lambda app, *args: calls.append((app, *args)))
    monkeypatch.setenv("AFTERSALES_SERVE_SECRET", SECRET)
    return calls


def test_serve_starts_the_app_over_the_records_on_this_machine(web, started):
    done = run("serve", "--records", str(web.records.root), "--users", str(web.users))
    assert (done.exit_code, done.stderr) == (
        0, f"serving {web.records.root} on http://127.0.0.1:8080/ (Ctrl-C stops)\n")
    [(app, host, port, threads, proxies)] = started
    assert (host, port, threads, proxies) == ("127.0.0.1", 8080, 8, 0)
    assert app.extensions["aftersales"].root == web.records.root


def test_serve_warns_when_it_listens_on_the_network_without_a_proxy(web, started):
    done = run("serve", "--records", str(web.records.root), "--host", "0.0.0.0", "--port", "9000")
    assert done.stderr == (
        "warning: listening on 0.0.0.0 without a proxy: anything sent to the app crosses the network unencrypted; "
        "put it behind a TLS reverse proxy (docs/web.md)\n"
        f"serving {web.records.root} on http://0.0.0.0:9000/ (Ctrl-C stops)\n")
    done = run("serve", "--records", str(web.records.root), "--host", "0.0.0.0", "--proxies", "1")
    assert not done.stderr.startswith("warning")


def test_serve_refuses_settings_that_do_not_validate_and_a_missing_secret(web, started, monkeypatch):
    web.records.edit("aftersales.yaml", "timezone: Asia/Shanghai", "timezone: Mars/Olympus")
    done = run("serve", "--records", str(web.records.root))
    assert done.exit_code == 1
    assert done.stderr.startswith("Error: refused, nothing was written: aftersales.yaml does not validate (1 error)")
    web.records.edit("aftersales.yaml", "timezone: Mars/Olympus", "timezone: Asia/Shanghai")
    monkeypatch.delenv("AFTERSALES_SERVE_SECRET")
    assert run("serve", "--records", str(web.records.root)).stderr.startswith(
        "Error: $AFTERSALES_SERVE_SECRET is not set")
    assert started == []


@pytest.mark.slow
def test_serve_commit_needs_a_repository(web, started):
    done = run("serve", "--records", str(web.records.root), "--commit")
    assert (done.exit_code, done.stderr) == (
        1, f"Error: --commit: {web.records.root} is not inside a git repository; run `git init` there first\n")


def test_serve_refuses_an_accounts_file_inside_the_records(web, started):
    done = run("serve", "--records", str(web.records.root), "--users", str(web.records.root / "users.yaml"))
    assert done.exit_code == 2
    assert "is inside the records folder" in done.stderr


def test_the_wsgi_factory_takes_everything_from_the_environment(web, monkeypatch):
    from aftersales.web import create_app

    monkeypatch.setenv("AFTERSALES_RECORDS", str(web.records.root))
    monkeypatch.setenv("AFTERSALES_USERS", str(web.users))
    monkeypatch.setenv("AFTERSALES_SERVE_SECRET", SECRET)
    monkeypatch.setenv("AFTERSALES_SERVE_PROXIES", "1")
    app = create_app()
    service = app.extensions["aftersales"]
    assert (service.root, service.users_file, service.secret) == (web.records.root, web.users, SECRET.encode())
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"})
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"csrf": token, "name": "cs-li", "password": "correct horse battery"})
    assert answer.status_code == 303 and "; Secure" in answer.headers["Set-Cookie"]


def test_without_an_accounts_file_only_the_public_pages_work(web, monkeypatch):
    from aftersales.web import create_app

    monkeypatch.delenv("AFTERSALES_USERS", raising=False)
    app = create_app(web.records.root, secret=SECRET)
    client = app.test_client()
    assert client.get(web.report_url()).status_code == 200
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"csrf": token, "name": "cs-li", "password": "correct horse battery"}
                       ).status_code == 401
