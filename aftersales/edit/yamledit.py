"""Editing a YAML record file in place: every byte the edit does not touch stays as it was.

Writers add an item to a block list, a key to a mapping or a one-line value,
so the git diff of a change is the lines it added. The pure-Python composer is
used on purpose: its marks count characters, so they index the text even on
lines holding Chinese.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import yaml

from aftersales.core.errors import Refused


@dataclass(frozen=True)
class Edit:
    """The new text of a file and the (1-based) lines the edit wrote."""

    text: str
    lines: range


def blank_or_comment(line: str) -> bool:
    """A line that belongs to no value: the end of a block item is found before such lines."""
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


class YamlDoc:
    """One record file's text and its YAML node tree, for edits that keep every other byte."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:  # pragma: no cover - writers check the file just before
            raise Refused(f"the file is not valid YAML: {exc}") from None
        if not isinstance(root, yaml.MappingNode):  # pragma: no cover - idem
            raise Refused("the file does not hold a mapping")
        self.root = root

    # -- locating

    def entry(self, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        return next(((k, v) for k, v in self.root.value if getattr(k, "value", None) == key), None)

    def end(self, node: yaml.Node) -> int:
        """Index (0-based) of the line after the node's last line of content."""
        end = node.end_mark
        # a block node ends where the next token starts: often the indented `-` of the next item
        at_line_start = end.line >= len(self.lines) or not self.lines[end.line][:end.column].strip()
        after = end.line if at_line_start else end.line + 1
        while after > node.start_mark.line + 1 and blank_or_comment(self.lines[after - 1]):
            after -= 1
        return after

    def before_key(self, later: Sequence[str]) -> int:
        """Where a missing top-level key goes: before the first of `later` present (and the
        comment lines right above it), else at the end."""
        for key in later:
            found = self.entry(key)
            if found is not None:
                line = found[0].start_mark.line
                while line > 0 and self.lines[line - 1].strip().startswith("#"):
                    line -= 1
                return line
        return len(self.lines)

    # -- building the result

    def insert(self, at: int, new: Sequence[str]) -> Edit:
        lines = list(self.lines)
        if at >= len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += self.newline
        lines[at:at] = [line + self.newline for line in new]
        return Edit("".join(lines), range(at + 1, at + 1 + len(new)))

    def replace_lines(self, first: int, after: int, new: Sequence[str]) -> Edit:
        lines = list(self.lines)
        lines[first:after] = [line + self.newline for line in new]
        return Edit("".join(lines), range(first + 1, first + 1 + len(new)))

    # -- block lists (findings, checks)

    def append_item(self, key: str, block: Callable[[str], list[str]], later: Sequence[str]) -> Edit:
        """Add one item to the top-level block list `key`; `block(prefix)` gives its lines."""
        found = self.entry(key)
        if found is None:
            at = self.before_key(later)
            return self.insert(at, [f"{key}:", *block("  - ")])
        key_node, node = found
        empty = (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")) or (
            isinstance(node, yaml.SequenceNode) and node.flow_style and not node.value)
        if empty:
            line = key_node.start_mark.line
            if node.end_mark.line != line:  # pragma: no cover - an odd layout
                raise Refused(f"refused, nothing was written: write `{key}:` on one line to add to it")
            return self.replace_lines(line, line + 1, [f"{key}:", *block("  - ")])
        if not isinstance(node, yaml.SequenceNode):  # pragma: no cover - the file was checked
            raise Refused(f"refused, nothing was written: `{key}` is not a list")
        if node.flow_style:
            raise Refused(f"refused, nothing was written: `{key}` is written as a [flow, list]; write one "
                          f"item per line (`  - ...`) so items can be added")
        first = node.value[0]
        item_line = self.lines[first.start_mark.line]
        dash = first.start_mark.column - 2
        prefix = item_line[:dash] + "- " if dash >= 0 and item_line[dash:dash + 2] == "- " else "  - "
        return self.insert(self.end(node.value[-1]), block(prefix))

    def replace_node(self, node: yaml.Node, text: str) -> Edit:
        """Put `text` where `node` stands; a node over several lines becomes one line."""
        start, end = node.start_mark, node.end_mark
        if start.line == end.line:
            return Edit(self.text[:start.index] + text + self.text[end.index:], range(start.line + 1, start.line + 2))
        head = self.lines[start.line][:start.column]
        return self.replace_lines(start.line, self.end(node), [head + text])

    def set_top(self, key: str, value: str, order: Sequence[str] = ()) -> Edit:
        """Give the top-level `key` a one-line value: in place of its null placeholder, or as a new
        line before the keys that follow it in `order`."""
        found = self.entry(key)
        if found is not None:  # only a null placeholder gets here (a value was refused before)
            line = found[0].start_mark.line
            return self.replace_lines(line, line + 1, [f"{key}: {value}"])
        later = order[order.index(key) + 1:] if key in order else ()
        return self.insert(self.before_key(later), [f"{key}: {value}"])
