"""Reading and writing record files safely: regular files inside the records folder only,
atomic replacement, exclusive creation and per-file locks.

A write goes to a temporary file in the same folder (named `.<name>.<random>.aftersales-tmp`,
a pattern `.gitignore` lists), is flushed to disk and renamed over the target, so a
reader (or a crash) sees the old bytes or the new ones, never a mix. A temporary file
left by a killed writer is removed by the next write to that folder, once it is a
minute old and no writer holds it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import signal
import stat
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from aftersales.core.errors import AftersalesError, Refused, UsageError
from aftersales.store.paths import FOLDERS, SETTINGS_FILE, TEMP_SUFFIX

LOCK_FOLDER = ".aftersales/locks"
TEMP_PATTERN = f"*{TEMP_SUFFIX}"     # what .gitignore lists
STALE_SECONDS = 60
MAX_READ = 16 * 1024 * 1024          # more than any record; the parser refuses above 1 MB anyway

_quiet_after_commit = False


def finish_quietly_after_commits() -> None:
    """From the first rename on, a Ctrl-C no longer interrupts this process (a command line run):
    the change is saved, so reporting an error would make the user do it twice."""
    global _quiet_after_commit
    _quiet_after_commit = True


def _committing() -> None:
    if _quiet_after_commit and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


# --- reading ----------------------------------------------------------------

class NotRegular(OSError):
    """A path that is not a regular file (a folder, a FIFO, a device) or links out of the records."""


def read_regular(path: Path, root: Path | None = None) -> bytes:
    """The bytes of a regular file, never blocking on a FIFO or reading a device; with `root`,
    a path that resolves outside it (through a link) is refused."""
    if root is not None:
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            raise NotRegular(errno.EPERM, f"it links to {target}, outside the records folder", str(path))
        path = target
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file", str(path))
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_READ:
                break
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: Path, rel: str, root: Path) -> tuple[bytes, str]:
    """A record file's bytes and text, for a writer holding its lock; refused if it is not a
    regular file inside the records folder, or not UTF-8."""
    try:
        data = read_regular(path, root)
    except NotRegular as exc:
        raise Refused(f"refused, nothing was written: {rel}: {exc.strerror}") from None
    try:
        return data, data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(f"refused, nothing was written: {rel} is not UTF-8 text; fix it first") from None


# --- writing ----------------------------------------------------------------

def write_atomic(path: Path, data: bytes | Iterable[bytes], exclusive: bool = False) -> None:
    """Write `data` (or its pieces, as they come) to `path` via a temporary file in the same
    folder, fsync and rename.

    With `exclusive`, refuse (FileExistsError) when `path` exists, without ever
    overwriting it: the temporary file is hard-linked into place, which fails
    atomically if the name is taken. A path that is a link or not a regular file is
    never written through.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise Refused(f"refused, nothing was written: {path.name} is a link or not a regular file")
    remove_stale_temps(path.parent)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # held until closed: the cleaner leaves a live file alone
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            for piece in (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
            _committing()
            if exclusive:
                os.link(tmp, path)
                os.unlink(tmp)
            else:
                os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def remove_stale_temps(folder: Path) -> None:
    """Remove temporary files a killed writer left in `folder`: older than a minute, unlocked."""
    try:
        names = [n for n in os.listdir(folder) if n.endswith(TEMP_SUFFIX)]
    except OSError:
        return
    now = time.time()
    for name in names:
        path = folder / name
        with contextlib.suppress(OSError):
            if now - path.lstat().st_mtime < STALE_SECONDS or not path.is_file() or path.is_symlink():
                continue
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.unlink(path)
            except BlockingIOError:
                pass  # a writer holds it
            finally:
                os.close(fd)


def _mode_for(path: Path) -> int:
    """The mode the file has now, or what a new file gets under the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def locked(root: Path, rel: str) -> Iterator[None]:
    """Hold an exclusive lock for one record file (a lock file under .aftersales/locks/)."""
    lock_path = root / LOCK_FOLDER / (rel.replace("/", "__") + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except OSError as exc:  # pragma: no cover - only on filesystems without locks
            if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP):
                raise AftersalesError(f"cannot lock {rel}: the file system does not support locks") from None
            raise
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# --- documents people asked for -----------------------------------------------

def write_output(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write a document someone asked for (`-o`) atomically. Never over a records folder's
    settings or records, nor inside its record folders: a report is not a record."""
    refuse_records(path)
    try:
        write_atomic(path, data)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        raise AftersalesError(f"cannot write {path}: a part of that path is a file, not a folder "
                              "(or the file is a folder)") from None


def refuse_records(path: Path) -> None:
    """Refuse (exit 2) an output path that is the settings file of a records folder or lies in one
    of its record folders: whichever records folder holds it, whatever --records says."""
    target = path.resolve()
    for root in target.parents:
        if (root / SETTINGS_FILE).is_file() and (
                target == root / SETTINGS_FILE or any(target.is_relative_to(root / f) for f in FOLDERS)):
            raise UsageError(f"refused to write {path}: it is in the records ({target.relative_to(root)}); "
                             "write reports and schemas outside the record folders")
