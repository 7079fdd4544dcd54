"""Per-language conventions: dates and name lists (CLDR via Babel), narrate's own words (gettext catalogs)."""
