"""YAML front matter: split it from the body and validate its fields.

Messages name the file and the line inside the Markdown file (not inside the
YAML block), so an editor can jump straight to the mistake.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from narrate.errors import SourceError

FIELDS = {
    "title": str,
    "subtitle": str,
    "author": str,
    "authors": list,
    "publisher": str,
    "date": dt.date,
    "language": str,
    "slug": str,
    "kind": str,
    "description": str,
    "tags": list,
    "cover": str,
    "rights": str,
    "accessibility_summary": str,
    "voice": str,
    "identifier": str,
    "epub_type": str,
    "source_url": str,  # written by `narrate import`: where the article came from
    "imported_sha256": str,  # written by `narrate import`: tells its files from hand-edited ones
}

_FENCE = re.compile(r"\A---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Characters no edition can hold (XML 1.0 forbids them; PDF and ID3 show garbage): C0 controls but
# tab and line ends, DEL, the non-characters U+FFFE and U+FFFF, and lone surrogates (a YAML escape
# like "\ud800" makes one; no UTF-8 file can hold it).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class FrontMatter:
    fields: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    warnings: tuple[str, ...]
    lines: dict[str, int]  # key -> 1-based line in the file


def split(text: str, path: str) -> tuple[str | None, str, int]:
    """Return (yaml text or None, body, 1-based line where the body starts)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    start = _FENCE.match(text)
    if not start:
        return None, text, 1
    close = _CLOSE.search(text, start.end())
    if close is None:
        raise SourceError("front matter opened with '---' on line 1 is never closed with '---'", path, 1)
    yaml_text = text[start.end() : close.start()]
    body_start = close.end() + 1 if close.end() < len(text) else close.end()
    body_line = text.count("\n", 0, body_start) + 1
    return yaml_text, text[body_start:], body_line


def parse(text: str, path: str, *, require_title: bool = True) -> FrontMatter:
    yaml_text, body, body_line = split(text, path)
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    if yaml_text is not None:
        data, lines = _load_yaml(yaml_text, path)
    warnings = []
    clean: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.get(key)
        if key not in FIELDS:
            where = f"{path}:{line}" if line else path
            warnings.append(f"{where}: unknown front matter key {key!r} (ignored)")
            continue
        clean[key] = check_field(key, value, path, line)
    if require_title and not clean.get("title"):
        if "title" in clean:
            raise SourceError("'title' must not be empty", path, lines.get("title", 1))
        raise SourceError(
            "expected a 'title' in the front matter (---\\ntitle: ...\\n---), found none", path, 1
        )
    return FrontMatter(clean, body, body_line, tuple(warnings), lines)


def _load_yaml(yaml_text: str, path: str) -> tuple[dict[str, Any], dict[str, int]]:
    node: yaml.Node | None = None
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(yaml_text)
    except yaml.MarkedYAMLError as exc:
        # An unclosed bracket or quote is reported where it opened (the context), not at the end.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 2 if mark is not None else 1
        problem = "; ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise SourceError(f"invalid YAML front matter: {problem}", path, line) from exc
    except yaml.reader.ReaderError as exc:  # a character YAML refuses: PyYAML gives its offset, not its line
        line = yaml_text.count("\n", 0, exc.position) + 2
        raise SourceError(f"invalid YAML front matter: {exc.reason} (character U+{exc.character:04X})",
                          path, line) from exc
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML front matter: {exc}", path, 1) from exc
    except (ValueError, OverflowError) as exc:  # e.g. a date like 2026-13-45 fails while loading
        line, key, value = _bad_scalar(node)
        raise SourceError(f"'{key}' must be a real ISO 8601 date like 2026-03-14, found {value!r} ({exc})",
                          path, line) from exc
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise SourceError(
            f"expected front matter to be 'key: value' pairs, found a {type(data).__name__}", path, 2
        )
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                line = key_node.start_mark.line + 2
                if key_node.value in lines:  # PyYAML keeps the last silently; YAML says keys are unique
                    raise SourceError(f"front matter key {key_node.value!r} is given twice (first on line "
                                      f"{lines[key_node.value]}); keep one", path, line)
                lines[key_node.value] = line
    return {str(k): v for k, v in data.items()}, lines


def _bad_scalar(node: yaml.Node | None) -> tuple[int | None, str, str]:
    """(line, key, text) of the first scalar PyYAML cannot load, e.g. a date like 2026-13-45 or
    2026-03-14T25:00 (PyYAML's own error names neither)."""
    constructor = yaml.SafeLoader("")
    seen: set[int] = set()
    stack: list[tuple[yaml.Node | None, str]] = [(node, "date")]
    while stack:
        current, key = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            try:
                constructor.construct_object(current)
            except (ValueError, OverflowError):
                return current.start_mark.line + 2, key, current.value
        elif isinstance(current, yaml.MappingNode):
            for key_node, value_node in reversed(current.value):
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else key
                stack += [(value_node, name), (key_node, name)]
        elif isinstance(current, yaml.SequenceNode):
            stack += [(child, key) for child in reversed(current.value)]
    return None, "date", "?"


def check_field(key: str, value: Any, path: str, line: int | None) -> Any:
    expected = FIELDS[key]
    if expected is dt.date:
        return _date(value, path, line)
    if expected is list:
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            raise SourceError(f"'{key}' must be a list of text, found {_describe(value)}", path, line)
        return [_printable(key, str(v), path, line) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key not in ("language", "slug"):
        value = str(value)
    if not isinstance(value, str):
        raise SourceError(f"'{key}' must be text, found {_describe(value)}", path, line)
    value = _printable(key, value.strip(), path, line)
    if key == "language" and not _LANG.match(value):
        raise SourceError(f"'language' must be a BCP 47 tag like 'en' or 'en-GB', found {value!r}", path, line)
    if key == "slug" and not _SLUG.match(value):
        raise SourceError(
            f"'slug' must be lowercase letters, digits and hyphens, found {value!r}", path, line
        )
    if key == "kind" and value not in ("article", "chapter"):
        raise SourceError(f"'kind' must be 'article' or 'chapter', found {value!r}", path, line)
    return value


def _printable(key: str, value: str, path: str, line: int | None) -> str:
    """``value``, refused (for every edition alike) if it holds a control character."""
    found = _CONTROL.search(value)
    if found:
        kind = "a lone surrogate" if "\ud800" <= found.group() <= "\udfff" else "the control character"
        raise SourceError(f"'{key}' must be printable text, found {kind} "
                          f"U+{ord(found.group()):04X} at position {found.start() + 1}", path, line)
    return value


def _date(value: Any, path: str, line: int | None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    found = repr(value) if isinstance(value, str) else _describe(value)
    raise SourceError(f"'date' must be an ISO 8601 date like 2026-03-14, found {found}", path, line)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def dump(fields: dict[str, Any]) -> str:
    """``fields`` as the YAML between the ``---`` lines, in the given order (``narrate import`` writes it)."""
    return yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False)
