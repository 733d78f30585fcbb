"""Record ids: new ticket ids that need no coordination, and git-style unique prefixes."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection, Iterable

from aftersales.core.errors import UsageError
from aftersales.core.problems import did_you_mean

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to mishear on the phone
RANDOM_CHARS = 6


def new_ticket_id(day: dt.date) -> str:
    """`T-20260314-7F3K9Q`: the report date, then 6 random Crockford base-32 characters."""
    tail = "".join(secrets.choice(CROCKFORD) for _ in range(RANDOM_CHARS))
    return f"T-{day:%Y%m%d}-{tail}"


def resolve(prefix: str, ids: Iterable[str], kind: str) -> str:
    """The one id that is `prefix` or starts with it (case-insensitive); usage error otherwise,
    with the closest id when one is close (`no asset 'AUD-CHAIR-Z' (did you mean 'AUD-CHAIR-A'?)`)."""
    wanted = prefix.strip().upper()
    if isinstance(ids, Collection) and wanted in ids:   # a full id: no need to go through them all
        return wanted
    ids = list(ids)
    exact = [i for i in ids if i.upper() == wanted]
    if exact:
        return exact[0]
    matches = sorted(i for i in ids if i.upper().startswith(wanted))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(f"no {kind} {prefix!r}" + did_you_mean(prefix.strip(), ids))
    shown = ", ".join(matches[:10]) + (f" and {len(matches) - 10} more" if len(matches) > 10 else "")
    raise UsageError(f"{kind} {prefix!r} is ambiguous: it could be {shown}")


def complete(prefix: str, ids: Iterable[str], kind: str) -> str:
    """The one id `prefix` names, or `prefix` itself when it names none (for the caller's own
    checks to report); ambiguous prefixes are usage errors as in `resolve`."""
    ids = list(ids)
    wanted = prefix.strip().upper()
    if any(i.upper() == wanted for i in ids) or not any(i.upper().startswith(wanted) for i in ids):
        return next((i for i in ids if i.upper() == wanted), prefix)
    return resolve(prefix, ids, kind)
