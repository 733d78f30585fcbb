"""The permission matrix: every route of the app is in it, the README and docs/web.md show it as it
is, and every cell holds: each role (and no account) may use exactly the routes it allows."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import INSPECTION, TICKET, ticket

pytest.importorskip("flask")

from aftersales.web.permissions import PUBLIC, ROUTES, STAFF, matrix

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"<!-- permissions:start -->\n\n(.*?)\n\n<!-- permissions:end -->", re.S)


@pytest.mark.parametrize("doc", ["README.md", "docs/web.md"])
def test_the_documents_show_the_matrix_the_app_checks(doc):
    found = BLOCK.search((ROOT / doc).read_text(encoding="utf-8"))
    assert found, f"{doc} has no permission matrix; run `python scripts/permission_matrix.py`"
    assert found.group(1) == matrix(), f"run `python scripts/permission_matrix.py` to update {doc}"


def test_the_script_writes_the_same_table():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from permission_matrix import updated
    finally:
        sys.path.pop(0)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert updated(text) == text


def test_every_route_of_the_app_is_in_the_matrix_and_nothing_else(web):
    served = {f"{method} {rule.rule}" for rule in web.app().url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == set(ROUTES)


def _request(web, client, route):
    """Use `route` the way its page does (valid keys, tokens and ids); returns the response."""
    method, rule = route.split(" ")
    path = (rule.replace("<asset>", "CHAIR-1").replace("<ticket>", "T-1").replace("<ticket_id>", "T-1")
            .replace("<period>.<lang>.<fmt>", "2026Q1.en.html")
            .replace("<inspection_id>.<lang>.<fmt>", "INS-1.en.html").replace("<path:filename>", "app.css"))
    if path.startswith("/r/") and method == "GET":
        path = web.report_url()
    if path.startswith("/t/"):
        path = web.progress_url("T-1")
    if method == "GET":
        return client.get(path)
    token = web.token(client, web.report_url() if path.startswith("/r/") else "/login")
    data = {"csrf": token, "k": web.key("asset", "CHAIR-1"), "category": "other", "text": "门坏了",
            "phone": "13800001234", "type": "note", "note": "看过", "name": "nobody", "password": "x" * 12,
            "kind": "inquiry", "summary": "保养咨询"}
    return client.post(path, data=data)


def _signed_in_client(web, role):
    if role is None:
        return web.client()
    name = {"desk": "cs-li", "engineer": "eng-zhang", "manager": "mgr-chen", "school": "school-office"}[role]
    return web.signed_in(name)


@pytest.mark.slow
@pytest.mark.parametrize("role", [None, *STAFF])
def test_every_cell_of_the_matrix(web, role):
    web.records.write(TICKET, ticket())
    web.records.write("inspections/2026/INS-1.yaml", INSPECTION)
    for route, roles in ROUTES.items():
        client = _signed_in_client(web, role)
        answer = _request(web, client, route)
        to_login = answer.status_code == 303 and answer.headers["Location"].startswith("/login?next=")
        if PUBLIC in roles or role in roles:
            expected = {"GET /": 302, "POST /login": 401}.get(route, 200 if route.startswith("GET") else 303)
            assert answer.status_code == expected and not to_login, (route, role, answer.status_code)
        elif role is None:
            assert to_login, (route, answer.status_code)
        else:
            assert answer.status_code == 403, (route, role, answer.status_code)
