"""The accounts of the web app's staff pages: one YAML file outside the records folder.

Passwords are kept as `hashlib.scrypt` hashes (a random salt each, 16 MiB of memory per
check), never as text. The file is written atomically, readable by its owner only, and
refused inside a records folder: records are shared through git, accounts are not.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aftersales.core.errors import AftersalesError, UsageError
from aftersales.store.fileio import read_regular, write_atomic
from aftersales.store.paths import SETTINGS_FILE
from aftersales.store.yamlio import FastLoader

ROLES = ("desk", "engineer", "manager", "school")
USERS_VAR = "AFTERSALES_USERS"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,39}$")
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2**14, 8, 1, 32
HEADER = ("# Accounts of `aftersales serve`, written by `aftersales user`. Keep this file outside the\n"
          "# records folder, readable only by the account that runs the app. Passwords are scrypt hashes.\n")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password: str          # scrypt$N$r$p$salt$hash
    email: str = ""

    @property
    def version(self) -> str:
        """Changes when the password does: sessions signed before a change end with it."""
        return hashlib.sha256(self.password.encode("ascii")).hexdigest()[:16]

    @property
    def author(self) -> tuple[str, str]:
        """Name and email of the git commits of this user's web work."""
        return self.name, self.email or f"{self.name}@aftersales.invalid"


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_LEN,
                          maxmem=128 * r * n * p * 2)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def check_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt" or len(password) > MAX_PASSWORD:
            return False
        expected = base64.b64decode(digest, validate=True)
        given = _scrypt(password, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given, expected)


@functools.cache
def _decoy() -> str:
    """A hash that matches no password: unknown names cost as much time as known ones. Made on the
    first sign-in (a scrypt costs 50 ms: not at import, which every command pays)."""
    return hash_password(secrets.token_urlsafe(16))


def authenticate(users: dict[str, User], name: str, password: str) -> User | None:
    """The user with this name and password, or None; as slow for an unknown name as for a known one."""
    decoy = _decoy()  # made before the name is looked at: the first sign-in of a name costs the same too
    user = users.get(name)
    ok = check_password(user.password if user else decoy, password)
    return user if ok and user is not None else None


# --- the file ---------------------------------------------------------------------------

def users_path(given: str | os.PathLike[str] | None) -> Path:
    """`--users PATH`, else $AFTERSALES_USERS; refused inside a records folder."""
    chosen = given or os.environ.get(USERS_VAR)
    if not chosen:
        raise UsageError(f"no accounts file: give --users PATH or set ${USERS_VAR} (a file outside the records)")
    path = Path(chosen).expanduser().resolve()
    for folder in path.parents:
        if (folder / SETTINGS_FILE).is_file():
            raise UsageError(f"refused: {chosen} is inside the records folder {folder}; keep accounts outside "
                             "it (records are shared through git, password hashes must not be)")
    return path


def read_users(path: Path) -> dict[str, User]:
    """Every account in the file (none when it does not exist yet)."""
    try:
        data = read_regular(path)
    except FileNotFoundError:
        return {}
    if not data.strip():
        return {}
    try:
        loaded = yaml.load(data.decode("utf-8"), Loader=FastLoader) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise AftersalesError(f"{path}: not a readable accounts file ({exc})") from None
    users = loaded.get("users") if isinstance(loaded, dict) else None
    if not isinstance(users, dict):
        raise AftersalesError(f"{path}: an accounts file holds `users:`, a mapping of names to accounts")
    found = {}
    for name, entry in users.items():
        found[str(name)] = _user(path, str(name), entry)
    return found


def _user(path: Path, name: str, entry: Any) -> User:
    if not NAME.match(name):
        raise AftersalesError(f"{path}: {name!r} is not an account name (letters, digits and '-')")
    if not isinstance(entry, dict) or entry.get("role") not in ROLES or not isinstance(entry.get("password"), str):
        raise AftersalesError(f"{path}: account {name!r} needs a role (one of {', '.join(ROLES)}) and a password hash")
    return User(name, entry["role"], entry["password"], str(entry.get("email") or ""))


def _write(path: Path, users: dict[str, User]) -> None:
    table = {u.name: {"role": u.role, "password": u.password, **({"email": u.email} if u.email else {})}
             for u in sorted(users.values(), key=lambda u: u.name)}
    text = HEADER + yaml.safe_dump({"users": table}, allow_unicode=True, sort_keys=False, width=200)
    write_atomic(path, text.encode("utf-8"))  # keeps the mode the file was created with


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """The accounts file, created readable by its owner only, and held by one writer at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise UsageError(f"{name!r} is not an account name: letters, digits and '-', starting with a letter "
                         "(as in the records' `by` fields, like eng-zhang)")
    return name


def check_new_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is too short: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UsageError(f"the password is too long: at most {MAX_PASSWORD} characters")
    return password


def add_user(path: Path, name: str, role: str, password: str, email: str = "") -> User:
    """Add an account; refused when the name is taken."""
    if role not in ROLES:
        raise UsageError(f"role {role!r} is not one of {', '.join(ROLES)}")
    user = User(check_name(name), role, hash_password(check_new_password(password)), email)
    with _locked(path):
        users = read_users(path)
        if name in users:
            raise UsageError(f"account {name!r} exists already; `aftersales user passwd {name}` sets a new password")
        users[name] = user
        _write(path, users)
    return user


def set_password(path: Path, name: str, password: str) -> User:
    """A new password for an account: its open sessions end."""
    with _locked(path):
        users = read_users(path)
        if name not in users:
            raise UsageError(f"no account {name!r}")
        old = users[name]
        users[name] = User(old.name, old.role, hash_password(check_new_password(password)), old.email)
        _write(path, users)
    return users[name]


def remove_user(path: Path, name: str) -> None:
    """Remove an account: its open sessions end."""
    with _locked(path):
        users = read_users(path)
        if name not in users:
            raise UsageError(f"no account {name!r}")
        del users[name]
        _write(path, users)
