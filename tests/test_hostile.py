"""Hostile files: each gives one clear, located problem; never a traceback, never a hang."""

from __future__ import annotations

import re
import shutil
from itertools import pairwise

import pytest
from conftest import TICKET, Records, asset_yaml, expect, problems, ticket
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.store import yamlio

T = TICKET  # tickets/2026/T-1.yaml
GOOD = ticket().encode("utf-8")


def only_problem(records: Records) -> tuple[int, str, str]:
    """Run validate, expecting exactly one problem, in the ticket: its line, code and message."""
    result = records.run()
    found = problems(result)
    assert len(found) == 1, result.output
    match = re.fullmatch(rf"{T}:(\d+):\d+: (?:error|warning)\[([\w.-]+)\]: (.*)", found[0])
    assert match, found[0]
    return int(match[1]), match[2], match[3]


def test_invalid_yaml(records):
    records.write_bytes(T, b"id: T-1\nkind: [repair\nsummary: x\n")
    expect(records.run(),
           f"{T}:3:8: error[yaml-syntax]: invalid YAML: did not find expected ',' or ']'")


def test_bytes_that_are_not_utf8(records):
    records.write_bytes(T, GOOD.replace("扶手松动".encode(), "扶手松动".encode("gbk")))
    expect(records.run(), f"{T}:4:10: error[encoding]: not UTF-8 text (byte 0xb7 at offset 45); "
                          "save the file as UTF-8")


def test_a_byte_order_mark_is_a_warning_and_the_record_loads(records):
    records.write_bytes(T, b"\xef\xbb\xbf" + GOOD)
    result = records.run()
    expect(result, f"{T}:1:1: warning[byte-order-mark]: the file starts with a byte-order mark; "
                   "save it as UTF-8 without BOM", code=0)
    assert "1 ticket," in result.output


def test_crlf_line_endings_are_fine(records):
    records.write_bytes(T, GOOD.replace(b"\n", b"\r\n"))
    result = records.run()
    expect(result, code=0)
    assert "1 ticket," in result.output


def test_crlf_line_endings_keep_lines_and_columns(records):
    records.write_bytes(T, ticket(extra="severity: urgnt\n").encode().replace(b"\n", b"\r\n"))
    expect(records.run(), f"{T}:7:11: error[value]: severity: 'urgnt' is not one of emergency, urgent, "
                          "normal (did you mean 'urgent'?)")


@pytest.mark.parametrize("data", [b"", b"\n\n", b"# only a comment\n"])
def test_an_empty_file(records, data):
    records.write_bytes(T, data)
    expect(records.run(), f"{T}:1:1: error[empty-file]: the file is empty")


def test_a_list_where_a_mapping_belongs(records):
    records.write_bytes(T, b"- id: T-1\n- kind: repair\n")
    expect(records.run(), f"{T}:1:1: error[type]: the file must hold a ticket as a mapping of keys to "
                          "values, not a list")


def test_a_10_mb_file_is_refused_before_it_is_parsed(records, monkeypatch):
    records.write_bytes(T, GOOD + b"# " + b"x" * (10 * 1024 * 1024) + b"\n")
    real = yamlio.FastLoader
    parsed = []

    def loader(text):
        parsed.append(len(text))
        return real(text)

    monkeypatch.setattr(yamlio, "FastLoader", loader)
    expect(records.run(), f"{T}:1:1: error[too-large]: the file is 10.0 MB; a record file is at most 1 MB")
    assert all(size < 1024 * 1024 for size in parsed)  # the big file never reached the YAML parser


def test_an_alias_bomb(records):
    lol = "a: &a [" + ", ".join(["lol"] * 9) + "]\n"
    levels = "".join(f"{b}: &{b} [" + ", ".join([f"*{a}"] * 9) + "]\n" for a, b in pairwise("abcdefghi"))
    records.write(T, lol + levels)  # 9 levels: 9**9 strings once expanded, which would never finish
    line, code, message = only_problem(records)
    assert (line, code) == (1, "too-large")
    assert message == ("more than 100,000 values once aliases are expanded (an alias bomb?); records never "
                       "need that many")


def test_an_alias_bomb_of_mappings_of_text(records):
    """Keys and values that are text are built inline, and still counted: a bomb of mappings of
    text is refused as one of lists is."""
    lol = "a: &a {" + ", ".join(f"k{i}: lol" for i in range(9)) + "}\n"
    levels = "".join(f"{b}: &{b} {{" + ", ".join(f"k{i}: *{a}" for i in range(9)) + "}\n"
                     for a, b in pairwise("abcdefghi"))
    records.write(T, lol + levels)
    line, code, message = only_problem(records)
    assert (line, code) == (1, "too-large")
    assert message == ("more than 100,000 values once aliases are expanded (an alias bomb?); records never "
                       "need that many")


@pytest.mark.parametrize("text", ["a: &a [1, *a]\n", "&a [*a]\n", "a: &a {b: *a}\n"])
def test_a_self_referencing_alias(records, text):
    records.write(T, text)
    assert only_problem(records)[:2] == (1, "yaml-syntax")


def test_a_symlink_outside_the_records_is_not_read(records):
    outside = records.root.parent / "outside.yaml"
    outside.write_bytes(GOOD)
    (records.root / "tickets/2026").mkdir()
    (records.root / T).symlink_to(outside)
    result = records.run()
    expect(result, f"{T}:1:1: error[symlink-outside]: a link to {outside}, outside the records folder; "
                   "it was not read")
    assert "0 tickets" in result.output


def test_a_year_folder_linked_outside_is_not_read(records):
    outside = records.root.parent / "elsewhere"
    outside.mkdir()
    (outside / "T-1.yaml").write_bytes(GOOD)
    (records.root / "tickets/2026").symlink_to(outside)
    result = records.run()
    expect(result, f"tickets/2026:1:1: error[symlink-outside]: a link to {outside}, outside the records "
                   "folder; it was not read")
    assert "0 tickets" in result.output


def test_a_record_folder_linked_outside_is_not_read(records):
    outside = records.root.parent / "secret"
    outside.mkdir()
    (outside / "CHAIR-2.yaml").write_text(asset_yaml("CHAIR-2"), encoding="utf-8")
    shutil.rmtree(records.root / "assets")
    (records.root / "assets").symlink_to(outside)
    result = records.run()
    assert result.exit_code == 1
    assert "error[symlink-outside]" in result.output
    assert "0 assets" in result.output


def test_a_symlink_inside_the_records_is_read(records):
    records.write_bytes("shared/T-1.yaml", GOOD)
    (records.root / "tickets/2026").mkdir()
    (records.root / T).symlink_to(records.root / "shared/T-1.yaml")
    result = records.run()
    expect(result, code=0)
    assert "1 ticket," in result.output


def test_a_dangling_symlink(records):
    (records.root / "tickets/2026").mkdir()
    (records.root / T).symlink_to(records.root / "nowhere.yaml")
    expect(records.run(), f"{T}:1:1: error[unreadable]: cannot read the file: No such file or directory")


def test_stray_files_are_warnings(records):
    records.write_bytes(T, GOOD)
    records.write_bytes(T + ".orig", GOOD)
    records.write_bytes("tickets/2026/.T-1.yaml.swp", b"b0VIM 8.2\x00\x00")
    records.write_bytes("assets/notes.txt", "备忘".encode())
    records.write_bytes("parts/x.yml", b"id: x\n")
    records.write_bytes("parts/.gitkeep", b"")
    result = records.run()
    why = "warning[stray-file]: not a record file (records end in .yaml)"
    expect(result,
           f"assets/notes.txt:1:1: {why}: remove it or move it out of the records",
           f"parts/x.yml:1:1: {why}: rename it to .yaml",
           f"tickets/2026/.T-1.yaml.swp:1:1: {why}: remove it or move it out of the records",
           f"tickets/2026/T-1.yaml.orig:1:1: {why}: remove it or move it out of the records",
           code=0)
    assert "1 ticket," in result.output


def test_nul_bytes(records):
    records.write_bytes(T, b"\x00\x01\x02binary\x00")
    expect(records.run(), f"{T}:1:1: error[encoding]: the file contains NUL characters: it is not text")


@pytest.mark.parametrize("data", [b"[" * 2000 + b"]" * 2000, b"{a: " * 2000 + b"}" * 2000],
                         ids=["lists", "mappings"])
def test_deep_nesting(records, data):
    records.write_bytes(T, data)
    assert only_problem(records)[0] == 1


def test_nesting_records_can_need(records):
    records.write_bytes(T, b"[" * 50 + b"]" * 50)
    assert only_problem(records)[:2] == (1, "type")


@pytest.mark.parametrize("value", ["!!timestamp soon", "!!bool maybe", "!!int ''", "!!int +", "!!float ''"])
def test_an_explicit_tag_on_a_bad_value(records, value):
    records.write(T, ticket(extra=f"location: {value}\n"))
    assert only_problem(records)[:2] == (7, "yaml-syntax")


def test_an_explicit_tag_on_a_good_value(records):
    records.write(T, ticket(extra="location: !!str 1:30\n"))
    expect(records.run(), code=0)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=500), st.text(max_size=300).map(str.encode)))
def test_arbitrary_bytes_never_crash(records, data):
    records.write_bytes(T, data)
    result = records.run()  # run() itself fails on any exception other than SystemExit
    assert result.exit_code in (0, 1)
    assert re.match(r"(ok: |\d+ errors?, \d+ warnings? in )", result.output.splitlines()[-1])


PLAIN_WORDS = ["yes", "No", "on", "~", "null", "", "true", "0o17", "017", "0x1F", "1_000", "1:30", "190:20:30",
               "3.5", ".inf", "-.NaN", "1e3", "2026-03-12", "2026-03-12 09:00:00+08:00", "2026-03-12T09:00Z",
               "resolved", "T-20260312-AB12CD", "<<", "=", "+1", "-0", "2026-03-12T09:00:00+08:00",
               "2026-03-12T09:00:00Z", "2026-03-12T09:00:00-00:00", "2026-03-12T23:59:59-09:30",
               "2026-03-12T09:00:00.5+08:00", "2026-03-12 09:00:00 +8", "2026-3-12T9:00:00Z",
               "2026-02-30T09:00:00+08:00", "2026-03-12T24:00:00+08:00", "2026-03-12T09:00:00+24:00",
               "2026-03-12 09:00:00.123456789 +08:00", "a summary far longer than the words kept", "yes" * 12]


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.one_of(st.sampled_from(PLAIN_WORDS), st.from_regex(r"[-+.0-9:_a-zA-Z ~]{0,12}",
                                                                              fullmatch=True)),
                      min_size=1, max_size=12),
       kept=st.integers(min_value=1, max_value=30))
def test_plain_scalar_tags_are_pyyamls_however_many_are_kept(words, kept):
    """The loader keeps the tag of each plain text it has seen (a bounded number of them), and
    reads an instant written as the tools write it itself: every value, plain or quoted, is the
    one PyYAML's own safe loader gives (or an error where it gives one), whatever was kept before."""
    import yaml
    yamlio._PLAIN_TAGS.clear()
    saved = yamlio._PLAIN_TAGS_KEPT
    yamlio._PLAIN_TAGS_KEPT = kept
    try:
        for quoted in (False, True, False):
            text = "".join(f"k{n}: {repr(w) if quoted else w}\n" for n, w in enumerate(words))
            try:
                expected = yaml.load(text, Loader=yaml.SafeLoader)   # PyYAML alone, in Python
            except yaml.YAMLError:
                continue
            except (ValueError, OverflowError):   # a value out of range: refused by both
                with pytest.raises((ValueError, OverflowError)):
                    yaml.load(text, Loader=yamlio.FastLoader)
                with pytest.raises(yamlio.YamlProblem):
                    yamlio.parse(text.encode())
                continue
            assert repr(yaml.load(text, Loader=yamlio.FastLoader)) == repr(expected)   # repr: nan == nan
            assert len(yamlio._PLAIN_TAGS) <= kept
            assert all(len(text) <= yamlio._PLAIN_TAG_LENGTH for text in yamlio._PLAIN_TAGS)   # short ones only
            value, _ = yamlio.parse(text.encode())
            read = {k: v.value if isinstance(v, yamlio.Quirky) else v for k, v in value.items()}
            assert repr(read) == repr(expected)
            assert [type(v) for v in read.values()] == [type(v) for v in expected.values()]
    finally:
        yamlio._PLAIN_TAGS_KEPT = saved


@pytest.mark.parametrize(("at", "why"), [
    ("2026-02-30T09:00:00+08:00", "day is out of range for month"),
    ("2026-03-12T24:00:00+08:00", "hour must be in 0..23"),
    ("2026-03-12T09:00:00+24:00", "offset must be a timedelta strictly between -timedelta(hours=24) and "
                                  "timedelta(hours=24), not datetime.timedelta(days=1)."),
])
def test_an_event_instant_out_of_range_is_a_located_error_and_the_file_is_kept(records, at, why):
    """An instant as the tools write it is read by `fromisoformat`; one out of range is reported
    where it stands, with PyYAML's reason, and the file is left as it was."""
    text = ticket(f"{{at: {at}, type: responded, by: cs-li}}")
    records.write(T, text)
    expect(records.run(), f"{T}:6:10: error[yaml-syntax]: cannot read '{at}': '{why}'")
    assert (records.root / T).read_text(encoding="utf-8") == text
