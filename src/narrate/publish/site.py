"""The packaging run's shared state (``Site``) and result (``PackageReport``): used by the public
part (``__init__``) and the subscribers' part (``delivery``) alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from narrate.publish.catalog import Publication
from narrate.publish.feed import Channel
from narrate.sources.config import Config


@dataclass
class PackageReport:
    dist: Path
    feed: Path
    page: Path
    bundles: list[Path] = field(default_factory=list)
    subscribers: int = 0  # active subscribers packaged
    revoked: int = 0  # revoked in the CSV or revoked.txt
    removed: int = 0  # subscribers whose files were deleted (revoked, removed from the CSV, or a new key)
    pruned: list[str] = field(default_factory=list)  # dist-relative files a previous package wrote, removed
    personal_made: int = 0
    personal_reused: int = 0
    links: Path | None = None  # output/private/subscribers-links.csv (addresses: never upload it)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Site:
    """What the public and private parts share."""

    root: Path
    config: Config
    output: Path
    dist: Path
    base_url: str
    pubs: list[Publication]
    channel: Channel
    sizes: dict[str, dict[str, int]] = field(default_factory=dict)
    written: dict[Path, str] = field(default_factory=dict)  # the subscribers' files written (path → sha256)

    def public_rel(self, pub: Publication, fmt: str) -> str:
        if fmt == "bundle":
            return f"{pub.slug}/{pub.slug}.zip"
        if fmt == "page":
            return f"index.html#pub-{pub.slug}"
        return f"{pub.slug}/{pub.artifacts[fmt].name}"

    def public_url(self, pub: Publication, fmt: str) -> str:
        return self.base_url + self.public_rel(pub, fmt)
