"""What `narrate package` wrote in dist/: the only files a later package (or clean) may remove.

``output/private/package-files.json`` (owner-only like the rest of private/: it names the
subscribers' tokens) records the dist folder as it resolved (a symlinked dist is written
through) and each dist-relative path package wrote there with its sha256. A later run
removes a recorded file it did not write again only when the file still holds what was
recorded and dist still resolves to the same folder; then it removes the folders that
removal left empty. Nothing else in dist/ is ever removed: a hand-added ``robots.txt``,
``.htaccess``, a web root's own files, a file edited since.

A dist/ packaged before this record existed has none: the public part then loses nothing
(the next run records it), and the subscribers' part is recognised from
``personal-state.json`` (the personal copies it lists, and the page, feed and sums narrate
writes beside them), so a revoked subscriber's files still go.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from narrate.artifacts import atomic_write, sha256_file
from narrate.errors import PublishError

RECORD = "package-files.json"
PERSONAL_STATE = "personal-state.json"
SUBSCRIBER_FILES = ("index.html", "feed.xml", "SHA256SUMS")  # beside the personal copies, in every token folder
_TOKEN = re.compile(r"^[a-z2-7]{32}$")
Record = dict[str, str]  # dist-relative path → sha256 ("" for a legacy file narrate names but did not record)


def load_record(private: Path, dist: Path) -> tuple[Record, str]:
    """(the files a previous package wrote, a warning or "") for ``dist``."""
    try:
        data = json.loads((private / RECORD).read_text(encoding="utf-8"))
        files = {str(k): str(v) for k, v in data["files"].items()}
        where = str(data["dist"])
    except FileNotFoundError:
        return _legacy(private), ""
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, (f"{private / RECORD}: unreadable record of what package wrote; nothing was removed from "
                    "dist/ (the record is written again)")
    if where != leads_to(dist):
        return {}, (f"dist/ now leads to {dist.resolve()}, the record of what package wrote is for {where}; "
                    "nothing was removed there")
    return files, ""


def leads_to(dist: Path) -> str:
    """Where ``dist`` resolves, as the record keeps it: relative to the output folder while it stays
    inside it (so the record is the same bytes wherever the project lies), else the absolute folder
    a symlinked dist leads to (a web root)."""
    target, home = dist.resolve(), dist.parent.resolve()
    return target.relative_to(home).as_posix() if target.is_relative_to(home) else str(target)


def _legacy(private: Path) -> Record:
    try:
        state = json.loads((private / PERSONAL_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files: Record = {}
    for rel, value in state.items() if isinstance(state, dict) else ():
        parts = str(rel).split("/")
        if len(parts) == 4 and parts[0] == "subscribers" and _TOKEN.match(parts[1]) and isinstance(value, list):
            files[str(rel)] = str(value[-1])
            files |= {f"subscribers/{parts[1]}/{name}": "" for name in SUBSCRIBER_FILES}
    return files


def save_record(private: Path, dist: Path, written: dict[Path, str]) -> None:
    files = {path.relative_to(dist).as_posix(): digest for path, digest in written.items()}
    data = {"dist": leads_to(dist), "files": dict(sorted(files.items()))}
    atomic_write(private / RECORD, json.dumps(data, indent=0) + "\n", mode=0o600)


def prune(dist: Path, previous: Record, keep: set[str]) -> list[str]:
    """Remove the recorded files not in ``keep`` that still hold what was recorded; return them (sorted)."""
    removed: list[str] = []
    top = dist.resolve()
    for rel in sorted(set(previous) - keep):
        path = dist / rel
        if ".." in rel.split("/") or not path.is_file() or path.is_symlink():
            continue
        if not path.resolve().is_relative_to(top) or (previous[rel] and sha256_file(path) != previous[rel]):
            continue  # edited since (or reached through a link out of dist/): not package's any more
        path.unlink()
        removed.append(rel)
        _remove_empty(path.parent, dist)
    return removed


def _remove_empty(folder: Path, dist: Path) -> None:
    while folder != dist and folder.is_relative_to(dist) and not folder.is_symlink():
        try:
            folder.rmdir()  # only an empty folder goes
        except OSError:
            return
        folder = folder.parent


def private_folder(output: Path) -> Path:
    """``output/private/``: only its owner may list or read it (addresses live there)."""
    folder = output / "private"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)  # an older folder made with the default umask
    except OSError as exc:
        raise PublishError(f"cannot make the private folder: {exc.strerror or exc}", folder) from exc
    return folder
