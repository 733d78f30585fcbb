"""`serve --commit`: each write of the web app becomes a git commit in the records repository,
authored by the person who did it, so `git log`, diffs and reviews see web work like any other.

Commits are made with git itself, one at a time (a lock across threads and processes),
and take only the files the write changed, whatever else is staged.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aftersales.core.errors import AftersalesError
from aftersales.store.fileio import locked

FALLBACK_COMMITTER = ("aftersales serve", "serve@aftersales.invalid")
_one_at_a_time = threading.Lock()


def _git(root: Path, args: Sequence[str], env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False,
                              env=env, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise AftersalesError("git is not installed (or not on PATH)") from None
    if done.returncode != 0:
        raise AftersalesError(f"git {args[0]}: {done.stderr.strip() or done.stdout.strip() or 'failed'}")
    return done.stdout.strip()


@dataclass(frozen=True)
class Committer:
    """Makes the commits of one records folder (checked once, when the app starts)."""

    root: Path
    env: dict[str, str]

    @classmethod
    def open(cls, root: Path) -> Committer:
        """Refused unless the records folder is in a git work tree. Without a configured identity,
        commits are committed by `aftersales serve` (their author is always the person)."""
        try:
            _git(root, ["rev-parse", "--show-toplevel"])
        except AftersalesError:
            raise AftersalesError(f"--commit: {root} is not inside a git repository; run `git init` there "
                                  "first") from None
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
        try:
            _git(root, ["config", "user.email"])
        except AftersalesError:
            env.update({"GIT_COMMITTER_NAME": FALLBACK_COMMITTER[0], "GIT_COMMITTER_EMAIL": FALLBACK_COMMITTER[1]})
        return cls(root, env)

    def commit(self, paths: Sequence[Path], message: str, author: tuple[str, str]) -> str:
        """Commit exactly `paths` (files under the root) with `message`; returns the commit id."""
        rels = [str(p.relative_to(self.root)) for p in paths]
        name, email = author
        with _one_at_a_time, locked(self.root, "git-commit"):
            _git(self.root, ["add", "--", *rels], self.env)
            _git(self.root, ["commit", "--quiet", "--only", "-m", message, f"--author={name} <{email}>",
                             "--", *rels], self.env)
            return _git(self.root, ["rev-parse", "HEAD"], self.env)
