"""Babel's one home in narrate: CLDR locale data and gettext catalogs, re-exported for
``i18n.dates`` (dates, name lists, durations, sizes, numeric conventions) and ``i18n.messages``
(narrate's own words)."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.support import NullTranslations, Translations
from babel.units import format_unit

__all__ = ["Locale", "NullTranslations", "Translations", "UnknownLocaleError", "format_date", "format_list",
           "format_unit"]
