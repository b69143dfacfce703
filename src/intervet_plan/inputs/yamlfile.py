"""Reading YAML safely (data only, never code) with the line of every key and item, so that
a message can say where a value is."""

from __future__ import annotations

import datetime as dt

import yaml

from intervet_plan.errors import Problem
from intervet_plan.inputs.limits import shown


class YamlMap(dict):
    """A mapping read from YAML that remembers where it starts (``line``) and the line of
    each of its keys (``lines``)."""

    line: int | None = None
    lines: dict[object, int]


class YamlList(list):
    """A sequence read from YAML that remembers where it starts and the line of each item."""

    line: int | None = None
    lines: dict[object, int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers lines, refuses repeated keys and keeps invalid dates as
    text (so that the validator can say which value is wrong, and where)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> YamlMap:
    own = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
    loader.flatten_mapping(node)  # merged keys (<<: *x) come first; own keys override them
    out = YamlMap()
    out.line = node.start_mark.line + 1
    out.lines = {}
    first: dict[object, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool | dt.date) and key is not None:
            key = shown(key)
        line = key_node.start_mark.line + 1
        if id(key_node) in own:
            if key in first:
                loader.duplicates.append((key, line, first[key]))  # type: ignore[attr-defined]
            else:
                first[key] = line
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> YamlList:
    out = YamlList(loader.construct_object(n, deep=True) for n in node.value)
    out.line = node.start_mark.line + 1
    out.lines = {i: n.start_mark.line + 1 for i, n in enumerate(node.value)}
    return out


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)  # e.g. 2020-02-30: reported by the validator


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_yaml_with_lines(
    text: str, source: str, problems: list[Problem]
) -> tuple[object, dict[str, int]]:
    """Parse YAML safely (data only, never code). Returns the data and ``{key: line}`` of the
    top-level mapping; nested lines are available through :func:`yaml_line`. A key given
    twice in one mapping is a problem."""
    try:
        loader = _LineLoader(text)
    except yaml.reader.ReaderError as e:  # a control character the YAML reader refuses
        line = text[: e.position].count("\n") + 1 if isinstance(e.position, int) else None
        char = e.character if isinstance(e.character, int) else 0
        problems.append(
            Problem(
                source,
                line,
                None,
                f"holds the control character 0x{char:02x}, which YAML does not allow; remove it",
            )
        )
        return None, {}
    except yaml.YAMLError as e:
        problems.append(Problem(source, None, None, f"is not valid YAML: {e}"))
        return None, {}
    loader.duplicates = []  # type: ignore[attr-defined]
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        problems.append(
            Problem(
                source, line, None, f"is not valid YAML: {e.problem or e.context}{_yaml_hint(e)}"
            )
        )
        return None, {}
    except yaml.YAMLError as e:
        problems.append(Problem(source, None, None, f"is not valid YAML: {e}"))
        return None, {}
    except (ValueError, TypeError, OverflowError, RecursionError) as e:
        problems.append(Problem(source, None, None, f"is not valid YAML: {e}"))
        return None, {}
    finally:
        loader.dispose()
    for key, line, first in loader.duplicates:  # type: ignore[attr-defined]
        problems.append(
            Problem(source, line, str(key), f"key appears twice (first on line {first}); keep one")
        )
    top = {str(k): v for k, v in data.lines.items()} if isinstance(data, YamlMap) else {}
    return data, top


def _yaml_hint(e: yaml.MarkedYAMLError) -> str:
    if "'\\t'" in str(e.problem):
        return "; indent with spaces, not tabs"
    return ""


def yaml_line(mapping: object, key: object) -> int | None:
    """The line of ``key`` in a mapping (or of item ``key`` in a list) parsed by
    :func:`load_yaml_with_lines`, if known."""
    lines = getattr(mapping, "lines", None)
    return lines.get(key) if isinstance(lines, dict) else None


def yaml_start(node: object) -> int | None:
    """The line where a mapping or list parsed by :func:`load_yaml_with_lines` starts."""
    return getattr(node, "line", None)
