"""English rules that read words and symbols: web addresses, abbreviations,
Roman numerals, symbols and acronyms. Each rule is ``text -> text``."""

from __future__ import annotations

import re
from collections.abc import Collection

from narrate.speech import numbers as n
from narrate.speech.numeric import PER_TIME, UNITS, Rule, safe, sub, unit_words
from narrate.speech.places import RULES_PLACES
from narrate.speech.wordsplit import is_word, split_name

# ------------------------------------------------------------ e-mail and URLs

_URL_SYMBOLS = {".": "dot", "/": "slash", "-": "dash", "_": "underscore", "?": "question mark",
                "=": "equals", "&": "ampersand", "#": "hash", ":": "colon", "~": "tilde", "%": "percent",
                "+": "plus", "@": "at"}
_URL_SYMBOL_RE = re.compile("[" + re.escape("".join(_URL_SYMBOLS)) + "]")
_TLDS = "com|org|net|edu|gov|io|dev|info|app|ai|eu|uk|us|ca|de|fr|nl|au"
# Country endings, lower case only, after a name of two or more characters: "literature.at", "gov.ro"
# (not "e.g", and not "end.It" at a missing space, which is capitalized).
_CC_TLDS = ("ac|ae|ar|at|be|bg|br|by|cc|ch|cl|cn|co|cu|cy|cz|dk|ee|eg|es|fi|fm|gr|hk|hr|hu|id|ie|il|in|ir|is|"
            "it|jp|ke|kr|kz|li|lk|lt|lu|lv|ly|ma|me|mx|my|ng|no|nz|pe|ph|pk|pl|pt|ro|rs|ru|sa|se|sg|si|sk|sm|"
            "su|th|tn|tr|tv|tw|ua|ug|uy|uz|ve|vn|ws|za")
# an address never starts with a dot: in "see .b@x.org" the dot is the writer's, not the name's
_EMAIL = re.compile(r"(?:(?<!\S)\.)?(?<![\w+-])(?<!\w\.)[\w%+&-][\w.%+&-]*@"
                    r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/[^\s<>\"“”]*)?")
_URL = re.compile(
    rf"(?:\b(?:https?://|www\.|file:///?|s?ftps?://)|(?<![\w@./-])(?=[\w-]+(?:\.[\w-]+)*\.(?:{_TLDS})\b(?![.-]?\w))"
    rf"|(?<![\w@./-])(?=[\w-]{{2,}}(?:\.[\w-]+)*\.(?-i:{_CC_TLDS})\b(?![.-]?\w))"
    # any other ending, only when all in lower case ("intro.html", "site.museum"; not "end.Then")
    r"|(?<![\w@./-])(?-i:(?=[a-z0-9-]{2,}(?:\.[a-z0-9-]+)*\.[a-z]{2,6}\b(?![.-]?\w))))"
    r"[^\s<>\"“”]+", re.IGNORECASE)
_JPG = re.compile(r"(?<=\.)jpg(?![\w.-])", re.IGNORECASE)
_LOWER_NAME = re.compile(r"(?<![A-Za-z])[a-z]+(?![A-Za-z])")
_TRAILING = re.compile(r"[.,;:!?)\]'\"’”]+$")


def speak_address(address: str) -> str:
    """'https://www.example.org/subscribe' → 'example dot org slash subscribe'."""
    # a browser supplies "https://" and "www.", so they go unsaid; any other scheme ("file:///", "ftp://")
    # is part of what must be typed and is said as written: "file colon slash slash slash home …"
    address = re.sub(r"^(?:https?://)?(?:www\.)?", "", address, flags=re.IGNORECASE).rstrip("/")
    # a file's ".jpg" is said as the format is named, "jay-peg" (as ".jpeg" is), not spelled "J P G"
    address = _JPG.sub("jpeg", address)
    # a run-together name is said as its words: "ourdailynews" → "our daily news", and letters that
    # cannot be said are spelled: "dgx" → "D G X" (see speech/wordsplit)
    address = _LOWER_NAME.sub(lambda m: split_name(m.group(0)), address)
    spoken = _URL_SYMBOL_RE.sub(lambda m: f" {_URL_SYMBOLS[m.group(0)]} ", address)
    # digits in an address are a name, never a quantity: "mail123", "/2024/0815", "/12" digit by digit,
    # as they are typed (one rule for every length: "slash one two", never "slash twelve")
    spoken = re.sub(r"[0-9]{2,}", lambda m: f" {n.digits_words(m.group(0))} ", spoken)
    return " ".join(spoken.split())


def _url(m: re.Match[str]) -> str:
    url = m.group(0)
    trail = _TRAILING.search(url)
    tail = trail.group(0) if trail else ""
    core = url[: len(url) - len(tail)]
    if not re.search(r"[A-Za-z0-9]", core):
        return url
    return speak_address(core) + tail


_MAILTO = re.compile(r"\bmailto:(?=[\w.%+&-]+@)", re.IGNORECASE)  # a link's scheme: the address is what is said


def _email(m: re.Match[str]) -> str:
    address = m.group(0)
    return ". " + speak_address(address[1:]) if address.startswith(".") else speak_address(address)


# -------------------------------------------------------------- abbreviations

_FUNCTION_WORDS = frozenset("""a an the in at on to of from by for with near and or but into onto
    via visit visited see saw meet met ask asked said call called dear mount fort port lake cape""".split())
_DR_ST = re.compile(r"\b(Dr|St)(\.(?![A-Za-z])|(?=[ \t]+[A-Z]))")


_END = re.compile(r"\s*\Z")
_NEXT_CAPITAL = re.compile(r"[ \t]+[A-Z]")


def _at_end(m: re.Match[str]) -> bool:
    return _END.match(m.string, m.end()) is not None


def _dr_st(m: re.Match[str]) -> str:
    person, place = ("Doctor", "Drive") if m.group(1) == "Dr" else ("Saint", "Street")
    window = max(0, m.start() - 200)
    tokens = m.string[window: m.start()].rstrip(" \t,").split()
    word = tokens[-1] if tokens and re.fullmatch(r"[\w'’]+", tokens[-1]) else ""
    initial = window == 0 and len(tokens) <= 1
    followed = _NEXT_CAPITAL.match(m.string, m.end()) is not None
    address = bool(word) and (word[0].isdigit() or (
        word[0].isupper() and not initial and word.lower() not in _FUNCTION_WORDS))
    words = place if address or not followed else person
    return words + "." if m.group(2) == "." and _at_end(m) else words


_TITLES = {"Mr": "Mister", "Mrs": "Misses", "Ms": "Miz", "Prof": "Professor", "Rev": "Reverend",
           "Gen": "General", "Capt": "Captain", "Sgt": "Sergeant", "Lt": "Lieutenant", "Col": "Colonel",
           "Gov": "Governor", "Sen": "Senator", "Rep": "Representative", "Hon": "Honorable",
           "Fr": "Father", "Mt": "Mount", "Ft": "Fort", "Pres": "President", "Jr": "Junior", "Sr": "Senior",
           "Maj": "Major", "Cpl": "Corporal", "Pvt": "Private", "Adm": "Admiral", "Cmdr": "Commander",
           "Brig": "Brigadier", "Insp": "Inspector", "Det": "Detective", "Supt": "Superintendent"}
_TITLE_RE = re.compile(
    r"\b(Mr|Mrs|Ms)(?:\.(?![A-Za-z])|(?=[ \t]+[A-Z]))|\b(" + "|".join(_TITLES) + r")\.(?=[ \t]+[A-Z])")
_JR_SR = re.compile(r"(?<=[\w,] )(Jr|Sr)\.")
# a title or rank with nothing after it, at the very end ("ask the Rev.", a list of "Maj.", "Apt."):
# still the word; not "Gen.", "Col.", "Rep.", "Fr.", which end other words' abbreviations too
_TITLE_ALONE = re.compile(r"\b(Rev|Hon|Mt|Maj|Capt|Sgt|Lt|Cpl|Pvt|Adm|Cmdr|Insp|Supt|Prof|Gov|Apt)\.(?=\s*\Z)")

_GENERAL: tuple[tuple[str, str], ...] = (
    (r"\be\.\s?g\.", "for example"), (r"\bi\.\s?e\.", "that is"), (r"\betc\.", "et cetera"),
    (r"\bvs\.?(?=\s)", "versus"), (r"\bv\.(?=\s[A-Z])", "versus"), (r"\bapprox\.", "approximately"),
    (r"\bcf\.", "compare"), (r"\bet al\.", "and others"), (r"\ba\.k\.a\.", "also known as"),
    (r"\bviz\.", "namely"), (r"\bincl\.", "including"), (r"\besp\.", "especially"),
    (r"\bdept\.", "department"), (r"\bInc\.", "Incorporated"), (r"\bLtd\.", "Limited"),
    (r"\bCorp\.", "Corporation"), (r"\bFig\.(?=\s?[0-9])", "Figure"), (r"\bfig\.(?=\s?[0-9])", "figure"),
    (r"\bVol\.(?=\s)", "Volume"), (r"\bvol\.(?=\s)", "volume"), (r"\bpp\.(?=\s?[0-9])", "pages"),
    (r"\bp\.(?=\s?[0-9])", "page"), (r"\b(?:c|ca)\.(?=\s?[0-9])", "circa"),
    (r"\bch\.(?=\s?[0-9])", "chapter"), (r"\bCh\.(?=\s?[0-9IVX])", "Chapter"),
    (r"\bPh\.\s?D\.", "P H D"), (r"\bAve\.", "Avenue"), (r"\bRd\.", "Road"), (r"\bBlvd\.", "Boulevard"),
    (r"\bHwy\.", "Highway"),
    # period-over-period figures in business writing, said in full ("rose 12% YoY"), and a price's "ea."
    (r"\bYoY\b", "year over year"), (r"\bQoQ\b", "quarter over quarter"),
    (r"(?<=[0-9] )ea\.(?=\s+[a-z]|[,;:])", "each"), (r"(?<=[0-9] )ea(?=\.(?:\s|$))", "each"),
)
# Abbreviations read before a number ("Dist. 3" → "District 3"), either case, with a period.
_BEFORE_NUMBER = {"dist": "district", "sec": "section", "art": "article", "apt": "apartment", "rm": "room",
                  "ste": "suite", "bldg": "building", "div": "division", "para": "paragraph", "eq": "equation",
                  "exh": "exhibit", "reg": "regulation", "pt": "part", "ref": "reference", "ser": "series",
                  "ed": "edition", "fl": "floor", "dep": "department", "sch": "schedule", "tab": "table",
                  "temp": "temperature"}
_BEFORE_NUMBER_RE = re.compile(r"\b(" + "|".join(_BEFORE_NUMBER) + r")\.(?=\s?[-−]?[0-9])", re.IGNORECASE)
# a life's dates: "(b. 1932)", "Ann Lee (b. 1901, d. 1987)", "d. c. 1350": born, died. Only where a note opens
# (a bracket, a comma or semicolon, a line's start) and before a year, so a list's "b." stays a letter
_LIFE = re.compile(r"(?:(?<=[(\[])|(?<=[(\[,;] )|^)([bd])\.\s?(?=(?:ca?\.\s?|circa )?[12][0-9]{3}(?![0-9]))",
                   re.MULTILINE)


def _life(m: re.Match[str]) -> str:
    return ("born" if m.group(1) == "b" else "died") + " "


def _before_number(m: re.Match[str]) -> str:
    words = _BEFORE_NUMBER[m.group(1).lower()]
    return words.capitalize() if m.group(1)[0].isupper() else words


_GENERAL_RE = re.compile(  # one word-start test and first-letter check before trying every alternative
    r"\b(?=[" + "".join(sorted({re.sub(r"^\\b(?:\(\?:)?", "", p)[0] for p, _ in _GENERAL})) + "])(?:"
    + "|".join(f"({pattern})" for pattern, _ in _GENERAL) + ")(?![A-Za-z])")
_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}(?![\w])")


# "ed." after an ordinal is the edition: "the 2nd ed.", "3rd Ed.", "4th edn"
_EDITION = re.compile(r"(?<=[0-9](?:st|nd|rd|th) )([Ee])d(?:\.|n\.?)(?![\w.])")


def _edition(m: re.Match[str]) -> str:
    words = "Edition" if m.group(1) == "E" else "edition"
    return words + "." if m.group(0).endswith(".") and _at_end(m) else words


def _general(m: re.Match[str]) -> str:
    assert m.lastindex is not None
    words = _GENERAL[m.lastindex - 1][1]
    return words + "." if _at_end(m) else words


def _title(m: re.Match[str]) -> str:
    return _TITLES[m.group(1) or m.group(2)]


def _title_alone(m: re.Match[str]) -> str:
    return ("Apartment" if m.group(1) == "Apt" else _TITLES[m.group(1)]) + "."


def _dotted(m: re.Match[str]) -> str:
    words = " ".join(ch.upper() for ch in m.group(0) if ch.isalpha())
    return words + "." if _at_end(m) else words


# ------------------------------------------------------------- Roman numerals

_ROMAN_VALID = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_CUES = ("Chapter|Book|Part|Volume|Vol\\.|Act|Scene|Section|Appendix|Article|Phase|Stage|Level|Canto|"
         "Psalm|War|Bowl|Episode|Season|Type|Class|Grade|Title|Round|Vatican")
_REGNAL = ("Henry|Edward|Elizabeth|Charles|George|William|James|Louis|Mary|Richard|John|Peter|Catherine|"
           "Napoleon|Pius|Leo|Gregory|Benedict|Paul|Alexander|Nicholas|Frederick|Philip|Ferdinand|"
           "Anne|Victoria|Stephen|Matilda|Alfonso|Carlos|Juan|Gustav|Christian|Olaf|Haakon|Harald|"
           "Innocent|Clement|Urban|Boniface|Ramesses|Ptolemy|Constantine|Ivan|Wilhelm|Francis|Otto|"
           "Rudolf|Sancho|Umberto|Vittorio|Pedro|Manuel|Sebastian|Edmund|Harold|Malcolm|David|Robert")
ROMAN_CUES = frozenset(w.upper() for w in f"{_CUES}|{_REGNAL}".split("|") if w.isalpha())  # "CHAPTER", "HENRY"
_CUE_ROMAN = re.compile(rf"\b({_CUES})(\s+)([IVXLCDM]+)\b(?!['’]?\w)")
_CUE_ROMAN_LOWER = re.compile(r"\b(Act|Scene|Chapter|Book|Part|Volume|Canto|Appendix|act|scene|chapter|book|part|"
                              r"volume|canto|appendix)(\s+)([ivxlc]{1,6})\b(?!['’]?\w)")
_REGNAL_ROMAN = re.compile(rf"\b(?!Malcolm\s+X\b)({_REGNAL})(\s+)([IVXLCDM]+)\b(?![\w.-]\w)")  # not Malcolm X
_TITLED_ROMAN = re.compile(
    r"\b(King|Queen|Pope|Emperor|Empress|Tsar|Tsarina|Czar|Kaiser|Prince|Princess|Duke|Duchess|Sultan|"
    r"Pharaoh|Shah|Grand Duke|Count|Countess|Saint)(\s+(?:[A-Z][a-z]+\s+){1,2})([IVXLCDM]+)\b(?![\w.-]\w)")
# A person's name of a given name and a surname (a middle initial too) before II, III or IV: a
# generation's numeral, "the third" ("Thurston Howell III", "John D. Smith IV"): the given name is one of
# the names above, or neither it nor the surname is an English word ("Final Fantasy", "Street Fighter II",
# "Pokemon Gold II" hold words: a title's number)
_GENERATION_ROMAN = re.compile(
    r"\b([A-Z][a-z]+)((?:\s+[A-Z]\.)?(?:\s+(?:Mc|Mac|O['’]|De|Van)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,2})(\s+)(II|III|IV)"
    r"\b(?![\w.-]\w)")
# given names common among men who carry a generation's numeral (the regnal names above are given names too)
_GIVEN_NAMES = frozenset(_REGNAL.split("|")) | frozenset("""Albert Andrew Anthony Arthur Benjamin Billy Bobby
    Brian Carl Daniel Dennis Donald Douglas Ernest Frank Fred Gerald Harry Howard Hugh Jack Jerry Jim Jimmy Joe Joseph
    Joshua Keith Kenneth Kevin Larry Lawrence Mark Martin Michael Patrick Ralph Raymond Roger Ronald Roy Russell
    Samuel Steven Ted Theodore Thomas Tom Walter Willie""".split())


def _generation_roman(m: re.Match[str]) -> str:
    given = m.group(1)
    surname = re.findall(r"[A-Z][a-z'’-]{2,}", m.group(2))
    if given in _CUES.split("|") or not (given in _GIVEN_NAMES or not any(
            is_word(w.lower()) for w in (given, *surname))):
        return given + _GENERATION_ROMAN.sub(_generation_roman, m.group(0)[len(given):])  # "Ask Robert Vance II"
    return f"{given}{m.group(2)}{m.group(3)}the {n.ordinal(roman_value(m.group(4)) or 0)}"


_OTHER_ROMAN = re.compile(r"\b([A-Z][A-Za-z]+)(\s+)([IVX]{2,})\b(?![\w.-]\w)")
# A lone V or X closing a title of two or more capitalized words ("Final Fantasy X", "Rocky V"
# needs the cue list); one name before it stays a letter ("Malcolm X", "Generation X").
_TITLE_ROMAN = re.compile(r"\b((?:[A-Z][a-z]+\s+)+[A-Z][a-z]+)(\s+)([VX])\b(?![\w.'’-]\w)")
# A text that is only a Roman numeral of I, V and X ("IV", "XII."): a section's number on a line of its own (a
# divider paragraph, a list item), said as the number; "CD", "XL", "MD" and a lone "I" stay as they are
_LONE_ROMAN = re.compile(r"\A(\s*)([IVX]{2,})(\.?\s*)\Z")


def _lone_roman(m: re.Match[str]) -> str:
    value = roman_value(m.group(2))
    return m.group(0) if value is None else m.group(1) + n.cardinal(value).capitalize() + m.group(3)


def roman_value(numeral: str) -> int | None:
    """'XIV' → 14; None if it is not a well-formed Roman numeral."""
    if not numeral or not _ROMAN_VALID.fullmatch(numeral):
        return None
    values = [_ROMAN_VALUES[ch] for ch in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _lower_roman(m: re.Match[str]) -> str:
    """'Scene ii', 'chapter iv'; a lone 'i' only after a capitalized cue ('in part i think' stays)."""
    if m.group(1)[0].islower() and len(m.group(3)) == 1:
        return m.group(0)
    return _roman(False)(m)


_LAST_REIGN = 40  # no monarch or pope has had a higher number (Louis XVIII, John XXIII)


def _roman(ordinal: bool):
    def read(m: re.Match[str]) -> str:
        value = roman_value(m.group(3).upper())
        if value is None or (ordinal and value > _LAST_REIGN):
            return m.group(0)  # "John D. Rockefeller", "Louis C. Tiffany": an initial, no 500th John
        words = f"the {n.ordinal(value)}" if ordinal else n.cardinal(value)
        return f"{m.group(1)}{m.group(2)}{words}"

    return read


# ----------------------------------------------------------------------- symbols

_PER_WORDS = r"(?:hour|hr|day|week|wk|month|mo|year|yr|night|person|head|page|unit|item|kg|km|mile|" \
             r"liter|litre|gallon|lb|serving|minute|min|second|sec)s?\b"
_SYMBOLS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"(?<=[0-9])\s?\+\s?(?=[0-9])"), " plus "),
    (re.compile(r"(?<=[0-9])\+(?!\w)"), " plus"),
    (re.compile(r"(?:(?<=\s)|^)\+(?=[0-9])"), "plus "),
    (re.compile(r"\s=\s|(?<=[0-9])=(?=[0-9])"), " equals "),
    (re.compile(r"\s?×\s?"), " times "), (re.compile(r"\s?÷\s?"), " divided by "),
    (re.compile(r"~\s?(?=[0-9$£€])"), "about "), (re.compile(r"§\s?"), "section "),
    (re.compile(r"(?:(?<=\s)|^)@(?=\s)"), "at"), (re.compile(r"\b([CF])#(?!\w)"), r"\1 sharp"),
    (re.compile(r"(?<!\w)#(?=[A-Za-z])"), "hashtag "), (re.compile(r"(?<=\w)#|#(?!\s?[0-9])"), " hash "),
    (re.compile(r"(?<=[A-Za-z])–(?=[A-Za-z])"), " to "),
    # "Copyright © 2026" must not say "copyright" twice; a lone © or ℗ is read out.
    (re.compile(r"(?i)(?<=copyright)\s*[©Ⓒ]\s*"), " "), (re.compile(r"\s?[©Ⓒ]\s?"), " copyright "),
    (re.compile(r"\s?℗\s?"), " phonogram copyright "), (re.compile(r"\s?®"), ""), (re.compile(r"\s?™"), ""),
)


_WORD_SLASH = re.compile(r"\b([A-Za-z]+)/([A-Za-z]+)\b")


def _word_slash(m: re.Match[str]) -> str:
    """'he/she' → 'he or she', 'and/or' → 'and or', 'km/h' stays (a unit), 'miles/hour' → 'per'."""
    first, second = m.groups()
    if m.group(0) in UNITS or (first in UNITS and (second in UNITS or second in PER_TIME)):
        return m.group(0)  # a unit: "km/h", "kg/m" (read by the unit rules)
    if first.lower() == "and" and second.lower() == "or":
        return f"{first} {second}"
    if re.fullmatch(_PER_WORDS, second):  # "pages/min", "calls/hrs": per and the unit's word
        unit = second.lower()
        unit = unit[:-1] if unit not in _PER_UNIT and unit.endswith("s") else unit  # "per hour", not "per hours"
        return f"{first} per {_PER_UNIT.get(unit, unit)}"
    return f"{first} or {second}"


_PER_UNIT = {"hr": "hour", "wk": "week", "mo": "month", "yr": "year", "min": "minute", "sec": "second",
             "h": "hour", "d": "day", "sq ft": "square foot"} | {
                 u: one for u, (one, _) in UNITS.items() if "/" not in u}
_PER = re.compile(
    rf"(?<=[0-9%])\s?/\s?(?:({'|'.join(re.escape(u) for u in sorted(_PER_UNIT, key=len, reverse=True))})"
    rf"([²³]|(?<=[a-z])[23](?![0-9]))?(?![\w²/])|(?={_PER_WORDS}))")


def _per(m: re.Match[str]) -> str:
    if not m.group(1):
        return " per "
    if m.group(2):  # "797.1/km²": per square kilometer
        return f" per {unit_words(m.group(1), m.group(2), False)}"
    return f" per {_PER_UNIT[m.group(1)]}"


# a hashtag is typed without spaces too: "#bookclub" is "hashtag book club" (see speech/wordsplit)
_HASHTAG = re.compile(r"(?<!\w)#([a-z]+)(?![A-Za-z0-9_])")


def symbols(text: str) -> str:
    text = _HASHTAG.sub(lambda m: "hashtag " + split_name(m.group(1)), text)
    for pattern, words in _SYMBOLS:
        text = pattern.sub(words, text)
    text = _PER.sub(safe(_per), text)
    return _WORD_SLASH.sub(_word_slash, text)


# ----------------------------------------------------------------------- acronyms

WORD_ACRONYMS = frozenset("""NASA NATO UNESCO UNICEF AIDS SCUBA LASER RADAR SONAR NASDAQ OPEC FIFA UEFA
    ASCII COVID FEMA SWAT OSHA NIMBY YOLO GIF JPEG PIN SIM ASAP CAPTCHA INTERPOL ISIS OFCOM OXFAM
    MEDICARE MEDICAID NAFTA SARS ZIP""".split())
SPELLED_ACRONYMS = frozenset("ACLU NAACP NCAA USSR UNHCR IEEE BBC HTML HTTP HTTPS NYPD UCLA USDA LED ETA".split())
_SHOUTED_WORDS = frozenset("""THE AND BUT FOR NOT YOU ARE WAS HIS HER SHE HE WE ME MY NO SO TO DO GO IS IT
    IN ON OF OR BY BE AN AS IF UP OUT ALL ONE TWO HAD HAS HOW WHO WHY YES NOW NEW GET GOT CAN OUR ITS
    SAY SEE WAY DAY MAN OLD BIG RUN HIM THEY THEM THIS THAT WHAT WITH FROM HAVE WILL""".split())
_ACRONYM = re.compile(r"\b([A-Z]{2,})(s|['’]s)?\b")
# Pronouns whose capitals are also initialisms: "WHO" (the World Health Organization), "IT"
# (information technology), "US" (the United States). A pronoun never follows an article or a
# possessive ("THE WHO REPORT", "OUR IT DESK", "A US FIRM"), so there the word is the initialism;
# anywhere else ("THE MAN WHO KNEW", "WHO IS IT?") it stays the pronoun.
PRONOUN_INITIALISMS = frozenset({"WHO", "IT", "US"})
# only words that are never pronouns or conjunctions themselves: "THAT IT WAS", "THOSE WHO DARE", "IS THIS IT?",
# "ASK HER WHO" keep the pronoun
_DETERMINERS = frozenset("the a an its their our your his my every each any".split())
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\s+$")


# what an organization does in a headline: "WHO WARNS OF …", "WHO URGES …" (never "WHO KNOWS", "WHO WANTS",
# "WHO SAYS", which a title may ask without its question mark); and nouns a pronoun is never followed by
_AGENCY_VERBS = frozenset("""WARNS URGES DECLARES ANNOUNCES CONFIRMS RECOMMENDS APPROVES LAUNCHES RELEASES
    PUBLISHES ADVISES APPOINTS WELCOMES CLASSIFIES ENDORSES CERTIFIES UPGRADES DOWNGRADES""".split())
_AGENCY_NOUNS = frozenset("""CHIEF OFFICIAL OFFICIALS DIRECTOR EXPERTS GUIDELINES GUIDANCE REPORT DATA
    SPOKESMAN SPOKESWOMAN SPOKESPERSON""".split())
_CLAUSE_START = re.compile(r"(?:^|[.!?:;—–\n]\s*|[\"“‘(]\s*)$")


def initialism_heading(word: str, before: str, after: str) -> bool:
    """Whether "WHO" opening a clause is the World Health Organization: a headline "WHO WARNS OF …",
    "WHO CHIEF SAYS …" (an organization's verb or a noun after it; ``after``: the rest of the text), unless
    the sentence asks ("WHO WARNS US?")."""
    if word != "WHO" or not _CLAUSE_START.search(before[-20:]):
        return False
    next_word = re.match(r"\s*([A-Z]+)\b", after)
    if next_word is None or next_word.group(1) not in _AGENCY_VERBS | _AGENCY_NOUNS:
        return False
    sentence = re.match(r"[^.!?]*[.!?]?", after)
    return not (sentence and sentence.group(0).endswith("?"))


def initialism_after_determiner(word: str, before: str) -> bool:
    """Whether capital ``word`` is an initialism because of the text ``before`` it ("THE WHO")."""
    if word not in PRONOUN_INITIALISMS:
        return False
    m = _WORD_BEFORE.search(before[-40:])
    return m is not None and m.group(1).lower() in _DETERMINERS
_VOWELS = set("AEIOUY")


def _shouting(text: str) -> bool:
    words = re.findall(r"[A-Za-z]{2,}", text)
    caps = [w for w in words if w.isupper()]
    return len(words) >= 3 and len(caps) >= 0.7 * len(words)


def united_states_initialism(word: str) -> bool:
    """A four-letter capital word opening "US" that is no English word: a United States body's initialism
    ("USAF", "USIA", "USGS", "USPS"), spelled even where its letters could be said ("USAF" as "yoo-saf",
    "USIA" as the name "Usia"); not before an "H", where "SH" is a sound ("USHA" is a name)."""
    return len(word) == 4 and word.startswith("US") and word[2] != "H" and not is_word(word)


def _read_acronym(word: str, shouting: bool, words: Collection[str], spelled: Collection[str]) -> str:
    if word in spelled:
        return " ".join(word)
    if word in words:
        return word.capitalize()
    if word == "OK":
        return "okay"
    if shouting and word in _SHOUTED_WORDS:
        return word.lower()
    if len(word) >= 4 and pronounceable(word, names=shouting) and not united_states_initialism(word):
        return word.lower()  # emphasis, e.g. "VERY", not an initialism
    return " ".join(word)


_ONSETS = frozenset("""B BL BR C CH CHR CL CR D DR DW F FL FR G GL GR GU H J K KL KN KR L M N P PH PL PR Q R
    S SC SCH SCR SH SHR SK SL SM SN SP SPL SPR ST STR SW T TH THR TR TW V W WH WR Y Z""".split())
_CODAS = frozenset("""B C CH CK CT D F FF FT G GH H K L LD LF LK LL LM LP LS LT M MB MP MS N NCH ND NG NK NS NT
    P PH PS PT R RB RC RCH RD RF RG RK RL RM RN RP RS RSH RST RT RTH S SH SK SP SS ST T TCH TH TS TT W X Y Z""".split())
_VOWEL_GROUPS = frozenset("A E I O U Y AI AU AY EA EE EI EO EU EY IE OA OE OI OO OU OW OY UA UE UI".split())
_FINAL_SYLLABLES = frozenset({"IA", "IO"})
# a final "-re" after a stop or a "v" is a syllable of its own ("CENTRE", "SABRE", "OGRE", "HAVRE", "LIVRE")
_FINAL_RE = re.compile("(?<=[AEIOUY])[^AEIOUY]?[BCDGKPTV]RE$")


def pronounceable(word: str, names: bool = False) -> bool:
    """Whether an all-capital word can be read as an English word ("NASA", "VERY", "UNESCO") rather than
    spelled ("ASCE", "IUCN", "NCAA"): its vowel groups are ones English writes, it starts and ends on
    consonant clusters a word can start and end on (a final silent E counts for nothing), and no
    run of consonants inside is longer than three. ``names``: the word stands in a text written in
    capitals, where a final "-ia", "-io" is a name's or a word's ("INDIA", "ASIA", "RADIO"); elsewhere a
    capital word so ending is more often an initialism ("USIA") and is spelled. A final "-re" after a stop
    or a "v" ("CENTRE", "HAVRE") is a syllable English writes."""
    if len(word) >= 4 and _FINAL_RE.search(word.upper()):
        word = word[:-3]  # "HAVRE" is judged as "HA", "CENTRE" as "CEN": what comes before the syllable
    parts = re.findall(r"[AEIOU]+|Y(?![AEIOU])|(?:[^AEIOUY]|Y(?=[AEIOU]))+", word.upper().replace("QU", "Q"))
    if len(word) > 4 and word.endswith("E") and parts[-2:-1] and parts[-2][-1] not in "AEIOU":
        parts = parts[:-1]  # "...SCE" keeps its consonants last
    elif word.endswith("E") and len(parts) > 2 and parts[-2][-1] not in "AEIOU":
        parts = parts[:-1]
    vowels = [p for p in parts if p[0] in "AEIOU" or p == "Y"]
    if names and len(word) >= 4 and len(parts) > 2 and parts[-1] in _FINAL_SYLLABLES:
        vowels = vowels[:-1]  # "INDIA", "ASIA", "RADIO": a final "-ia", "-io" is two vowels English writes
    if not vowels or any(v not in _VOWEL_GROUPS for v in vowels):
        return False
    first, last = parts[0], parts[-1]
    if first[0] not in "AEIOUY" and first not in _ONSETS:
        return False
    if last[0] not in "AEIOUY" and last not in _CODAS:
        return False
    middle = [p for p in parts[1:-1] if p[0] not in "AEIOUY"]
    return all(len(p) <= 3 for p in middle)


_WORLD_WARS = re.compile(r"\bWW(II|I)\b")


def acronyms(text: str, words: Collection[str] = WORD_ACRONYMS,
             spelled: Collection[str] = SPELLED_ACRONYMS) -> str:
    """'BBC' → 'B B C', 'NASA' → 'Nasa' (read as a word), 'VERY' → 'very'."""
    shouting = _shouting(text)

    def read(m: re.Match[str]) -> str:
        if initialism_after_determiner(m.group(1), m.string[:m.start()]):
            spoken = " ".join(m.group(1))  # "THE WHO REPORT": the organization, spelled
        else:
            spoken = _read_acronym(m.group(1), shouting, words, spelled)
        plural = m.group(2) or ""
        if plural and " " in spoken:
            return f"{spoken}'s"
        return spoken + plural

    text = _WORLD_WARS.sub(lambda m: "World War " + ("two" if m.group(1) == "II" else "one"), text)
    return _ACRONYM.sub(read, text)


_URL_HINT = re.compile(rf"https?://|www\.|file:/|ftps?://|\.(?:{_TLDS})\b|(?-i:[a-z0-9]\.[a-z]{{2}})", re.IGNORECASE)


def _when(hint: re.Pattern[str], rule: Rule) -> Rule:
    """``rule``, run only on text where ``hint`` (a cheap scan) finds something."""
    return lambda text: rule(text) if hint.search(text) else text


# a leading dot is said: ".NET" (said "dot net", also in "ASP.NET"), ".txt", ".com"
_DOT_NET = re.compile(r"(?:^|(?<=[\s(\[\"“‘'])|(?<=[A-Za-z]))\.NET\b")
_LEADING_DOT = re.compile(r"(?:^|(?<=[\s(\[\"“‘']))\.([a-z]{2,12})\b(?![.@/-]\w)")  # not "(2014).and"
RULES_ADDRESSES: tuple[Rule, ...] = (
    lambda text: _DOT_NET.sub(lambda m: (" " if m.start() and m.string[m.start() - 1].isalpha() else "") + "dot net",
                              text) if ".NET" in text else text,
    lambda text: _MAILTO.sub("", text), _when(re.compile("@"), sub(_EMAIL, _email)), _when(_URL_HINT, sub(_URL, _url)),
    lambda text: _LEADING_DOT.sub(r"dot \1", text) if "." in text else text)
RULES_WORDS: tuple[Rule, ...] = (
    sub(_LONE_ROMAN, _lone_roman),
    sub(_CUE_ROMAN, _roman(False)), sub(_CUE_ROMAN_LOWER, _lower_roman), sub(_TITLED_ROMAN, _roman(True)),
    sub(_REGNAL_ROMAN, _roman(True)), sub(_GENERATION_ROMAN, _generation_roman),
    sub(_OTHER_ROMAN, _roman(False)), sub(_TITLE_ROMAN, _roman(False)),
    sub(_EDITION, _edition),
    sub(_LIFE, _life),
    sub(_GENERAL_RE, _general), sub(_BEFORE_NUMBER_RE, _before_number), sub(_DR_ST, _dr_st), sub(_TITLE_RE, _title),
    sub(_TITLE_ALONE, _title_alone),
    lambda text: _JR_SR.sub(lambda m: _TITLES[m.group(1)], text), sub(_DOTTED, _dotted), *RULES_PLACES,
)

__all__ = ["RULES_ADDRESSES", "RULES_WORDS", "ROMAN_CUES", "acronyms", "roman_value", "safe", "speak_address",
           "symbols"]
