"""`aftersales user`: accounts of the web app in a file outside the records, passwords as scrypt hashes."""

from __future__ import annotations

import base64
import hashlib
import stat

import pytest
from click.testing import CliRunner

from aftersales.cli import cli
from aftersales.edit.users import authenticate, check_password, hash_password, read_users


def user(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(cli, ["user", *args], input=stdin, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


@pytest.fixture
def accounts(tmp_path):
    return tmp_path / "etc" / "users.yaml"


def test_an_account_is_added_with_a_scrypt_hash_in_a_file_only_its_owner_reads(accounts):
    done = user("add", "eng-zhang", "--role", "engineer", "--password-stdin", "--users", str(accounts),
                stdin="correct horse battery\n")
    assert done.exit_code == 0, done.output
    assert done.stderr == f"added eng-zhang (engineer) to {accounts}\n"
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    text = accounts.read_text(encoding="utf-8")
    assert "correct horse" not in text
    [entry] = read_users(accounts).values()
    assert (entry.name, entry.role, entry.email) == ("eng-zhang", "engineer", "")
    assert entry.password.split("$")[:4] == ["scrypt", "16384", "8", "1"]
    assert check_password(entry.password, "correct horse battery")
    assert not check_password(entry.password, "correct horse batterY")


def test_the_hash_is_scrypt_with_its_salt():
    stored = hash_password("correct horse battery", salt=b"0123456789abcdef")
    expected = hashlib.scrypt(b"correct horse battery", salt=b"0123456789abcdef", n=16384, r=8, p=1, dklen=32)
    assert stored == f"scrypt$16384$8$1${base64.b64encode(b'0123456789abcdef').decode()}$" \
                     f"{base64.b64encode(expected).decode()}"
    assert hash_password("correct horse battery") != hash_password("correct horse battery")   # a new salt each


def test_unknown_names_and_broken_hashes_never_sign_in(accounts):
    user("add", "cs-li", "--role", "desk", "--password-stdin", "--users", str(accounts),
         stdin="correct horse battery\n")
    users = read_users(accounts)
    assert authenticate(users, "cs-li", "correct horse battery") == users["cs-li"]
    assert authenticate(users, "nobody", "correct horse battery") is None
    assert not check_password("md5$abc", "x")
    assert not check_password("scrypt$16384$8$1$not base64$x", "x")


def test_the_accounts_file_is_refused_inside_a_records_folder(records):
    done = user("add", "eng-zhang", "--role", "engineer", "--password-stdin", "--users",
                str(records.root / "users.yaml"), stdin="correct horse battery\n")
    assert done.exit_code == 2
    assert done.stderr == (f"Error: refused: {records.root / 'users.yaml'} is inside the records folder "
                           f"{records.root}; keep accounts outside it (records are shared through git, password "
                           "hashes must not be)\n")
    assert not (records.root / "users.yaml").exists()


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("add", "eng zhang", "--role", "engineer"), "correct horse battery\n",
     "Error: 'eng zhang' is not an account name: letters, digits and '-', starting with a letter (as in the "
     "records' `by` fields, like eng-zhang)\n"),
    (("add", "eng-zhang", "--role", "engineer"), "short\n",
     "Error: the password is too short: at least 10 characters\n"),
    (("add", "eng-zhang", "--role", "engineer", "--email", "not an address"), "correct horse battery\n",
     "Error: --email 'not an address' is not an email address\n"),
])
def test_bad_names_passwords_and_emails_are_refused(accounts, args, stdin, message):
    done = user(*args, "--password-stdin", "--users", str(accounts), stdin=stdin)
    assert (done.exit_code, done.stderr) == (2, message)
    assert not accounts.exists() or read_users(accounts) == {}


def test_a_name_is_added_once(accounts):
    user("add", "cs-li", "--role", "desk", "--password-stdin", "--users", str(accounts),
         stdin="correct horse battery\n")
    done = user("add", "cs-li", "--role", "manager", "--password-stdin", "--users", str(accounts),
                stdin="correct horse battery\n")
    assert (done.exit_code, done.stderr) == (
        2, "Error: account 'cs-li' exists already; `aftersales user passwd cs-li` sets a new password\n")
    assert read_users(accounts)["cs-li"].role == "desk"


def test_without_a_terminal_the_password_must_come_from_stdin(accounts):
    done = user("add", "cs-li", "--role", "desk", "--users", str(accounts))
    assert (done.exit_code, done.stderr) == (2, "Error: no terminal to ask for the password on: use --password-stdin\n")


def test_without_an_accounts_file_the_command_says_how_to_name_one(monkeypatch):
    monkeypatch.delenv("AFTERSALES_USERS", raising=False)
    done = user("list")
    assert (done.exit_code, done.stderr) == (
        2, "Error: no accounts file: give --users PATH or set $AFTERSALES_USERS (a file outside the records)\n")


def test_passwd_remove_and_list(accounts, monkeypatch):
    monkeypatch.setenv("AFTERSALES_USERS", str(accounts))
    user("add", "cs-li", "--role", "desk", "--password-stdin", stdin="correct horse battery\n")
    user("add", "school-office", "--role", "school", "--email", "office@school.example", "--password-stdin",
         stdin="another long password\n")
    before = read_users(accounts)["cs-li"]
    assert user("passwd", "cs-li", "--password-stdin", stdin="a brand new password\n").exit_code == 0
    after = read_users(accounts)["cs-li"]
    assert after.version != before.version and after.role == "desk"
    assert check_password(after.password, "a brand new password")
    assert user("list").stdout == "cs-li\tdesk\nschool-office\tschool\toffice@school.example\n"
    assert user("remove", "cs-li").exit_code == 0
    assert user("list").stdout == "school-office\tschool\toffice@school.example\n"
    assert user("remove", "cs-li").stderr == "Error: no account 'cs-li'\n"
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600


def test_a_broken_accounts_file_is_an_error_not_a_traceback(accounts):
    accounts.parent.mkdir()
    accounts.write_text("users:\n  cs-li: {role: boss, password: x}\n")
    done = user("list", "--users", str(accounts))
    assert (done.exit_code, done.stderr) == (
        1, f"Error: {accounts}: account 'cs-li' needs a role (one of desk, engineer, manager, school) and a password "
           "hash\n")
