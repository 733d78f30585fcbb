"""The fast JSON writer of `views.tables` writes exactly the text of
`json.dumps(value, ensure_ascii=False, indent=2)`: every JSON output and golden file depends on it."""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
from collections import OrderedDict
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.views.tables import json_list, json_pieces, json_rows, json_value, row_template, to_json


def dumps(value):
    return json.dumps(value, ensure_ascii=False, indent=2)


# text with what JSON must escape: quotes, backslashes, control characters, line separators,
# non-ASCII (Chinese, emoji, lone surrogates)
TEXT = st.text(alphabet=st.sampled_from('a"\\/\b\f\n\r\t\x00\x01\x1f\x7f é中文😀\u2028\u2029\ud800')) | st.text()
FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [-0.0, 0.0, 1e300, -1e300, 1e-300, 5e-324, 1e16, 0.1, math.nan, math.inf, -math.inf])
SCALARS = st.none() | st.booleans() | st.integers() | st.integers(-(2**200), 2**200) | FLOATS | TEXT
KEYS = TEXT | st.integers() | FLOATS | st.booleans() | st.none()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=500, deadline=None)
@given(VALUES)
def test_to_json_is_json_dumps_with_an_indent_of_two(value):
    assert to_json(value) == dumps(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(VALUES, max_size=6))
def test_json_rows_together_are_the_whole_list(rows):
    assert "".join(json_rows(iter(rows))) == dumps(rows) + "\n"


@settings(max_examples=300, deadline=None)
@given(VALUES, st.integers(0, 4))
def test_json_pieces_together_are_the_whole_document(value, depth):
    assert "".join(json_pieces(value, depth)) == dumps(value)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, VALUES, min_size=1, max_size=4), st.lists(st.dictionaries(TEXT, VALUES, max_size=4),
                                                                      max_size=4), st.integers(1, 3))
def test_a_list_given_as_its_rows_texts_is_written_in_its_place(document, rows, depth):
    """`json_pieces(..., written=...)` writes a top-level list from its rows' texts, each as
    `row_template(columns, "\n    ")` or `json_value(row, "\n    ")` writes it there."""
    key = next(iter(document))
    document[key] = rows
    texts = [row_template(list(row), "\n    ")(*[json_value(v, "\n      ") for v in row.values()]) if row
             else json_value(row, "\n    ") for row in rows]
    assert texts == [json_value(row, "\n    ") for row in rows]
    written = "".join(json_pieces({**document, key: ["unused"]}, depth, written={key: iter(texts)}))
    assert written == dumps(document)


def test_json_pieces_write_the_items_of_the_first_levels_apart():
    report = {"breaches": [{"ticket": "T-1", "events": [1, 2]}, {"ticket": "T-2", "events": []}], "n": 2}
    pieces = list(json_pieces(report))
    assert "".join(pieces) == dumps(report)
    assert '{\n      "ticket": "T-1",\n      "events": [\n        1,\n        2\n      ]\n    }' in pieces


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=5, unique=True).flatmap(
    lambda columns: st.tuples(st.just(columns), st.lists(st.lists(VALUES, min_size=len(columns),
                                                                     max_size=len(columns)), max_size=4))))
def test_rows_filled_into_a_template_of_their_columns_are_json_rows(columns_and_rows):
    # text, numbers, null, and now and then a list or a dict (written as `json_value` writes it)
    columns, rows = columns_and_rows
    expected = "".join(json_rows(dict(zip(columns, values, strict=True)) for values in rows))
    assert expected == dumps([dict(zip(columns, v, strict=True)) for v in rows]) + "\n"
    if columns:   # (a template needs a column)
        fill = row_template(columns)
        assert "".join(json_list(fill(*[json_value(v, "\n    ") for v in values]) for values in rows)) == expected


def test_a_row_template_keeps_braces_in_keys_and_values():
    columns, rows = ["{a}", "b}{", "{}"], [("{x}", 1, None), ("}", 2.5, True)]
    fill = row_template(columns)
    assert ("".join(json_list(fill(*[json_value(v, "\n    ") for v in values]) for values in rows))
            == dumps([dict(zip(columns, v, strict=True)) for v in rows]) + "\n")


def test_a_key_escaped_once_is_reused_only_for_the_same_key():
    # 1, 1.0 and True are equal (and hash alike) as dict keys, but json.dumps writes them apart
    rows = [{1: "a"}, {1.0: "b"}, {True: "c"}, {"1": "d"}, {"true": "e"}]
    assert "".join(json_rows(rows)) == dumps(rows) + "\n"
    assert to_json([{"k": 1}, {"k": 2}, {"k": {"k": [3]}}]) == dumps([{"k": 1}, {"k": 2}, {"k": {"k": [3]}}])


class Level(enum.IntEnum):
    LOW = 1


class Name(str):
    pass


class Ratio(float):
    pass


@pytest.mark.parametrize("value", [
    {"level": Level.LOW, Level.LOW: "low"},
    [Name('a "b"'), {Name("k"): Name("v")}],
    [Ratio(0.5), Ratio("nan"), {Ratio(2.0): 1}],
    OrderedDict([("b", 1), ("a", [])]),
    {"nested": OrderedDict([("x", (1, 2))]), "empty": {}, "none": [], "tuple": ()},
])
def test_subclasses_of_the_json_types_are_written_as_json_dumps_writes_them(value):
    assert to_json(value) == dumps(value)


@pytest.mark.parametrize("value", [{"when": object()}, [{1, 2}], {(1, 2): "tuple key"}])
def test_what_json_dumps_refuses_is_refused(value):
    with pytest.raises(TypeError):
        dumps(value)
    with pytest.raises(TypeError):
        to_json(value)


# --- the quarterly report's breaches, written straight from their rows -------------------------

ZONES = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "UTC", "America/New_York"])
INSTANTS = st.builds(lambda when, zone, fold: when.replace(tzinfo=ZoneInfo(zone), fold=fold),
                     st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
                     ZONES, st.integers(0, 1))
EVENTS = st.lists(st.fixed_dictionaries({
    "type": TEXT, "at": INSTANTS, "by": TEXT | st.none(), "until": INSTANTS | st.none(),
    "parts": st.lists(st.fixed_dictionaries({"part": TEXT, "qty": st.integers(1, 9) | st.floats(0.5, 9)}),
                      max_size=2)}), max_size=3)
BREACH_ROWS = st.lists(st.fixed_dictionaries({
    "ticket": TEXT, "cycle": st.integers(1, 9), "summary": TEXT, "reported": INSTANTS, "asset": TEXT | st.none(),
    "start": INSTANTS, "deadline": INSTANTS | st.none(), "stop": INSTANTS | st.none(),
    "over_seconds": st.integers(-10**6, 10**8) | st.none(), "still_open": st.booleans(),
    "cost": FLOATS | st.integers(), "events": EVENTS}), max_size=5)


@settings(max_examples=300, deadline=None)
@given(BREACH_ROWS, ZONES, st.integers(1, 3))
def test_the_breaches_are_written_straight_as_their_plain_form_is(rows, zone, kept):
    """`breach_json` writes each row as the report's plain form of it (`plain`: instants in the
    project's offset, over_seconds as over_minutes), however few texts it may keep."""
    from aftersales.views import quarterly, tables

    tz = ZoneInfo(zone)
    expected = "".join(json_pieces(quarterly.plain({"n": 1, "breaches": rows}, tz)))
    before = tables.TEXTS_KEPT
    tables.TEXTS_KEPT = kept   # (restored below: hypothesis runs many examples in one test)
    try:
        written = "".join(json_pieces(quarterly.plain({"n": 1, "breaches": []}, tz),
                                      written={"breaches": quarterly.breach_json(rows, tz)}))
    finally:
        tables.TEXTS_KEPT = before
    assert written == expected
