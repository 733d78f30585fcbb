"""What every request of the app needs: where the records and accounts are, the secret, the
clock, the limits, the committer; one object made by the app factory."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aftersales.core.errors import AftersalesError
from aftersales.core.links import derive
from aftersales.core.model import Settings
from aftersales.edit.gitcommit import Committer
from aftersales.edit.tickets import Folder
from aftersales.edit.users import User, read_users
from aftersales.project import Project, load_project
from aftersales.store.reading import read_settings
from aftersales.web.limits import Window

log = logging.getLogger("aftersales.web")

HOUR = 3600
LOGIN_WINDOW = 15 * 60
LOGIN_FAILURES = 5     # failed sign-ins per account name, and per client address, per window
SESSION_SECONDS = 12 * 3600   # a sign-in lasts one working day


@dataclass
class Service:
    root: Path
    secret: bytes
    users_file: Path | None
    committer: Committer | None = None
    clock: Callable[[], dt.datetime] | None = None
    intake_by_address: Window = field(default_factory=lambda: Window(HOUR))
    intake_by_asset: Window = field(default_factory=lambda: Window(HOUR))
    failed_logins: Window = field(default_factory=lambda: Window(LOGIN_WINDOW))
    _users: tuple[tuple[int, int, int], dict[str, User]] | None = None
    _signed_out: dict[str, float] = field(default_factory=dict)   # session id -> when its sign-in ends

    @property
    def session_key(self) -> bytes:
        return derive(self.secret, "sessions")

    def settings(self) -> Settings:
        return read_settings(self.root)

    def now(self, settings: Settings) -> dt.datetime:
        now = self.clock() if self.clock else dt.datetime.now(settings.tz)
        return now.astimezone(settings.tz).replace(microsecond=0)

    def folder(self) -> Folder:
        """The records as the writers see them, listed afresh (another process may have written),
        with the app's clock as the writers' now."""
        folder = Folder.open(self.root)
        return _Clocked(folder.root, folder.settings, folder.index, self.clock)

    def project(self) -> Project:
        """Every record, as of now; `Invalid` when they do not validate."""
        settings = self.settings()
        return load_project(self.root, self.now(settings))

    def users(self) -> dict[str, User]:
        """The accounts, read again whenever the file changed."""
        if self.users_file is None:
            return {}
        try:
            info = os.stat(self.users_file)
        except FileNotFoundError:
            return {}
        stamp = (info.st_size, info.st_mtime_ns, info.st_ino)
        if self._users is None or self._users[0] != stamp:
            self._users = (stamp, read_users(self.users_file))
        return self._users[1]

    def sign_out(self, sid: object, since: object) -> None:
        """Remember a signed-out session until it would have ended anyway (in memory: a restart
        forgets, and a copied cookie then works until its 12 hours are over)."""
        if isinstance(sid, str) and isinstance(since, (int, float)):
            now = time.time()
            for old in [s for s, end in self._signed_out.items() if end < now]:
                del self._signed_out[old]
            self._signed_out[sid] = since + SESSION_SECONDS

    def signed_out(self, sid: object) -> bool:
        return not isinstance(sid, str) or sid in self._signed_out

    def commit(self, paths: Sequence[Path], message: str, author: tuple[str, str]) -> None:
        """With --commit, make the write a git commit. The write itself is done and stays: a failed
        commit is logged for the operator (the file shows in `git status`), not shown to the user."""
        if self.committer is None:
            return
        try:
            self.committer.commit(paths, message, author)
        except AftersalesError as exc:
            log.error("the write was saved but not committed: %s", exc)


@dataclass(frozen=True)
class _Clocked(Folder):
    """A folder whose writers take the time from the app's clock (the real one but in tests)."""

    clock: Callable[[], dt.datetime] | None = None

    def now(self) -> dt.datetime:
        if self.clock is None:
            return super().now()
        return self.clock().astimezone(self.settings.tz).replace(microsecond=0)
