"""Run-together names in addresses and hashtags, split into the words they are made of.

"enterpriseservices@…", "ourdailynews.com" and "#bookclub" are typed without spaces; a voice's
phonemizer reads such a name as one long invented word. The split and its odds come
from **wordsegment** (Google's web corpus counts of single words and pairs); the
rules here only decide when a split helps a listener:

- a name that is a dictionary word ("therapist", "nowhere") or is common on the web
  as it is ("nvidia", "wikipedia", "nytimes": brands are written that way) stays;
- a name without a vowel ("bbc") stays, to be spelled as before, and so does one of
  fewer than three different letters ("aaaaaaaa", "hahaha"), which is no words run together;
- every piece must be a common word: four letters or more among the web's commoner
  words with a vowel, three letters a dictionary word that is frequent, two letters
  only the everyday ones ("my", "of", "us"), one letter only the article "a" ("this is
  a test", never "this is at est"), so abbreviations never become pieces;
- the best split must be likelier than every other reading, rarer words allowed in
  those ("kirkus reviews" keeps "kirk us reviews" out), and ten times likelier than one
  that moves a word's edge ("pen island" against "penis land" is a coin toss, so
  "penisland" stays); a reading that only joins or parts a compound ("the book seller")
  needs no such lead.

The corpus (12 MB; the third of it that these rules can use) is loaded on first need,
once per process.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import wordsegment

COMMON = 1_000_000  # uses in the corpus (about its 25,000 commonest words)
COMMON_SHORT = 10_000_000  # three letters: "pod", "git", "dit" are rarer than this
RARE = 100_000  # a rival reading may use rarer words (the corpus's 100,000 commonest)
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
        if len(word) == 1:
            return word == "a"  # the article: "thisisatest" is "this is a test", never "this is at est"
        if len(word) == 2:
            return word in self.words and count >= EVERYDAY
        if len(word) == 3:
            return word in self.words and count >= COMMON_SHORT
        return count >= COMMON and not _VOWELS.isdisjoint(word)

    def rival(self, word: str) -> bool:
        """A piece of a reading that competes with a split: a rarer word too ("kirkus", "insta")."""
        return self.piece(word) or (len(word) > 3 and self.count(word) >= RARE
                                    and not _VOWELS.isdisjoint(word))

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


def _counts(path: str, keep: Callable[[str, float], bool]) -> Iterator[tuple[str, float]]:
    """The library's ``word<TAB>count`` lines that ``keep`` takes."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            word, count = line.split("\t")
            if keep(word, float(count)):
                yield word, float(count)


@cache
def _load() -> _Corpus:
    """The library's corpus less the words no rule here uses (fewer than RARE uses) and the pairs
    holding one: every reading weighed gets the odds the whole corpus gives it (the library scores
    a pair only when its first word is a known word), in three quarters of the memory."""
    segmenter = wordsegment.Segmenter()
    segmenter.unigrams.update(_counts(segmenter.UNIGRAMS_FILENAME, lambda _, count: count >= RARE))
    kept = segmenter.unigrams
    segmenter.bigrams.update(_counts(segmenter.BIGRAMS_FILENAME,
                                     lambda pair, _: all(word in kept for word in pair.split(" "))))
    segmenter.total, segmenter.limit = segmenter.TOTAL, segmenter.LIMIT
    with open(segmenter.WORDS_FILENAME, encoding="utf-8") as words:
        return _Corpus(segmenter, frozenset(words.read().splitlines()))


def _splits(name: str, accept: Callable[[str], bool]) -> list[tuple[str, ...]]:
    """Every way to cut the name into two or more pieces that ``accept`` takes."""
    @cache
    def rest(start: int) -> tuple[tuple[str, ...], ...]:
        if start == len(name):
            return ((),)
        return tuple((name[start:end], *tail) for end in range(start + 1, len(name) + 1)
                     if accept(name[start:end]) for tail in rest(end))
    return [words for words in rest(0) if len(words) > 1]


def _edges(words: tuple[str, ...]) -> frozenset[int]:
    ends = [len(word) for word in words[:-1]]
    return frozenset(sum(ends[: i + 1]) for i in range(len(ends)))


# Consonant clusters an English word can open or close with: these are said, not spelled ("str", "nd")
_ONSETS = frozenset("""bl br ch cl cr dr dw fl fr gl gn gr kn ph pl pr sc sh sk sl sm sn sp st sw th tr tw wh
    wr chr phr sch scr shr sph spl spr str thr""".split())
_CODAS = frozenset("""bs cht ck cks ct ds ff ft gs ld lds lf lk lks ll lm lp ls lt lts mb mp mps ms nch nd nds ng
    ngs nk nks ns nt nth nts ps pt rb rch rd rds rf rk rks rl rm rms rn rns rp rs rsh rst rt rth rts sh sk sp ss
    st sts th ths ts tch tt wn ws xt zz""".split())


def _spelled(letters: str) -> str:
    return " ".join(letters.upper())


def _unsayable(letters: str) -> bool:
    """Two to four letters without a vowel that are no word ("dgx", "rtx", "ftp"; not "hmm", "nth")."""
    return 2 <= len(letters) <= 4 and _VOWELS.isdisjoint(letters) and not is_word(letters)


def _words(name: str, corpus: _Corpus) -> str | None:
    """The name as its words, or None when no split is clearly the name's."""
    splits = _splits(name, corpus.piece)
    if not splits:
        return None
    best_odds, best = max((corpus.odds(words), words) for words in splits)
    edges = _edges(best)
    for words in _splits(name, corpus.rival):
        other, lead = _edges(words), best_odds - corpus.odds(words)
        if lead < 0 or (lead < MARGIN and not (other <= edges or other >= edges)):
            return None
    return " ".join(best)


def _said(rest: str, corpus: _Corpus) -> str | None:
    """What is left beside a spelled cluster, when it is a word or clearly words."""
    if len(rest) < 3 or _VOWELS.isdisjoint(rest):
        return None
    if corpus.piece(rest) or rest in corpus.words:
        return rest
    return _words(rest, corpus) if len(rest) >= SHORTEST else None


def _clustered(name: str, corpus: _Corpus) -> str | None:
    """'rtxprohelp' → 'R T X pro help', 'windowsxp' → 'windows X P': a cluster of two to four letters
    that no English word opens (or closes) with is spelled when the rest is words."""
    opening = len(name) - len(name.lstrip("bcdfghjklmnpqrstvwxz"))
    for size in range(2, min(4, opening) + 1):
        cluster = name[:size]
        if cluster not in _ONSETS and _unsayable(cluster) and (rest := _said(name[size:], corpus)):
            return f"{_spelled(cluster)} {rest}"
    closing = len(name) - len(name.rstrip("bcdfghjklmnpqrstvwxz"))
    for size in range(2, min(4, closing) + 1):
        cluster = name[-size:]
        if cluster not in _CODAS and _unsayable(cluster) and (rest := _said(name[:-size], corpus)):
            return f"{rest} {_spelled(cluster)}"
    return None


@lru_cache(maxsize=4096)  # a book repeats its addresses
def split_name(name: str) -> str:
    """'enterpriseservices' → 'enterprise services', 'rtxprohelp' → 'R T X pro help', 'dgx' → 'D G X';
    the name itself when no split helps."""
    if not (name.isascii() and name.isalpha() and name.islower()):
        return name
    if _unsayable(name):  # "dgx", "ftp": no vowel and no word, said letter by letter
        return _spelled(name)
    if not SHORTEST <= len(name) <= LONGEST:
        return name
    if _VOWELS.isdisjoint(name) or len(set(name)) < 3:  # "aaaaaaaa", "hahaha" are no words run together
        return name
    corpus = _corpus()
    if corpus.known(name):
        return name
    return _words(name, corpus) or _clustered(name, corpus) or name


@cache
def _dictionary() -> frozenset[str]:
    with open(wordsegment.Segmenter.WORDS_FILENAME, encoding="utf-8") as words:
        return frozenset(words.read().splitlines())


def is_word(word: str) -> bool:
    """Whether ``word`` (any case) is in the library's English word list ("elm", "agents"; not
    "fbi", "html"), loaded on first need without the corpus's counts."""
    return word.lower() in _dictionary()
