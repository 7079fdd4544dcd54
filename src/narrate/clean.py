"""`narrate clean`: prune the audio cache and the output folder.

The cache keeps a sentence's audio while any current source, read by any voice
profile that speaks its language, still says that sentence; everything else
goes. The output keeps what manifest.json lists for current publications;
leftover temp files, stale editions and folders of removed publications go.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .artifacts import load_manifest, write_manifest
from .audio import used_piece_files
from .audio_synth import cache_path, segment_key
from .build import read_all
from .editions import PublicationContext
from .errors import NarrateError
from .narration import check_language, paced, publication_script
from .project import open_project
from .speech.engines import get_engine
from .speech.voices import load_profiles

KEEP_IN_OUTPUT = {"manifest.json", ".gitkeep"}


@dataclass
class CleanReport:
    removed_cache: int = 0
    kept_cache: int = 0
    removed_output: list[str] = field(default_factory=list)
    freed_bytes: int = 0


def clean(root: Path | str, *, output: Path | None = None, everything: bool = False) -> CleanReport:
    project = open_project(root)
    out = (output or project.root / "output").resolve()
    report = CleanReport()
    audio_cache = project.cache_dir / "audio"
    if everything:
        report.freed_bytes += _remove_tree(project.root / ".narrate", keep=())
        report.freed_bytes += _remove_tree(out, keep=KEEP_IN_OUTPUT)
        report.removed_output.append(str(out))
        return report
    used = _used_cache_files(project, audio_cache)
    for path in sorted(audio_cache.rglob("*")) if audio_cache.is_dir() else []:
        if not path.is_file():
            continue
        if path in used:
            report.kept_cache += 1
        else:
            report.freed_bytes += path.stat().st_size
            path.unlink()
            report.removed_cache += 1
    report.freed_bytes += _remove_tree(project.root / ".narrate" / "work", keep=())
    _prune_output(out, {d.meta.slug for d in read_all(project)[0]}, report)
    return report


def _used_cache_files(project, audio_cache: Path) -> set[Path]:
    docs, _ = read_all(project)
    used: set[Path] = set()
    for profile in load_profiles(project.root).values():
        try:
            key = get_engine(profile).cache_key()
        except NarrateError:
            continue  # an engine that is not usable here cannot have cached anything
        for doc in docs:
            try:
                check_language(profile, doc.meta.language, doc.source_files[0])
                ctx = PublicationContext(doc, project.root, project.root / "output", project.config,
                                         profile.name, project.cache_dir)
                script = publication_script(ctx, paced(profile, doc.meta.kind))
            except NarrateError:
                continue
            used.update(cache_path(audio_cache, segment_key(key, s.spoken)) for s in script.segments()
                        if s.spoken.strip())
            paced_profile = paced(profile, doc.meta.kind)
            used.update(cache_path(audio_cache, segment_key(get_engine(paced_profile).cache_key(), s.spoken))
                        for s in script.segments() if s.spoken.strip())
            used |= used_piece_files(script, paced_profile, get_engine(paced_profile), audio_cache)
    return used


def _prune_output(out: Path, current: set[str], report: CleanReport) -> None:
    if not out.is_dir():
        return
    manifest = load_manifest(out)
    keep_pubs = [p for p in manifest["publications"] if isinstance(p, dict) and p.get("slug") in current]
    listed = {out / str(a.get("path", "")) for p in keep_pubs for a in p.get("artifacts", [])}
    for path in sorted(out.rglob("*"), reverse=True):
        rel = path.relative_to(out)
        if rel.parts[0] in ("dist", "private") or rel.as_posix() in KEEP_IN_OUTPUT:
            continue  # `narrate package` owns those
        if path.is_file() and path not in listed:
            report.freed_bytes += path.stat().st_size
            path.unlink()
            report.removed_output.append(rel.as_posix())
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    if len(keep_pubs) != len(manifest["publications"]):
        write_manifest(out, keep_pubs)


def _remove_tree(folder: Path, keep) -> int:
    if not folder.is_dir():
        return 0
    freed = 0
    for path in folder.iterdir():
        if path.name in keep:
            continue
        if path.is_dir() and not path.is_symlink():
            freed += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path)
        else:
            freed += path.stat().st_size
            path.unlink()
    return freed
