"""The grammatical gender of a French noun, guessed from its ending, for the number "un" before it.

"1 maison" is "une maison", "21 voitures" "vingt et une voitures", "1 fois" "une fois"; only the
final "un" of a cardinal agrees ("vingt et un mille personnes" keeps "un": "mille" is the word after
it). Narrate has no French lexicon, so the gender is a heuristic on the noun's singular (a final
"s" or "x" dropped):

* feminine: the endings that are feminine with few exceptions ("-tion", "-sion", "-xion", "-té",
  "-ette", "-ance", "-ence", "-ure", "-ée", "-ie", "-esse", "-elle", "-ière", "-ise", "-ade",
  "-aison", "-ode", "-ude", "-ine"), and the listed common feminine nouns with other endings
  ("fois", "heure", "semaine", "minute", "personne", "main", "nuit", "voix", "mer" …);
* masculine: everything else (the masculine is the general form), and the listed exceptions to
  those endings ("été", "comité", "musée", "lycée", "génie", "incendie", "murmure" …).
"""

from __future__ import annotations

import unicodedata

_FEMININE_ENDINGS = ("tion", "sion", "xion", "te", "ette", "ance", "ence", "ure", "ee", "ie", "esse", "elle",
                     "iere", "ise", "ade", "aison", "ode", "ude", "ine")
# "-té" is feminine, "-te" is not: the ending test sees the accent through this mark
_ACUTE_E = "\u00e9"
_MASCULINE = frozenset("""été comité côté pâté traité député invité athée musée lycée trophée mausolée apogée
    génie incendie parapluie sosie murmure mercure augure cyanure parjure stade grade jade exode épisode code
    magazine domaine""".split())
_FEMININE = frozenset("""fois heure semaine minute seconde personne page ville chose femme fille mère sœur main
    nuit maison voiture table porte rue place tonne tête école église eau mer terre vie voix loi fin faim part mort
    dent forêt peau croix paix clé clef fleur couleur chaleur douleur peur sueur faveur valeur largeur
    hauteur longueur profondeur épaisseur vapeur liqueur rumeur lueur humeur odeur saveur erreur horreur
    terreur fureur ardeur candeur langue ligne lettre guerre histoire idée image année journée soirée matinée
    carte chambre classe cuisine banque boutique étoile photo radio moto vidéo région île plage montagne
    rivière route piste fenêtre chaise bouteille tasse assiette cuillère fourchette pomme orange tomate
    salade soupe viande bière question réponse raison chanson leçon façon boisson cour""".split())


def _plain(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


def singular(noun: str) -> str:
    """'voitures' → 'voiture', 'voix' → 'voix', 'chevaux' → 'chevau' (only the final "s" or "x" goes)."""
    word = noun.lower()
    return word[:-1] if len(word) > 3 and word[-1] in "sx" and word not in _FEMININE | _MASCULINE else word


def feminine(noun: str) -> bool:
    """Whether a French noun is feminine, by its ending and the lists above."""
    one = singular(noun)
    if one in _MASCULINE or noun.lower() in _MASCULINE:
        return False
    if one in _FEMININE or noun.lower() in _FEMININE:
        return True
    if one.endswith(f"t{_ACUTE_E}"):
        return True
    plain = _plain(one)
    return plain.endswith(tuple(e for e in _FEMININE_ENDINGS if e != "te"))


def agree(words: str, noun: str) -> str:
    """'vingt et un' before 'voitures' → 'vingt et une'; 'un' before 'fois' → 'une'."""
    if feminine(noun) and (words == "un" or words.endswith((" un", "-un"))):
        return words + "e"
    return words
