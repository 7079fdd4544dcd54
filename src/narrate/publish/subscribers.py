"""Subscribers: the CSV, the secret key, and one unguessable token per subscriber.

``subscribers.csv`` has a header row with ``email`` and ``name`` (required) and optional
``tier`` and ``revoked`` columns; ``revoked.txt`` beside it lists revoked addresses, one a
line (``#`` starts a comment). The file lives outside ``content/`` and ``output/``: it holds
personal data and nothing from it but names and tokens reaches ``dist/``.

A token is HMAC-SHA256(key, normalized email), truncated to 160 bits and written in
lowercase base32 (32 characters): stable for a key, different per key, and it reveals
nothing about the address.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import PublishError
from narrate.sources.config import Config

MIN_KEY_BYTES = 16
TOKEN_BYTES = 20  # 160 bits
TRUTHY = {"1", "true", "yes", "y", "x", "revoked"}
FALSY = {"", "0", "false", "no", "n"}
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")


@dataclass(frozen=True)
class Subscriber:
    email: str  # normalized (trimmed, lowercased)
    name: str
    tier: str
    line: int
    token: str = ""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def make_token(key: bytes, email: str) -> str:
    digest = hmac.new(key, normalize_email(email).encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest[:TOKEN_BYTES]).decode("ascii").lower()


def subscribers_path(root: Path, config: Config, given: Path | None) -> Path | None:
    """The subscribers file, refused inside content/ or output/ (those get published)."""
    if given is None and not config.subscribers.file:
        return None
    path = Path(given) if given is not None else Path(config.subscribers.file)
    path = (path if path.is_absolute() else (Path.cwd() if given is not None else root) / path).resolve()
    for folder in ("content", "output"):
        if path.is_relative_to((root / folder).resolve()):
            raise PublishError(f"expected the subscribers file outside {folder}/ (it holds personal data, and "
                               f"{folder}/ is published), found it inside", path)
    if not path.is_file():
        raise PublishError("expected a subscribers CSV file, found none", path)
    return path


def load_key(root: Path, config: Config, key: bytes | None, key_file: Path | None = None) -> bytes:
    """The HMAC key: the argument, else ``key_file`` (``--key-file``), else the environment variable, else
    ``[subscribers] key_file``. A key file must lie outside the project and be readable by its owner only."""
    where = "the key argument"
    if key is None and key_file is not None:
        key = _key_file(root, Path(key_file).expanduser().absolute())
        where = str(key_file)
    elif key is None:
        env = config.subscribers.key_env or "NARRATE_SUBSCRIBER_KEY"
        where = f"${env}"
        if os.environ.get(env):
            key = os.environ[env].encode("utf-8")
        elif config.subscribers.key_file:
            key = _key_file(root, Path(config.subscribers.key_file).expanduser())
            where = config.subscribers.key_file
    if not key:
        raise PublishError(f"expected a secret key for subscriber links in ${config.subscribers.key_env} or "
                           "[subscribers] key_file, found none (e.g. `export "
                           f"{config.subscribers.key_env}=$(openssl rand -hex 32)`)", config.path or root)
    if len(key.strip()) < MIN_KEY_BYTES:
        raise PublishError(f"expected a subscriber key of at least {MIN_KEY_BYTES} bytes in {where}, "
                           f"found {len(key.strip())}", config.path or root)
    return key.strip()


def _key_file(root: Path, path: Path) -> bytes:
    path = (path if path.is_absolute() else root / path).resolve()
    if path.is_relative_to(root.resolve()):
        raise PublishError("expected the subscriber key file outside the project (it must never be "
                           "published or committed), found it inside", path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise PublishError(f"expected a subscriber key file only its owner can read or write (chmod 600 "
                               f"{path}), found mode {mode:04o}", path)
        return path.read_bytes()
    except OSError as exc:
        raise PublishError(f"cannot read the subscriber key file ({exc.strerror})", path) from exc


def load_all(root: Path, config: Config, given: Path | None, key: bytes | None,
             key_file: Path | None) -> tuple[list[Subscriber], list[Subscriber]] | None:
    """(active, revoked) subscribers, or None without a subscribers file: read before package writes anything."""
    path = subscribers_path(root, config, given)
    if path is None:
        return None
    return load_subscribers(path, load_key(root, config, key, key_file))


def load_subscribers(path: Path, key: bytes) -> tuple[list[Subscriber], list[Subscriber]]:
    """(active, revoked) subscribers from ``path``; malformed files raise PublishError with the line."""
    text = _read_utf8(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _read_rows(path, reader, key)
    except csv.Error as exc:  # a field over csv.field_size_limit() (128 KiB), a stray NUL…
        raise PublishError(f"expected a CSV row, found an error ({exc})", path, reader.line_num or 1) from None


def _read_rows(path: Path, reader, key: bytes) -> tuple[list[Subscriber], list[Subscriber]]:
    header = [h.strip().lower().lstrip("\ufeff") for h in next(reader, [])]
    for needed in ("email", "name"):
        if needed not in header:
            raise PublishError(f"expected a header row with an '{needed}' column, found {header or 'nothing'}",
                               path, 1)
    revoked_list = _revoked_list(path.parent / "revoked.txt")
    seen: dict[str, int] = {}
    active: list[Subscriber] = []
    revoked: list[Subscriber] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise PublishError(f"expected {len(header)} columns, found {len(row)}", path, line)
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        sub = _subscriber(path, line, cells, key)
        if sub.email in seen:
            raise PublishError(f"duplicate email address (first on line {seen[sub.email]})", path, line)
        seen[sub.email] = line
        is_revoked = _flag(path, line, cells.get("revoked", "")) or sub.email in revoked_list
        (revoked if is_revoked else active).append(sub)
    return active, revoked


def _subscriber(path: Path, line: int, cells: dict[str, str], key: bytes) -> Subscriber:
    email = normalize_email(cells.get("email", ""))
    if not _EMAIL.match(email):
        raise PublishError("expected an email address like name@example.org, found "
                           f"{_shown(email) or 'an empty cell'}", path, line)
    name = " ".join(cells.get("name", "").split())
    if not name:
        raise PublishError("expected a name (it is printed as 'Prepared for NAME'), found an empty cell", path, line)
    if "@" in name:
        raise PublishError("expected a name without '@' (names appear in published files; addresses must not)",
                           path, line)
    if any(ord(ch) < 32 for ch in name) or len(name) > 200:
        raise PublishError("expected a printable name of at most 200 characters", path, line)
    return Subscriber(email, name, cells.get("tier", ""), line, make_token(key, email))


def _shown(email: str) -> str:
    return repr(email[:60])


def _flag(path: Path, line: int, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUTHY:
        return True
    if lowered in FALSY:
        return False
    raise PublishError(f"expected 'revoked' to be yes/no, true/false or 1/0, found {value!r}", path, line)


def _read_utf8(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PublishError(f"expected UTF-8 text, found an invalid byte 0x{data[exc.start]:02x}", path, line) from exc


def _revoked_list(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    text = _read_utf8(path)
    return {normalize_email(line.split("#", 1)[0]) for line in text.splitlines() if line.split("#", 1)[0].strip()}
