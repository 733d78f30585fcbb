"""Git collaboration: the ticket merge driver."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aftersales.cli.base import group
from aftersales.cli.options import records_option
from aftersales.edit import gitsetup, mergedriver
from aftersales.store.fileio import write_atomic
from aftersales.store.paths import find_root


@group("git")
def git_group() -> None:
    """Git collaboration: merge ticket files without conflicts."""


@git_group.command("install")
@records_option
def install(records_dir) -> None:
    """Register the ticket merge driver in this records folder's git repository.

    Adds `tickets/**/*.yaml merge=aftersales-ticket` to the records folder's
    .gitattributes (commit it) and the driver command to the repository's
    .git/config (each clone runs this once). Two branches that both append
    events to one ticket then merge cleanly; two different edits of the same
    field still conflict as usual.

    \b
    Example:
      aftersales git install
    """
    for line in gitsetup.install(find_root(records_dir)):
        click.echo(line)


@git_group.command("merge-driver")
@click.argument("base", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("ours", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("theirs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("name", required=False, default="ticket")
def merge_driver(base: Path, ours: Path, theirs: Path, name: str) -> None:
    """Merge three versions of a ticket file (git calls this as %O %A %B %P).

    Writes the result over OURS; exits 0 when clean, 1 with conflict markers.
    """
    texts = [p.read_bytes().decode("utf-8", errors="surrogateescape") for p in (base, ours, theirs)]
    merged, clean, why = mergedriver.merge(texts[0], texts[1], texts[2], name=name)
    write_atomic(ours, merged.encode("utf-8", errors="surrogateescape"))
    if why:
        click.echo(f"aftersales merge driver: {why}", err=True)
    sys.exit(0 if clean else 1)
