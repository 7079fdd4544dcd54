"""Language of parts (WCAG 3.1.2) beyond the EPUB: the tagged PDF, the narration, clean, catalogs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pypdf
import pytest

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

MIXED = """\
---
title: Gemischt
language: de
---
Er sagte [c'est la vie]{lang=fr} und ging am 3. März.

{lang=fr}
Le 1er mars 2025, M. Dupont a payé 12,50 €.

{lang=es}
> ¿Dónde está el Sr. García?

Wieder Deutsch.
"""


def _read(root: Path):
    from narrate.engine.run import read_all
    from narrate.sources.project import open_project

    docs, failures = read_all(open_project(root))
    assert not failures
    return docs[0]


# ------------------------------------------------------------------ PDF /Lang


def _marked_texts(path: Path) -> dict[tuple[int, int], str]:
    """(page index, MCID) → the text shown in that marked-content sequence."""
    texts: dict[tuple[int, int], str] = {}
    for number, page in enumerate(pypdf.PdfReader(path).pages):
        stack: list[int | None] = []

        def before(op, args, cm, tm, stack=stack):  # noqa: ANN001
            if op == b"BDC":
                props = args[1] if len(args) > 1 else None
                stack.append(props.get("/MCID") if hasattr(props, "get") else None)
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC" and stack:
                stack.pop()

        def text(chunk, cm, tm, font, size, stack=stack, number=number):  # noqa: ANN001
            if chunk.strip() and stack and stack[-1] is not None:
                key = (number, int(stack[-1]))
                texts[key] = texts.get(key, "") + chunk.strip()

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def _struct_elements(pdf: pikepdf.Pdf):
    """Every structure element with its inherited language and the text of its marked content."""
    pages = {page.objgen: i for i, page in enumerate(pdf.pages)}

    def walk(elem, inherited: str):
        lang = str(elem.get("/Lang", inherited))
        kids = elem.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
        mcids, children = [], []
        for kid in kids:
            if isinstance(kid, int):
                mcids.append((pages[elem.Pg.objgen], int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                children.append(kid)
            elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
                mcids.append((pages[kid.get("/Pg", elem.Pg).objgen], int(kid.MCID)))
        below = [list(walk(child, lang)) for child in children]
        # an element's text: its own marked content and its children's (each child's first row)
        yield elem, lang, str(elem.get("/Lang", "")), mcids + [m for rows in below for m in rows[0][3]]
        for rows in below:
            yield from rows

    root = pdf.Root.StructTreeRoot.K
    for top in (root if isinstance(root, pikepdf.Array) else [root]):
        yield from walk(top, str(pdf.Root.Lang))


def test_pdf_parts_carry_their_language(make_project, tmp_path):
    from narrate.writers.pdf import write_pdf

    root = make_project({"content/mix.md": MIXED})
    doc = _read(root)
    out = tmp_path / "mix.pdf"
    write_pdf(doc, root, out)
    texts = _marked_texts(out)
    with pikepdf.open(out) as pdf:
        assert str(pdf.Root.Lang) == "de"  # the document's language stays the document's
        elements = [(e, lang, own, "".join(texts.get(m, "") for m in sorted(mcids)))
                    for e, lang, own, mcids in _struct_elements(pdf)]
    by_text = {}
    for elem, lang, own, text in elements:
        by_text.setdefault(text, []).append((str(elem.S), lang, own))
    # the inline phrase: a Span of its own with /Lang (fr); the sentence around it stays German
    assert ("/Span", "fr", "fr") in by_text["c’est la vie"]
    assert ("/P", "de", "") in by_text["Er sagtec’est la vieund ging am 3. März."]
    # the marked blocks: the paragraph and the quotation carry their languages, inherited by their text
    french, spanish = "Le 1er mars 2025, M. Dupont a payé 12,50 €.", "¿Dónde está el Sr. García?"
    assert ("/P", "fr", "fr") in by_text[french]
    assert ("/BlockQuote", "es", "es") in by_text[spanish]
    assert ("/P", "es", "") in by_text[spanish]  # the quotation's paragraph inherits
    assert all(lang == "de" for _, lang, _ in by_text["Wieder Deutsch."])
    # nothing else was given a language of its own
    tagged = sorted(text for _, _, own, text in elements if own)
    assert tagged == sorted(["c’est la vie", french, spanish]), tagged
    # still deterministic
    again = tmp_path / "again.pdf"
    write_pdf(doc, root, again)
    assert again.read_bytes() == out.read_bytes()


# ------------------------------------------------------------- phrases in a sentence

PHRASE = """\
---
title: Phrase
language: de
---
Er sagte [c'est la vie, 12,50 €]{lang=fr} und ging am 3. März.

## Das [Café de Flore]{lang=fr} am Abend
"""


def _phrase_script(make_project):
    from narrate.speech.script import build_script

    doc = _read(make_project({"content/p.md": PHRASE}))
    return build_script(doc)


def test_an_inline_phrase_is_a_run_of_its_own_language(make_project):
    script = _phrase_script(make_project)
    sentence = next(s for s in script.segments() if s.text.startswith("Er sagte"))
    assert sentence.language == ""  # the sentence is the document's, one segment (one read-along clip)
    assert sentence.runs == (("", "Er sagte"), ("fr", "c’est la vie, douze euros et cinquante centimes"),
                             ("", "und ging am dritten März."))  # the phrase normalized by French rules
    assert sentence.spoken == " ".join(text for _, text in sentence.runs)
    assert sentence.text == "Er sagte c’est la vie, 12,50 € und ging am 3. März."
    heading = next(s for s in script.segments() if s.kind == "heading" and "Flore" in s.text)
    assert heading.runs == (("", "Das"), ("fr", "Café de Flore"), ("", "am Abend"))


def _wav_frames(path: Path) -> tuple[int, int]:
    """Frames and rate of a cached sentence (FLAC)."""
    from narrate.audio import flac

    frames, rate, _, _ = flac.info(path)
    return frames, rate


@needs_espeak
def test_an_inline_phrase_is_spoken_by_its_languages_espeak_voice(make_project, tmp_path):
    from narrate.audio.master import plan_segments, render
    from narrate.speech.engines import get_engine
    from narrate.speech.voices import espeak_for

    script = _phrase_script(make_project)
    german, french = espeak_for("de"), espeak_for("fr")
    assert german and french and german.model != french.model
    voices = {"fr": (french, get_engine(french))}
    cache = tmp_path / "cache"
    rendered = render(script, german, get_engine(german), cache_dir=cache, work_dir=tmp_path / "work", parts=voices)
    segments = list(script.segments())
    index = next(i for i, s in enumerate(segments) if s.runs)
    plan = plan_segments(segments, {**voices, "": (german, get_engine(german))}, cache, 22050)
    joined = plan.final[index]
    pieces = plan.joins[joined]
    assert len(pieces) == 3  # German, French, German, synthesized by two voices
    from narrate.audio.synth import cache_path, segment_key

    de_key, fr_key = get_engine(german).cache_key(), get_engine(french).cache_key()
    assert "voice=fr" in fr_key and "voice=de" in de_key
    assert pieces == (cache_path(cache, segment_key(de_key, "Er sagte")),
                      cache_path(cache, segment_key(fr_key, "c’est la vie, douze euros et cinquante centimes")),
                      cache_path(cache, segment_key(de_key, "und ging am dritten März.")))
    # the sentence's audio is the three pieces end to end, and one timeline unit
    lengths = [_wav_frames(p)[0] for p in pieces]
    assert all(n > 2000 for n in lengths)
    assert _wav_frames(joined) == (sum(lengths), 22050)
    clip = next(s for s in rendered.timeline.segments if s.id == segments[index].id)
    # laid out from its first to its last sound (audio/trim), as every sentence is
    from narrate.audio.trim import speech_window

    start, end = speech_window(joined, 22050)
    assert 0 < end - start <= sum(lengths)
    assert abs((clip.end_ms - clip.start_ms) - (end - start) * 1000 / 22050) <= 2
    # the French piece is not what the German voice would say
    assert cache_path(cache, segment_key(de_key, "c’est la vie, douze euros et cinquante centimes")) not in pieces


def test_an_inline_phrase_with_the_fake_engine(make_project, tmp_path):
    """Without a voice for the phrase's language, the publication's voice reads every run."""
    from conftest_audio import FAKE

    from narrate.audio.master import render
    from narrate.speech.engines import get_engine
    from narrate.speech.fake import FakeEngine

    script = _phrase_script(make_project)
    rendered = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "c", work_dir=tmp_path / "w")
    sentence = next(s for s in script.segments() if s.runs)
    clip = next(s for s in rendered.timeline.segments if s.id == sentence.id)
    expected = sum(FakeEngine.frames_for(text) for _, text in sentence.runs) * 1000 / FakeEngine.sample_rate
    assert abs((clip.end_ms - clip.start_ms) - expected) <= 2
    # with a fake voice for French too, the phrase is its voice's
    french = __import__("dataclasses").replace(FAKE, name="fake-fr", model="fr", language="fr")
    again = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "c", work_dir=tmp_path / "w",
                   parts={"fr": (french, get_engine(french))})
    assert again.synthesized == 2  # only the French runs (phrase, heading) are new: the German ones are cached


# ------------------------------------------------------------- mixed sample rates


class Tone16k:
    """A test engine at 16 kHz (as Piper's low-quality voices speak): 50 ms of a tone per character."""

    name = "tone16k"
    sample_rate = 16000

    def __init__(self, profile):
        self.profile = profile

    def cache_key(self) -> str:
        return f"tone16k;{self.profile.model}"

    def synthesize(self, text: str, out_wav: Path) -> None:
        import math
        from array import array

        from narrate.speech.engines import atomic_wav

        frames = 800 * len(text)
        samples = array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / 16000)) for i in range(frames)))
        with atomic_wav(out_wav, 16000) as wav:
            wav.writeframes(samples.tobytes())


def test_a_part_voice_at_another_sample_rate_is_resampled(make_project, tmp_path):
    import dataclasses

    from conftest_audio import FAKE

    from narrate.audio.master import plan_segments, render
    from narrate.speech.engines import get_engine, register

    register("tone16k", "test_language_parts:Tone16k")
    root = make_project({"content/m.md": MIXED})
    from narrate.speech.script import build_script

    script = build_script(_read(root))
    french = dataclasses.replace(FAKE, name="tone-fr", engine="tone16k", model="fr", language="fr")
    parts = {"fr": (french, get_engine(french))}
    cache = tmp_path / "cache"
    rendered = render(script, FAKE, get_engine(FAKE), cache_dir=cache, work_dir=tmp_path / "w", parts=parts)
    segments = list(script.segments())
    plan = plan_segments(segments, {**parts, "": (FAKE, get_engine(FAKE))}, cache, 22050)
    assert plan.resample  # the French block and phrase came at 16 kHz and were resampled
    for out, source in plan.resample.items():
        frames, rate = _wav_frames(source)
        assert rate == 16000
        resampled, new_rate = _wav_frames(out)
        assert new_rate == 22050 and abs(resampled - frames * 22050 / 16000) <= 64
    block = next(i for i, s in enumerate(segments) if s.language == "fr")
    clip = next(s for s in rendered.timeline.segments if s.id == segments[block].id)
    expected_ms = 50 * len(segments[block].spoken)
    assert abs((clip.end_ms - clip.start_ms) - expected_ms) <= 5
    assert rendered.timeline.duration_ms > 0



# ------------------------------------------------------------- narrate clean


@needs_espeak
def test_clean_keeps_the_cached_audio_of_parts_in_other_languages(make_project):
    """A German article with French and Spanish passages, narrated as a build narrates it: clean
    keeps every file that narration reads (sentences of all three voices, the resampled and
    joined sentences, the chapter pieces) and sweeps only what no source says any more."""
    from narrate.editions.context import PublicationContext
    from narrate.editions.narration import render_publication
    from narrate.engine.clean import clean
    from narrate.sources.project import open_project

    root = make_project({"content/mix.md": MIXED.replace("Er sagte", "Er sagte: [Bonjour]{lang=fr}, und")})
    project = open_project(root)
    doc = _read(root)
    ctx = PublicationContext(doc, root, root / "output" / doc.meta.slug, project.config, "", project.cache_dir)
    narration = render_publication(ctx)
    assert {lang for s in narration.script.segments() for lang, _ in s.pieces()} == {"", "fr", "es"}
    cache = project.cache_dir / "audio"
    made = {p for p in cache.rglob("*") if p.is_file()}
    assert len(made) > 8
    stray = cache / "ab" / ("ab" + "0" * 62 + ".wav")
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"RIFF")
    report = clean(root)
    left = {p for p in cache.rglob("*") if p.is_file()}
    assert left == made, sorted(str(p.relative_to(cache)) for p in made - left)
    assert report.removed_cache == 1 and not stray.exists()
    # a build now reads everything from the cache
    again = render_publication(PublicationContext(doc, root, root / "output" / doc.meta.slug, project.config, "",
                                                  project.cache_dir))
    assert again.rendered.synthesized == 0


@needs_espeak
def test_proof_clips_say_what_the_build_says(make_project):
    """narrate proof's clips of a French passage and of a sentence with a French phrase are the
    build's own audio: the French voice's sentence and the joined sentence."""
    from typer.testing import CliRunner

    from narrate.audio.master import plan_segments
    from narrate.cli import app
    from narrate.editions.context import PublicationContext
    from narrate.editions.narration import choose_voice, part_voices, publication_script
    from narrate.sources.project import open_project
    from narrate.speech.engines import get_engine

    root = make_project({"content/mix.md": MIXED})
    result = CliRunner().invoke(app, ["proof", str(root), "--json"])
    assert result.exit_code == 0, result.output
    project = open_project(root)
    doc = _read(root)
    ctx = PublicationContext(doc, root, root / "output", project.config, "", project.cache_dir)
    profile = choose_voice(ctx)
    script = publication_script(ctx, profile)
    voices = {**part_voices(ctx, script, profile), "": (profile, get_engine(profile))}
    assert sorted(voices) == ["", "es", "fr"]
    segments = list(script.segments())
    plan = plan_segments(segments, voices, project.cache_dir / "audio", 22050)
    clips = {p.stem for p in (root / "output" / "proof" / "clips").rglob("*.mp3")}
    for segment, wav in zip(segments, plan.final, strict=True):
        if segment.language or segment.runs:
            assert wav.stem in clips, segment.text
    assert any(s.runs for s in segments) and any(s.language == "fr" for s in segments)


CELLS = """\
---
title: Karte
language: de
---
| Gericht | Preis |
| --- | --- |
| [Crème brûlée]{lang=fr} mit Obst | 12,50 € |
| Apfelstrudel | 4 € |
"""


def test_a_phrase_in_a_table_cell_is_a_run_of_its_language(make_project):
    from narrate.speech.script import build_script

    root = make_project({"content/k.md": CELLS})
    script = build_script(_read(root))
    rows = [s for s in script.segments() if s.text.startswith("Gericht")]
    assert [r.text for r in rows] == ["Gericht: Crème brûlée mit Obst, Preis: 12,50 €.",
                                      "Gericht: Apfelstrudel, Preis: 4 €."]
    assert rows[0].runs == (("", "Gericht:"), ("fr", "Crème brûlée"),
                            ("", "mit Obst, Preis: zwölf Euro und fünfzig Cent."))
    assert rows[1].runs == () and rows[1].language == ""  # a row without a phrase is spoken as before
