"""Keys of the public links: a QR label's `/r/<asset>?k=KEY` and a reporter's `/t/<ticket>?k=KEY`.

A key is an HMAC of the record's kind and id under the server's secret (from the
environment, never from the records), so only someone who scanned a label can report
against its asset, and only the reporter who was given the link can follow a ticket.
Keys are 16 characters of Crockford's base 32 (80 bits), in lower case: short enough to
type from the small print under a QR code, and read back forgiving the letters people
confuse with digits (I, L for 1, O for 0).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from aftersales.core.errors import UsageError

SECRET_VAR = "AFTERSALES_SERVE_SECRET"
MIN_SECRET = 32
KEY_BYTES = 10
_STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_TO_CROCKFORD = str.maketrans(_STANDARD, _CROCKFORD.upper())
_TYPED = str.maketrans({"I": "1", "L": "1", "O": "0", "-": None, " ": None})


def secret_from_env(environ: dict[str, str] | None = None) -> bytes:
    """The secret in $AFTERSALES_SERVE_SECRET, refused (exit 2) when absent or too short to be one."""
    value = (os.environ if environ is None else environ).get(SECRET_VAR, "")
    if len(value) < MIN_SECRET:
        state = "is not set" if not value else f"has {len(value)} characters"
        raise UsageError(
            f"${SECRET_VAR} {state}: it needs at least {MIN_SECRET} random characters, for example "
            "from `python -c \"import secrets; print(secrets.token_urlsafe(32))\"`; keep it out of the records")
    return value.encode("utf-8")


def derive(secret: bytes, purpose: str) -> bytes:
    """A separate key for each use of the one secret (links, session cookies)."""
    return hmac.new(secret, f"aftersales {purpose}".encode(), hashlib.sha256).digest()


def key(secret: bytes, kind: str, ident: str) -> str:
    """The link key of record `ident` of `kind` (`asset` or `ticket`)."""
    digest = hmac.new(derive(secret, "links"), f"{kind}:{ident}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:KEY_BYTES]).decode("ascii").translate(_TO_CROCKFORD).lower()


def is_key(secret: bytes, kind: str, ident: str, given: str | None) -> bool:
    """Whether `given` (as typed: any case, I/L for 1, O for 0, dashes) is the key of the record;
    compared in constant time."""
    if not given or len(given) > 64:
        return False
    typed = given.upper().translate(_TYPED).lower()
    return hmac.compare_digest(typed.encode("ascii", "replace"), key(secret, kind, ident).encode("ascii"))


def asset_url(base_url: str, secret: bytes, asset_id: str) -> str:
    """The address a QR label of the asset encodes."""
    return f"{base_url.rstrip('/')}/r/{asset_id}?k={key(secret, 'asset', asset_id)}"


def ticket_path(secret: bytes, ticket_id: str) -> str:
    """The reporter's progress page of a ticket, relative to the app."""
    return f"/t/{ticket_id}?k={key(secret, 'ticket', ticket_id)}"
