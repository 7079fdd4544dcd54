"""narrate: accessible editions (EPUB 3, tagged PDF, narrated audio) from Markdown."""

__version__ = "0.1.0"
