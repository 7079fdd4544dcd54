"""`narrate init`: a new project with a config, an example article and voices/."""

from __future__ import annotations

from pathlib import Path

from narrate.artifacts import atomic_write
from narrate.errors import ConfigError

NARRATE_TOML = """\
# narrate project settings. Every key is optional.
[publisher]
name = "Your Press"
website = "https://example.org"

[defaults]
language = "en"
author = "Your Name"
rights = "Copyright © Your Name. All rights reserved."
# formats = ["epub", "pdf", "pdf-large", "mp3", "m4b", "epub-readaloud"]

[pdf]
page_size = "A4"   # or "Letter"

[epub]
article_title_page = false  # true: an article's EPUB opens with a title page, not a title block

[narration]
disclosure = true
read_alt_text = true
footnotes = "after"  # or "section" (at the next heading), or "skip"
"""

EXAMPLE = """\
---
title: A First Article
subtitle: What narrate makes from one Markdown file
date: 2026-01-15
description: An example article written by narrate init.
---

This is the lead paragraph. Everything before the first section heading
belongs to the article's opening.

## A section

Each `##` section is a chapter in the table of contents and in the audio.
Footnotes work too.[^1]

- A list item
- Another, with *emphasis*

## Another section

Links read as their text, like [the narrate project](https://example.org).

[^1]: A footnote is read after its paragraph.
"""

LEXICON = """\
# Pronunciation aliases: a lexicon entry wins over narrate's reading rules.
[aliases]
"narrate" = "narrate"
"""


def scaffold(directory: Path) -> list[Path]:
    if (directory / "narrate.toml").exists() or (directory / "content").exists():
        raise ConfigError("a narrate project already exists here (narrate.toml or content/ found)", directory)
    files = {
        directory / "narrate.toml": NARRATE_TOML,
        directory / "content" / "a-first-article.md": EXAMPLE,
        directory / "voices" / "lexicon.toml": LEXICON,
        directory / ".gitignore": "output/\n.narrate/\n",
    }
    created = [path for path in files if not path.exists() and not path.is_symlink()]
    for path in created:  # an existing .gitignore or lexicon is the user's: never overwritten
        atomic_write(path, files[path])
    return created
