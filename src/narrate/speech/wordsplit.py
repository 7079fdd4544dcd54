"""Run-together names in addresses, split into the words they are made of.

"enterpriseservices@…" and "ourdailynews.com" are typed without spaces; a voice's
phonemizer reads such a name as one long invented word. The split and its odds come
from **wordsegment** (Google's web corpus counts of single words and pairs); the
rules here only decide when a split helps a listener:

- a name that is a dictionary word ("therapist", "nowhere") or is common on the web
  as it is ("nvidia", "wikipedia", "nytimes": brands are written that way) stays;
- a name without a vowel ("bbc") stays, to be spelled as before;
- every piece must be a common word: four letters or more among the web's commoner
  words with a vowel, three letters a dictionary word that is frequent, two letters
  only the everyday ones ("my", "of", "us"), so abbreviations never become pieces;
- the best split must be ten times likelier than any other split that moves a word's
  edge ("pen island" against "penis land" is a coin toss, so "penisland" stays).
  A split that only joins or parts a compound ("the book seller") is no rival.

The corpus (12 MB) is loaded on first need, once per process.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import wordsegment

COMMON = 1_000_000  # uses in the corpus (about its 25,000 commonest words)
COMMON_SHORT = 10_000_000  # three letters: "pod", "git", "dit" are rarer than this
EVERYDAY = 500_000_000  # two letters: "of" … "me", not "re", "de", "la"
MARGIN = 1.0  # log10: the chosen split is ten times likelier than a rival
SHORTEST = 5  # letters in a name worth splitting
LONGEST = 32  # a longer name is not searched (splits grow with its length)
_VOWELS = frozenset("aeiouy")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Corpus:
    segmenter: wordsegment.Segmenter
    words: frozenset[str]

    def count(self, word: str) -> float:
        return float(self.segmenter.unigrams.get(word, 0.0))

    def known(self, name: str) -> bool:
        return name in self.words or self.count(name) >= COMMON

    def piece(self, word: str) -> bool:
        count = self.count(word)
        if len(word) == 2:
            return word in self.words and count >= EVERYDAY
        if len(word) == 3:
            return word in self.words and count >= COMMON_SHORT
        return count >= COMMON and not _VOWELS.isdisjoint(word)

    def odds(self, words: tuple[str, ...]) -> float:
        """log10 of the split's probability under the corpus's word-pair model."""
        previous, total = "<s>", 0.0
        for word in words:
            total += math.log10(self.segmenter.score(word, previous))
            previous = word
        return total


def _corpus() -> _Corpus:
    with _LOCK:
        return _load()


@cache
def _load() -> _Corpus:
    segmenter = wordsegment.Segmenter()
    segmenter.load()
    return _Corpus(segmenter, frozenset(segmenter.words))


def _splits(name: str, corpus: _Corpus) -> Iterator[tuple[str, ...]]:
    """Every way to cut the name into two or more pieces that are each a common word."""
    @cache
    def rest(start: int) -> tuple[tuple[str, ...], ...]:
        if start == len(name):
            return ((),)
        return tuple((name[start:end], *tail) for end in range(start + 2, len(name) + 1)
                     if corpus.piece(name[start:end]) for tail in rest(end))
    return (words for words in rest(0) if len(words) > 1)


def _edges(words: tuple[str, ...]) -> frozenset[int]:
    ends = [len(word) for word in words[:-1]]
    return frozenset(sum(ends[: i + 1]) for i in range(len(ends)))


def split_name(name: str) -> str:
    """'enterpriseservices' → 'enterprise services'; the name itself when no split helps."""
    if not (SHORTEST <= len(name) <= LONGEST and name.isascii() and name.isalpha() and name.islower()):
        return name
    if _VOWELS.isdisjoint(name):
        return name
    corpus = _corpus()
    if corpus.known(name):
        return name
    ranked = sorted(((corpus.odds(words), words) for words in _splits(name, corpus)), reverse=True)
    if not ranked:
        return name
    best_odds, best = ranked[0]
    edges = _edges(best)
    for odds, words in ranked[1:]:
        other = _edges(words)
        if not (other <= edges or other >= edges):
            if best_odds - odds < MARGIN:
                return name
            break
    return " ".join(best)
