"""The output folders a project's builds wrote outside it (``.narrate/outputs.json``): a build
refuses another project's output folder, and ``clean --output`` accepts only these."""

from __future__ import annotations

import json
from pathlib import Path

from narrate.artifacts import MANIFEST, ManifestError, atomic_write, load_manifest
from narrate.errors import OutputError
from narrate.sources.project import Project, discover

OUTPUTS = "outputs.json"  # .narrate/outputs.json: the output folders outside the project this project built


def built_outputs(project: Project) -> list[str]:
    """The output folders outside the project that ``build`` wrote for it (resolved paths)."""
    try:
        data = json.loads((project.root / ".narrate" / OUTPUTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(p) for p in data] if isinstance(data, list) else []


def refuse_foreign_output(project: Project, output: Path) -> None:
    """An output folder outside the project whose manifest lists none of this project's sources is
    another project's: a build there would drop its publications from that manifest (and a later
    ``clean`` their files). Refused before anything is written."""
    if output.is_relative_to(project.root) or str(output) in built_outputs(project):
        return
    try:
        listed = {str(p.get("source", "")) for p in load_manifest(output)["publications"]}
    except ManifestError:  # none, or damaged: the build says so and rebuilds
        return
    ours = {source.rel(project.root) for source in discover(project)}
    if listed and not listed & ours:
        raise OutputError("expected an empty folder or an output folder of this project, found another "
                          f"project's (its {MANIFEST} lists none of this project's sources); nothing was "
                          "written: choose another --output", output)


def remember_output(project: Project, output: Path) -> None:
    """Record an output folder outside the project (in the project, so the output folder's own
    files stay the same wherever the project lies): ``clean --output`` accepts only those."""
    if output.is_relative_to(project.root):
        return
    known = built_outputs(project)
    if str(output) not in known:
        atomic_write(project.root / ".narrate" / OUTPUTS, json.dumps(sorted([*known, str(output)]), indent=0) + "\n")
