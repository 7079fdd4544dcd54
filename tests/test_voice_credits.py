"""The voice is credited as a human would name it, in the same words in every edition and the
feed, and never by its profile's id (nor its engine's model)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import write_files
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from narrate.engine.run import BuildOptions, build

VOICE_ID = "zqvoice7"  # the profile's id: a string no edition may contain
MODEL = "zqmodel9"
CREDIT = "Robin, a synthetic voice"
BOOK = {
    "content/tides/book.toml": 'title = "Tides"\nauthors = ["Sam Writer"]\npublisher = "Test Press"\n'
                               'description = "Two short chapters."\nchapters = ["01.md", "02.md"]\n',
    "content/tides/01.md": "---\ntitle: Morning\n---\n\nThe ferry waits at the pier.\n",
    "content/tides/02.md": "---\ntitle: Evening\n---\n\nThe lights come on along the quay.\n",
    "narrate.toml": '[publisher]\nname = "Test Press"\n\n[feed]\nowner_name = "Test Press"\n'
                    'owner_email = "podcast@press.example.org"\n',
    f"voices/{VOICE_ID}.toml": f'name = "{VOICE_ID}"\nengine = "fake"\nmodel = "{MODEL}"\nlanguage = "en-US"\n'
                               'display_name = "Robin"\nloudness = "acx"\n',
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("credits") / "project"
    write_files(root, BOOK)
    report = build(root, BuildOptions(formats=("mp3", "m4b", "epub-readaloud"), voice=VOICE_ID))
    assert not report.failed, [str(r.error) for r in report.failed]
    return root


def contents(path: Path) -> list[tuple[str, bytes]]:
    """A file's bytes, and for a zip (EPUB) every entry's uncompressed bytes."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return [(f"{path.name}!{n}", z.read(n)) for n in z.namelist()]
    return [(path.name, path.read_bytes())]


def test_no_edition_names_the_voice_by_its_id(built):
    from narrate.publish import package

    package(built, base_url="https://press.example.org/editions/")
    files = [p for p in (built / "output").rglob("*") if p.is_file() and p.name != "manifest.json"]
    assert {p.suffix for p in files} >= {".mp3", ".m4b", ".epub", ".vtt", ".html", ".xml"}
    for path in files:
        for name, data in contents(path):
            for secret in (VOICE_ID, MODEL):
                for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                    assert secret.encode(encoding) not in data, f"{name} names the voice {secret!r}"


def test_every_credit_names_the_voice_in_the_same_words(built):
    out = built / "output" / "tides"
    mp3 = ID3(out / "tides.mp3")
    assert mp3["TCOM"].text == [CREDIT]
    [comment] = [f for f in mp3.getall("COMM") if not f.desc]
    assert comment.text[0].endswith(f"Narrated by {CREDIT}.")
    m4b = MP4(out / "tides.m4b")
    assert m4b.tags["\xa9wrt"] == [CREDIT]
    with zipfile.ZipFile(out / "tides.readaloud.epub") as z:
        opf = z.read("EPUB/content.opf").decode()
    assert f'<meta property="media:narrator">{CREDIT}</meta>' in opf
    vtt = " ".join((out / "tides.vtt").read_text(encoding="utf-8").split())  # captions wrap lines
    assert f"Narrated by {CREDIT}" in vtt and f"narrated by {CREDIT}." in vtt  # opening and closing credits
    feed = (built / "output" / "dist" / "feed.xml").read_text(encoding="utf-8")
    assert re.search(rf'<podcast:person role="narrator" group="cast">{CREDIT}</podcast:person>', feed), feed


def test_the_check_finds_the_loudness_target_without_a_voice_id(built):
    """The ACX profile's target comes from the manifest, not from an id in the comment."""
    from narrate.check.run import check_project

    report = check_project(built)
    acx = [f for f in report.findings if f.check == "acx"]
    loudness = [f for f in report.findings if f.check == "loudness"]
    assert acx and all("'acx'" in f.message for f in loudness), [f.message for f in loudness]
    assert not any(VOICE_ID in f.message for f in report.findings)


def test_an_unnamed_voice_is_a_synthetic_voice_in_every_language():
    from narrate.editions.narration import narrator
    from narrate.i18n.messages import messages_for
    from narrate.speech.voices import VoiceProfile

    named = VoiceProfile(name=VOICE_ID, engine="fake", model=MODEL, language="de-DE", display_name="Robin")
    plain = VoiceProfile(name=VOICE_ID, engine="fake", model=MODEL, language="de-DE")
    assert narrator(named) == CREDIT and narrator(plain) == "a synthetic voice"
    de = messages_for("de")
    assert de("narrated_by", voice=narrator(named, de)) == "Es liest Robin, eine synthetische Stimme."
    assert messages_for("fr")("narrated_by", voice=narrator(plain, messages_for("fr"))) == \
        "Lu par une voix de synthèse."
