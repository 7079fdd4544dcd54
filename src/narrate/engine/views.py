"""Read-only views for the CLI: the speech script of one publication, the voice table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from narrate.editions.context import PublicationContext
from narrate.editions.narration import choose_voice, part_voices, publication_script
from narrate.engine.run import read_all
from narrate.errors import ConfigError
from narrate.i18n.messages import SHIPPED
from narrate.sources.project import open_project
from narrate.speech.engines import get_engine
from narrate.speech.hearing import EntryCheck, Heard, check_entry, hear
from narrate.speech.lexicon import load_lexicons
from narrate.speech.script import Script, Segment, format_script, spoken_sentence
from narrate.speech.voices import VoiceProfile, check_usable, language_table, load_profiles, voice_for


def publication_script_text(root: Path, target: str, voice: str = "", phonemes: bool = False) -> str:
    """The speech script of the publication named by slug or source path (a Markdown file
    outside any project is a project of its own); with ``phonemes``, what the voice is given
    for each utterance, in IPA (``phoneme_script``)."""
    project = open_project(target if Path(target).is_file() else root)
    docs, failures = read_all(project)
    for failure in failures:
        if target in (failure.slug, failure.source) and failure.error is not None:
            raise failure.error
    wanted = Path(target).resolve()
    for doc in docs:
        paths = {(project.root / s).resolve() for s in doc.source_files}
        if target == doc.meta.slug or wanted in paths or wanted == (project.root / doc.source_files[0]).parent:
            ctx = PublicationContext(doc, project.root, project.root / "output", project.config,
                                     voice or doc.meta.voice or project.config.defaults.voice, project.cache_dir)
            profile = choose_voice(ctx)
            script = publication_script(ctx, profile)
            if phonemes:
                engine = get_engine(profile)
                return phoneme_script(script, {**part_voices(ctx, script, profile), "": (profile, engine)})
            return format_script(script)
    known = ", ".join(sorted(d.meta.slug for d in docs))
    raise ConfigError(f"no publication matches {target!r} (slugs: {known})")


def phoneme_script(script: Script, voices: dict[str, tuple[Any, Any]]) -> str:
    """``format_script``'s lines, each utterance as the phonemes its voice is given (the engine's
    own ``phonemes``, the code its synthesis runs); a phrase in another language by that language's voice."""
    def say(segment: Segment) -> str:
        said = []
        for language, text in segment.pieces():
            profile, engine = voices.get(language) or voices[""]
            said.append(hear(profile, text, engine).ipa)
        return " ".join(p for p in said if p)

    return format_script(script, say)


def project_voice(root: Path, voice: str = "", language: str = "") -> VoiceProfile:
    """The voice a build of ``root`` would use: ``voice``, else narrate.toml's default, else the best
    installed for ``language`` (default: the project's)."""
    project = open_project(root)
    language = language or project.config.defaults.language
    return voice_for(load_profiles(project.root), voice or project.config.defaults.voice or None, language)


def hear_sentence(root: Path, text: str, voice: str = "", language: str = "") -> Heard:
    """What a listener will hear for one sentence of source text in ``root``'s voice (or ``voice``):
    the script's spoken text (lexicons, normalization) and the phonemes the voice is given, with the
    readings chosen (the studio's view of a sentence)."""
    profile = project_voice(root, voice, language)
    lexicon = load_lexicons(profile.lexicons) if profile.lexicons else None
    return hear(profile, spoken_sentence(text, language or profile.language, lexicon))


def hear_lexicon(root: Path, voice: str = "") -> list[EntryCheck]:
    """Every entry of the voice's lexicons with the phonemes the voice is given and any problem."""
    profile = project_voice(root, voice)
    engine = get_engine(profile)
    lexicon = load_lexicons(profile.lexicons) if profile.lexicons else None
    return [check_entry(profile, entry, engine) for entry in (lexicon.entries if lexicon else ())]


def voice_table(root: Path) -> list[dict[str, Any]]:
    rows = []
    for name, profile in sorted(load_profiles(Path(root).resolve()).items()):
        usable, reason = check_usable(profile)
        rows.append({"name": name, "engine": profile.engine, "language": profile.language,
                     "offline": profile.offline, "usable": usable, "note": reason})
    return rows


def language_voices(root: Path) -> list[dict[str, str]]:
    """What each language gets: the project's languages (its default and its publications')
    and those narrate ships messages for."""
    root = Path(root).resolve()
    project = open_project(root)
    docs, _ = read_all(project)
    languages = [project.config.defaults.language, *(d.meta.language for d in docs), *SHIPPED]
    unique = list(dict.fromkeys(tag for tag in languages if tag))
    return language_table(load_profiles(root), unique)
