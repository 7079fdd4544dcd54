"""Apple Podcasts' categories, and a publication's category found from what its sources say.

``APPLE_CATEGORIES`` is Apple's list (Apple Podcasts for Creators, "Podcast categories"):
each category and its subcategories, spelled as the ``itunes:category text`` attribute must
be. ``find_category`` matches a configured value ("News", "Politics", "News/Politics")
or front-matter tags against it, case-insensitively ("and" for "&" too); the feed and the
audio editions' genre both use it, so a politics piece is never filed under "Arts".
"""

from __future__ import annotations

from collections.abc import Iterable

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden",
                "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News",
             "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion",
                                "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics", "Natural Sciences",
                "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey", "Rugby",
               "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling"),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}


def _norm(text: str) -> str:
    return " ".join(text.casefold().replace(" and ", " & ").replace("&", " & ").split())


_BY_NAME: dict[str, tuple[str, str]] = {}
for _parent, _subs in APPLE_CATEGORIES.items():
    _BY_NAME[_norm(_parent)] = (_parent, "")
    for _sub in _subs:
        _BY_NAME.setdefault(_norm(_sub), (_parent, _sub))


def apple_category(value: str) -> tuple[str, str] | None:
    """(category, subcategory or "") for a name in Apple's list ("politics", "News/Politics"), else None."""
    if "/" in value:
        parent, _, sub = value.partition("/")
        found = _BY_NAME.get(_norm(parent))
        child = _BY_NAME.get(_norm(sub))
        if found and not found[1] and child and child[0] == found[0]:
            return child
        return None
    return _BY_NAME.get(_norm(value))


def find_category(tags: Iterable[str]) -> tuple[str, str] | None:
    """The first tag that names one of Apple's categories or subcategories, as (category, subcategory)."""
    for tag in tags:
        found = apple_category(tag)
        if found is not None:
            return found
    return None
