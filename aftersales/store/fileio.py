"""Writing files safely: atomic replacement, exclusive creation and per-file locks.

A write goes to a temporary file in the same folder, is flushed to disk and
renamed over the target, so a reader (or a crash) sees the old bytes or the new
ones, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from aftersales.core.errors import AftersalesError, Refused, UsageError
from aftersales.store.paths import FOLDERS, SETTINGS_FILE

LOCK_FOLDER = ".aftersales/locks"


def write_atomic(path: Path, data: bytes, exclusive: bool = False) -> None:
    """Write `data` to `path` via a temporary file in the same folder, fsync and rename.

    With `exclusive`, refuse (FileExistsError) when `path` exists, without ever
    overwriting it: the temporary file is hard-linked into place, which fails
    atomically if the name is taken.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
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


def _mode_for(path: Path) -> int:
    """The mode the file has now, or what a new file gets under the umask (mkstemp's is 0600)."""
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


def read_text(path: Path, rel: str) -> tuple[bytes, str]:
    """A record file's bytes and text, for a writer holding its lock; refused if it is not UTF-8."""
    data = path.read_bytes()
    try:
        return data, data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(f"refused, nothing was written: {rel} is not UTF-8 text; fix it first") from None


def write_output(path: Path, data: bytes) -> None:
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
