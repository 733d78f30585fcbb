"""Local servers that answer like the group robots and an SMTP server, for the notify tests.

`Robots` is one HTTP server on 127.0.0.1 with a path per robot: /wecom/..., /dingtalk/...,
/feishu/... and /hook/... answer as those services document (HTTP 200 with `errcode` or `code`),
DingTalk and Feishu check the signature of signed requests, and `script()` makes the next requests
to a path fail: an HTTP 500, a robot's error body, or no answer in time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DINGTALK_SECRET = "SEC-test-secret"
FEISHU_SECRET = "feishu-test-secret"


@dataclass
class Request:
    path: str
    query: dict[str, str]
    body: Any
    accepted: bool


@dataclass
class Robots:
    server: ThreadingHTTPServer = field(init=False)
    requests: list[Request] = field(default_factory=list)
    scripts: dict[str, list[str]] = field(default_factory=dict)
    delay: float = 0.0  # seconds before every answer (to make two runs overlap)

    def __post_init__(self) -> None:
        robots = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                robots.handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def script(self, path: str, *behaviours: str) -> None:
        """The next requests to `path` get these answers, in order: `500`, `errcode` (a robot's
        refusal), `busy` (a robot's rate-limit code) or `timeout` (no answer for 3 s)."""
        self.scripts.setdefault(path, []).extend(behaviours)

    def accepted(self, prefix: str = "/") -> list[Request]:
        return [r for r in self.requests if r.accepted and r.path.startswith(prefix)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(h.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        raw = h.rfile.read(int(h.headers.get("Content-Length", 0)))
        body = json.loads(raw.decode("utf-8"))
        if self.delay:
            time.sleep(self.delay)
        pending = self.scripts.get(parts.path)
        behaviour = pending.pop(0) if pending else "ok"
        if behaviour == "timeout":
            time.sleep(3)
            self.requests.append(Request(parts.path, query, body, False))
            return
        if behaviour == "500":
            self.requests.append(Request(parts.path, query, body, False))
            self._answer(h, 500, {"error": "internal error"})
            return
        status, answer = self._robot_answer(parts.path, query, body, behaviour)
        ok = answer.get("errcode", answer.get("code", 0)) == 0 and answer.get("ok") is not False
        self.requests.append(Request(parts.path, query, body, ok))
        self._answer(h, status, answer)

    def _robot_answer(self, path: str, query: dict[str, str], body: Any, behaviour: str) -> tuple[int, dict]:
        if path.startswith("/feishu"):
            if behaviour == "errcode":
                return 200, {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
            if "sign" in body and body["sign"] != _feishu_sign(int(body["timestamp"])):
                return 200, {"code": 19021,
                             "msg": "sign match fail or timestamp is not within one hour from current time"}
            return 200, {"code": 0, "msg": "success", "data": {}}
        if path.startswith("/hook"):
            if behaviour == "errcode":
                return 200, {"ok": False, "error": "gateway refused"}
            return 200, {"ok": True}
        if behaviour == "errcode":
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        if behaviour == "busy":
            return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
        if path.startswith("/dingtalk"):
            stamp = query.get("timestamp", "")
            if not stamp.isdigit() or abs(int(stamp) - time.time() * 1000) > 3600_000:
                return 200, {"errcode": 310000, "errmsg": "sign not match, timestamp is out of range"}
            if query.get("sign") != _dingtalk_sign(stamp):
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    @staticmethod
    def _answer(h: BaseHTTPRequestHandler, status: int, answer: dict) -> None:
        data = json.dumps(answer).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)


def _dingtalk_sign(stamp: str) -> str:
    """As DingTalk documents it, written independently of the code under test."""
    digest = hmac.new(DINGTALK_SECRET.encode("utf-8"), f"{stamp}\n{DINGTALK_SECRET}".encode(),
                      digestmod=hashlib.sha256).digest()
    return base64.b64encode(digest).decode("utf-8")


def _feishu_sign(stamp: int) -> str:
    digest = hmac.new(f"{stamp}\n{FEISHU_SECRET}".encode(), digestmod=hashlib.sha256).digest()
    return base64.b64encode(digest).decode("utf-8")


# --- SMTP with STARTTLS -------------------------------------------------------------------

def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


class Mailbox:
    """An aiosmtpd server on 127.0.0.1 that requires STARTTLS before AUTH and keeps what it receives."""

    USER, PASSWORD = "pm-robot", "p@ss word"

    def __init__(self, cert: Path, key: Path) -> None:
        import ssl

        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list[tuple[str, list[str], bytes]] = []
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                mailbox.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
                return "250 OK"

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == self.USER.encode() and auth_data.password == self.PASSWORD.encode()
            return AuthResult(success=ok, handled=False)  # the server answers 535 itself

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))
        with socket.socket() as probe:  # a free port (the controller connects to its port to start)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, tls_context=context,
                                     require_starttls=True, authenticator=authenticate, auth_require_tls=True)
        self.controller.start()

    def url(self, password: str | None = None) -> str:
        secret = urllib.parse.quote(password or self.PASSWORD, safe="")
        return f"smtp://{self.USER}:{secret}@127.0.0.1:{self.port}"

    def close(self) -> None:
        self.controller.stop()
