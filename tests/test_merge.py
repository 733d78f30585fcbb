"""The ticket merge driver: `aftersales git install`, real `git merge`s, and `mergedriver.merge` on texts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import REPORTED, TICKET, TICKET_HEAD, Records, event, run, ticket

from aftersales.edit import mergedriver
from aftersales.edit.gitsetup import COMMAND

pytestmark = pytest.mark.usefixtures("quiet_git")

ATTRIBUTE = "tickets/**/*.yaml merge=aftersales-ticket"
DRIVER = COMMAND


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", check=False)
    if check:
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def init_repo(top: Path) -> None:
    top.mkdir(parents=True, exist_ok=True)
    git(top, "init", "-q", "-b", "main")
    git(top, "config", "user.name", "Test")
    git(top, "config", "user.email", "test@example.com")
    git(top, "config", "commit.gpgsign", "false")


def commit_all(top: Path, message: str) -> None:
    git(top, "add", "-A", ".")
    git(top, "commit", "-q", "-m", message)


def install(records: Records):
    return run("git", "install", "--records", str(records.root))


def log(records: Records, *args: str) -> None:
    result = run("ticket", "log", "--records", str(records.root), "T-1", *args)
    assert result.exit_code == 0, result.output


def unmerged(top: Path) -> list[str]:
    return git(top, "diff", "--name-only", "--diff-filter=U").stdout.split()


class Repo:
    """A git repository whose records folder is `records` (its top, or a folder inside it)."""

    def __init__(self, top: Path, records: Records) -> None:
        self.top, self.records = top, records

    def branches(self, on_a, on_b) -> subprocess.CompletedProcess[str]:
        """Commit `on_a()` on branch a and `on_b()` on branch b (both from main), then merge a into b."""
        git(self.top, "checkout", "-q", "-b", "a", "main")
        on_a()
        commit_all(self.top, "a")
        git(self.top, "checkout", "-q", "-b", "b", "main")
        on_b()
        commit_all(self.top, "b")
        return git(self.top, "merge", "--no-edit", "a", check=False)

    @property
    def ticket(self) -> Path:
        return self.records.root / TICKET


def make_repo(top: Path, records_dir: Path, text: str, driver: bool = True) -> Repo:
    init_repo(top)
    records = Records(records_dir)
    # the lock files of `ticket log` are not records (`aftersales init` writes this .gitignore)
    (records.root / ".gitignore").write_text("/.aftersales/\n", encoding="utf-8")
    if driver:
        assert install(records).exit_code == 0
    records.write(TICKET, text)
    commit_all(top, "base")
    return Repo(top, records)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return make_repo(tmp_path / "repo", tmp_path / "repo", ticket())


def validate_ok(records: Records) -> None:
    result = records.run()
    assert result.exit_code == 0, result.output


# --- git install ----------------------------------------------------------------

def test_install_adds_the_attribute_and_registers_the_driver(tmp_path):
    init_repo(tmp_path / "repo")
    records = Records(tmp_path / "repo")
    result = install(records)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"added `{ATTRIBUTE}` to {records.root / '.gitattributes'}",
        f"added `/.aftersales/` (lock files) to {records.root / '.gitignore'}",
        f"added `*.aftersales-tmp` (temporary files of interrupted writes) to {records.root / '.gitignore'}",
        "set merge.aftersales-ticket.driver in the repository's git config",
    ]
    assert (records.root / ".gitattributes").read_text("utf-8") == ATTRIBUTE + "\n"
    assert git(records.root, "config", "--get", "merge.aftersales-ticket.driver").stdout == DRIVER + "\n"
    assert git(records.root, "config", "--get", "merge.aftersales-ticket.name").stdout.strip()
    check = git(records.root, "check-attr", "merge", "--", "tickets/2026/T-1.yaml", "assets/CHAIR-1.yaml")
    assert check.stdout == ("tickets/2026/T-1.yaml: merge: aftersales-ticket\n"
                            "assets/CHAIR-1.yaml: merge: unspecified\n")


def test_install_twice_does_not_repeat_the_line(tmp_path):
    init_repo(tmp_path / "repo")
    records = Records(tmp_path / "repo")
    assert install(records).exit_code == 0
    again = install(records)
    assert again.exit_code == 0
    assert again.stdout == "set merge.aftersales-ticket.driver in the repository's git config\n"
    assert (records.root / ".gitattributes").read_text("utf-8") == ATTRIBUTE + "\n"
    assert git(records.root, "config", "--get-all", "merge.aftersales-ticket.driver").stdout == DRIVER + "\n"


def test_install_keeps_existing_attributes(tmp_path):
    init_repo(tmp_path / "repo")
    records = Records(tmp_path / "repo")
    records.write(".gitattributes", "*.png binary")  # no final newline
    assert install(records).exit_code == 0
    assert (records.root / ".gitattributes").read_text("utf-8") == f"*.png binary\n{ATTRIBUTE}\n"


def test_install_outside_a_git_repository(tmp_path):
    records = Records(tmp_path / "plain")
    result = install(records)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {records.root} is not inside a git repository; run `git init` first\n"
    assert not (records.root / ".gitattributes").exists()


# --- real merges ------------------------------------------------------------------

@pytest.mark.slow
def test_events_appended_on_two_branches_merge_in_time_order(repo):
    merged = repo.branches(
        lambda: log(repo.records, "responded", "--at", "2026-03-14 09:40", "--by", "eng-zhang"),
        lambda: log(repo.records, "note", "--at", "2026-03-14 10:00", "--note", "客户再次来电"))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert unmerged(repo.top) == []
    assert repo.ticket.read_text("utf-8") == ticket(
        REPORTED,
        event("09:40", "responded", ", by: eng-zhang"),
        event("10:00", "note", ", note: 客户再次来电"))
    validate_ok(repo.records)
    assert git(repo.top, "status", "--porcelain").stdout == ""


@pytest.mark.slow
def test_events_not_last_with_comments_merge_and_keep_everything_else(tmp_path):
    text = ticket(REPORTED, extra="""\
        # 以下为报修人信息
        reporter: {name: 王老师, phone: "13800001234"}   # 班主任
        location: 第3排12号
        """).replace("id: T-1\n", "# 王老师来电\nid: T-1\n")
    repo = make_repo(tmp_path / "repo", tmp_path / "repo", text)
    merged = repo.branches(
        lambda: log(repo.records, "arrived", "--at", "2026-03-14 11:55"),
        lambda: log(repo.records, "responded", "--at", "2026-03-14 09:40"))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert repo.ticket.read_text("utf-8") == text.replace(
        REPORTED + "\n",
        f"{REPORTED}\n  - {event('09:40', 'responded')}\n  - {event('11:55', 'arrived')}\n")
    validate_ok(repo.records)


@pytest.mark.slow
def test_without_the_driver_the_same_merge_conflicts(tmp_path):
    repo = make_repo(tmp_path / "repo", tmp_path / "repo", ticket(), driver=False)
    merged = repo.branches(
        lambda: log(repo.records, "responded", "--at", "2026-03-14 09:40"),
        lambda: log(repo.records, "note", "--at", "2026-03-14 10:00", "--note", "n"))
    assert merged.returncode != 0
    assert unmerged(repo.top) == [TICKET]


@pytest.mark.slow
def test_the_same_event_on_both_branches_is_kept_once(repo):
    def respond() -> None:
        log(repo.records, "responded", "--at", "2026-03-14 09:40", "--by", "eng-zhang")

    def respond_and_arrive() -> None:
        respond()
        log(repo.records, "arrived", "--at", "2026-03-14 11:00")

    merged = repo.branches(respond, respond_and_arrive)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert repo.ticket.read_text("utf-8") == ticket(
        REPORTED, event("09:40", "responded", ", by: eng-zhang"), event("11:00", "arrived"))
    validate_ok(repo.records)


@pytest.mark.slow
def test_exactly_the_same_change_on_both_branches_is_kept_once(repo):
    def respond() -> None:
        log(repo.records, "responded", "--at", "2026-03-14 09:40")

    merged = repo.branches(respond, respond)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert repo.ticket.read_text("utf-8") == ticket(REPORTED, event("09:40", "responded"))


@pytest.mark.slow
def test_one_branch_edits_a_field_the_other_appends_an_event(repo):
    merged = repo.branches(
        lambda: repo.records.edit(TICKET, "summary: 扶手松动", "summary: 左侧扶手松动"),
        lambda: log(repo.records, "responded", "--at", "2026-03-14 09:40"))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert repo.ticket.read_text("utf-8") == ticket(REPORTED, event("09:40", "responded")).replace(
        "summary: 扶手松动", "summary: 左侧扶手松动")


@pytest.mark.slow
def test_two_different_edits_of_one_field_conflict(repo):
    merged = repo.branches(
        lambda: repo.records.edit(TICKET, "summary: 扶手松动", "summary: 左侧扶手松动"),
        lambda: repo.records.edit(TICKET, "summary: 扶手松动", "summary: 扶手断裂"))
    assert merged.returncode != 0
    assert "CONFLICT" in merged.stdout
    assert unmerged(repo.top) == [TICKET]
    text = repo.ticket.read_text("utf-8")
    assert "<<<<<<< " in text and "=======\n" in text and ">>>>>>> " in text
    assert "summary: 左侧扶手松动\n" in text and "summary: 扶手断裂\n" in text


@pytest.mark.slow
def test_a_field_conflict_is_reported_even_when_events_were_added_too(repo):
    def a() -> None:
        repo.records.edit(TICKET, "summary: 扶手松动", "summary: 左侧扶手松动")
        log(repo.records, "responded", "--at", "2026-03-14 09:40")

    def b() -> None:
        repo.records.edit(TICKET, "summary: 扶手松动", "summary: 扶手断裂")
        log(repo.records, "note", "--at", "2026-03-14 10:00", "--note", "n")

    merged = repo.branches(a, b)
    assert merged.returncode != 0
    assert unmerged(repo.top) == [TICKET]
    assert "<<<<<<< " in repo.ticket.read_text("utf-8")


@pytest.mark.slow
def test_a_records_folder_inside_the_repository_in_a_folder_with_a_space(tmp_path):
    top = tmp_path / "repo"
    repo = make_repo(top, top / "school records", ticket())
    assert (top / "school records" / ".gitattributes").read_text("utf-8") == ATTRIBUTE + "\n"
    merged = repo.branches(
        lambda: log(repo.records, "responded", "--at", "2026-03-14 09:40"),
        lambda: log(repo.records, "note", "--at", "2026-03-14 09:30", "--note", "n"))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert repo.ticket.read_text("utf-8") == ticket(
        REPORTED, event("09:30", "note", ", note: n"), event("09:40", "responded"))
    validate_ok(repo.records)


# --- mergedriver.merge on texts ------------------------------------------------------

R = f"  - {REPORTED}\n"
X = f"  - {event('10:00', 'responded', ', by: a')}\n"
Y = f"  - {event('09:50', 'note', ', note: 客户来电')}\n"
Z = f"  - {event('11:00', 'arrived')}\n"
HEAD = TICKET_HEAD


def test_merge_events_last():
    base = HEAD + R
    assert mergedriver.merge(base, base + X, base + Y)[:2] == (HEAD + R + Y + X, True)


def test_merge_keeps_comments_and_keys_after_the_events():
    head = "# 王老师来电\n" + HEAD.replace("summary: 扶手松动", "summary: 扶手松动  # 左侧")
    tail = "  # 以上为跟进记录\n\n# 报修人\nreporter: {name: 王老师, phone: \"13800001234\"}\nlocation: 第3排\n"
    base = head + R + tail
    merged, clean, _ = mergedriver.merge(base, head + R + X + tail, head + R + Y + tail)
    assert clean
    assert merged == head + R + Y + X + tail


def test_merge_with_an_edit_next_to_the_event_list():
    tail = "location: 第3排\n"
    base = HEAD + R + tail
    merged, clean, _ = mergedriver.merge(base, HEAD + R + X + "location: 第4排\n", HEAD + R + Y + tail)
    assert (merged, clean) == (HEAD + R + Y + X + "location: 第4排\n", True)


def test_merge_keeps_crlf():
    def crlf(text: str) -> str:
        return text.replace("\n", "\r\n")

    base = HEAD + R + "location: x\n"
    ours, theirs = HEAD + R + X + "location: x\n", HEAD + R + Y + "location: x\n"
    merged, clean, _ = mergedriver.merge(crlf(base), crlf(ours), crlf(theirs))
    assert clean
    assert merged == crlf(HEAD + R + Y + X + "location: x\n")


def test_merge_of_block_style_events():
    block = "  - at: 2026-03-14T09:12:00+08:00\n    type: reported\n    by: cs-li\n"
    base = HEAD + block
    assert mergedriver.merge(base, base + X, base + Y)[:2] == (HEAD + block + Y + X, True)


def test_merge_keeps_a_line_both_sides_added_once():
    base = HEAD + R
    assert mergedriver.merge(base, base + X, base + X + Z)[:2] == (HEAD + R + X + Z, True)


def test_merge_of_equal_times_keeps_ours_first():
    other = f"  - {event('10:00', 'note', ', note: theirs')}\n"
    base = HEAD + R
    assert mergedriver.merge(base, base + X, base + other)[:2] == (HEAD + R + X + other, True)


def test_merge_of_different_field_edits_conflicts():
    base = HEAD + R
    merged, clean, _ = mergedriver.merge(base, base.replace("扶手松动", "扶手断裂"),
                                         base.replace("扶手松动", "螺丝脱落"), name="tickets/2026/T-1.yaml")
    assert not clean
    assert merged == HEAD.replace(
        "summary: 扶手松动\n",
        "<<<<<<< ours:tickets/2026/T-1.yaml\nsummary: 扶手断裂\n=======\nsummary: 螺丝脱落\n"
        ">>>>>>> theirs:tickets/2026/T-1.yaml\n") + R


def test_merge_does_not_union_when_a_side_changed_an_existing_event():
    base = HEAD + R + X
    ours = HEAD + R + X.replace("by: a", "by: b")
    merged, clean, _ = mergedriver.merge(base, ours, base + Z)
    # git merge-file decides: here the edit and the append are on adjacent lines and conflict
    assert not clean
    assert "<<<<<<< " in merged


def test_merge_does_not_bring_back_an_event_a_side_removed():
    base = HEAD + R + X
    merged, clean, _ = mergedriver.merge(base, HEAD + R + Y, base + Z)
    assert not clean
    assert merged.count(X) == 1 and "<<<<<<< " in merged


def test_merge_falls_back_when_a_time_cannot_be_read():
    base = HEAD + R
    merged, clean, _ = mergedriver.merge(base, base + "  - {at: soon, type: note}\n", base + X)
    assert not clean
    assert "<<<<<<< " in merged


def test_merge_keeps_identical_events_already_in_the_base():
    twice = f"  - {event('09:30', 'note', ', note: 客户来电催促')}\n"
    base = HEAD + R + twice + twice
    merged, clean, _ = mergedriver.merge(base, base + X, base + Y)
    assert (merged, clean) == (HEAD + R + twice + twice + Y + X, True)


def test_a_field_conflict_keeps_the_events_merged_and_marks_only_the_field():
    base = HEAD + R
    ours = base.replace("扶手松动", "扶手断裂") + X
    theirs = base.replace("扶手松动", "螺丝脱落") + Y
    merged, clean, why = mergedriver.merge(base, ours, theirs)
    assert not clean
    assert why == "ticket: events merged; another field conflicts"
    head, events = merged.split("events:\n")
    assert "<<<<<<< ours:ticket\nsummary: 扶手断裂\n" in head and ">>>>>>> theirs:ticket\n" in head
    assert events == R + Y + X            # the event list has no markers: only the summary is to resolve


def test_a_union_that_breaks_the_event_rules_is_written_but_reported_as_a_conflict():
    base = HEAD + R
    cancelled = f"  - {event('10:00', 'cancelled')}\n"
    arrived = f"  - {event('10:30', 'arrived')}\n"
    merged, clean, why = mergedriver.merge(base, base + cancelled, base + arrived)
    assert not clean
    assert merged == base + cancelled + arrived
    assert why == ("ticket: the merged events break a rule: `arrived` after `cancelled`: only `reopened` "
                   "may follow a cancellation; if it happened before the cancellation, log it with its time "
                   "(a late entry)")


def test_the_same_event_written_two_ways_is_kept_once():
    """+00:00 and +08:00, flow and block style, extra spaces: one event, so the first-time-fix
    rate (one `arrived`) does not change when two people record the same visit."""
    base = [f"  - {REPORTED}\n"]
    ours = [*base, "  - {at: 2026-03-14T11:55:00+08:00, type: arrived, by: eng-zhang}\n"]
    theirs = [*base, "  - at: 2026-03-14T03:55:00+00:00\n    type:   arrived\n    by: eng-zhang\n"]
    assert mergedriver.merge_events(base, ours, theirs) == ours
    different = [*base, "  - {at: 2026-03-14T11:56:00+08:00, type: arrived, by: eng-zhang}\n"]
    assert len(mergedriver.merge_events(base, ours, different)) == 3


@pytest.mark.slow
def test_a_driver_missing_from_path_stops_the_merge_with_a_clear_message(repo, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")   # git, but no `aftersales`
    merged = repo.branches(
        lambda: log(repo.records, "responded", "--at", "2026-03-14 09:40"),
        lambda: log(repo.records, "note", "--at", "2026-03-14 10:00"))
    assert merged.returncode != 0
    assert ("aftersales merge driver: the aftersales command is not on PATH; activate the virtualenv that has "
            "it, then merge again") in merged.stderr
