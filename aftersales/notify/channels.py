"""Sending one message through one channel: the WeCom, DingTalk and Feishu group robots, a generic
JSON webhook, and email over SMTP with STARTTLS. Standard library only.

Every failure is a `SendError` saying why, and whether trying again in a moment can help
(a timeout, a refused connection, HTTP 429 or 5xx, a robot's "too many messages" code) or not (a
wrong URL or key, a bad signature). A message counts as sent only when the server accepted it:
HTTP 2xx and, for robots, `errcode` (or Feishu's `code`) 0 in the JSON answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from typing import Any

from aftersales.checks.notify import missing_variables
from aftersales.core.model import Channel
from aftersales.views.alerts import Message

# The robots' documented limits: messages a minute per robot, and the size of one message.
PER_MINUTE = {"wecom": 20, "dingtalk": 20, "feishu": 100, "webhook": 60, "email": 30}
MAX_BYTES = {"wecom": 4000, "dingtalk": 18000, "feishu": 18000, "webhook": 60000, "email": 60000}
# Robot answers that mean "too many messages, try later".
BUSY_CODES = {45009, 130101, 11232, 9499}
ANSWER_SHOWN = 200  # characters of a server's answer quoted in an error


class SendError(Exception):
    """A message the server did not accept; `retry`: trying again soon may work."""

    def __init__(self, reason: str, retry: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


class Transport:
    """One channel, with its secrets read from the environment."""

    def __init__(self, channel: Channel, environ: Mapping[str, str], timeout: float) -> None:
        self.channel = channel
        self.environ = environ
        self.timeout = timeout

    @property
    def per_minute(self) -> int:
        return self.channel.per_minute or PER_MINUTE[self.channel.kind]

    @property
    def max_bytes(self) -> int:
        return MAX_BYTES[self.channel.kind]

    def unusable(self) -> str | None:
        """Why this channel cannot send in this environment, or None."""
        missing = missing_variables(self.channel, self.environ)
        if missing:
            return (f"${', $'.join(missing)} {'is' if len(missing) == 1 else 'are'} not set "
                    f"(the channel's {'secrets are' if len(missing) > 1 else 'URL or secret is'} read from the "
                    "environment, never from the records)")
        return None

    def _var(self, name: str | None) -> str:
        return self.environ.get(name or "", "")

    def send(self, message: Message, payload: dict[str, Any], private: bool = False) -> None:
        """Send once; `SendError` unless the server accepted it. `private`: the payload holds a
        customer's phone number, so no answer of the server is quoted."""
        kind = self.channel.kind
        if kind == "email":
            self._email(message)
            return
        url = self._var(self.channel.url_env)
        secret = self._var(self.channel.secret_env) if self.channel.secret_env else ""
        body: dict[str, Any]
        if kind == "wecom":
            body = {"msgtype": "markdown", "markdown": {"content": message.markdown()}}
        elif kind == "dingtalk":
            body = {"msgtype": "markdown", "markdown": {"title": message.title,
                                                       "text": message.markdown(blank_lines=True)}}
            if secret:
                url = dingtalk_signed_url(url, secret, int(time.time() * 1000))
        elif kind == "feishu":
            body = {"msg_type": "text", "content": {"text": message.plain()}}
            if secret:
                stamp = int(time.time())
                body = {"timestamp": str(stamp), "sign": feishu_sign(secret, stamp), **body}
        else:
            body = payload
        answer = post_json(url, body, self.timeout, quote=not private)
        check_answer(answer, quote=not private)

    def _email(self, message: Message) -> None:
        server = smtp_server(self._var(self.channel.smtp_env))
        mail = EmailMessage()
        mail["Subject"] = message.title
        mail["From"] = self.channel.sender or server.user or f"aftersales@{socket.getfqdn()}"
        mail["To"] = ", ".join(self.channel.to)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain="aftersales")
        mail.set_content(message.plain() + "\n")
        send_mail(server, mail, self.timeout)


def dingtalk_signed_url(url: str, secret: str, millis: int) -> str:
    """DingTalk's signed robot URL: `&timestamp=<ms>&sign=<base64 HMAC-SHA256 of "<ms>\\n<secret>"
    keyed with the secret>`, URL-encoded."""
    to_sign = f"{millis}\n{secret}".encode()
    sign = base64.b64encode(hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()).decode()
    joint = "&" if "?" in url else "?"
    return f"{url}{joint}timestamp={millis}&sign={urllib.parse.quote_plus(sign)}"


def feishu_sign(secret: str, seconds: int) -> str:
    """Feishu's robot signature: base64 of HMAC-SHA256 keyed with "<seconds>\\n<secret>" over nothing."""
    key = f"{seconds}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def post_json(url: str, body: dict[str, Any], timeout: float, quote: bool = True) -> Any:
    """POST `body` as JSON; the decoded JSON answer (None when it is not JSON)."""
    if not url.startswith(("https://", "http://")):
        raise SendError("the URL does not start with https:// or http://", retry=False)
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "aftersales-notify"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(1 << 20)
    except urllib.error.HTTPError as exc:
        detail = _answer(exc.read(4096)) if quote else ""
        retry = exc.code == 429 or exc.code >= 500
        raise SendError(f"HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else ""), retry) from None
    except TimeoutError:
        raise SendError(f"no answer within {timeout:g} s", retry=True) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise SendError(f"no answer within {timeout:g} s", retry=True) from None
        raise SendError(f"cannot connect: {getattr(reason, 'strerror', None) or reason}", retry=True) from None
    except (ConnectionError, OSError) as exc:
        raise SendError(f"connection failed: {exc.strerror or exc}", retry=True) from None
    try:
        return json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError):
        return None


def check_answer(answer: Any, quote: bool = True) -> None:
    """Robots answer HTTP 200 even when they refuse: `{"errcode": 310000, "errmsg": "..."}` (WeCom,
    DingTalk) or `{"code": 19021, "msg": "..."}` (Feishu). A generic webhook may answer the same
    way, or `{"ok": false}`."""
    if not isinstance(answer, dict):
        return
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    refused = answer.get("ok") is False
    if code in (0, "0", None) and not refused:
        return
    text = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or answer.get("error") or ""
    detail = f" ({_answer(str(text))})" if quote and text else ""
    what = f"error {code}" if code not in (0, "0", None) else '"ok": false'
    raise SendError(f"the server refused it: {what}{detail}", retry=code in BUSY_CODES)


def _answer(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = " ".join(text.split())
    return text[:ANSWER_SHOWN] + ("..." if len(text) > ANSWER_SHOWN else "")


# --- email ------------------------------------------------------------------------------

class SmtpServer:
    def __init__(self, host: str, port: int, user: str, password: str, implicit_tls: bool) -> None:
        self.host, self.port, self.user, self.password, self.implicit_tls = host, port, user, password, implicit_tls


def smtp_server(url: str) -> SmtpServer:
    """`smtp://user:password@host:587` (STARTTLS, required) or `smtps://...:465` (TLS from the start);
    user and password URL-encoded."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SendError("the SMTP variable must hold smtp://user:password@host:587 or smtps://...:465",
                        retry=False)
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587)
    except ValueError:
        raise SendError("the SMTP variable has a port that is not a number", retry=False) from None
    return SmtpServer(parts.hostname, port, urllib.parse.unquote(parts.username or ""),
                      urllib.parse.unquote(parts.password or ""), parts.scheme == "smtps")


def send_mail(server: SmtpServer, mail: EmailMessage, timeout: float) -> None:
    """Deliver through the server: TLS always (STARTTLS on smtp://), then log in when a user is
    given. Credentials never cross the network in clear."""
    context = ssl.create_default_context()
    try:
        client: smtplib.SMTP
        if server.implicit_tls:
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with client:
            client.ehlo()
            if not server.implicit_tls:
                if not client.has_extn("starttls"):
                    raise SendError(f"{server.host}:{server.port} does not offer STARTTLS; aftersales never "
                                    "sends mail or a password unencrypted", retry=False)
                client.starttls(context=context)
                client.ehlo()
            if server.user:
                client.login(server.user, server.password)
            refused = client.send_message(mail)
            recipients = [address for _, address in getaddresses(mail.get_all("To", []))]
            if refused and len(refused) >= len(recipients):
                raise SendError(f"every recipient was refused: {', '.join(refused)}", retry=False)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"the SMTP server refused the login ({exc.smtp_code})", retry=False) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise SendError(f"the SMTP server answered {exc.smtp_code} {_answer(text)}",
                        retry=400 <= exc.smtp_code < 500) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"every recipient was refused: {', '.join(exc.recipients)}", retry=False) from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise SendError(f"SMTP failed: {exc}", retry=isinstance(exc, smtplib.SMTPServerDisconnected)) from None
    except TimeoutError:
        raise SendError(f"no answer from the SMTP server within {timeout:g} s", retry=True) from None
    except OSError as exc:
        raise SendError(f"cannot connect to the SMTP server: {exc.strerror or exc}", retry=True) from None
