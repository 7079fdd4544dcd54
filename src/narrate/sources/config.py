"""narrate.toml → frozen dataclasses.

Every key is optional; a project without narrate.toml builds with the
defaults below. Errors name the file and the key (and the line for TOML
syntax errors). Unknown keys are reported as warnings, not silently ignored.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from narrate.errors import ConfigError

ALL_FORMATS = ("epub", "pdf", "pdf-large", "mp3", "m4b", "epub-readaloud")
DEFAULT_FORMATS = ALL_FORMATS
EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class Publisher:
    name: str = ""
    website: str = ""


@dataclass(frozen=True)
class Defaults:
    language: str = "en"
    author: str = ""
    rights: str = ""
    voice: str = ""
    formats: tuple[str, ...] = DEFAULT_FORMATS


@dataclass(frozen=True)
class Identifier:
    # "uuid5": a UUID5 of publisher + slug (stable across builds); a front
    # matter or book.toml `identifier` always wins.
    scheme: str = "uuid5"
    namespace: str = ""  # defaults to the publisher's website or name


@dataclass(frozen=True)
class Accessibility:
    # Only asserted when the publisher says so: narrate never claims conformance on its own.
    conforms_to: str = ""
    certified_by: str = ""


@dataclass(frozen=True)
class Pdf:
    page_size: str = "A4"  # A4 | Letter


@dataclass(frozen=True)
class Epub:
    # An article's EPUB opens with a title block at the top of its text; true gives it a
    # separate title page, as a book has.
    article_title_page: bool = False


@dataclass(frozen=True)
class Narration:
    disclosure: bool = True
    # "": the message catalog's disclosure in each publication's language ([messages.<lang>] disclosure
    # overrides it per language); a text here is the disclosure of publications in defaults.language.
    disclosure_text: str = ""
    read_alt_text: bool = True
    footnotes: str = "after"  # after | skip


@dataclass(frozen=True)
class Feed:
    base_url: str = ""
    title: str = ""
    description: str = ""
    author: str = ""
    owner_name: str = ""
    owner_email: str = ""
    category: str = ""  # Apple's category ("News" or "News/Politics"); default: from the tags
    explicit: bool = False
    artwork: str = ""  # project-relative square PNG/JPEG, >= 1400 px; default: the first cover
    link: str = ""  # the channel's website; default: base_url


@dataclass(frozen=True)
class Subscribers:
    file: str = ""  # path to subscribers.csv, kept outside content/
    key_env: str = "NARRATE_SUBSCRIBER_KEY"
    key_file: str = ""  # a file holding the key, outside the project
    # Formats copied per subscriber with "Prepared for NAME" (epub, pdf, mp3, m4b).
    personal_formats: tuple[str, ...] = ("epub", "pdf", "mp3", "m4b")


@dataclass(frozen=True)
class Proof:
    # Words the publisher has listened to and accepts as the voice reads them (``narrate proof``).
    accept: tuple[str, ...] = ()


@dataclass(frozen=True)
class Build:
    executor: str = "local"  # local (a process pool) | ray (a Ray cluster; pip install "narrate[ray]")
    ray_address: str = ""  # HOST:PORT of a running cluster; empty: RAY_ADDRESS, else a local Ray for the build


@dataclass(frozen=True)
class Config:
    root: Path
    path: Path | None
    publisher: Publisher = field(default_factory=Publisher)
    defaults: Defaults = field(default_factory=Defaults)
    identifier: Identifier = field(default_factory=Identifier)
    accessibility: Accessibility = field(default_factory=Accessibility)
    pdf: Pdf = field(default_factory=Pdf)
    epub: Epub = field(default_factory=Epub)
    narration: Narration = field(default_factory=Narration)
    feed: Feed = field(default_factory=Feed)
    subscribers: Subscribers = field(default_factory=Subscribers)
    proof: Proof = field(default_factory=Proof)
    build: Build = field(default_factory=Build)
    # [messages.<lang>] key = "text": overrides of narrate's own words (see narrate.i18n.messages)
    messages: dict[str, dict[str, str]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


_SECTIONS: dict[str, type] = {
    "publisher": Publisher,
    "defaults": Defaults,
    "identifier": Identifier,
    "accessibility": Accessibility,
    "pdf": Pdf,
    "epub": Epub,
    "narration": Narration,
    "feed": Feed,
    "subscribers": Subscribers,
    "proof": Proof,
    "build": Build,
}

_CHOICES = {
    ("pdf", "page_size"): ("A4", "Letter"),
    ("narration", "footnotes"): ("after", "skip"),
    ("identifier", "scheme"): ("uuid5",),
    ("build", "executor"): EXECUTORS,
}


def load_config(root: Path) -> Config:
    """Read ``root/narrate.toml`` if it exists, else return the defaults."""
    path = root / "narrate.toml"
    if not path.is_file():
        return Config(root=root, path=None)
    data = read_toml(path)
    warnings: list[str] = []
    sections: dict[str, Any] = {}
    for key, value in data.items():
        if key == "messages":
            sections["messages"] = _messages(path, value)
            continue
        cls = _SECTIONS.get(key)
        if cls is None:
            warnings.append(f"{path}: unknown section or key '{key}' (ignored)")
            continue
        if not isinstance(value, dict):
            raise ConfigError(f"'{key}' must be a table like [{key}], found {type(value).__name__}", path)
        sections[key] = _build_section(path, key, cls, value, warnings)
    return Config(root=root, path=path, warnings=tuple(warnings), **sections)


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; syntax errors become ConfigError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"expected UTF-8 text, found an invalid byte at offset {exc.start}", path) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror}", path) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))  # Python 3.11 has no exc.lineno
        line = int(found.group(1)) if found else None
        message = str(exc).split(" (at line")[0].split(" (at end of")[0]
        raise ConfigError(f"invalid TOML: {message}", path, line) from exc


def _messages(path: Path, table: Any) -> dict[str, dict[str, str]]:
    """``[messages.de] disclosure = "…"``: known keys, strings, the English message's placeholders only."""
    from narrate.i18n.messages import MESSAGES, placeholders

    if not isinstance(table, dict):
        raise ConfigError(f"'messages' must hold tables like [messages.de], found {type(table).__name__}", path)
    result: dict[str, dict[str, str]] = {}
    for language, entries in table.items():
        if not isinstance(entries, dict):
            raise ConfigError(f"'messages.{language}' must be a table like [messages.{language}], found "
                              f"{type(entries).__name__} {entries!r}", path)
        for key, text in entries.items():
            if key not in MESSAGES:
                raise ConfigError(f"'messages.{language}.{key}': unknown message (expected one of "
                                  f"{', '.join(sorted(MESSAGES))})", path)
            if not isinstance(text, str):
                raise ConfigError(f"'messages.{language}.{key}' must be a string, found {text!r}", path)
            extra = placeholders(text) - placeholders(MESSAGES[key])
            if extra:
                allowed = ", ".join(f"{{{p}}}" for p in sorted(placeholders(MESSAGES[key]))) or "none"
                raise ConfigError(f"'messages.{language}.{key}': expected placeholders {allowed}, found "
                                  f"{{{sorted(extra)[0]}}}", path)
        result[language.lower()] = dict(entries)
    return result


def _build_section(path: Path, name: str, cls: type, table: dict[str, Any], warnings: list[str]) -> Any:
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        f = known.get(key)
        if f is None:
            warnings.append(f"{path}: unknown key '{name}.{key}' (ignored)")
            continue
        values[key] = _check_value(path, f"{name}.{key}", getattr(cls(), key), value)
        choices = _CHOICES.get((name, key))
        if choices and values[key] not in choices:
            raise ConfigError(f"'{name}.{key}' must be one of {', '.join(choices)}, found {value!r}", path)
    if name == "defaults" and "formats" in values:
        for fmt in values["formats"]:
            if fmt not in ALL_FORMATS:
                raise ConfigError(
                    f"'defaults.formats' must list formats from {', '.join(ALL_FORMATS)}, found {fmt!r}", path
                )
    return cls(**values)


def _check_value(path: Path, key: str, default: Any, value: Any) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"'{key}' must be true or false, found {value!r}", path)
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"'{key}' must be a list of strings, found {value!r}", path)
        return tuple(value)
    if not isinstance(value, str):
        raise ConfigError(f"'{key}' must be a string, found {type(value).__name__} {value!r}", path)
    return value
