"""Pronunciation lexicons: W3C PLS files and simple TOML alias tables.

A PLS file (``*.pls`` or ``*.xml``)::

    <lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
             alphabet="ipa" xml:lang="en">
      <lexeme><grapheme>Siobhán</grapheme><alias>shiv-AWN</alias></lexeme>
      <lexeme><grapheme>Nguyen</grapheme><phoneme>wɪn</phoneme></lexeme>
    </lexicon>

A TOML file (``*.toml``)::

    [aliases]
    "Siobhán" = "shiv-AWN"

``Lexicon.apply`` replaces whole words by their alias (an exact-case entry
first, then any case). Phoneme entries keep the phoneme string and alphabet for
engines that take them; for text-only engines such a word is left as written
unless the entry also has an alias. A document type declaration is refused, so
no entity is ever expanded.
"""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from narrate.errors import SpeechError
from narrate.speech.normalize import protect
from narrate.speech.respell import check_respelling, is_respelling

_DOCTYPE = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    grapheme: str
    alias: str = ""
    phoneme: str = ""
    alphabet: str = ""  # "ipa", "x-sampa" … for phoneme entries
    source: str = field(default="", compare=False)  # the lexicon file, for messages
    line: int | None = field(default=None, compare=False)


class Lexicon:
    """Word → pronunciation entries; later entries do not override earlier ones."""

    def __init__(self, entries: Iterable[Entry] = ()):
        self.entries: tuple[Entry, ...] = tuple(e for e in entries if e.grapheme.strip())
        self._exact: dict[str, Entry] = {}
        self._folded: dict[str, Entry] = {}
        for entry in self.entries:
            key = _key(entry.grapheme)
            self._exact.setdefault(key, entry)
            self._folded.setdefault(key.casefold(), entry)
        words = sorted(self._exact, key=len, reverse=True)
        alternatives = "|".join(r"\s+".join(map(re.escape, w.split(" "))) for w in words)
        self._pattern = (
            re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE) if words else None
        )

    def __len__(self) -> int:
        return len(self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def lookup(self, word: str) -> Entry | None:
        key = _key(word)
        return self._exact.get(key) or self._folded.get(key.casefold())

    def merged(self, other: Lexicon) -> Lexicon:
        """This lexicon's entries, then the other's (this one wins on a clash)."""
        return Lexicon(self.entries + other.entries)

    def apply(self, text: str, *, mark: bool = False) -> str:
        """Whole words replaced by their alias. With ``mark``, replacements are
        wrapped so that ``normalize`` leaves them untouched."""
        if self._pattern is None:
            return text

        def replace(m: re.Match[str]) -> str:
            entry = self.lookup(m.group(0))
            if entry is None or not entry.alias:
                return m.group(0)
            return protect(entry.alias) if mark else entry.alias

        return self._pattern.sub(replace, text)


def _key(word: str) -> str:
    return " ".join(word.split())


# ------------------------------------------------------------------- loading


def load_lexicon(path: str | Path) -> Lexicon:
    """A PLS (``.pls``/``.xml``) or TOML (``.toml``) lexicon file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpeechError(f"expected a readable lexicon file, found {exc.strerror or exc}", path) from exc
    suffix = path.suffix.lower()
    if suffix in {".pls", ".xml"}:
        return Lexicon(parse_pls(raw, str(path)))
    if suffix == ".toml":
        return Lexicon(parse_toml(raw, str(path)))
    raise SpeechError(f"expected a .pls, .xml or .toml lexicon, found '{path.suffix}'", path)


def load_lexicons(paths: Iterable[str | Path]) -> Lexicon:
    """Several files; an entry in an earlier file wins."""
    lexicon = Lexicon()
    for path in paths:
        lexicon = lexicon.merged(load_lexicon(path))
    return lexicon


def parse_toml(raw: bytes, path: str) -> list[Entry]:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SpeechError("expected UTF-8 text, found undecodable bytes", path) from exc
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = int(line.group(1)) if line else None
        raise SpeechError(f"expected valid TOML, found {exc}", path, where) from exc
    aliases = data.get("aliases", {})
    if not isinstance(aliases, dict):
        raise SpeechError("expected [aliases] to be a table of \"word\" = \"alias\"", path)
    entries = []
    lines = raw.decode("utf-8").splitlines()
    for word, alias in aliases.items():
        line = next((n for n, text in enumerate(lines, 1) if text.lstrip().startswith((f'"{word}"', f"{word} ",
                                                                                      f"{word}="))), None)
        if not isinstance(alias, str):
            raise SpeechError(f"expected a string alias for \"{word}\", found {type(alias).__name__}", path, line)
        if is_respelling(alias):
            check_respelling(word, alias, path, line)
        entries.append(Entry(grapheme=word, alias=alias, source=path, line=line))
    return entries


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_pls(raw: bytes, path: str) -> list[Entry]:
    """Entries of a PLS document. Line numbers come from feeding line by line."""
    text = raw.decode("utf-8", errors="replace")
    doctype = _DOCTYPE.search(text)
    if doctype:
        line = text.count("\n", 0, doctype.start()) + 1
        raise SpeechError("expected a PLS lexicon without a document type declaration, found one", path, line)
    parser = ET.XMLPullParser(events=("start",))
    root: ET.Element | None = None
    lines: dict[int, int] = {}  # id(lexeme element) → line
    try:
        for number, chunk in enumerate(raw.splitlines(keepends=True), start=1):
            parser.feed(chunk)
            for _event, element in parser.read_events():
                root = element if root is None else root
                if _local(element.tag) == "lexeme":
                    lines[id(element)] = number
        parser.close()
    except ET.ParseError as exc:
        raise SpeechError(f"expected well-formed XML, found {exc.msg}", path, exc.position[0]) from exc
    if root is None or _local(root.tag) != "lexicon":
        found = _local(root.tag) if root is not None else "nothing"
        raise SpeechError(f"expected a <lexicon> root element, found <{found}>", path, 1)
    alphabet = root.get("alphabet", "")
    entries: list[Entry] = []
    for lexeme in root:
        if _local(lexeme.tag) == "lexeme":
            entries.extend(_entries(lexeme, alphabet, path, lines.get(id(lexeme))))
    return entries


def _entries(lexeme: ET.Element, alphabet: str, path: str, line: int | None) -> list[Entry]:
    """One entry per <grapheme> of a <lexeme>, all with its first alias/phoneme."""
    graphemes = [" ".join((g.text or "").split()) for g in lexeme if _local(g.tag) == "grapheme"]
    graphemes = [g for g in graphemes if g]
    if not graphemes:
        raise SpeechError("expected a <grapheme> in <lexeme>, found none", path, line)
    alias = next((c for c in lexeme if _local(c.tag) == "alias"), None)
    phoneme = next((c for c in lexeme if _local(c.tag) == "phoneme"), None)
    if alias is None and phoneme is None:
        raise SpeechError("expected an <alias> or <phoneme> in <lexeme>, found neither", path, line)
    said = " ".join((alias.text or "").split()) if alias is not None else ""
    if is_respelling(said):
        check_respelling(graphemes[0], said, path, line)
    return [
        Entry(
            grapheme=grapheme,
            alias=" ".join((alias.text or "").split()) if alias is not None else "",
            phoneme=(phoneme.text or "").strip() if phoneme is not None else "",
            alphabet=phoneme.get("alphabet", alphabet) if phoneme is not None else "",
            source=path,
            line=line,
        )
        for grapheme in graphemes
    ]
