"""Heteronyms: one spelling, two readings (read, lead, live, wind, tear, bass, close …).

The voice chooses a reading from context; narrate cannot know which it chose without
listening, so the proof page lists every heteronym with the reading that the words
around it suggest (a verb after "to", a pronoun or a modal; a noun after "the", "a",
"his" …), and a play control to hear what the voice did.
"""

from __future__ import annotations

import re

# word → ((reading as a noun/adjective/present, ...), (reading as a verb/past, ...)), each "sounds-like — sense".
HETERONYMS: dict[str, tuple[str, str]] = {
    "read": ("reed — present tense", "red — past tense"),
    "lead": ("leed — a head start, a leash (led: the metal)", "leed — to guide"),
    "live": ("lyve — alive, not recorded", "liv — to dwell"),
    "wind": ("wind — moving air", "wynd — to turn"),
    "wound": ("woond — an injury", "wownd — turned"),
    "tear": ("teer — from the eye", "tair — to rip"),
    "tears": ("teerz — from the eyes", "tairz — rips"),
    "bass": ("bayss — low sound", "bass — the fish"),
    "close": ("klohss — near", "klohz — to shut"),
    "record": ("REK-ord — a disc, a best", "ri-KORD — to capture"),
    "present": ("PREZ-ent — a gift, now", "pri-ZENT — to show"),
    "object": ("OB-ject — a thing", "ob-JECT — to protest"),
    "minute": ("MIN-it — sixty seconds", "my-NOOT — tiny"),
    "bow": ("boh — a weapon, a knot", "bow — to bend"),
    "row": ("roh — a line, to paddle", "row — a quarrel"),
    "sow": ("soh — to plant", "sow — a pig"),
    "dove": ("duv — the bird", "dohv — dived"),
    "desert": ("DEZ-ert — dry land", "di-ZERT — to abandon"),
    "content": ("KON-tent — what is inside", "kon-TENT — satisfied"),
    "contract": ("KON-tract — an agreement", "kon-TRACT — to shrink"),
    "produce": ("PROH-dooce — vegetables", "pro-DOOCE — to make"),
    "project": ("PROJ-ect — a plan", "pro-JECT — to cast"),
    "refuse": ("REF-yooss — rubbish", "ri-FYOOZ — to decline"),
    "permit": ("PER-mit — a licence", "per-MIT — to allow"),
    "conduct": ("KON-duct — behaviour", "kon-DUCT — to lead"),
    "invalid": ("IN-va-lid — a sick person", "in-VAL-id — not valid"),
    "excuse": ("ex-KYOOSS — a reason", "ex-KYOOZ — to forgive"),
    "moped": ("MOH-ped — a motorbike", "mohpt — sulked"),
    "polish": ("POH-lish — from Poland", "POL-ish — to shine"),
    "resume": ("REZ-oo-may — a CV", "ri-ZOOM — to continue"),
    "sewer": ("SOO-er — a drain", "SOH-er — who sews"),
    "entrance": ("EN-trance — a way in", "en-TRANCE — to delight"),
    "subject": ("SUB-ject — a topic", "sub-JECT — to expose"),
    "console": ("KON-sole — a panel", "kon-SOLE — to comfort"),
    "lives": ("lyvz — plural of life", "livz — dwells"),
}
_VERB_CUES = frozenset("""to will would can could shall should may might must do does did don't didn't
    i you we they he she it who not never often always cannot won't let please""".split())
_NOUN_CUES = frozenset("""the a an this that these those his her its our their my your some any no each
    every of in on at by for with from""".split())
_TOKEN = re.compile(r"[A-Za-z']+")


def reading(word: str, before: str) -> str:
    """The reading that the words before ``word`` suggest (noun reading when nothing does)."""
    noun, verb = HETERONYMS[word.lower()]
    previous = _TOKEN.findall(before.lower())[-1:] or [""]
    if previous[0] in _VERB_CUES:
        return verb
    if previous[0] in _NOUN_CUES:
        return noun
    return noun if word.lower() not in ("read", "wound", "dove", "moped", "close") or not previous[0] else verb


def is_heteronym(word: str) -> bool:
    return word.lower() in HETERONYMS
