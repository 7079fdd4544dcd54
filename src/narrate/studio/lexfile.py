"""Write one entry into a project's lexicon file, keeping its format and comments.

TOML through tomlkit (a format-preserving parser: comments, order, quoting and blank lines
stay as the editor left them); PLS as text: an existing ``<lexeme>`` for the word is replaced
in place, a new one goes before ``</lexicon>`` with the previous lexeme's indentation, and
every other byte (comments, the XML declaration, spacing) is kept. The result is read back
with narrate's own lexicon reader before it replaces the file, so a bad entry never lands.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import KeyType, SingleKey

from narrate.artifacts import atomic_write
from narrate.errors import SpeechError
from narrate.speech.lexicon import Entry, parse_pls, parse_toml

_LEXEME = re.compile(r"([ \t]*)<lexeme\b.*?</lexeme>", re.DOTALL)
_GRAPHEME = re.compile(r"<grapheme>(.*?)</grapheme>", re.DOTALL)
_END = re.compile(r"</lexicon\s*>")


def save_entry(path: Path, entry: Entry) -> None:
    """Add ``entry`` to the lexicon at ``path`` (or replace the word's entry there)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpeechError(f"expected a readable lexicon file, found {exc.strerror or exc}", path) from exc
    suffix = path.suffix.lower()
    if suffix == ".toml":
        new = _toml(text, entry, path)
        parse_toml(new.encode("utf-8"), str(path))
    elif suffix in (".pls", ".xml"):
        new = _pls(text, entry, path)
        parse_pls(new.encode("utf-8"), str(path))
    else:
        raise SpeechError(f"expected a .pls, .xml or .toml lexicon, found '{path.suffix}'", path)
    atomic_write(path, new)


def _toml(text: str, entry: Entry, path: Path) -> str:
    if not entry.alias:
        raise SpeechError("a TOML lexicon holds aliases (\"word\" = \"said as\"); IPA needs a PLS lexicon "
                          "(.pls) listed by the voice profile", path)
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise SpeechError(f"expected valid TOML, found {exc}", path, getattr(exc, "line", None)) from exc
    if "aliases" not in doc:
        doc.add(tomlkit.nl())
        doc["aliases"] = tomlkit.table()
    aliases = doc["aliases"]
    for word in list(aliases):  # the word under another case is the same entry
        if word.casefold() == entry.grapheme.casefold() and word != entry.grapheme:
            del aliases[word]
    key = SingleKey(entry.grapheme, t=KeyType.Basic)  # quoted, as lexicons write words ("Dr." needs it)
    if entry.grapheme in aliases:
        aliases[key] = entry.alias
    else:
        aliases.append(key, entry.alias)
    return tomlkit.dumps(doc)


def _lexeme(entry: Entry) -> str:
    said = (f"<alias>{escape(entry.alias)}</alias>" if entry.alias
            else f'<phoneme alphabet="{escape(entry.alphabet or "ipa")}">{escape(entry.phoneme)}</phoneme>')
    return f"<lexeme><grapheme>{escape(entry.grapheme)}</grapheme>{said}</lexeme>"


def _pls(text: str, entry: Entry, path: Path) -> str:
    wanted = entry.grapheme.casefold()
    for match in _LEXEME.finditer(text):
        graphemes = [" ".join(g.split()).casefold() for g in _GRAPHEME.findall(match.group(0))]
        if wanted in graphemes and len(graphemes) == 1:
            return text[:match.start()] + match.group(1) + _lexeme(entry) + text[match.end():]
    ends = list(_END.finditer(text))
    if not ends:
        raise SpeechError("expected a </lexicon> end tag to add the entry before, found none", path)
    end = ends[-1]
    lexemes = list(_LEXEME.finditer(text, 0, end.start()))
    indent = lexemes[-1].group(1) if lexemes else "  "
    before = text[:end.start()].rstrip(" \t")
    newline = "" if before.endswith("\n") else "\n"
    return f"{before}{newline}{indent}{_lexeme(entry)}\n{text[end.start():]}"
