"""YAML text (book.yaml, front matter) -> plain values, safely: bounded size and depth, no anchors or aliases,
no key given twice, dates kept as the text written; and the line of every key and list item.

PyYAML's SafeLoader builds no objects but still expands aliases (a "billion laughs" alias bomb takes minutes
and gigabytes), recurses once per level of nesting (RecursionError on a recursive alias or deep brackets),
lets the last of two equal keys win without a word, and turns 2024-13-45 into a ValueError. A book's
metadata needs none of that: aliases and anchors are refused, nesting is bounded, a repeated key is an error
naming both lines, and dates stay text for the caller to check.
"""

from __future__ import annotations

from typing import Any

import yaml

#: The largest YAML text read (characters): book.yaml is a page of metadata, front matter a few lines.
MAX_YAML_CHARS = 1_000_000
#: The deepest nesting of mappings and lists (book.yaml's own schema needs three levels).
MAX_YAML_DEPTH = 20


class YamlProblem(Exception):
    """YAML that cannot be read, or that uses what a book's metadata may not, on `line` of its file."""

    def __init__(self, message: str, line: int | None, syntax: bool = False, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.syntax = syntax
        """Whether it is a syntax error (then `message` is PyYAML's own words)."""
        self.column = column


class _Loader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no type hints
    """SafeLoader without anchors, aliases, repeated keys or timestamps, and with a bounded depth."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str, first_line: int):
        super().__init__(stream)
        self.depth = 0
        self.offset = first_line

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise YamlProblem(f"YAML anchors and aliases ({mark}{event.anchor}) are not allowed in a book's "
                              "metadata; write the value out in full", event.start_mark.line + self.offset)
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise YamlProblem(f"nested more than {MAX_YAML_DEPTH} levels deep; a book's metadata needs "
                                  "only a few", event.start_mark.line + self.offset)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + self.offset
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: PyYAML's own error says so
                break
            if first is not None:
                where = f"on lines {first} and {line}" if first != line else f"twice on line {line}"
                raise YamlProblem(f"'{key}' is given twice, {where.removeprefix('twice ')}: keep one", line)
            seen[key] = line
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def load_yaml(text: str, first_line: int = 1) -> tuple[Any, dict[str, int]]:
    """Parse `text`, which starts on line `first_line` of its file (lines in messages are the file's); return
    the value and the line of every key ('print.trim' for nested ones) and list item
    ('chapters[0]'); raise YamlProblem."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlProblem(f"is {len(text):,} characters long, more than the {MAX_YAML_CHARS:,} metadata may "
                          "take; keep only the book's metadata here", 1)
    loader = _Loader(text, first_line)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlProblem(problem, mark.line + first_line if mark else None, syntax=True,
                          column=mark.column + 1 if mark else None) from None
    except RecursionError:  # not reached within MAX_YAML_DEPTH; a last guard all the same
        raise YamlProblem(f"nested more than {MAX_YAML_DEPTH} levels deep; a book's metadata needs only a few",
                          first_line) from None
    finally:
        loader.dispose()
    return data, _lines(node, first_line)


def _lines(node: yaml.Node | None, first_line: int, prefix: str = "") -> dict[str, int]:
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = f"{prefix}{key.value}"
            lines[name] = key.start_mark.line + first_line
            lines.update(_lines(value, first_line, name + "."))
    elif isinstance(node, yaml.SequenceNode):
        base = prefix.removesuffix(".")
        for index, item in enumerate(node.value):
            lines[f"{base}[{index}]"] = item.start_mark.line + first_line
            lines.update(_lines(item, first_line, f"{base}[{index}]."))  # 'fonts.fallbacks[1].italic'
    return lines
