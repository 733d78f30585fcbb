"""The records folder on disk: finding it, reading every file (the one place that does),
and writing files safely.

Reading is linear in the files: each is read and parsed once per run, by
`read_file`, which depends only on the file's bytes (a cache keyed on size and
mtime can sit behind it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import gc
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.core.errors import AftersalesError, RecordsNotFound
from aftersales.core.model import Records
from aftersales.store import build
from aftersales.store.spec import RECORD_SHAPES, Context, Problem
from aftersales.store.yamlio import Mark, YamlProblem, parse

SETTINGS_FILE = "aftersales.yaml"
ENV_VAR = "AFTERSALES_RECORDS"
# folder -> (record kind, whether records sit in year folders)
FOLDERS: dict[str, tuple[str, bool]] = {
    "assets": ("asset", False),
    "tickets": ("ticket", True),
    "inspections": ("inspection", True),
    "parts": ("part", False),
}
IGNORED_NAMES = {".gitkeep", ".gitattributes", ".gitignore", ".DS_Store"}
LOCK_FOLDER = ".aftersales/locks"


def find_root(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """`--records DIR`, else $AFTERSALES_RECORDS, else the first folder up from cwd with aftersales.yaml."""
    chosen = explicit or os.environ.get(ENV_VAR)
    if chosen:
        root = Path(chosen).expanduser()
        source = "--records" if explicit else f"${ENV_VAR}"
        if not (root / SETTINGS_FILE).is_file():
            raise RecordsNotFound(f"{root} (from {source}) is not a records folder: it has no {SETTINGS_FILE}")
        return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise RecordsNotFound(
        f"no records folder found: no {SETTINGS_FILE} in {here} or any folder above it; "
        f"use --records DIR, set ${ENV_VAR}, or create one with `aftersales init DIR`"
    )


@dataclass
class Loaded:
    """The records of one folder and every problem found while reading them."""

    records: Records
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass(frozen=True)
class RecordFile:
    rel: str            # path relative to the root, with '/'
    kind: str
    year_folder: str | None


def scan(root: Path, problems: list[Problem]) -> list[RecordFile]:
    """List the record files under `root`, reporting stray files and unsafe links."""
    found: list[RecordFile] = []
    for folder, (kind, by_year) in FOLDERS.items():
        base = root / folder
        if not base.is_dir():
            continue
        if base.is_symlink() and not base.resolve().is_relative_to(root):
            problems.append(_at(root, base, Mark(1, 1), "error", "symlink-outside",
                                f"{folder}/ links to {base.resolve()}, outside the records folder; it was not read"))
            continue
        for entry in sorted(base.iterdir()):
            if by_year and entry.is_dir() and not entry.is_symlink():
                if not (entry.name.isdigit() and len(entry.name) == 4):
                    problems.append(_at(root, entry, Mark(1, 1), "error", "wrong-folder",
                                        f"{folder}/ holds year folders like {folder}/2026/; "
                                        "what is in this folder is not read"))
                    continue
                for item in sorted(entry.iterdir()):
                    _consider(found, problems, root, item, kind, entry.name)
            elif by_year and entry.is_file() and entry.suffix == ".yaml":
                problems.append(_at(root, entry, Mark(1, 1), "error", "wrong-folder",
                                    f"{kind}s live in year folders: move it to {folder}/<YYYY>/{entry.name}"))
            else:
                _consider(found, problems, root, entry, kind, None)
    return found


def _consider(found: list[RecordFile], problems: list[Problem], root: Path, path: Path, kind: str,
              year: str | None) -> None:
    if path.name in IGNORED_NAMES:
        return
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            problems.append(_at(root, path, Mark(1, 1), "error", "symlink-outside",
                                f"a link to {target}, outside the records folder; it was not read"))
            return
    if path.is_dir():
        _stray(problems, root, path, "record folders hold only record files")
        return
    if path.suffix != ".yaml":
        hint = "rename it to .yaml" if path.suffix == ".yml" else "remove it or move it out of the records"
        _stray(problems, root, path, f"not a record file (records end in .yaml): {hint}")
        return
    found.append(RecordFile(path.relative_to(root).as_posix(), kind, year))


def _stray(problems: list[Problem], root: Path, path: Path, why: str) -> None:
    problems.append(_at(root, path, Mark(1, 1), "warning", "stray-file", why))


def _at(root: Path, path: Path, mark: Mark, severity: str, code: str, message: str) -> Problem:
    return Problem(path.relative_to(root).as_posix(), mark.line, mark.column, severity, code, message)


def read_file(path: Path, rel: str, kind: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Read and check one file against its kind's fields: cleaned values (or None) and problems."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        ctx = Context(rel)
        ctx.error(Mark(1, 1), "unreadable", f"cannot read the file: {exc.strerror or exc}")
        return None, ctx.problems
    return check_bytes(data, rel, kind)


def load(root: Path, progress: Callable[[int], None] | None = None,
         on_count: Callable[[int], None] | None = None, use_cache: bool | None = None) -> Loaded:
    """Read the whole records folder once: every record that could be built, every problem found.

    Each file is read and parsed at most once; with the cache on, a file whose size and mtime
    are unchanged since the last run is not parsed again at all.
    """
    collecting = gc.isenabled()
    gc.disable()  # loading builds millions of small objects that all live on: no cycles to collect
    try:
        return _load(root, progress, on_count, use_cache)
    finally:
        if collecting:
            gc.enable()


def _load(root: Path, progress: Callable[[int], None] | None, on_count: Callable[[int], None] | None,
          use_cache: bool | None) -> Loaded:
    from aftersales.store.cache import ParseCache

    cache = ParseCache(root, use_cache)
    problems: list[Problem] = []
    clean_settings, found = _read_cached(cache, root / SETTINGS_FILE, SETTINGS_FILE, "settings")
    problems.extend(found)
    settings = build.settings(clean_settings or {}) if clean_settings is not None else None
    tz = ZoneInfo(settings.timezone) if settings else ZoneInfo(build.DEFAULT_TIMEZONE)
    files = scan(root, problems)
    if on_count:
        on_count(len(files))
    tables: dict[str, dict[str, Any]] = {kind: {} for kind, _ in FOLDERS.values()}
    for item in files:
        clean, found = _read_cached(cache, root / item.rel, item.rel, item.kind)
        problems.extend(found)
        if clean is not None:
            _add(tables[item.kind], clean, item, tz, problems)
        if progress:
            progress(1)
    cache.save()
    file_ids = {kind: frozenset(Path(f.rel).stem for f in files if f.kind == kind) for kind in tables}
    records = Records(str(root), settings, tables["asset"], tables["ticket"], tables["inspection"],
                      tables["part"], file_ids)
    return Loaded(records, problems)


def _read_cached(cache, path: Path, rel: str, kind: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        stat = path.stat()
    except OSError:
        return read_file(path, rel, kind)
    hit = cache.get(rel, stat, kind)
    if hit is not None:
        return hit[0], list(hit[1])
    clean, problems = read_file(path, rel, kind)
    cache.put(rel, stat, kind, clean, problems)
    return clean, problems


_BUILDERS = {"asset": build.asset, "ticket": build.ticket, "inspection": build.inspection,
             "part": build.part}


def _add(table: dict[str, Any], clean: dict[str, Any], item: RecordFile, tz: ZoneInfo,
         problems: list[Problem]) -> None:
    record = _BUILDERS[item.kind](clean, item.rel)
    if record is None:
        return
    stem = item.rel.rsplit("/", 1)[-1][: -len(".yaml")]
    line = record.where.line
    id_line = build.key_lines(clean).get("id", line)
    if record.id != stem:
        problems.append(Problem(item.rel, id_line, 1, "error", "id-mismatch",
                                f"id {record.id!r} does not match the file name {stem}.yaml"))
    if item.year_folder is not None:
        year = _record_year(record, tz)
        if year is not None and str(year) != item.year_folder:
            problems.append(Problem(item.rel, line, 1, "error", "wrong-folder",
                                    f"{item.kind} of {year} is in the {item.year_folder} folder; "
                                    f"move it to {item.rel.split('/')[0]}/{year}/"))
    if record.id in table:
        other = table[record.id].where.path
        problems.append(Problem(item.rel, id_line, 1, "error", "duplicate-id",
                                f"{item.kind} id {record.id!r} is also used by {other}"))
        return
    table[record.id] = record


def _record_year(record: Any, tz: ZoneInfo) -> int | None:
    if hasattr(record, "events"):
        return record.events[0].at.astimezone(tz).year
    return record.date.year


# --- writing ----------------------------------------------------------------

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


def local_now(tz: ZoneInfo) -> dt.datetime:
    """Now, in the project time zone, to the second."""
    return dt.datetime.now(tz).replace(microsecond=0)


def list_ids(root: Path) -> dict[str, dict[str, str]]:
    """Record ids by kind, from file names alone (nothing is parsed): {kind: {id: relative path}}."""
    index: dict[str, dict[str, str]] = {}
    for folder, (kind, by_year) in FOLDERS.items():
        table = index.setdefault(kind, {})
        base = root / folder
        if not base.is_dir():
            continue
        pattern = "*/*.yaml" if by_year else "*.yaml"
        for path in sorted(base.glob(pattern)):
            table.setdefault(path.stem, path.relative_to(root).as_posix())
    return index


def check_bytes(data: bytes, rel: str, kind: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Check bytes that are about to be written, exactly as `read_file` checks a file."""
    ctx = Context(rel)
    try:
        value, notes = parse(data)
    except YamlProblem as exc:
        ctx.error(exc.mark, exc.code, exc.message)
        return None, ctx.problems
    for mark, severity, code, message in notes:
        (ctx.warning if severity == "warning" else ctx.error)(mark, code, message)
    clean = RECORD_SHAPES[kind].check(value, Mark(1, 1), ctx, "")
    return (clean if isinstance(clean, dict) else None), ctx.problems


def read_settings(root: Path):
    """Only the settings (for commands that write one record and need not read them all)."""
    clean, problems = read_file(root / SETTINGS_FILE, SETTINGS_FILE, "settings")
    errors = [p for p in problems if p.severity == "error"]
    if clean is None or errors:
        shown = "\n".join(f"  {p}" for p in errors[:5])
        raise AftersalesError(f"{SETTINGS_FILE} does not validate; fix it first:\n{shown}")
    return build.settings(clean)
