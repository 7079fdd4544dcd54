"""``narrate import``: articles from saved web pages, WordPress and Ghost exports, or URLs.

Each source is turned into Articles (``html_page``, ``wordpress``, ``ghost``),
each Article into Markdown and images (``markdown_out``, ``media``), staged
under ``.narrate/`` and only then moved into ``content/`` (``write``), so an
error anywhere writes nothing.
"""

from __future__ import annotations

from narrate.importing.run import Imported, ImportOptions, ImportReport, run_import

__all__ = ["ImportOptions", "ImportReport", "Imported", "run_import"]
