"""`narrate package`: built artifacts → output/dist/, ready to upload.

dist/ holds the public part: each publication's files under ``<slug>/`` with a
deterministic zip bundle, ``feed.xml`` (podcast RSS), ``index.html`` + ``page.css``,
the artwork, and ``SHA256SUMS`` covering every public file. With subscribers, each
gets ``dist/subscribers/<token>/`` (personal copies, a private feed, a page and a
SHA256SUMS); the address → link list goes to ``output/private/`` (never uploaded).
Everything is read from output/manifest.json, never from writer internals.
"""

from __future__ import annotations

import struct
from importlib import resources
from pathlib import Path

from narrate.artifacts import atomic_write, sha256_file
from narrate.errors import PublishError
from narrate.publish.bundle import place, write_bundle, write_sums
from narrate.publish.catalog import Publication, load_publications, verify
from narrate.publish.feed import channel_from_config, render_feed, show_names
from narrate.publish.page import render_page
from narrate.publish.site import PackageReport, Site
from narrate.sources.config import Config, load_config

__all__ = ["PackageReport", "package"]


def package(root: Path, *, output: Path | None = None, base_url: str = "", subscribers: Path | None = None,
            key: bytes | None = None) -> PackageReport:
    """Package the built editions of the project at ``root`` into ``output/dist/``.

    ``base_url`` (or ``[feed] base_url``) is where dist/ will be served from; it is
    required (feed URLs are absolute). ``subscribers`` (or ``[subscribers] file``) names
    the subscribers CSV; ``key`` overrides the key from the environment or key file.
    Raises ``PublishError`` (exit code 7) naming the file (and line) at fault.
    """
    root = Path(root).resolve()
    config = load_config(root)
    output = Path(output).resolve() if output else root / "output"
    base = _base_url(base_url or config.feed.base_url, config, root)
    pubs = load_publications(root, output)
    for pub in pubs:
        for artifact in pub.artifacts.values():
            verify(artifact)
    dist = output / "dist"
    written: dict[Path, str] = {}
    warnings: list[str] = []
    artwork = _artwork(root, config, pubs, dist, written, warnings)
    site = Site(root, config, output, dist, base, pubs,
                channel_from_config(config, pubs, base, base + artwork if artwork else ""))
    warnings += [w for w in site.channel.warnings if w not in warnings]
    report = PackageReport(dist, dist / "feed.xml", dist / "index.html", warnings=warnings)
    for pub in pubs:
        report.bundles.append(_public_files(site, pub, written))
    _write_public(site, written)
    from narrate.publish.delivery import deliver  # subscribers: only when asked for

    deliver(site, report, subscribers, key)
    write_sums(dist, sorted(written), written)
    _prune(dist, set(written) | {dist / "SHA256SUMS"})
    return report


def _base_url(value: str, config: Config, root: Path) -> str:
    value = value.strip()
    if not value:
        raise PublishError("expected the public address of dist/ for the feed (narrate package --base-url "
                           "https://example.org/editions/ or [feed] base_url), found none", config.path or root)
    if not value.startswith(("https://", "http://")) or any(c in value for c in " \"'<>"):
        raise PublishError(f"expected base_url to be an http(s) URL, found {value!r}", config.path or root)
    return value if value.endswith("/") else value + "/"


def _public_files(site: Site, pub: Publication, written: dict[Path, str]) -> Path:
    folder = site.dist / pub.slug
    sizes = site.sizes.setdefault(pub.slug, {})
    cover = [pub.artifacts["cover"]] if "cover" in pub.artifacts else []  # the episode's itunes:image
    for artifact in [*pub.editions, *cover]:
        target = folder / artifact.name
        place(artifact.path, target)
        written[target] = artifact.sha256
        sizes[artifact.format] = artifact.bytes
    bundle = site.dist / site.public_rel(pub, "bundle")
    write_bundle(pub, bundle, site.config.publisher.name, site.config.messages)
    written[bundle] = sha256_file(bundle)
    sizes["bundle"] = bundle.stat().st_size
    return bundle


def _write_public(site: Site, written: dict[Path, str]) -> None:
    css = resources.files("narrate").joinpath("templates/page.css").read_bytes()
    outputs = {
        site.dist / "page.css": css,
        site.dist / "feed.xml": render_feed(site.channel, site.pubs, site.public_url, site.base_url + "feed.xml"),
        site.dist / "index.html": render_page(
            site.pubs, title=site.channel.title, language=site.channel.language, href=site.public_rel,
            sizes=site.sizes, css="page.css", sums="SHA256SUMS", feed_url=site.base_url + "feed.xml",
            messages=site.config.messages,
        ).encode("utf-8"),
    }
    for path, data in outputs.items():
        atomic_write(path, data)
        written[path] = sha256_file(path)


def _prune(dist: Path, keep: set[Path]) -> None:
    """Remove public files a previous package wrote that this one did not (subscribers/ is pruned apart)."""
    for path in sorted(dist.rglob("*"), reverse=True):
        if path.is_relative_to(dist / "subscribers"):
            continue
        if path.is_file() and path not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


# ------------------------------------------------------------------ artwork


def _artwork(root: Path, config: Config, pubs: list[Publication], dist: Path, written: dict[Path, str],
             warnings: list[str]) -> str:
    """Copy the square channel artwork to dist/; return its dist-relative name ("" if none)."""
    if config.feed.artwork:
        source = (root / config.feed.artwork).resolve()
        if not source.is_relative_to(root) or not source.is_file():
            raise PublishError(f"expected [feed] artwork to name an image inside the project, found "
                               f"{config.feed.artwork!r}", config.path or root)
        size = image_size(source)
        if size is None or size[0] != size[1] or size[0] < 1400:
            raise PublishError(f"expected square PNG or JPEG artwork of at least 1400 px, found {size or 'another'}"
                               f" format", source)
    else:
        # Not a publication's cover: that would put one book's title and author on every
        # episode. Generated show art names the publisher (else the author); episodes carry
        # their own covers. Apple Podcasts refuses a feed without artwork.
        from narrate.writers.cover import show_art

        title, maker = show_names(config, pubs)
        atomic_write(dist / "artwork.png", show_art(title, config.publisher.name or maker))
        written[dist / "artwork.png"] = sha256_file(dist / "artwork.png")
        return "artwork.png"
    name = "artwork" + (".png" if source.read_bytes()[:4] == b"\x89PNG" else ".jpg")
    place(source, dist / name)
    written[dist / name] = sha256_file(dist / name)
    return name


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of a PNG or baseline/progressive JPEG, else None."""
    with open(path, "rb") as fh:
        data = fh.read(1 << 16)
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:2] != b"\xff\xd8":
        return None
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return width, height
        pos += 2 + length
    return None

