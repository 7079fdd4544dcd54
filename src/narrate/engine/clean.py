"""`narrate clean`: prune the audio cache and the output folder.

The cache keeps a sentence's audio while any current source, read by any voice
profile that speaks its language, still says that sentence; everything else
goes, but only when narrate KNOWS no current source uses it: a source that fails
to read (its editions, manifest entry and cached sentences all stay, as in
``build``) or a voice whose engine cannot be loaded here (espeak-ng not on PATH,
a Piper model missing) keeps the whole cache, with a warning naming why.

In the output folder, clean removes only what narrate accounts for: files
the manifest lists for publications that are gone, editions named the way narrate
names them (``<slug>/<slug>.*``) that the manifest no longer lists, narrate's
temporary files (``.<name>.<random>.part``) and ``.staging/``. Anything else there
is the user's and stays. It refuses an output folder that is not the project's
``output/`` and holds no narrate manifest, the project folder itself, any folder
holding the project or a ``content/`` folder, anything inside ``content/``, and an
output folder outside the project that this project's builds did not write (recorded in
``.narrate/outputs.json``, which ``--all`` keeps).
``--all`` also removes the editions of current publications, the files in ``dist/``
that ``narrate package`` recorded writing (publish/record), ``private/`` (package makes
them again) and ``.narrate/`` but its lock, ``outputs.json`` and a running studio's address.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrate.artifacts import MANIFEST, is_temp_name, load_manifest, write_manifest
from narrate.audio.master import used_cache_files
from narrate.audio.synth import cache_path, segment_key
from narrate.editions.context import PublicationContext
from narrate.editions.narration import check_language, paced, part_voices, publication_script
from narrate.engine.first_built import FIRST_BUILT
from narrate.engine.job import STAGING
from narrate.engine.lock import LOCK_NAME, project_lock
from narrate.engine.outputs import OUTPUTS, built_outputs
from narrate.engine.run import read_all
from narrate.errors import ConfigError, NarrateError
from narrate.sources.project import Project, open_project
from narrate.speech.engines import get_engine
from narrate.speech.voices import VoiceProfile, load_profiles, voice_for

KEEP_IN_OUTPUT = {"manifest.json", ".gitkeep"}


@dataclass
class CleanReport:
    removed_cache: int = 0
    kept_cache: int = 0
    removed_output: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    warnings: list[str] = field(default_factory=list)

# A running studio's address (``studio/handoff.DISCOVERY``, which this layer cannot import): removing it
# would make every later `narrate build` build itself until the studio restarts.
STUDIO_ADDRESS = "studio.json"


def clean(root: Path | str, *, output: Path | None = None, everything: bool = False,
          notify: Callable[[str], None] = lambda message: None) -> CleanReport:
    with project_lock(root, "clean", notify):
        return _clean(root, output, everything)


def _clean(root: Path | str, output: Path | None, everything: bool) -> CleanReport:
    project = open_project(root)
    out = output_folder(project, output)
    manifest = load_manifest(out)  # a damaged one is an error: then nothing tells narrate's files from others
    _check_owner(project, out)
    report = CleanReport()
    audio_cache = project.cache_dir / "audio"
    if everything:
        keep = (LOCK_NAME, OUTPUTS, FIRST_BUILT, STUDIO_ADDRESS)
        report.freed_bytes += _remove_tree(project.root / ".narrate", keep=keep)
        _prune_output(out, manifest, set(), report, everything=True)
        return report
    docs, failures = read_all(project)
    current = {d.meta.slug for d in docs} | _slugs_of(failures, manifest)
    for failure in failures:
        report.warnings.append(f"{failure.error}; its editions, manifest entry and cached sentences are kept")
    used, unsure = _used_cache_files(project, audio_cache, docs)
    report.warnings += [f"{why}; the audio cache is kept" for why in unsure]
    for path in sorted(audio_cache.rglob("*")) if audio_cache.is_dir() else []:
        if not path.is_file():
            continue
        if path in used or unsure or failures:
            report.kept_cache += 1
        else:
            report.freed_bytes += path.stat().st_size
            path.unlink()
            report.removed_cache += 1
    report.freed_bytes += _remove_tree(project.root / ".narrate" / "work", keep=())
    _prune_output(out, manifest, current, report)
    return report


def _slugs_of(failures, manifest: dict[str, Any]) -> set[str]:
    """The publications of sources that failed to read: by the slug guessed from the file, and every
    manifest entry built from that source (its slug may come from the front matter it can no longer read)."""
    sources = [f.source for f in failures]
    return {f.slug for f in failures} | {
        str(p["slug"]) for p in manifest["publications"]
        if any(str(p.get("source", "")) == s or str(p.get("source", "")).startswith(s + "/") for s in sources)}


def _check_owner(project: Project, out: Path) -> None:
    """An output folder outside the project must be one this project's build wrote (``.narrate/outputs.json``)."""
    if out.is_relative_to(project.root) or not (out / MANIFEST).is_file() or str(out) in built_outputs(project):
        return
    raise ConfigError("expected an output folder this project built, found one it has no record of building "
                      "(another project's output, or one built before narrate kept that record: run `narrate "
                      f"build --output {out}` from this project once); nothing was removed", out)


def output_folder(project: Project, output: Path | None) -> Path:
    """The output folder clean may prune, or a ``ConfigError`` saying why this one is refused."""
    default = (project.root / "output").resolve()
    out = Path(output).resolve() if output is not None else default
    if project.root.is_relative_to(out):
        raise ConfigError("expected an output folder, found the project folder (or a folder holding it); "
                          "nothing was removed", out)
    if out.is_relative_to(project.content_dir) or (out / "content").exists():
        raise ConfigError("expected an output folder, found a content/ folder (or a folder holding one); "
                          "nothing was removed", out)
    if out != default and not (out / MANIFEST).is_file():
        raise ConfigError("expected narrate's output folder (the project's output/ or a folder holding a "
                          f"narrate manifest, {MANIFEST}), found a folder without one; nothing was removed", out)
    return out


def _used_cache_files(project, audio_cache: Path, docs) -> tuple[set[Path], list[str]]:
    """Every cache file a build (or proof) of a current source could read: for each publication,
    each voice that could read it (a profile speaking its language, the voice a build picks for it,
    the built-in espeak in its language), with the voices of its parts in other languages; and why
    that cannot be known here (a voice or engine that does not load: its cached files are unknown)."""
    profiles = load_profiles(project.root)
    used: set[Path] = set()
    unsure: list[str] = []
    for doc in docs:
        voices: dict[VoiceProfile, VoiceProfile] = {}  # as paced for the publication → as written
        for name in ["", *profiles]:  # "": the voice a build picks when none is chosen
            try:
                profile = voice_for(profiles, name or doc.meta.voice or project.config.defaults.voice or None,
                                    doc.meta.language)
            except NarrateError as exc:
                unsure.append(f"{doc.source_files[0]}: voice {name or '(default)'} is not usable here ({exc.message})")
                continue
            try:
                check_language(profile, doc.meta.language, doc.source_files[0])
            except NarrateError:
                continue  # a voice for another language never reads this publication
            voices.setdefault(paced(profile, doc.meta.kind), profile)
        ctx = PublicationContext(doc, project.root, project.root / "output", project.config, "", project.cache_dir)
        for paced_profile, profile in voices.items():
            try:
                engine = get_engine(paced_profile)
                plain = get_engine(profile).cache_key()  # the profile's own pace (proof clips, older builds)
                script = publication_script(ctx, paced_profile)
                parts = part_voices(ctx, script, paced_profile)
            except NarrateError as exc:  # not usable here now, which says nothing of what it cached
                unsure.append(f"voice {profile.name!r} cannot be loaded here ({exc})")
                continue
            used.update(cache_path(audio_cache, segment_key(plain, text)) for s in script.segments()
                        for lang, text in s.pieces() if not lang and text.strip())
            used |= used_cache_files(script, paced_profile, engine, audio_cache, parts)
    return used, list(dict.fromkeys(unsure))


def _prune_output(out: Path, manifest: dict[str, Any], current: set[str], report: CleanReport, *,
                  everything: bool = False) -> None:
    if not out.is_dir():
        return
    pubs = manifest["publications"]
    keep_pubs = [] if everything else [p for p in pubs if p["slug"] in current]
    keep = {out / a["path"] for p in keep_pubs for a in p["artifacts"]}
    listed = {out / a["path"] for p in pubs for a in p["artifacts"]}
    emptied: set[Path] = set()
    if everything:
        _prune_dist(out, report)
    for path in sorted(out.rglob("*"), reverse=True):
        rel = path.relative_to(out)
        if rel.as_posix() in KEEP_IN_OUTPUT or rel.parts[0] == "dist":
            continue  # dist/: only what `narrate package` recorded goes (_prune_dist)
        if rel.parts[0] == "private" and not everything:
            continue  # `narrate package` owns it
        if path.is_file() or path.is_symlink():
            if path in keep or not (path in listed or _narrate_made(rel)):
                continue
            report.freed_bytes += path.lstat().st_size
            path.unlink()
            report.removed_output.append(rel.as_posix())
            emptied.add(path.parent)
        elif path.is_dir() and (path in emptied or rel.parts[0] == STAGING) and not any(path.iterdir()):
            path.rmdir()
            emptied.add(path.parent)
    if len(keep_pubs) != len(pubs):
        write_manifest(out, keep_pubs)


def _prune_dist(out: Path, report: CleanReport) -> None:
    """``--all`` in dist/: the files `narrate package` recorded writing (a hand-added robots.txt, a
    symlinked web root's own files stay; see publish/record)."""
    from narrate.publish.record import load_record, prune

    dist = out / "dist"
    if not dist.is_dir():
        return
    previous, warning = load_record(out / "private", dist)
    if warning:
        report.warnings.append(warning)
    sizes = {rel: (dist / rel).stat().st_size for rel in previous if (dist / rel).is_file()}
    for rel in prune(dist, previous, set()):
        report.freed_bytes += sizes.get(rel, 0)
        report.removed_output.append(f"dist/{rel}")
    if not dist.is_symlink() and not any(dist.iterdir()):
        dist.rmdir()


def _narrate_made(rel: Path) -> bool:
    """A path narrate names: an edition ``<slug>/<slug>.*``, a temp file, staging, dist/ or private/."""
    parts = rel.parts
    return (is_temp_name(parts[-1]) or parts[0] in (STAGING, "dist", "private")
            or (len(parts) == 2 and parts[1].startswith(parts[0] + ".")))


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
