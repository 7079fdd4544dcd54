"""The grammatical gender of a Spanish noun, guessed from its ending, and the numbers that agree with it.

A Spanish cardinal agrees with a feminine noun in its ones and hundreds: "1 casa" is "una casa",
"21 noches" "veintiuna noches", "200 personas" "doscientas personas" ("200 millones de personas"
stays "doscientos": "millones" is the noun there). Narrate has no Spanish lexicon, so the gender
is a heuristic on the noun's singular (a plural loses "-s", or "-es" after a consonant:
"ciudades" → "ciudad", "canciones" → "canción"):

* feminine: nouns ending in "-a", "-ión", "-dad", "-tad", "-tud", "-umbre", "-ie", "-itis", "-ez"
  (abstract nouns: "vejez"), and the listed feminine nouns with other endings ("mano", "noche",
  "calle", "flor", "ley", "luz", "mujer", "red" …);
* masculine: everything else, and the listed exceptions to those endings: "día", "mapa" and the
  Greek nouns in "-ma" ("problema", "tema", "sistema", "idioma" …), "avión", "camión", "pez",
  "juez" …; and nouns in "-ista" (either gender; the masculine is the general form).

A feminine noun that starts with a stressed "a" ("arma", "agua", "aula", "hacha") takes "un", as
its article does ("un arma", "veintiún aulas"), so those are listed apart.

An adjective before the noun ("21 grandes casas") is judged as the noun would be: the heuristic
looks at the next word only.
"""

from __future__ import annotations

import re
import unicodedata

_FEMININE_ENDINGS = ("a", "ion", "dad", "tad", "tud", "umbre", "ie", "itis", "ez")
_MASCULINE = frozenset("""día mediodía mapa sofá tranvía planeta cometa poeta papa pijama problema tema sistema
    programa idioma clima drama esquema dilema enigma fantasma síntoma teorema poema lema panorama diploma
    dogma aroma carisma crucigrama diagrama telegrama holograma prisma estigma paradigma axioma trauma karma
    cisma magma plasma reuma emblema sistema telegrama anagrama pentagrama monograma organigrama fonema
    morfema lexema radiograma cinema avión camión gorrión sarampión aluvión centurión embrión ion guion guión
    pez juez ajedrez jerez""".split())
_FEMININE = frozenset("""mano foto moto radio libido dinamo seo polio flor labor ley grey luz cruz voz paz nariz
    raíz perdiz lombriz cicatriz actriz emperatriz matriz codorniz mujer imagen virgen razón sinrazón sazón
    noche leche calle carne clase frase gente llave nave nube parte muerte suerte fuente mente torre tarde
    sangre fiebre costumbre nieve base fase sede pirámide hélice índole serpiente frente madre ubre urbe
    sal piel miel cárcel señal catedral sed red pared merced vid res tos mies sien tribu fe tesis crisis
    dosis síntesis hipótesis diócesis metrópolis élite""".split())
# feminine nouns that start with a stressed "a": "un arma", "veintiún aulas"
_STRESSED_A = frozenset("""agua águila alma arma aula área ave hacha hambre hada ala asa ancla arca arpa habla
    álgebra alba ánima asma aria haba hampa asta""".split())
_CONSONANT_ES = re.compile(r"(?<=[bcdfghjklmnñpqrstvxyz])es$")


def _plain(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


_MASCULINE_PLAIN = frozenset(map(_plain, _MASCULINE))
_FEMININE_PLAIN = frozenset(map(_plain, _FEMININE))
_STRESSED_A_PLAIN = frozenset(map(_plain, _STRESSED_A))


def singular(word: str) -> str:
    """The likely singular of a Spanish noun, without accents: "ciudades" → "ciudad", "veces" → "vez",
    "canciones" → "cancion", "casas" → "casa"."""
    word = _plain(word.lower())
    if word.endswith("ces"):
        return word[:-3] + "z"
    if _CONSONANT_ES.search(word):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def gender(noun: str) -> str:
    """'f' (feminine), 'fa' (feminine, starting with a stressed "a": "arma") or 'm' for a Spanish noun."""
    plain = _plain(noun.lower())
    forms = {plain, singular(noun), plain[:-1] if plain.endswith("s") else plain}
    if forms & _STRESSED_A_PLAIN:
        return "fa"
    if forms & _MASCULINE_PLAIN:
        return "m"
    if forms & _FEMININE_PLAIN:
        return "f"
    one = singular(noun)
    if one.endswith("ista"):
        return "m"
    return "f" if one.endswith(_FEMININE_ENDINGS) else "m"


_HUNDREDS = re.compile(r"\b(dos|tres|cuatro|seis|sete|ocho|nove)?cientos\b|\bquinientos\b")
_SCALE = re.compile(r"\b(?:millón|millones|billón|billones)\b")
_ONE = re.compile(r"(uno|ún|un)$")


def agree(words: str, noun: str) -> str:
    """A cardinal's words before ``noun``: feminine ones and hundreds after the last "millones"
    ("doscientas una casas" for 201, "veintiuna noches"); the masculine before "arma" ("veintiún armas")."""
    kind = gender(noun)
    if kind == "m":
        return words
    scale = list(_SCALE.finditer(words))
    cut = scale[-1].end() if scale else 0
    head, tail = words[:cut], words[cut:]
    tail = _HUNDREDS.sub(lambda m: m.group(0)[:-2] + "as", tail)
    if kind == "f":
        tail = _ONE.sub("una", tail)
    return head + tail
