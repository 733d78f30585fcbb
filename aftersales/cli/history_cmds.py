"""History commands: `diff` (what changed between two revisions, in words) and `audit` (every
rewrite of the past in the git history of the records)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from aftersales.cli.base import CONTEXT
from aftersales.cli.options import format_option, records_option
from aftersales.core.durations import parse_duration
from aftersales.core.errors import AftersalesError, UsageError
from aftersales.core.problems import did_you_mean
from aftersales.engine import audit as auditing
from aftersales.engine import changes
from aftersales.store.git import EMPTY_TREE, Repo
from aftersales.store.paths import find_root
from aftersales.store.reading import read_settings
from aftersales.views import history


def _seconds(text: str, option: str) -> int:
    try:
        return parse_duration(text).seconds
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _rules(late_after: str, stamp_within: str) -> auditing.Rules:
    return auditing.Rules(_seconds(late_after, "--late-after"), _seconds(stamp_within, "--stamp-within"))


def _tz(root: Path):
    try:
        return read_settings(root).tz
    except AftersalesError:   # a broken settings file does not stop a look at history
        return dt.timezone.utc


late_after_option = click.option(
    "--late-after", default="24h", show_default=True, metavar="DURATION",
    help="An event committed more than this after its `at` is backdated.")
stamp_within_option = click.option(
    "--stamp-within", default="1h", show_default=True, metavar="DURATION",
    help="A `logged` stamp more than this after its commit's date (or before the commit that came "
         "before the event) is forged.")


@click.command("diff", context_settings=CONTEXT)
@records_option
@click.argument("span", required=False, metavar="[A..B]")
@click.option("--staged", is_flag=True, help="Compare the index (what `git commit` would commit) with HEAD.")
@click.option("--worktree", is_flag=True, help="Compare the working tree (with new files) with HEAD.")
@late_after_option
@stamp_within_option
@format_option("text", "markdown", "json", default="text")
def diff_command(records_dir, span, staged, worktree, late_after, stamp_within, fmt) -> None:
    """What changed in the records between two revisions, in words.

    Tickets opened, events logged (late entries marked), tickets resolved,
    cancelled or reopened, SLA outcomes that differ (both sides computed as
    of B), inspections, findings opened and closed, parts movements, assets,
    settings changes with the closed cycles they turn, and every audit
    finding of the commits in the range. A..B defaults to HEAD~1..HEAD; a
    single revision A means A..HEAD.

    \b
    Examples:
      aftersales diff
      aftersales diff --staged                       # before `git commit`
      aftersales diff origin/main..HEAD --format markdown
      aftersales diff v2026Q1..v2026Q2 --format json
    """
    if staged and worktree:
        raise UsageError("--staged and --worktree compare different things with HEAD: use one")
    if span and (staged or worktree):
        raise UsageError("--staged and --worktree compare with HEAD: give no revisions with them")
    rules = _rules(late_after, stamp_within)
    root = find_root(records_dir)
    repo = Repo(root)
    if staged or worktree:
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        summary = changes.uncommitted(repo, staged, now, repo.identity(), rules)
    else:
        a, b = _span(repo, span)
        summary = changes.between(repo, a, b, rules)
    if fmt == "json":
        click.echo(history.diff_json(summary))
    elif fmt == "markdown":
        click.echo(history.diff_markdown(summary))
    else:
        click.echo(history.diff_text(summary))


def _span(repo: Repo, span: str | None) -> tuple[str, str]:
    """Full hashes of A and B (A is the empty tree before the first commit)."""
    if not repo.has_commits():
        raise UsageError("the repository has no commit yet: use --staged or --worktree")
    if not span:
        b = repo.resolve("HEAD")
        return _default_before(repo, b), b
    if "..." in span:
        raise UsageError(f"{span!r}: write the range with two dots, A..B")
    first, _, second = span.partition("..")
    if not first:
        raise UsageError(f"{span!r}: name the first revision, like HEAD~3..HEAD")
    return repo.resolve(first), repo.resolve(second or "HEAD")   # `A..` and `A` mean A..HEAD


def _default_before(repo: Repo, b: str) -> str:
    parents = repo.commit(b).parents
    return parents[0] if parents else EMPTY_TREE


@click.command("audit", context_settings=CONTEXT)
@records_option
@click.argument("revisions", required=False, metavar="[RANGE]")
@late_after_option
@stamp_within_option
@click.option("--fail-on", "fail_on", metavar="KIND[,KIND...]",
              help="Exit 1 when a finding of one of these kinds exists (for CI and server-side hooks).")
@format_option("table", "json")
def audit_command(records_dir, revisions, late_after, stamp_within, fail_on, fmt) -> None:
    """List every change in the git history that rewrites the past.

    Reads the history of the records (default: all of it; RANGE as `git log`
    takes it, like origin/main..HEAD) and reports: event-changed and
    event-removed (an event already committed was modified or disappeared),
    field-changed (kind, asset, area, priority, severity or category of a
    ticket changed after its first commit), backdated (an event committed
    more than --late-after after its `at`, or whose `logged` is further than
    --stamp-within from its commit), record-removed (a record file deleted)
    and settings-changed (SLA targets, calendars or areas changed), each with
    its effect on SLA outcomes and the quarters it touches. Events appended
    in time and merges made by the ticket merge driver are no finding.

    \b
    Examples:
      aftersales audit
      aftersales audit origin/main..HEAD --fail-on event-changed,event-removed,backdated
      aftersales audit --format json > audit.json
    """
    kinds = _kinds(fail_on) if fail_on else []
    rules = _rules(late_after, stamp_within)
    root = find_root(records_dir)
    repo = Repo(root)
    if revisions and revisions.startswith("-"):
        raise UsageError(f"not a revision range: {revisions!r}")
    if revisions and repo.has_commits():
        for rev in revisions.replace("...", "..").split(".."):   # a typo is a usage error, not git's
            if rev:
                repo.resolve(rev)
    found = auditing.audit(repo, [revisions or "HEAD"], rules) if repo.has_commits() else []
    tz = _tz(root)
    click.echo(history.audit_json(found, tz) if fmt == "json" else history.audit_text(found, tz))
    if kinds and any(True for _ in auditing.failing(found, kinds)):
        sys.exit(1)


def _kinds(text: str) -> list[str]:
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    if not kinds:
        raise UsageError(f"--fail-on: name at least one finding kind; kinds are {', '.join(auditing.KINDS)}")
    for kind in kinds:
        if kind not in auditing.KINDS:
            raise UsageError(f"--fail-on: no finding kind {kind!r}; kinds are {', '.join(auditing.KINDS)}"
                             + did_you_mean(kind, auditing.KINDS))
    return kinds
