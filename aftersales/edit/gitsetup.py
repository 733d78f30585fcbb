"""`aftersales git install`: register the ticket merge driver in a git repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from aftersales.core.errors import AftersalesError
from aftersales.store.fileio import TEMP_PATTERN, write_atomic

DRIVER = "aftersales-ticket"
ATTRIBUTE = f"tickets/**/*.yaml merge={DRIVER}"
# The driver is found on PATH when git runs it, so moving or rebuilding the virtualenv does not
# break merges; where it is missing the merge stops with a message saying what to do.
COMMAND = ("command -v aftersales >/dev/null 2>&1 || { echo 'aftersales merge driver: the aftersales command "
           "is not on PATH; activate the virtualenv that has it, then merge again' >&2; exit 2; }; "
           "aftersales git merge-driver %O %A %B %P")
IGNORED = (("/.aftersales/", "lock files"), (TEMP_PATTERN, "temporary files of interrupted writes"))


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise AftersalesError("git is not installed (or not on PATH)") from None
    if done.returncode != 0:
        raise AftersalesError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout.strip()


def _add_line(path: Path, line: str) -> bool:
    """Append `line` to a text file unless it is there already; True when the file changed."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if line in text.splitlines():
        return False
    write_atomic(path, (text + ("" if not text or text.endswith("\n") else "\n") + line + "\n").encode("utf-8"))
    return True


def install(root: Path) -> list[str]:
    """Add the .gitattributes line and the repository's driver config; returns what was done."""
    try:
        _git(root, "rev-parse", "--show-toplevel")
    except AftersalesError:
        raise AftersalesError(f"{root} is not inside a git repository; run `git init` first") from None
    done = []
    lines = [(root / ".gitattributes", ATTRIBUTE, ""),
             *((root / ".gitignore", line, f" ({why})") for line, why in IGNORED)]
    for path, line, why in lines:
        if _add_line(path, line):
            done.append(f"added `{line}`{why} to {path}")
    _git(root, "config", f"merge.{DRIVER}.name", "aftersales: union of ticket events")
    _git(root, "config", f"merge.{DRIVER}.driver", COMMAND)
    done.append(f"set merge.{DRIVER}.driver in the repository's git config")
    if shutil.which("aftersales") is None:
        done.append("note: `aftersales` is not on PATH here: git runs the driver by that name, so activate "
                    "the virtualenv that has it (or put it on PATH) before merging")
    return done
