"""`aftersales diff` and `aftersales audit` on real git repositories, with commits made at
controlled dates (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE).

The fixture's settings (conftest): CHAIR-1 stands in the lobby (critical); `response` of a repair
is 2h for critical, 4h for normal, stopped by `responded` or `resolved`. T-1 is reported at
2026-03-14 09:12, so its response deadline is 11:12 (critical) or 13:12 (normal).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import TICKET, Records, event, run, ticket_yaml

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("quiet_git")]  # every test runs git

GOLDEN = Path(__file__).parent / "golden"


def git(cwd: Path, *args: str, when: str | None = None, author: str = "eng-li") -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": f"{author}@example.com"}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env,
                          check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


class History:
    """A git repository at `top` whose records folder is top/records (a folder inside it, as many
    teams keep them), with commits at given instants (Asia/Shanghai)."""

    def __init__(self, top: Path) -> None:
        self.top = top
        top.mkdir(parents=True, exist_ok=True)
        git(top, "init", "-q", "-b", "main")
        git(top, "config", "user.name", "Test")
        git(top, "config", "user.email", "test@example.com")
        git(top, "config", "commit.gpgsign", "false")
        self.records = Records(top / "records")

    def commit(self, when: str, message: str = "records", author: str = "eng-li") -> str:
        """Commit everything at `when` (`2026-03-14 18:00`, Shanghai time); returns the hash."""
        instant = when.replace(" ", "T") + ":00+08:00"
        git(self.top, "add", "-A", ".")
        git(self.top, "commit", "-q", "--allow-empty", "-m", message, when=instant, author=author)
        return git(self.top, "rev-parse", "HEAD").strip()

    def ticket(self, *events: str, **fields) -> Path:
        return self.records.ticket("T-1", *events, **fields)

    def audit(self, *args: str):
        return run("audit", "--records", str(self.records.root), *args)

    def audit_json(self, *args: str) -> list[dict]:
        result = self.audit("--format", "json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def diff(self, *args: str):
        return run("diff", "--records", str(self.records.root), *args)


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "repo")


REPORTED = event("09:12", "reported", by="cs-li")
RESPONDED = event("09:40", "responded", by="eng-zhang")


def kinds(findings: list[dict]) -> list[str]:
    return [f["kind"] for f in findings]


def effect(finding: dict) -> list[tuple]:
    return [(e["ticket"], e["target"], e["cycle"], e["before"], e["after"]) for e in finding["sla_effect"]]


# --- appending is no finding ---------------------------------------------------------

def test_events_appended_in_time_are_no_finding(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    history.ticket(REPORTED, RESPONDED)
    history.commit("2026-03-14 09:45")
    history.ticket(REPORTED, RESPONDED, event("12:30", "resolved", by="eng-zhang"))
    history.commit("2026-03-14 13:00")
    assert history.audit_json() == []
    result = history.audit("--fail-on", "event-changed,event-removed,backdated,field-changed")
    assert result.exit_code == 0
    assert result.stdout == "no finding: nothing in this history rewrites the past\n"


def test_a_restyled_event_is_the_same_event(history):
    """Block style instead of flow style, another offset for the same instant: nothing changed."""
    history.ticket(REPORTED, RESPONDED)
    history.commit("2026-03-14 09:45")
    history.ticket(REPORTED, "at: 2026-03-14T01:40:00+00:00\ntype: responded\nby: eng-zhang")
    history.commit("2026-03-14 10:00")
    assert history.audit_json() == []


# --- the past rewritten ----------------------------------------------------------------

def test_an_event_moved_earlier_is_event_changed_with_its_effect(history):
    history.ticket(REPORTED, event("11:40", "responded", by="eng-zhang"))   # 2h 28m: breached (2h)
    history.commit("2026-03-14 11:45")
    history.ticket(REPORTED, event("10:46", "responded", by="eng-zhang"))   # 54 minutes earlier: met
    commit = history.commit("2026-03-15 09:00", author="eng-wang")
    [found] = history.audit_json()
    assert found["kind"] == "event-changed"
    assert found["commit"] == commit and len(commit) == 40
    assert (found["author"], found["path"], found["ticket"]) == ("eng-wang", "tickets/2026/T-1.yaml", "T-1")
    assert found["event"]["at"] == "2026-03-14T11:40:00+08:00"
    assert found["new_event"]["at"] == "2026-03-14T10:46:00+08:00"
    assert effect(found) == [("T-1", "response", 1, "breached", "met")]
    assert found["quarters"] == ["2026Q1"]
    assert found["kpi_effect"] == [{"quarter": "2026Q1", "target": "response",
                                     "cycles": {"breached": -1, "met": 1}}]
    assert found["message"] == "`responded` of 2026-03-14 11:40 by eng-zhang changed: at 2026-03-14 11:40 → " \
                               "2026-03-14 10:46"
    result = history.audit("--fail-on", "event-changed")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:5] == [
        f"2026-03-15 09:00  {commit[:10]}  event-changed  T-1  eng-wang",
        "  tickets/2026/T-1.yaml: `responded` of 2026-03-14 11:40 by eng-zhang changed:",
        "    at 2026-03-14 11:40 → 2026-03-14 10:46",
        "  SLA: response #1 breached → met (quarters 2026Q1)",
        "  KPIs: 2026Q1 response breached -1, met +1",
    ]


def test_a_changed_satisfaction_is_event_changed(history):
    history.ticket(REPORTED, RESPONDED, event("12:30", "resolved"), event("03-15 10:00", "callback", satisfaction=5))
    history.commit("2026-03-15 10:05")
    history.ticket(REPORTED, RESPONDED, event("12:30", "resolved"), event("03-15 10:00", "callback", satisfaction=1))
    history.commit("2026-03-20 10:00")
    [found] = history.audit_json()
    assert found["kind"] == "event-changed"
    assert found["message"].endswith("changed: satisfaction 5 → 1")
    assert found["sla_effect"] == []


def test_a_deleted_event_is_event_removed(history):
    history.ticket(REPORTED, RESPONDED)
    history.commit("2026-03-14 09:45")
    history.ticket(REPORTED)
    history.commit("2026-03-15 09:00")
    [found] = history.audit_json()
    assert found["kind"] == "event-removed"
    assert found["event"]["type"] == "responded"
    # as of the commit (03-15 09:00) the response clock runs past its deadline of 03-14 11:12
    assert effect(found) == [("T-1", "response", 1, "met", "breached")]


def test_a_priority_lowered_after_a_breach_is_field_changed(history):
    history.ticket(REPORTED, event("12:00", "responded"))   # 2h 48m: breached as critical (2h), met as normal (4h)
    history.commit("2026-03-14 12:05")
    history.ticket(REPORTED, event("12:00", "responded"), priority="normal")
    history.commit("2026-03-16 09:00")
    [found] = history.audit_json()
    assert (found["kind"], found["field"], found["before"], found["after"]) == (
        "field-changed", "priority", "critical", "normal")
    assert effect(found) == [("T-1", "response", 1, "breached", "met")]
    assert found["message"] == "priority changed: critical → normal"


def test_writing_down_the_priority_a_ticket_already_had_is_no_finding(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    history.ticket(REPORTED, priority="critical")   # the lobby's priority: nothing changes
    history.commit("2026-03-14 09:30")
    assert history.audit_json() == []


# --- backdated and forged ----------------------------------------------------------------

def test_an_event_committed_days_later_is_backdated(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    history.ticket(REPORTED, event("10:30", "responded"))
    history.commit("2026-03-16 10:00")
    [found] = history.audit_json()
    assert found["kind"] == "backdated"
    assert found["late"] == 47 * 3600 + 30 * 60   # 03-14 10:30 to 03-16 10:00
    assert found["stamp_gap"] is None
    # the late event turns a breached (running) clock into a met one
    assert effect(found) == [("T-1", "response", 1, "breached", "met")]
    assert found["message"] == "`responded` of 2026-03-14 10:30 committed 1d 23h 30m after it happened"


def test_a_late_entry_with_logged_is_backdated_all_the_same(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    history.ticket(REPORTED, event("10:30", "responded", logged="2026-03-16T09:50:00+08:00"))
    history.commit("2026-03-16 10:00")
    [found] = history.audit_json()
    assert (found["kind"], found["late"], found["stamp_gap"]) == ("backdated", 171000, None)
    assert history.audit_json("--late-after", "3d") == []


def test_a_late_entry_committed_within_a_day_is_no_finding(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    history.ticket(REPORTED, event("10:30", "responded", logged="2026-03-14T15:00:00+08:00"))
    history.commit("2026-03-14 15:10")
    assert history.audit_json() == []


def test_a_forged_logged_stamp_is_backdated(history):
    """Written, says `logged`, at 12:10; but the commit of 14:00 did not hold it."""
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    history.records.ticket("T-2", event("13:50", "reported"))
    history.commit("2026-03-14 14:00")
    history.ticket(REPORTED, event("11:55", "responded", logged="2026-03-14T12:10:00+08:00"))
    history.commit("2026-03-14 20:00")
    [found] = history.audit_json()
    assert (found["kind"], found["late"], found["stamp_gap"]) == ("backdated", None, 7 * 3600 + 50 * 60)
    assert found["message"] == ("`responded` of 2026-03-14 11:55 its `logged` 2026-03-14 12:10 is before the commit "
                                "of 2026-03-14 14:00 it follows, which did not hold it (a forged stamp)")
    assert history.audit_json("--stamp-within", "2h") == []


def test_a_logged_stamp_after_its_commit_is_forged(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    history.ticket(REPORTED, event("11:55", "responded", logged="2026-03-14T18:00:00+08:00"))
    history.commit("2026-03-14 12:00")
    [found] = history.audit_json()
    assert (found["kind"], found["stamp_gap"]) == ("backdated", -6 * 3600)
    assert found["message"].endswith("its `logged` 2026-03-14 18:00 is 6h 00m after the commit (a forged stamp)")


def test_the_first_commit_brings_the_past_and_is_not_backdated(history):
    history.ticket(REPORTED, RESPONDED)
    history.commit("2026-06-01 09:00", "import the records kept so far")
    assert history.audit_json() == []


# --- records removed, settings changed -------------------------------------------------

def test_a_removed_ticket_file_is_record_removed(history):
    history.ticket(REPORTED, event("12:00", "responded"))
    history.commit("2026-03-14 12:05")
    (history.records.root / TICKET).unlink()
    history.commit("2026-03-20 09:00")
    [found] = history.audit_json()
    assert (found["kind"], found["path"], found["ticket"], found["record"]) == (
        "record-removed", "tickets/2026/T-1.yaml", "T-1", "T-1")
    assert effect(found) == [("T-1", "response", 1, "breached", None)]


def test_a_removed_asset_is_record_removed_without_a_ticket(history):
    history.records.asset("DESK-9", area="office")
    history.commit("2026-03-14 09:00")
    (history.records.root / "assets/DESK-9.yaml").unlink()
    history.commit("2026-03-15 09:00")
    [found] = history.audit_json()
    assert (found["kind"], found["path"], found["ticket"], found["record"]) == (
        "record-removed", "assets/DESK-9.yaml", None, "DESK-9")


def test_a_ticket_moved_to_its_year_folder_is_no_removal(history):
    history.records.write("tickets/2025/T-1.yaml", ticket_yaml("T-1", REPORTED))
    history.commit("2026-03-14 09:20")
    (history.records.root / "tickets/2026").mkdir(exist_ok=True)
    (history.records.root / "tickets/2025/T-1.yaml").rename(history.records.root / TICKET)
    history.commit("2026-03-14 09:30")
    assert history.audit_json() == []


TIGHTER = """\
- id: response
  when: {kind: repair}
  start: reported
  stop: [responded, resolved]
  within: {critical: 1h, normal: 4h}
"""


def test_a_settings_change_counts_the_closed_cycles_it_turns(history):
    history.ticket(REPORTED, event("10:30", "responded"))   # 1h 18m: met under 2h, breached under 1h
    history.commit("2026-03-14 10:35")
    history.records.settings(targets=TIGHTER)
    commit = history.commit("2026-03-20 09:00", author="admin")
    [found] = history.audit_json()
    assert (found["kind"], found["commit"], found["path"], found["ticket"], found["field"]) == (
        "settings-changed", commit, "aftersales.yaml", None, "targets")
    assert effect(found) == [("T-1", "response", 1, "met", "breached")]
    assert found["message"] == "targets changed: 1 closed cycle changes outcome"


def test_a_settings_change_elsewhere_is_no_finding(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    history.records.settings(name="另一个名字")
    history.commit("2026-03-14 09:30")
    assert history.audit_json() == []


# --- merges ------------------------------------------------------------------------------

def test_a_clean_merge_of_two_branches_is_no_finding(history):
    assert run("git", "install", "--records", str(history.records.root)).exit_code == 0
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    git(history.top, "checkout", "-q", "-b", "desk")
    history.ticket(REPORTED, RESPONDED)
    history.commit("2026-03-14 09:45", author="cs-li")
    git(history.top, "checkout", "-q", "main")
    history.ticket(REPORTED, event("09:50", "assigned", to="eng-zhang"))
    history.commit("2026-03-14 09:55", author="eng-zhang")
    git(history.top, "merge", "--no-edit", "-q", "desk", when="2026-03-14T10:00:00+08:00")
    text = (history.records.root / TICKET).read_text("utf-8")
    assert "responded" in text and "assigned" in text   # the driver kept both sides' events
    assert history.audit_json() == []


def test_a_merge_that_drops_an_event_both_sides_had_is_event_removed(history):
    history.ticket(REPORTED, RESPONDED)
    history.commit("2026-03-14 09:45")
    git(history.top, "checkout", "-q", "-b", "desk")
    history.ticket(REPORTED, RESPONDED, event("09:50", "note", note="desk"))
    history.commit("2026-03-14 09:52")
    git(history.top, "checkout", "-q", "main")
    history.ticket(REPORTED, RESPONDED, event("09:51", "note", note="field"))
    history.commit("2026-03-14 09:53")
    done = subprocess.run(["git", "merge", "-q", "desk"], cwd=history.top, capture_output=True, check=False)
    assert done.returncode != 0   # without the driver: a conflict, resolved by hand, badly
    history.ticket(REPORTED, event("09:50", "note", note="desk"), event("09:51", "note", note="field"))
    history.commit("2026-03-14 10:00", "merge")
    assert kinds(history.audit_json()) == ["event-removed"]


def test_a_merge_that_drops_an_event_one_side_appended_is_event_removed(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    git(history.top, "checkout", "-q", "-b", "desk")
    history.ticket(REPORTED, RESPONDED)
    history.commit("2026-03-14 09:45")
    git(history.top, "checkout", "-q", "main")
    history.ticket(REPORTED, event("09:50", "assigned", to="eng-zhang"))
    history.commit("2026-03-14 09:55")
    subprocess.run(["git", "merge", "-q", "desk"], cwd=history.top, capture_output=True, check=False)
    history.ticket(REPORTED, event("09:50", "assigned", to="eng-zhang"))   # resolved by hand: `responded` lost
    history.commit("2026-03-14 10:00", "merge")
    [found] = history.audit_json()
    assert (found["kind"], found["event"]["type"]) == ("event-removed", "responded")


def test_a_side_that_removed_an_event_is_reported_once_at_its_own_commit(history):
    assert run("git", "install", "--records", str(history.records.root)).exit_code == 0
    history.ticket(REPORTED, RESPONDED)
    history.commit("2026-03-14 09:45")
    git(history.top, "checkout", "-q", "-b", "desk")
    history.ticket(REPORTED)
    side = history.commit("2026-03-14 09:50")
    git(history.top, "checkout", "-q", "main")
    history.ticket(REPORTED, RESPONDED, event("09:55", "note"))
    history.commit("2026-03-14 09:56")
    subprocess.run(["git", "merge", "-q", "desk"], cwd=history.top, capture_output=True, check=False)
    history.ticket(REPORTED, event("09:55", "note"))   # the merge takes the removal
    history.commit("2026-03-14 10:00", "merge")
    assert [(f["kind"], f["commit"]) for f in history.audit_json()] == [("event-removed", side)]


# --- options and errors -------------------------------------------------------------------

def test_fail_on_names_kinds(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    result = history.audit("--fail-on", "event-chnged")
    assert result.exit_code == 2
    assert "no finding kind 'event-chnged'" in result.output and "event-changed" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (("--fail-on", ",,"), "--fail-on: name at least one finding kind; kinds are event-changed, "),
    (("nosuch..HEAD",), "no commit 'nosuch' in this repository"),
    (("HEAD..nosuch",), "no commit 'nosuch' in this repository"),
    (("--late-after", "3x"), "--late-after: '3x' is not a duration"),
    (("--stamp-within", "-1h"), "--stamp-within: '-1h' is not a duration"),
])
def test_audit_refuses_what_it_cannot_read(history, args, message):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    result = history.audit(*args)
    assert result.exit_code == 2
    assert f"Error: {message}" in result.output


def test_a_range_limits_the_audit(history):
    history.ticket(REPORTED, RESPONDED)
    history.commit("2026-03-14 09:45")
    history.ticket(REPORTED)
    first = history.commit("2026-03-15 09:00")
    history.ticket(REPORTED, event("03-15 09:10", "note"))
    history.commit("2026-03-15 09:20")
    assert kinds(history.audit_json()) == ["event-removed"]
    assert history.audit_json(f"{first}..HEAD") == []


def test_outside_git_the_commands_say_so(records, tmp_path):
    result = run("audit", "--records", str(records.root))
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.output


# --- diff ------------------------------------------------------------------------------------

def day_of_work(history: History) -> tuple[str, str]:
    """The morning's records, then what a day of work adds, committed at 18:00."""
    history.ticket(REPORTED)
    history.records.inspection("INS-1", findings=())
    morning = history.commit("2026-03-14 09:20", "morning")
    history.ticket(REPORTED, event("10:30", "responded", by="eng-zhang"),
                   event("12:30", "resolved", by="eng-zhang", parts="[{part: BOLT-M8, qty: 2}]", cost=0),
                   event("11:55", "arrived", by="eng-zhang", logged="2026-03-14T15:05:00+08:00"))
    history.records.ticket("T-2", event("14:00", "reported", by="cs-li"), summary="抽屉卡住", priority="normal")
    history.records.inspection("INS-1", findings=("{id: F1, asset: CHAIR-1, problem: 靠背回弹不足, owner: eng-zhang, "
                                                  "due: 2026-03-20}",))
    history.records.part("BOLT-M8", "{date: 2026-01-05, in: 200}", "{date: 2026-03-14, in: 50, note: 补货}")
    history.records.asset("DESK-9", name="办公桌", category="desk", area="office")
    evening = history.commit("2026-03-14 18:00", "a day of work")
    return morning, evening


def test_diff_of_a_day_of_work_in_text(history, golden):
    day_of_work(history)
    result = history.diff()
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    golden(GOLDEN / "diff-day.txt", result.stdout)


def test_diff_of_a_day_of_work_in_json(history, golden):
    morning, evening = day_of_work(history)
    result = history.diff(f"{morning}..{evening}", "--format", "json")
    assert result.exit_code == 0, result.output
    value = json.loads(result.stdout)
    assert [t["id"] for t in value["tickets_opened"]] == ["T-2"]
    assert [(e["ticket"], e["type"], e["late"]) for e in value["events_added"]] == [
        ("T-1", "responded", None), ("T-1", "arrived", 3 * 3600 + 10 * 60), ("T-1", "resolved", None),
        ("T-2", "reported", None)]
    # T-1 response: responded 10:30 (1h 18m of 2h): met, where the morning's file runs breached at 18:00;
    # T-2 (normal, 4h from 14:00) has used all its time at 18:00: at risk
    assert [(c["ticket"], c["target"], c["cycle"], c["before"], c["after"]) for c in value["sla_changes"]] == [
        ("T-1", "response", 1, "breached", "met"), ("T-2", "response", 1, None, "at-risk")]
    assert value["findings"] == []
    golden(GOLDEN / "diff-day.json", result.stdout)


def test_diff_markdown_for_a_review_comment(history):
    day_of_work(history)
    result = history.diff("HEAD~1..HEAD", "--format", "markdown")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("### Changes from ")
    assert "**Tickets opened (1)**" in lines
    assert "- T-1 arrived 2026-03-14 11:55 by eng-zhang (late entry: logged 3h 10m later)" in lines


def test_diff_lists_the_findings_of_the_range(history):
    history.ticket(REPORTED, RESPONDED)
    history.commit("2026-03-14 09:45")
    history.ticket(REPORTED)
    history.commit("2026-03-15 09:00")
    value = json.loads(history.diff("--format", "json").stdout)
    assert [f["kind"] for f in value["findings"]] == ["event-removed"]
    assert [(c["ticket"], c["before"], c["after"]) for c in value["sla_changes"]] == [("T-1", "met", "breached")]


def test_diff_staged_and_worktree(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    history.ticket(REPORTED, RESPONDED)
    history.records.ticket("T-2", event("14:00", "reported"))
    worktree = json.loads(history.diff("--worktree", "--format", "json").stdout)
    assert [(e["ticket"], e["type"]) for e in worktree["events_added"]] == [("T-1", "responded"), ("T-2", "reported")]
    staged = json.loads(history.diff("--staged", "--format", "json").stdout)
    assert staged["events_added"] == []
    git(history.top, "add", "records/tickets/2026/T-1.yaml")
    staged = json.loads(history.diff("--staged", "--format", "json").stdout)
    assert [(e["ticket"], e["type"]) for e in staged["events_added"]] == [("T-1", "responded")]


def test_diff_staged_shows_a_rewrite_before_it_is_committed(history):
    history.ticket(REPORTED, RESPONDED)
    history.commit("2026-03-14 09:45")
    history.ticket(REPORTED)
    git(history.top, "add", "-A")
    result = history.diff("--staged")
    assert result.exit_code == 0, result.output
    assert "Audit findings (1)" in result.stdout
    assert "uncommitted event-removed T-1" in result.stdout


def test_diff_refuses_options_that_clash(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    result = history.diff("--staged", "--worktree")
    assert result.exit_code == 2
    assert "use one" in result.output
    result = history.diff("nosuchbranch..HEAD")
    assert result.exit_code == 2
    assert "no commit 'nosuchbranch'" in result.output


# --- the quick look at appended lines (store.appends) ------------------------------------------

def test_the_quick_look_reads_only_inserted_event_lines():
    from aftersales.store import appends
    head = b"id: T-1\nkind: repair\nevents:\n  - {at: 2026-03-14T09:12:00+08:00, type: reported}\n"
    line = b"  - {at: 2026-03-14T09:40:00+08:00, type: responded, logged: 2026-03-14T10:00:00+08:00}\n"
    [(at, logged)] = appends.inserted(head, head + line)
    assert (at.isoformat(), logged.isoformat()) == ("2026-03-14T09:40:00+08:00", "2026-03-14T10:00:00+08:00")
    tail = b"area: lobby\n"
    assert len(appends.inserted(head + tail, head + line + tail)) == 1    # inserted before a later key
    assert appends.inserted(head, head.replace(b"09:12", b"08:12") + line) is None   # something else changed
    assert appends.inserted(head, head + b"  - at: 2026-03-14T09:40:00+08:00\n    type: responded\n") is None
    assert appends.inserted(head + tail, head + tail + b"priority: normal\n") is None
    assert len(appends.listed(head + line + tail)) == 2
    assert appends.listed(b"id: T-1\nevents:\n  - at: 2026-03-14T09:12:00+08:00\n    type: reported\n") is None


def test_diff_says_a_changed_event_once_as_a_finding_not_as_an_event_logged(history):
    history.ticket(REPORTED, event("11:40", "responded"))
    history.commit("2026-03-14 11:45")
    history.ticket(REPORTED, event("10:46", "responded"), event("12:00", "note"))
    history.commit("2026-03-15 09:00")
    value = json.loads(history.diff("--format", "json").stdout)
    assert [(e["ticket"], e["type"]) for e in value["events_added"]] == [("T-1", "note")]
    assert [f["kind"] for f in value["findings"]] == ["event-changed"]


def test_diff_of_the_first_commit_compares_with_an_empty_folder(history):
    history.ticket(REPORTED)
    history.commit("2026-03-14 09:20")
    result = history.diff()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Changes from 4b825dc642 to ")
    # 80 columns: the Chinese characters take two each
    i = lines.index("  T-1 repair: 扶手松动, asset 报告厅剧院椅 (CHAIR-1), area 门厅, priority")
    assert lines[i + 1] == "    critical"
    assert "Audit findings" not in result.stdout


def test_diff_of_a_settings_change_counts_the_closed_cycles_it_turns(history):
    history.ticket(REPORTED, event("10:30", "responded"))   # 1h 18m: met under 2h, breached under 1h
    history.commit("2026-03-14 10:35")
    history.records.settings(targets=TIGHTER)
    history.commit("2026-03-20 09:00")
    lines = history.diff().stdout.splitlines()
    assert lines[lines.index("Settings"):lines.index("Settings") + 3] == [
        "Settings", "  changed: targets", "  turns 1 closed response cycle met → breached"]
    assert "  T-1 response #1: met → breached" in lines


def test_diff_of_an_asset_moved_to_another_area_recomputes_its_tickets(history):
    history.ticket(REPORTED, event("12:00", "responded"))   # 2h 48m: breached in the lobby (2h), met in an office (4h)
    history.commit("2026-03-14 12:05")
    history.records.asset(area="office")
    history.commit("2026-03-14 13:00")
    value = json.loads(history.diff("--format", "json").stdout)
    assert value["assets_changed"] == [{"id": "CHAIR-1", "changes": [{"field": "area", "before": "lobby",
                                                                       "after": "office"}]}]
    assert [(c["ticket"], c["before"], c["after"]) for c in value["sla_changes"]] == [("T-1", "breached", "met")]
