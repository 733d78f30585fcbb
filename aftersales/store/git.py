"""Reading the git history of a records folder with git itself: one `git log` pass for the
changes, one `git cat-file --batch` process for the file contents (each blob read once).

Paths are relative to the records root (the folder holding aftersales.yaml), which may sit
anywhere inside the repository. Nothing here parses a record: `history` does, with the same
reader as files on disk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aftersales.core.errors import AftersalesError, UsageError
from aftersales.store.paths import FOLDERS, SETTINGS_FILE

NULL_OID = "0" * 40
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's empty tree: the side before the first commit
_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def kind_of(rel: str) -> str | None:
    """The record kind of a path relative to the root (`settings` for aftersales.yaml), or None
    for a file that is no record (a README, .gitattributes, a template)."""
    if rel == SETTINGS_FILE:
        return "settings"
    parts = rel.split("/")
    if not parts[-1].endswith(".yaml") or parts[-1].startswith("."):
        return None
    folder = FOLDERS.get(parts[0])
    if folder is None:
        return None
    kind, by_year = folder
    return kind if len(parts) == (3 if by_year else 2) else None


@dataclass(frozen=True)
class FileChange:
    """One record file changed by a commit (or between two trees): its blob before and after.

    `before` holds one blob per parent (a merge has several); NULL_OID where the file did not
    exist; `after` is NULL_OID for a deleted file, or None for a working-tree file (read it from
    disk)."""

    path: str
    kind: str
    before: tuple[str, ...]
    after: str | None
    status: str = "M"        # git's letter: A added, D deleted, M modified (a merge: one per parent)


@dataclass(frozen=True)
class Commit:
    oid: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: dt.datetime          # the author date: when the change was made (rebases keep it)
    subject: str
    changes: tuple[FileChange, ...] = field(default=(), repr=False)

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


class Repo:
    """The git repository a records folder lives in."""

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            top = self._run(["rev-parse", "--show-toplevel", "--show-prefix"]).split("\n")
        except AftersalesError:
            raise UsageError(f"{root} is not inside a git repository: history needs git "
                             "(run `git init` there, and commit the records)") from None
        self.top = Path(top[0])
        self.prefix = top[1] if len(top) > 1 else ""   # the root's path in the repository, with '/'
        self._reader: BlobReader | None = None

    def _run(self, args: Sequence[str], check: bool = True) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=self.root, capture_output=True, check=False,
                                  env={**os.environ, **_ENV}, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise AftersalesError("git is not installed (or not on PATH)") from None
        if check and done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise AftersalesError(f"git {args[0]}: {message[0] if message else 'failed'}")
        return done.stdout.decode("utf-8", "surrogateescape").rstrip("\n")

    def rel(self, path: str) -> str | None:
        """A repository path made relative to the records root (None when outside it)."""
        return path[len(self.prefix):] if path.startswith(self.prefix) else None

    def resolve(self, rev: str) -> str:
        """The full hash of a commit named by `rev` (a branch, a tag, HEAD~1, a hash)."""
        if rev.startswith("-"):
            raise UsageError(f"not a revision: {rev!r}")
        done = self._run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                         check=False)
        if not done:
            raise UsageError(f"no commit {rev!r} in this repository")
        return done

    def has_commits(self) -> bool:
        return bool(self._run(["rev-parse", "--verify", "--quiet", "HEAD"], check=False))

    def merge_base(self, commits: Sequence[str]) -> str | None:
        """The best common ancestor of the parents of a merge (None for unrelated histories)."""
        found = self._run(["merge-base", "--octopus", "--end-of-options", *commits], check=False)
        return found.split("\n")[0] or None

    def identity(self) -> tuple[str, str]:
        """Who would commit now (user.name and user.email; empty when not configured)."""
        return (self._run(["config", "user.name"], check=False), self._run(["config", "user.email"], check=False))

    def commit(self, oid: str) -> Commit:
        """One commit's header (no changes)."""
        out = self._run(["show", "-s", f"--format={_FORMAT}", oid, "--"])
        return _header(out.lstrip("\x01").split("\0"))

    def log(self, revisions: Sequence[str]) -> Iterator[Commit]:
        """The commits of `revisions` (like `git log A..B`) that touch the records, oldest first, with
        the record files each changed. A merge lists every file that differs from one of its parents
        at least, with that file's blob in each parent."""
        args = ["log", "--raw", "-m", "--no-renames", "--no-abbrev", "--full-history", "--reverse", "-z",
                f"--format={_FORMAT}", "--end-of-options", *revisions, "--", "."]
        out = self._run(args)
        pending: Commit | None = None
        for chunk in out.split("\x01")[1:]:
            tokens = chunk.split("\0")
            header = _header(tokens[:7])
            changes = tuple(self._changes(tokens[7:]))
            if pending is not None and pending.oid == header.oid:   # a merge: its diff against another parent
                pending = dataclasses.replace(pending, changes=pending.changes + changes)
                continue
            if pending is not None:
                yield self._merged(pending)
            pending = dataclasses.replace(header, changes=changes)
        if pending is not None:
            yield self._merged(pending)

    def _merged(self, commit: Commit) -> Commit:
        """A merge's files once each, with the blob of each parent (looked up by name: git omits
        the diff against a parent the file did not change from)."""
        if not commit.is_merge:
            return commit
        changes = {}
        for change in commit.changes:
            if change.path in changes:
                continue
            before = []
            for parent in commit.parents:
                found = self.reader().read(f"{parent}:{self.prefix}{change.path}")
                before.append(found[0] if found else NULL_OID)
            changes[change.path] = FileChange(change.path, change.kind, tuple(before), change.after, change.status)
        return dataclasses.replace(commit, changes=tuple(changes.values()))

    def diff(self, a: str, b: str | None, cached: bool = False) -> list[FileChange]:
        """Record files that differ between commit `a` and commit `b`, or the index (`cached`), or the
        working tree (b None, not cached: untracked record files count as added)."""
        args = ["diff", "--raw", "--no-renames", "--no-abbrev", "-z"]
        if cached:
            args.append("--cached")
        args += ["--end-of-options", a, *([b] if b else []), "--", "."]
        changes = list(self._changes(self._run(args).split("\0")))
        if b is None and not cached:
            changes = [FileChange(c.path, c.kind, c.before, NULL_OID if c.status == "D" else None, c.status)
                       for c in changes]
            untracked = self._run(["ls-files", "--others", "--exclude-standard", "-z", "--full-name", "--", "."])
            for path in untracked.split("\0"):
                rel = self.rel(path) if path else None
                kind = kind_of(rel) if rel else None
                if rel and kind:
                    changes.append(FileChange(rel, kind, (NULL_OID,), None, "A"))
        return sorted(changes, key=lambda c: c.path)

    def tree(self, rev: str | None) -> dict[str, str]:
        """Every record file of a commit (or the index with rev None): {path: blob}."""
        if rev is None:
            out = self._run(["ls-files", "--stage", "-z", "--full-name", "--", "."])
            entries = [(line.split("\t", 1)[1], line.split()[1]) for line in out.split("\0") if "\t" in line]
        else:
            out = self._run(["ls-tree", "-r", "-z", "--full-name", "--end-of-options", rev, "--", "."])
            entries = [(line.split("\t", 1)[1], line.split()[2]) for line in out.split("\0") if "\t" in line]
        found = {}
        for path, oid in entries:
            rel = self.rel(path)
            if rel is not None and kind_of(rel):
                found[rel] = oid
        return found

    def _changes(self, tokens: list[str]) -> Iterator[FileChange]:
        i = 0
        while i < len(tokens):
            token = tokens[i].strip("\n")
            i += 1
            if not token.startswith(":"):
                continue
            path = tokens[i] if i < len(tokens) else ""
            i += 1
            rel = self.rel(path)
            kind = kind_of(rel) if rel is not None else None
            if rel is None or kind is None:
                continue
            parents = token.count(":", 0, token.index(" ")) if " " in token else 1
            fields = token.lstrip(":").split()
            oids = fields[parents + 1: 2 * parents + 2]
            yield FileChange(rel, kind, tuple(oids[:-1]), oids[-1], fields[-1])

    def reader(self) -> BlobReader:
        if self._reader is None:
            self._reader = BlobReader(self.root)
        return self._reader

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


_FORMAT = "%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%s"


def _header(fields: list[str]) -> Commit:
    oid, parents, author, email, date, _committed, subject = (f.strip("\n") for f in fields[:7])
    return Commit(oid, tuple(parents.split()), author, email, dt.datetime.fromisoformat(date), subject)


class BlobReader:
    """One `git cat-file --batch` process for every blob a run reads (by hash, or `rev:path`)."""

    def __init__(self, root: Path) -> None:
        try:
            self._process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, env={**os.environ, **_ENV})
        except FileNotFoundError:
            raise AftersalesError("git is not installed (or not on PATH)") from None

    def read(self, name: str) -> tuple[str, bytes] | None:
        """The blob named `name` (a hash, or `rev:path` from the top of the repository): its hash and
        bytes, or None when there is none."""
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
        process.stdin.flush()
        header = process.stdout.readline().decode("utf-8", "replace").split()
        if len(header) < 3 or header[1] == "missing":
            return None
        data = process.stdout.read(int(header[2]) + 1)[:-1]
        if header[1] != "blob":
            return None
        return header[0], data

    def blob(self, oid: str) -> bytes:
        found = self.read(oid)
        if found is None:
            raise AftersalesError(f"git has no object {oid}")
        return found[1]

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()
