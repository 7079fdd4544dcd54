"""When each publication was first built: ``.narrate/first-built.json``, by slug.

An undated episode's feed date is when narrate first built it (``publish/catalog``). The
manifest carries it, but a manifest is rewritten by ``clean --all``, a damaged one is replaced
and a build into another output folder starts its own: the project keeps the date here too, so
none of those makes a podcast app list an old episode as new. ``clean --all`` keeps this file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from narrate.artifacts import atomic_write, source_date_epoch

FIRST_BUILT = "first-built.json"


class FirstBuilt:
    """The project's record of first builds; ``save`` writes what this build added (atomically)."""

    def __init__(self, narrate_dir: Path) -> None:
        self.path = narrate_dir / FIRST_BUILT
        self.known = _load(self.path)
        self.added = False

    def date(self, slug: str, entry: dict[str, Any] | None) -> str:
        """``slug``'s first build (UTC): the manifest entry's, else the project's record, else now
        (``SOURCE_DATE_EPOCH`` when set, so reproducible builds write the same manifest)."""
        recorded = (entry or {}).get("first_built")
        if not (isinstance(recorded, str) and recorded):
            recorded = self.known.get(slug) or _now()
        if slug not in self.known:  # an older project's manifest date is recorded too
            self.known[slug] = recorded
            self.added = True
        return recorded

    def save(self) -> None:
        if self.added:
            atomic_write(self.path, json.dumps(self.known, indent=1, sort_keys=True) + "\n")
            self.added = False


def _load(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or damaged: the manifests still hold their dates
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str) and v}


def _now() -> str:
    epoch = source_date_epoch()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(time.time()) if epoch is None else epoch))
