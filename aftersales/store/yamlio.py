"""Reading one YAML file into plain values that remember where they stood.

PyYAML composes the node graph (with the libyaml C parser when present); this
module turns nodes into values itself so that it can see what PyYAML would
hide: duplicate keys, scalars that YAML 1.1 silently turns into booleans,
octal or sexagesimal numbers, and alias expansion that grows without bound.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from aftersales.core.problems import quoted

# The C parser (libyaml) is several times faster; the pure-Python one gives the same nodes.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 100  # records nest a few levels; far deeper is an attack or a mistake

_STR = "tag:yaml.org,2002:str"
_BOOL_WORDS = re.compile(r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# (hours 00-23 only: Python 3.14's fromisoformat reads 24:00:00 as the next midnight, PyYAML refuses it)
_INSTANT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-9]{2}:[0-9]{2}(?:[+-][0-9]{2}:[0-9]{2}|Z)$")
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_KEPT = 20_000
_PLAIN_TAG_LENGTH = 32   # keys and words: an id, a summary or a note is looked up each time, not kept


class FastLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, with the tag of a short plain scalar looked up once per text: the parser
    asks for every scalar, and the same keys and words recur in every file (PyYAML's resolver
    tries its patterns each time). The tag of a plain scalar depends on its text alone (no path
    resolvers), and a quoted one is text."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        if not implicit[0]:
            return _STR
        tag = _PLAIN_TAGS.get(value)
        if tag is None:
            if _INSTANT.match(value):   # an event's `at`: no other pattern matches one; not kept (each is new)
                return _TIMESTAMP
            tag = super().resolve(kind, value, implicit)
            if len(value) <= _PLAIN_TAG_LENGTH:
                if len(_PLAIN_TAGS) >= _PLAIN_TAGS_KEPT:
                    _PLAIN_TAGS.clear()
                _PLAIN_TAGS[value] = tag
        return tag

    # PyYAML's composer tells the resolver of every node it enters and leaves, for the path
    # resolvers of `add_path_resolver`; this loader has none (its tags depend on the text alone),
    # so there is nothing to track: a call that returns at once instead of one that looks first
    # (3-4 % of reading, checking and building a ticket).
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


class Mark(NamedTuple):
    """A 1-based line and column in a file (a tuple: cheap to build, compare and cache)."""

    line: int
    column: int


class Map(dict):
    """A mapping read from YAML, with the position of itself and of each key."""

    mark: Mark
    key_marks: dict[Any, Mark]
    value_marks: dict[Any, Mark]


class Seq(list):
    """A sequence read from YAML, with the position of itself and of each item."""

    mark: Mark
    item_marks: list[Mark]


class YamlProblem(Exception):
    """A file that cannot be read as YAML records: one located problem."""

    def __init__(self, mark: Mark, code: str, message: str):
        super().__init__(message)
        self.mark = mark
        self.code = code
        self.message = message


def _mark(node: yaml.Node) -> Mark:
    start = node.start_mark   # a Mark per value of every file read: made as NamedTuple._make makes it
    return tuple.__new__(Mark, (start.line + 1, start.column + 1))


class _Builder:
    """Turns a composed node graph into Map / Seq / scalar values."""

    def __init__(self) -> None:
        self.constructor = SafeConstructor()
        self.nodes = 0
        self.active: set[int] = set()
        self.warnings: list[tuple[Mark, str, str]] = []  # mark, code, message

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise YamlProblem(_mark(node), "too-large", f"values nested more than {MAX_DEPTH} levels deep")
        if self.nodes > MAX_NODES:
            raise YamlProblem(
                _mark(node), "too-large",
                f"more than {MAX_NODES:,} values once aliases are expanded "
                "(an alias bomb?); records never need that many",
            )
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.active:
            raise YamlProblem(_mark(node), "yaml-syntax", "an alias refers to a value that contains it")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self.sequence(node, depth)
            return self.mapping(node, depth)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _STR:  # most values: text as written, nothing YAML 1.1 could change
            return node.value
        if node.tag == _TIMESTAMP and _INSTANT.match(node.value):   # an event's `at`, as the tools write it
            try:
                return dt.datetime.fromisoformat(node.value)   # what PyYAML makes of it, many times as fast
            except ValueError:   # out of range: reported below, as PyYAML's reading of it reports it
                pass
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError, OverflowError, AttributeError, KeyError, IndexError,
                TypeError) as exc:  # PyYAML raises all of these for explicit tags on bad values
            raise YamlProblem(_mark(node), "yaml-syntax",
                              f"cannot read {quoted(node.value)}: {quoted(str(exc), 200)}") from None
        if not node.style:  # plain scalars only (None or ''): quoted text is what it says
            became = self.quirk(node.value, value)
            if became:
                return Quirky(node.value, value, became)
        return value

    @staticmethod
    def quirk(text: str, value: Any) -> str | None:
        if isinstance(value, bool) and _BOOL_WORDS.match(text):
            return f"the boolean {str(value).lower()}"
        if isinstance(value, int) and not isinstance(value, bool):
            if _OCTAL.match(text):
                return f"the octal number {value}"
            if _SEXAGESIMAL.match(text):
                return f"the number {value} (base 60)"
        if isinstance(value, float) and _SEXAGESIMAL.match(text):
            return f"the number {value} (base 60)"
        return None

    def sequence(self, node: yaml.SequenceNode, depth: int) -> Seq:
        seq = Seq(self.build(item, depth + 1) for item in node.value)
        seq.mark = _mark(node)
        seq.item_marks = [_mark(item) for item in node.value]
        return seq

    def mapping(self, node: yaml.MappingNode, depth: int) -> Map:
        result = Map()
        result.mark = _mark(node)
        key_marks: dict[Any, Mark] = {}
        value_marks: dict[Any, Mark] = {}
        result.key_marks, result.value_marks = key_marks, value_marks
        scalar, shallow, new = yaml.ScalarNode, depth < MAX_DEPTH, tuple.__new__
        for key_node, value_node in node.value:
            # Most keys and values are text (`build` of one, without its checks when it cannot fail).
            if shallow and key_node.tag == _STR and key_node.__class__ is scalar and self.nodes < MAX_NODES:
                self.nodes += 1
                key = key_node.value
            else:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlProblem(_mark(key_node), "yaml-syntax", "merge keys (<<) are not used in records")
                key = self.build(key_node, depth + 1)
                if isinstance(key, Quirky):
                    key = key.text
                if isinstance(key, (Map, Seq)):
                    raise YamlProblem(_mark(key_node), "yaml-syntax",
                                      "a key must be a plain word, not a list or mapping")
            if key in result:
                first = key_marks[key]
                raise YamlProblem(
                    _mark(key_node), "duplicate-key",
                    f"key {quoted(key)} appears twice in one mapping (first on line {first.line}); "
                    "YAML would silently keep only the last one",
                )
            if shallow and value_node.tag == _STR and value_node.__class__ is scalar and self.nodes < MAX_NODES:
                self.nodes += 1
                result[key] = value_node.value
            else:
                result[key] = self.build(value_node, depth + 1)
            # (`_mark` of each, written out: two marks for every key of every file read)
            start = key_node.start_mark
            key_marks[key] = new(Mark, (start.line + 1, start.column + 1))
            start = value_node.start_mark
            value_marks[key] = new(Mark, (start.line + 1, start.column + 1))
        return result


@dataclass(frozen=True)
class Quirky:
    """A plain scalar that YAML 1.1 changed: keeps both what was written and what it became."""

    text: str
    value: Any
    became: str


def decode(data: bytes) -> tuple[str, list[tuple[Mark, str, str, str]]]:
    """Bytes to text: strict UTF-8; a byte-order mark is dropped with a warning."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(
            Mark(line, column), "encoding",
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8",
        ) from None
    notes = []
    if text.startswith("\ufeff"):
        text = text[1:]
        notes.append((Mark(1, 1), "warning", "byte-order-mark",
                      "the file starts with a byte-order mark; save it as UTF-8 without BOM"))
    return text, notes


def parse(data: bytes) -> tuple[Any, list[tuple[Mark, str, str, str]]]:
    """Parse a record file's bytes; raise YamlProblem for a file that gives no value."""
    if len(data) > MAX_FILE_BYTES:
        raise YamlProblem(
            Mark(1, 1), "too-large",
            f"the file is {len(data) / 1024 / 1024:.1f} MB; a record file is at most "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB",
        )
    text, notes = decode(data)
    if "\x00" in text:
        raise YamlProblem(Mark(1, 1), "encoding", "the file contains NUL characters: it is not text")
    try:
        loader = FastLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
        raise YamlProblem(where, "yaml-syntax", f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Mark(1, 1), "yaml-syntax", f"invalid YAML: {exc}") from None
    except RecursionError:  # the pure-Python parser recurses per nesting level
        raise YamlProblem(Mark(1, 1), "too-large", "values nested too deeply to read") from None
    if node is None:
        raise YamlProblem(Mark(1, 1), "empty-file", "the file is empty")
    return _Builder().build(node), notes
