"""English heteronyms: one spelling, readings told apart by part of speech.

Each word lists its readings as (Penn Treebank tags, IPA, gloss); the first reading whose tags
hold the word's tag is chosen, and the last reading (tags ``*``) is the default. The IPA is
written as espeak-ng writes it (``espeak-ng --ipa``: stress mark before the stressed vowel), the
form Piper's English voices are trained on; each reading is what espeak-ng itself says in a
context that leaves no doubt ("it was read" / "to read").

Heteronyms told apart by meaning, not by part of speech ("lead" the metal or the leash, "bass"
the fish or the sound, "row" the line or the quarrel) are not in the table: a tagger cannot
choose for them; the proof page lists unknown words for a listener to check instead.
"""

from __future__ import annotations

from dataclasses import dataclass

VERB = frozenset({"VB", "VBP"})  # base form and present tense (not 3rd person)
PAST = frozenset({"VBD", "VBN"})
NOUN = frozenset({"NN", "NNS", "NNP", "NNPS"})
ANY = frozenset()  # the default reading


@dataclass(frozen=True)
class Reading:
    tags: frozenset[str]
    ipa: str
    gloss: str


def _r(tags: frozenset[str] | str, ipa: str, gloss: str) -> Reading:
    return Reading(frozenset(tags.split()) if isinstance(tags, str) else tags, ipa, gloss)


# word → readings, the default last
TABLE: dict[str, tuple[Reading, ...]] = {
    "read": (_r(PAST, "ɹˈɛd", "past tense"), _r(ANY, "ɹˈiːd", "present tense")),
    "wound": (_r(PAST, "wˈaʊnd", "turned, wrapped"), _r(ANY, "wˈuːnd", "an injury")),
    "wind": (_r(VERB, "wˈaɪnd", "to turn"), _r(ANY, "wˈɪnd", "moving air")),
    "winds": (_r("VBZ", "wˈaɪndz", "turns"), _r(ANY, "wˈɪndz", "moving air")),
    "close": (_r(VERB | {"NN"}, "klˈoʊz", "to shut, an end"), _r(ANY, "klˈoʊs", "near")),
    "live": (_r(VERB, "lˈɪv", "to dwell"), _r(ANY, "lˈaɪv", "alive, not recorded")),
    "lives": (_r("VBZ", "lˈɪvz", "dwells"), _r(ANY, "lˈaɪvz", "plural of life")),
    "tear": (_r(VERB, "tˈɛɹ", "to rip"), _r(ANY, "tˈɪɹ", "from the eye")),
    "tears": (_r("VBZ", "tˈɛɹz", "rips"), _r(ANY, "tˈɪɹz", "from the eyes")),
    "bow": (_r(VERB, "bˈaʊ", "to bend"), _r(ANY, "bˈoʊ", "a knot, a weapon")),
    "bows": (_r("VBZ", "bˈaʊz", "bends"), _r(ANY, "bˈoʊz", "knots, weapons")),
    "minute": (_r("JJ JJS", "maɪnjˈuːt", "tiny"), _r(ANY, "mˈɪnɪt", "sixty seconds")),
    "use": (_r("NN", "jˈuːs", "a purpose"), _r(ANY, "jˈuːz", "to employ")),
    "does": (_r("NNS", "dˈoʊz", "female deer"), _r(ANY, "dˈʌz", "from to do")),
    "dove": (_r(PAST, "dˈoʊv", "dived"), _r(ANY, "dˈʌv", "the bird")),
    "house": (_r(VERB, "hˈaʊz", "to shelter"), _r(ANY, "hˈaʊs", "a building")),
    "excuse": (_r(VERB, "ɛkskjˈuːz", "to forgive"), _r(ANY, "ɛkskjˈuːs", "a reason")),
    "abuse": (_r(VERB, "ɐbjˈuːz", "to misuse"), _r(ANY, "ɐbjˈuːs", "misuse")),
    "refuse": (_r(NOUN, "ɹˈɛfjuːs", "rubbish"), _r(ANY, "ɹᵻfjˈuːz", "to decline")),
    "content": (_r(NOUN, "kˈɑːntɛnt", "what is inside"), _r(ANY, "kəntˈɛnt", "satisfied")),
    "desert": (_r(VERB, "dᵻzˈɜːt", "to abandon"), _r(ANY, "dˈɛzɚt", "dry land")),
    "perfect": (_r(VERB, "pɚfˈɛkt", "to make perfect"), _r(ANY, "pˈɜːfɛkt", "flawless")),
    "invalid": (_r(NOUN, "ˈɪnvəlɪd", "a sick person"), _r(ANY, "ɪnvˈælɪd", "not valid")),
    "upset": (_r("NN", "ˈʌpsɛt", "a surprise result"), _r(ANY, "ʌpsˈɛt", "to disturb, troubled")),
}

# Nouns stressed on the first syllable, verbs on the second: word → (noun IPA, verb IPA)
_STRESS_SHIFT = {
    "record": ("ɹˈɛkɚd", "ɹᵻkˈɔːɹd"), "present": ("pɹˈɛzənt", "pɹɪzˈɛnt"), "object": ("ˈɑːbdʒɛkt", "ɑːbdʒˈɛkt"),
    "project": ("pɹˈɑːdʒɛkt", "pɹədʒˈɛkt"), "permit": ("pˈɜːmɪt", "pɚmˈɪt"), "produce": ("pɹˈoʊduːs", "pɹədˈuːs"),
    "conduct": ("kˈɑːndʌkt", "kəndˈʌkt"), "contract": ("kˈɑːntɹækt", "kəntɹˈækt"),
    "console": ("kˈɑːnsoʊl", "kənsˈoʊl"), "convict": ("kˈɑːnvɪkt", "kənvˈɪkt"),
    "conflict": ("kˈɑːnflɪkt", "kənflˈɪkt"), "progress": ("pɹˈɑːɡɹɛs", "pɹəɡɹˈɛs"),
    "protest": ("pɹˈoʊtɛst", "pɹətˈɛst"), "suspect": ("sˈʌspɛkt", "səspˈɛkt"), "rebel": ("ɹˈɛbəl", "ɹᵻbˈɛl"),
    "insult": ("ˈɪnsʌlt", "ɪnsˈʌlt"), "increase": ("ˈɪŋkɹiːs", "ɪŋkɹˈiːs"), "decrease": ("dˈiːkɹiːs", "dᵻkɹˈiːs"),
    "extract": ("ˈɛkstɹækt", "ɛkstɹˈækt"), "escort": ("ˈɛskɔːɹt", "ɛskˈɔːɹt"), "survey": ("sˈɜːveɪ", "sɚvˈeɪ"),
    "torment": ("tˈɔːɹmɛnt", "tɔːɹmˈɛnt"), "subject": ("sˈʌbdʒɛkt", "səbdʒˈɛkt"), "import": ("ˈɪmpɔːɹt", "ɪmpˈɔːɹt"),
    "export": ("ˈɛkspɔːɹt", "ɛkspˈɔːɹt"), "digest": ("dˈaɪdʒɛst", "daɪdʒˈɛst"),
    "compound": ("kˈɑːmpaʊnd", "kɑːmpˈaʊnd"), "entrance": ("ˈɛntɹəns", "ɛntɹˈæns"),
}
for _word, (_noun, _verb) in _STRESS_SHIFT.items():
    TABLE[_word] = (_r(VERB, _verb, "verb: stress on the second syllable"),
                    _r(ANY, _noun, "noun or adjective: stress on the first syllable"))


def is_heteronym(word: str) -> bool:
    return word.lower() in TABLE


def choose(word: str, tag: str) -> Reading:
    """The reading of ``word`` (a key of ``TABLE``, any case) for its part-of-speech ``tag``."""
    readings = TABLE[word.lower()]
    return next((r for r in readings if tag in r.tags), readings[-1])
