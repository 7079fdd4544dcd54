"""``narrate build`` handed to a running studio before the command line's own imports (issue 31).

The command line's module (``narrate.cli``: typer, rich) costs a fresh interpreter about a quarter
of a CPU-second to import, and a build handed to a studio waited for it: the studio only heard of
the build once it was paid. ``hand_early`` reads ``narrate build``'s arguments with the standard
library (``BUILD_OPTIONS``: ``build_cmd``'s own, which ``tests/test_studio_early.py`` holds equal),
and when a studio serves the project, posts the build at once (``handoff.ask``); the studio builds
while this process imports the rest. ``build_cmd`` then takes that answer (``taken``) where it would
have asked, with the same body (``body``), and prints its events as before: the same words, exit
codes and bytes. Anything this plain reading does not take exactly as typer would (``--opt=value``,
``-j2``, ``--help``, a value starting with ``-``, a second folder), an ``--output`` (checked before
asking), a cluster option or no studio: nothing is sent early, and ``build_cmd`` does what it did.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from narrate.studio import handoff

# build_cmd's parameters: name -> (default, kind); its options' spellings -> name
BUILD_PARAMETERS: dict[str, tuple[Any, type]] = {
    "project": (Path("."), Path), "formats": ("", str), "only": ([], str), "output": (None, Path),
    "voice": ("", str), "jobs": (0, int), "executor": ("", str), "ray_address": ("", str),
    "fail_fast": (False, bool), "strict": (False, bool), "quiet": (False, bool), "as_json": (False, bool),
}
BUILD_OPTIONS: dict[str, str] = {
    "--formats": "formats", "--only": "only", "--output": "output", "--voice": "voice", "--jobs": "jobs",
    "-j": "jobs", "--executor": "executor", "--ray-address": "ray_address", "--fail-fast": "fail_fast",
    "--strict": "strict", "--quiet": "quiet", "-q": "quiet", "--json": "as_json",
}

_handed: dict[str, handoff.Handed] = {}


def read_build_args(argv: list[str]) -> dict[str, Any] | None:
    """``narrate build``'s arguments as ``build_cmd`` takes them, or None for anything this plain
    reading might take otherwise than typer (typer then reads the command line)."""
    if not argv or argv[0] != "build":
        return None
    values = {name: list(default) if isinstance(default, list) else default
              for name, (default, _) in BUILD_PARAMETERS.items()}
    words, folders = iter(argv[1:]), []
    for word in words:
        if not word.startswith("-"):
            folders.append(Path(word))
            continue
        name = BUILD_OPTIONS.get(word)
        if name is None:
            return None
        kind = BUILD_PARAMETERS[name][1]
        if kind is bool:
            values[name] = True
            continue
        value = next(words, "")
        if not value or value.startswith("-") or (kind is int and not (value.isascii() and value.isdigit())):
            return None
        if isinstance(values[name], list):
            values[name].append(value)
        else:
            values[name] = int(value) if kind is int else Path(value) if kind is Path else value
    if len(folders) > 1:
        return None
    if folders:
        values["project"] = folders[0]
    return values


def body(formats: str, only: list[str], voice: str, jobs: int, fail_fast: bool, strict: bool,
         output: Path) -> dict[str, Any]:
    """What the command line asks a studio to build (``handoff.ask``'s options)."""
    fmts = [f.strip() for f in formats.split(",") if f.strip()]
    return {"formats": fmts, "only": list(only), "voice": voice, "jobs": jobs, "fail_fast": fail_fast,
            "strict": strict, "output": str(output.resolve())}


def serving(project: Path) -> bool:
    """Has a studio said it serves ``project`` (a folder)?"""
    return project.is_dir() and handoff.discovery_file(project.resolve()).is_file()


def hand_early(argv: list[str]) -> None:
    """Post the build ``argv`` asks for to the studio serving its project, if one does; its answer
    waits for ``taken``."""
    values = read_build_args(argv)
    if values is None or values["output"] is not None or values["executor"] or values["ray_address"]:
        return
    project = values["project"]
    if not serving(project):
        return
    root = project.resolve()
    asked = body(values["formats"], values["only"], values["voice"], values["jobs"], values["fail_fast"],
                 values["strict"], root / "output")
    _handed[_key(root, asked)] = handoff.ask(root, asked)


def taken(root: Path, asked: dict[str, Any]) -> handoff.Handed | None:
    """The studio's answer to the build ``hand_early`` posted for ``root`` with ``asked``, if it did."""
    return _handed.pop(_key(root, asked), None)


def _key(root: Path, asked: dict[str, Any]) -> str:
    return json.dumps([str(root), asked], sort_keys=True)
