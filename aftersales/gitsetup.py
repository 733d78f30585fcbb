"""`aftersales git install`: register the ticket merge driver in a git repository."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from .errors import AftersalesError
from .store import write_atomic

DRIVER = "aftersales-ticket"
ATTRIBUTE = f"tickets/**/*.yaml merge={DRIVER}"
IGNORE = "/.aftersales/"


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise AftersalesError("git is not installed (or not on PATH)") from None
    if done.returncode != 0:
        raise AftersalesError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout.strip()


def install(root: Path) -> list[str]:
    """Add the .gitattributes line and the repository's driver config; returns what was done."""
    try:
        _git(root, "rev-parse", "--show-toplevel")
    except AftersalesError:
        raise AftersalesError(f"{root} is not inside a git repository; run `git init` first") from None
    done = []
    attributes = root / ".gitattributes"
    text = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    if ATTRIBUTE not in text.splitlines():
        new = text + ("" if not text or text.endswith("\n") else "\n") + ATTRIBUTE + "\n"
        write_atomic(attributes, new.encode("utf-8"))
        done.append(f"added `{ATTRIBUTE}` to {attributes}")
    ignore = root / ".gitignore"
    ignored = ignore.read_text(encoding="utf-8") if ignore.exists() else ""
    if IGNORE not in ignored.splitlines():
        new = ignored + ("" if not ignored or ignored.endswith("\n") else "\n") + IGNORE + "\n"
        write_atomic(ignore, new.encode("utf-8"))
        done.append(f"added `{IGNORE}` (lock files) to {ignore}")
    command = f"{shlex.quote(sys.executable)} -m aftersales git merge-driver %O %A %B %P"
    _git(root, "config", f"merge.{DRIVER}.name", "aftersales: union of ticket events")
    _git(root, "config", f"merge.{DRIVER}.driver", command)
    done.append(f"set merge.{DRIVER}.driver in the repository's git config")
    return done
