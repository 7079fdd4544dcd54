"""Finding an article's images: beside a saved page, in --media, or over the network.

An image that cannot be found is not an error: the importer warns, naming the
article, and leaves the image out (its caption stays as text).
"""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from narrate.imaging import as_png
from narrate.importing import fetch
from narrate.sources.project import IMAGE_SIGNATURES

# Where CMSs keep uploads inside a site: what follows maps onto --media DIR.
_UPLOAD_ROOTS = ("/wp-content/uploads/", "/content/images/")
_WP_SIZE = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")  # WordPress resized copies: photo-300x200.jpg
_EXT = {"png": ".png", "jpeg": ".jpg", "gif": ".gif"}
MAX_IMAGE_BYTES = 50 * 2**20


class ImageMissing(Exception):
    """Why an image could not be had (a sentence for a warning)."""


@dataclass(frozen=True)
class Image:
    data: bytes
    ext: str  # ".png", ".jpg" or ".gif"


class Media:
    def __init__(self, media_dir: Path | None = None, fetcher: fetch.Fetcher | None = None):
        self.media_dir = media_dir.resolve() if media_dir is not None else None
        self.fetcher = fetcher or fetch.Fetcher()
        self._failed_hosts: dict[str, str] = {}  # hosts that did not answer at all (not one 404)

    def load(self, src: str, *, page: Path | None, base_url: str) -> Image:
        """The image at ``src`` as PNG, JPEG or GIF bytes; raises ImageMissing."""
        src = src.strip()
        if not src or src.startswith("data:"):
            raise ImageMissing("inline (data:) images are not imported")
        src = src.replace("__GHOST_URL__", base_url.rstrip("/") if base_url else "")
        parsed = urllib.parse.urlsplit(src)
        if parsed.scheme in ("http", "https") or src.startswith("//"):
            return _as_supported(self._remote(urllib.parse.urljoin("https:", src)), src)
        if parsed.scheme:
            raise ImageMissing(f"'{parsed.scheme}:' addresses are not fetched")
        if page is not None:
            local = self._local(page, urllib.parse.unquote(parsed.path))
            if local is not None:
                return _as_supported(local, src)
        mapped = self._from_media(parsed.path)
        if mapped is not None:
            return _as_supported(mapped, src)
        if base_url:
            return _as_supported(self._remote(urllib.parse.urljoin(base_url, src)), src)
        raise ImageMissing("not found beside the page")

    def _local(self, page: Path, path: str) -> bytes | None:
        folder = page.parent.resolve()
        target = Path(os.path.realpath(folder / path.lstrip("/")))
        if not target.is_relative_to(folder) or not target.is_file():
            return None  # a saved page's images live beside it; nothing else on disk is read
        return _read(target)

    def _from_media(self, url_path: str) -> bytes | None:
        if self.media_dir is None:
            return None
        path = urllib.parse.unquote(url_path)
        rest = next((path.split(root, 1)[1] for root in _UPLOAD_ROOTS if root in path), None)
        candidates = [rest] if rest else []
        candidates.append(path.lstrip("/"))
        for candidate in candidates:
            for name in (candidate, _WP_SIZE.sub("", candidate)):
                target = Path(os.path.realpath(self.media_dir / name))
                if target.is_relative_to(self.media_dir) and target.is_file():
                    return _read(target)
        return None

    def _remote(self, url: str) -> bytes:
        if self.media_dir is not None:
            mapped = self._from_media(urllib.parse.urlsplit(url).path)
            if mapped is not None:
                return mapped
            if any(root in url for root in _UPLOAD_ROOTS):
                raise ImageMissing(f"not found in --media {self.media_dir}")
        host = urllib.parse.urlsplit(url).netloc
        if host in self._failed_hosts:  # one slow failure per unreachable host, not one per image
            raise ImageMissing(f"cannot fetch it: {self._failed_hosts[host]}")
        try:
            return self.fetcher.get(url).body
        except fetch.FetchError as exc:
            if exc.host_down:  # a 404 or a refused address says nothing of the host's other images
                self._failed_hosts[host] = str(exc)
            raise ImageMissing(f"cannot fetch it: {exc}") from exc


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise ImageMissing(f"larger than {MAX_IMAGE_BYTES // 2**20} MB")
    return path.read_bytes()


def _as_supported(data: bytes, src: str) -> Image:
    """PNG, JPEG and GIF pass unchanged; any other format Pillow reads (WebP...) becomes PNG."""
    kind = next((kind for sig, kind in IMAGE_SIGNATURES.items() if data.startswith(sig)), None)
    if kind is not None:
        return Image(data, _EXT[kind])
    png = as_png(data)
    if png is None:
        raise ImageMissing(f"{src!r} is not an image narrate can use")
    return Image(png, ".png")
