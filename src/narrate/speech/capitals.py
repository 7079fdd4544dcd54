"""English text written in capitals (a sign, a notice, an address typed in capitals): which capital
words are words.

An all-capital word is otherwise read as an acronym by ``wording.acronyms``: spelled ("F B I")
unless it is a known word acronym ("NASA") or looks like a word of four letters or more. Where
capitals are the way a text is written rather than an acronym's (a text mostly in capitals,
"KEEP OFF THE GRASS", or a run of two or more capital words, "123 MAIN ST", "FBI AGENTS"), each
capital word is read for what it is:

* a street type after a name ("ST", "AVE", "BLVD") becomes the abbreviation the address rules
  expand ("St" → "Street"), and the one to three words before it the street's name ("Main"); "ST"
  and "MT" before a word are "St", "Mt" before a name ("St Louis": Saint, "Mt Everest": Mount);
* a word before a Roman numeral keeps its capitals for the numeral rules: a cue or a regnal
  name as a name ("Chapter IV", "Henry VIII"), any other as written ("WIDGET II"); the numeral
  stays;
* a word of the English word list (three letters or more) is written in small letters ("off",
  "agents", "elm"), and so is a short function word ("OF", "IN"), except a pronoun that is also an
  initialism after an article, a demonstrative or a possessive ("THE WHO REPORT": the World Health
  Organization, spelled; "THE MAN WHO KNEW" keeps the pronoun; ``wording.initialism_after_determiner``);
  "US" after another capital word at a clause's end or before a question word is the pronoun
  ("CONTACT US.", "TELL US WHO"), elsewhere the country ("US TROOPS", "THE US ECONOMY");
* a name's particles ("DE", "LA", "DA", "VAN", "LOS" …) between a capital word and a name's word, or
  "LOS", "DE" … opening a run, are in small letters ("RIO DE JANEIRO", "LOS ANGELES"), and a word of one
  syllable beside them is the name's ("Rio"); so after a preposition when the name's word is no English
  word ("IN LA PAZ"); after an article or another function word ("THE LA LAKERS", "IN LA TRAFFIC") the
  initialism stays;
* anything else ("FBI", "HTML", "NASA", and every word the document lists as spelled or read as a
  word) stays in capitals, for the acronym rules.

A capital word joined to a digit or a hyphen ("B-747s", "1-800-FLOWERS") is left to the rules for
codes and numbers.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from narrate.speech.places import STREET_TYPES, STREET_WORDS
from narrate.speech.wording import (
    ROMAN_CUES,
    initialism_after_determiner,
    initialism_heading,
    pronounceable,
    roman_value,
    united_states_initialism,
)
from narrate.speech.wordsplit import is_word

_WORD = re.compile(r"(?<![\w-])[A-Z]{2,}(?:['’](?:S|T|LL|RE|VE|D|M))?(?![\w-])")  # "ISN'T", "WE'LL" too
_RUN = re.compile(rf"{_WORD.pattern}(?: {_WORD.pattern})*")
_LETTERS = re.compile(r"[A-Za-z]{2,}")
_TYPES = frozenset(t.upper() for t in STREET_TYPES) | frozenset(w.upper() for w in STREET_WORDS)
_FUNCTION_WORDS = frozenset("""OF IN ON AT TO BY OR AN AS IF UP NO SO DO GO IS IT BE HE WE ME MY""".split())
_PLAIN_ROMAN = re.compile("[IVX]{2,}")  # a numeral after any word: "ML", "CD", "MD" are initialisms there
_PRONOUNS = frozenset("I YOU HE SHE IT WE THEY WHO THAT THERE".split())  # "WE'LL", "THEY'RE", "THAT'S"
_QUESTION_WORDS = frozenset("WHO WHAT WHERE WHEN WHY HOW WHICH".split())
_BEFORE_NAMES = frozenset({"ST", "MT"})  # "ST LOUIS", "MT EVEREST": Saint, Mount before a name
# the particles of names ("RIO DE JANEIRO", "CASA DE LA MONEDA", "LEONARDO DA VINCI", "LUDWIG VAN BEETHOVEN")
_PARTICLES = frozenset("DE DEL DELLA DI DA DO DOS DAS DU DES LA LE LOS LAS VON VAN DER DEN".split())
# those that open a name ("LOS ANGELES", "DE GAULLE"); "LA", "LE", "DA", "DO" there are initialisms
# ("LA LAKERS", "DA OFFICE") as often as not
_OPENING_PARTICLES = frozenset("DE DEL DI DU LOS LAS VON VAN".split())
_PREPOSITIONS = frozenset("IN AT TO ON BY OF FROM INTO NEAR VIA".split())
# after a preposition these are a name's whatever word follows ("IN LE MANS", "AT LES ARCS"); "LA", "DA",
# "DO" are left to the test below ("IN LA TRAFFIC" is Los Angeles')
_PLACED_PARTICLES = frozenset("LE LES DES DER DEN DELLA".split())
_LEADING = frozenset("THE AND BUT NOR FOR YET WITH FROM INTO THIS THAT OUR YOUR HIS HER ITS THEIR".split())
_SYLLABLE = re.compile("[B-DF-HJ-NP-TV-Z]?[AEIOU]+[B-DF-HJ-NP-TV-Z]?")  # "RIO", "PAZ", "SAN"; not "FBI"
MOSTLY = 0.7  # share of a text's words in capitals that makes it a text written in capitals


def _written_in_capitals(text: str) -> bool:
    words = _LETTERS.findall(text)
    return len(words) >= 3 and sum(w.isupper() for w in words) >= MOSTLY * len(words)


def _is_word(word: str) -> bool:
    """A word of the word list; a contraction ("ISN'T", "WE'LL", "CAN'T") when what is before its
    apostrophe is a word, a short function word or ends a negation's "N"; "FBI'S" is no word."""
    base, mark, tail = word.replace("’", "'").partition("'")
    if not mark:
        return is_word(word)
    return (is_word(base) or base in _FUNCTION_WORDS or (tail == "T" and base.endswith("N") and len(base) >= 2)
            or (tail != "S" and base in _PRONOUNS))


def _roman(word: str) -> bool:
    return roman_value(word) is not None and not is_word(word)


def _object_us(words: list[str], i: int, after: str) -> bool:
    """"US" after another capital word, at a clause's end or before a question word, is the pronoun."""
    if i + 1 < len(words):
        return words[i + 1] in _QUESTION_WORDS
    return not after.strip() or after.lstrip()[:1] in ".,;:!?)\"'”’"


def _read_run(words: list[str], kept: Collection[str], every: bool = False, before: str = "",
              after: str = "") -> list[str]:
    """The words of one run of capital words, each as the acronym rules should see it; ``every``: the
    text is written in capitals; ``before``: the text before the run. A two-letter word ("IT", "US") is a
    word only there or in a run of three words or more ("PLEASE DO NOT"), else an acronym ("IT SUPPORT");
    a pronoun after an article or a possessive ("THE WHO REPORT", "OUR IT DESK") is an initialism."""
    short = every or len(words) > 2
    out = [word.lower() if word not in kept and ((len(word) >= 3 and _is_word(word))
                                                 or (short and word in _FUNCTION_WORDS))
           and not initialism_after_determiner(word, " ".join([before, *words[:i]]) + " ")
           and not (i == 0 and initialism_heading(word, before, " ".join([*words[1:], after])))
           else word for i, word in enumerate(words)]
    out = [w[:-1] + "s" if w.endswith(("'S", "’S")) and w.isupper() else w for w in out]  # "FBI'S" → "FBI's"
    if every:  # "INDIA", "ASIA", "OHIO" in a headline: names the acronym rules would spell ("-ia", "-io")
        out = [w.capitalize() if w.isupper() and w not in kept and w.endswith(("IA", "IO"))
               and pronounceable(w, names=True) and not united_states_initialism(w) else w for w in out]
    _particles(words, out, kept)
    for i, word in enumerate(words):
        if word == "US" and i and word not in kept and _object_us(words, i, after) \
                and not initialism_after_determiner(word, " ".join([before, *words[:i]]) + " "):
            out[i] = "us"  # "CONTACT US", "TELL US WHO": the pronoun after a verb or a preposition
        elif i and word in _TYPES and words[i - 1] not in kept:
            out[i] = word.capitalize()
            _name(words, out, range(i - 1, max(-1, i - 4), -1), kept)
        elif word in _BEFORE_NAMES and i + 1 < len(words):
            out[i] = word.capitalize()
            _name(words, out, range(i + 1, min(len(words), i + 3)), kept)
        elif i and words[i - 1] in ROMAN_CUES and _roman(word):  # "CHAPTER IV", "HENRY VIII": cues
            out[i - 1] = words[i - 1].capitalize()
        elif i and _PLAIN_ROMAN.fullmatch(word) and _roman(word):  # "WIDGET II": the word as written
            out[i - 1] = words[i - 1]
    return out


def _name_word(word: str, kept: Collection[str]) -> bool:
    """A capital word that can be a name's after a particle: three letters or more, said as a word."""
    return (word not in kept and len(word) >= 3 and word not in _FUNCTION_WORDS and word not in _PARTICLES
            and (_is_word(word) or pronounceable(word, names=True)))


def _particles(words: list[str], out: list[str], kept: Collection[str]) -> None:
    """A name's particles in small letters ("DE", "LA" in "CASA DE LA MONEDA"; "LOS" opening "LOS
    ANGELES"), when a name's word follows the particles and a capital word that is no article or
    function word comes before them ("THE LA LAKERS" keeps the initialism), or they open the run and can
    open a name; a short word of one syllable beside them is the name's ("RIO DE JANEIRO": Rio)."""
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and words[j] in _PARTICLES and words[j] not in kept:
            j += 1
        if j == i:
            i += 1
            continue
        before = words[i - 1] if i else ""
        opens = not before and words[i] in _OPENING_PARTICLES
        named = before and before not in kept and before not in _FUNCTION_WORDS and before not in _LEADING
        # after a preposition, a name's word that is no English word ("IN LA PAZ", "TO LA JOLLA"); "IN LA
        # TRAFFIC" and "THE LA LAKERS" (an article) keep the initialism
        placed = before in _PREPOSITIONS and j < len(words) and (not _is_word(words[j])
                                                                  or words[i] in _PLACED_PARTICLES)
        if j < len(words) and _name_word(words[j], kept) and (opens or named or placed):
            out[i:j] = [w.lower() for w in words[i:j]]
            for k in (i - 1, j):
                if k >= 0 and out[k] == words[k] and _SYLLABLE.fullmatch(words[k]):
                    out[k] = words[k].capitalize()
        i = j


def _name(words: list[str], out: list[str], places: range, kept: Collection[str]) -> None:
    """The words at ``places`` (up to the first function word) written as a name's."""
    for j in places:
        if words[j] in kept or words[j] in _FUNCTION_WORDS or _roman(words[j]):
            return
        out[j] = words[j].capitalize()


def capitals(text: str, kept: Collection[str] = frozenset()) -> str:
    """'123 MAIN ST' → '123 Main St', 'FBI AGENTS' → 'FBI agents', 'KEEP OFF THE GRASS' → 'keep off
    the grass'; ``kept``: capital words left to the acronym rules (a document's own lists)."""
    if not any(c.isupper() for c in text):
        return text
    every = _written_in_capitals(text)

    def read(m: re.Match[str]) -> str:
        words = m.group(0).split(" ")
        if not (every or len(words) > 1):
            return m.group(0)
        return " ".join(_read_run(words, kept, every, m.string[:m.start()], m.string[m.end():]))

    return _RUN.sub(read, text)
