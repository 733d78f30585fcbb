"""The keys of the public links: HMAC-SHA256 under a key derived from the secret, 80 bits in
Crockford's base 32, read back forgiving what people mistype."""

from __future__ import annotations

import pytest

from aftersales.core import links
from aftersales.core.errors import UsageError

SECRET = b"a-test-secret-of-the-web-app-0123456789"
# Worked out apart from the code, with hmac and hashlib:
#   k = HMAC-SHA256(SECRET, b"aftersales links"); d = HMAC-SHA256(k, b"asset:CHAIR-1")[:10]
#   the 80 bits of d, 5 at a time, as 0123456789abcdefghjkmnpqrstvwxyz
CHAIR_KEY = "nsf9x0hw4hrjrgg1"
TICKET_KEY = "ydpyd35qqsh9w2s5"   # the same for b"ticket:T-20260314-7F3K9Q"


def test_the_keys_are_the_documented_hmac():
    assert links.key(SECRET, "asset", "CHAIR-1") == CHAIR_KEY
    assert links.key(SECRET, "ticket", "T-20260314-7F3K9Q") == TICKET_KEY


def test_the_links_of_a_label_and_of_a_progress_page():
    assert links.asset_url("https://service.example.com/", SECRET, "CHAIR-1") == (
        f"https://service.example.com/r/CHAIR-1?k={CHAIR_KEY}")
    assert links.ticket_path(SECRET, "T-20260314-7F3K9Q") == f"/t/T-20260314-7F3K9Q?k={TICKET_KEY}"


def test_a_key_opens_one_record_of_one_kind_under_one_secret():
    assert links.key(SECRET, "ticket", "CHAIR-1") != CHAIR_KEY
    assert links.key(SECRET, "asset", "CHAIR-2") != CHAIR_KEY
    assert links.key(SECRET + b"x", "asset", "CHAIR-1") != CHAIR_KEY
    assert links.is_key(SECRET, "asset", "CHAIR-1", CHAIR_KEY)
    assert not links.is_key(SECRET, "ticket", "CHAIR-1", CHAIR_KEY)


@pytest.mark.parametrize("typed", ["NSF9X0HW4HRJRGG1", "nsf9xohw4hrjrggl", "NSF9-XOHW-4HRJ-RGGI",
                                   "nsf9 x0hw 4hrj rgg1"])
def test_a_typed_key_may_differ_in_case_dashes_spaces_and_confusable_letters(typed):
    assert links.is_key(SECRET, "asset", "CHAIR-1", typed)


@pytest.mark.parametrize("given", [None, "", "nsf9x0hw4hrjrgg", "nsf9x0hw4hrjrgg2", "ｎsf9x0hw4hrjrgg1", "x" * 65])
def test_anything_else_is_not_the_key(given):
    assert not links.is_key(SECRET, "asset", "CHAIR-1", given)


def test_the_secret_comes_from_the_environment_and_must_be_long():
    assert links.secret_from_env({"AFTERSALES_SERVE_SECRET": "s" * 32}) == b"s" * 32
    with pytest.raises(UsageError, match=r"has 31 characters: it needs at least 32"):
        links.secret_from_env({"AFTERSALES_SERVE_SECRET": "s" * 31})
    with pytest.raises(UsageError, match=r"is not set"):
        links.secret_from_env({})
