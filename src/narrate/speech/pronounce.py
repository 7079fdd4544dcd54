"""The pronunciation step: which words of an utterance narrate gives the voice as phonemes.

``choices(text, language, lexicon)`` finds, in an utterance's spoken text:

* heteronyms (English): the sentence is tagged for part of speech (``speech/tagger``) and each
  heteronym gets the reading for its tag (``speech/heteronyms``): "She read it" → /ɹˈɛd/;
* the letter A said as a letter, never as the article "a": next to another single capital
  ("A M", "A I"), joined to a number or word by a hyphen or written against digits
  ("fourteen-A", "14A"), before a full stop or comma ("Plan A."), after a number word
  ("room fourteen A") or after a word that names letters ("the letter A", "grade A", "type A");
* lexicon words: a respelling alias the script put in ("AY-lee", see ``speech/respell``) and the
  words of IPA phoneme entries.

An engine that takes phonemes (Piper) phonemizes the utterance with each chosen word replaced by
a placeholder word, then puts the chosen IPA where the placeholder's phonemes are
(``substitute``): every other word keeps the reading, weak forms and linking that espeak-ng
gives it in the whole sentence. ``VERSION`` changes whenever a choice for the same text may
change; it is part of the engine's cache key, so audio with an old reading is not reused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from narrate.speech.heteronyms import TABLE, choose, is_heteronym
from narrate.speech.lexicon import Lexicon
from narrate.speech.normalize import is_english
from narrate.speech.respell import SPELLINGS, is_respelling, respell_ipa

VERSION = "1"
LETTER_A = "ˈeɪ"
LETTER_CUES = frozenset("""letter letters grade grades plan type vitamin option class section part building block
    row exhibit appendix figure category level size series model track side gate platform terminal wing unit
    team group version column point room floor flat apartment schedule form annex tier""".split())
NUMBERS = frozenset("""zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred""".split())
PLACEHOLDERS = ("xylophone", "zeppelin", "quagmire")
_TOKEN = re.compile(r"[A-Za-z]+(?=n't\b)|n't\b|[A-Za-z]+(?='(?:s|re|ve|ll|d|m)\b)|'[A-Za-z]+|[A-Za-z]+|\d+|\S")
_STRESS = "ˈˌ"


@dataclass(frozen=True)
class Choice:
    """A word the voice is given as phonemes."""

    start: int  # where it is in the utterance's spoken text
    end: int
    word: str
    ipa: str  # as espeak-ng writes IPA
    kind: str  # "heteronym" | "letter" | "lexicon"
    tag: str = ""  # heteronyms: the part of speech (Penn Treebank tag) that chose the reading
    gloss: str = ""  # heteronyms: the reading's sense; lexicon: the entry


def choices(text: str, language: str, lexicon: Lexicon | None = None) -> list[Choice]:
    """Every word of ``text`` narrate gives the voice as phonemes, in order, none overlapping."""
    found = _lexicon_choices(text, lexicon) if lexicon else []
    if is_english(language):
        taken = [(c.start, c.end) for c in found]
        found += [c for c in _english_choices(text) if not any(a < c.end and c.start < b for a, b in taken)]
    return sorted(found, key=lambda c: c.start)


def _english_choices(text: str) -> list[Choice]:
    tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]
    if not any(is_heteronym(w) or w == "A" for _, _, w in tokens):
        return []
    from narrate.speech.tagger import tag

    tags = retag([w for _, _, w in tokens], tag([_tagging_form(tokens, i) for i in range(len(tokens))]))
    out: list[Choice] = []
    for i, (start, end, word) in enumerate(tokens):
        if word == "A" and _is_letter(text, tokens, i):
            out.append(Choice(start, end, word, LETTER_A, "letter", gloss="the letter A"))
        elif is_heteronym(word):
            reading = choose(word, tags[i])
            out.append(Choice(start, end, word, reading.ipa, "heteronym", tags[i], reading.gloss))
    return out


_SENTENCE_START = frozenset(".!?\"“‘'(:;")
_HAVE = frozenset({"have", "has", "had", "'ve", "having"})
_BEFORE_BASE = frozenset({"please", "let", "n't"})
_BETWEEN_HAVE = frozenset({"PRP", "RB", "DT", "NN", "NNS", "NNP", "PRP$"})
_AFTER_VERB = frozenset({"RB", "WRB", "PRP", "PRP$", ".", ","})


def _tagging_form(tokens: list[tuple[int, int, str]], i: int) -> str:
    """A capitalized word at a sentence's start is tagged in small letters ("Excuse me"), as the tagger
    saw such words in training mid-sentence; "I" and words in capitals keep theirs."""
    word = tokens[i][2]
    starts = i == 0 or tokens[i - 1][2] in _SENTENCE_START
    return word.lower() if starts and word[:1].isupper() and word[1:].islower() else word


def retag(words: list[str], tags: list[str]) -> list[str]:
    """Three corrections the tagger's training text (news) leaves it weak on, for heteronyms only:
    right after "please", "let", "n't" or a modal is a verb in its base form ("please close"), and
    after "to" a verb is in its base form, not past ("to read");
    a verb after a form of "have", with only its subject or adverbs between, is a past participle
    ("have you read", "had never read"); a heteronym taken as a noun or adverb after a plural noun
    and before an adverb, pronoun or the clause's end is the verb ("the shops close early")."""
    out = list(tags)
    for i, word in enumerate(words):
        if not is_heteronym(word):
            continue
        prev, prev_tag = (words[i - 1].lower(), out[i - 1]) if i else ("", "")
        nxt = out[i + 1] if i + 1 < len(words) else "."
        if prev in _BEFORE_BASE or prev_tag == "MD" or (prev == "to" and out[i] in ("VBD", "VBN")):
            out[i] = "VB"
        elif out[i] in ("VB", "VBP", "VBD") and _after_have(words, out, i):
            out[i] = "VBN"
        elif out[i] in ("NN", "RB", "JJ") and prev_tag == "NNS" and nxt in _AFTER_VERB:
            out[i] = "VBP"
    return out


def _after_have(words: list[str], tags: list[str], i: int) -> bool:
    j = i - 1
    while j >= 0 and i - j <= 4 and tags[j] in _BETWEEN_HAVE and words[j].lower() not in _HAVE:
        j -= 1
    return j >= 0 and words[j].lower() in _HAVE


def _is_letter(text: str, tokens: list[tuple[int, int, str]], i: int) -> bool:
    start, end, _ = tokens[i]
    before, after = text[start - 1:start], text[end:end + 1]
    if before in ("-",) or after == "-" or before.isdigit() or after.isdigit():
        return True
    prev = tokens[i - 1][2] if i else ""
    nxt = tokens[i + 1][2] if i + 1 < len(tokens) else ""
    single = re.compile(r"^[A-Z]$")
    if (single.match(prev) and tokens[i - 1][1] < start) or single.match(nxt):
        return True
    if prev.lower() in LETTER_CUES or prev.lower() in NUMBERS:  # "grade A", "room fourteen A"
        return True
    return i > 0 and (nxt in ("", ".", ",", ";", ":", ")", "!", "?"))


@lru_cache(maxsize=32)
def _lexicon_sounds(lexicon: Lexicon) -> tuple[dict[str, tuple[str, str]], re.Pattern[str] | None]:
    """Spoken string → (IPA, what the entry says) for the entries narrate turns into phonemes."""
    sounds: dict[str, tuple[str, str]] = {}
    for entry in lexicon.entries:
        if entry.alias and is_respelling(entry.alias):
            sounds.setdefault(entry.alias, (respell_ipa(entry.alias), f"{entry.grapheme} = {entry.alias}"))
        elif entry.phoneme and not entry.alias and entry.alphabet.lower() in ("", "ipa"):
            sounds.setdefault(entry.grapheme, (ipa_of(entry.phoneme), f"{entry.grapheme} = /{entry.phoneme}/"))
    if not sounds:
        return sounds, None
    words = sorted(sounds, key=len, reverse=True)
    return sounds, re.compile("(?<![\\w-])(?:" + "|".join(map(re.escape, words)) + ")(?![\\w-])", re.IGNORECASE)


def _lexicon_choices(text: str, lexicon: Lexicon) -> list[Choice]:
    sounds, pattern = _lexicon_sounds(lexicon)
    if pattern is None:
        return []
    folded = {k.casefold(): v for k, v in sounds.items()}
    out = []
    for m in pattern.finditer(text):
        ipa, gloss = sounds.get(m.group(0)) or folded[m.group(0).casefold()]
        out.append(Choice(m.start(), m.end(), m.group(0), ipa, "lexicon", gloss=gloss))
    return out


def ipa_of(phoneme: str) -> str:
    """A PLS IPA string as espeak-ng writes it: syllable dots dropped, ' and , as stress marks, no slashes."""
    return phoneme.strip().strip("/[]").replace(".", "").replace("'", "ˈ").replace(",", "ˌ").replace("ɝ", "ɜː")


@lru_cache(maxsize=1)
def step_key() -> str:
    """``VERSION`` and a hash of the step's tables (readings, letter cues, respelling spellings): an
    edit of any of them changes the engines' cache keys without anyone remembering to bump VERSION."""
    tables = repr((sorted((w, [(sorted(r.tags), r.ipa) for r in rs]) for w, rs in TABLE.items()),
                   sorted(LETTER_CUES), sorted(NUMBERS), sorted(SPELLINGS.items()), LETTER_A))
    return f"{VERSION}.{hashlib.sha256(tables.encode()).hexdigest()[:12]}"


def lexicon_key(lexicon: Lexicon | None) -> str:
    """A hash of the lexicon's phoneme entries: they change what the voice is given for the same text."""
    if not lexicon:
        return ""
    rows = sorted(f"{e.grapheme}\0{e.phoneme}\0{e.alphabet}" for e in lexicon.entries if e.phoneme and not e.alias)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16] if rows else ""


# ------------------------------------------------------------ substitution


def placeholder_for(text: str) -> str:
    lowered = text.lower()
    return next(p for p in PLACEHOLDERS if p not in lowered)


def with_placeholder(text: str, found: list[Choice], placeholder: str) -> str:
    """``text`` with each chosen word replaced by ``placeholder``."""
    out, at = [], 0
    for choice in found:
        out += [text[at:choice.start], placeholder]
        at = choice.end
    return "".join(out + [text[at:]])


def substitute(sentences: list[str], placeholder_ipa: str, found: list[Choice]) -> list[str] | None:
    """The sentences' phonemes with each placeholder's replaced by its choice's IPA, in order; None
    when the placeholders cannot all be found (the caller then gives the voice the text as it is)."""
    bare = [ch for ch in placeholder_ipa if ch not in _STRESS and not ch.isspace()]
    if not bare:
        return None
    pattern = re.compile(f"[{_STRESS}]?" + f"[{_STRESS}]?".join(map(re.escape, bare)))
    queue = list(found)
    out = []
    for sentence in sentences:
        def put(_m: re.Match[str]) -> str:
            return queue.pop(0).ipa if queue else _m.group(0)

        out.append(pattern.sub(put, sentence))
    if queue or sum(len(pattern.findall(s)) for s in sentences) != len(found):
        return None
    return out
