"""The download page, the bundle README and the feed in the page's or publication's language
(issue 17): narrate's words from the message catalog, durations and sizes in CLDR's units."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from narrate.errors import ConfigError
from narrate.i18n.dates import duration_text, size_text
from narrate.publish.bundle import readme
from narrate.publish.catalog import Artifact, Publication
from narrate.publish.delivery import subscriber_channel
from narrate.publish.feed import Channel, channel_from_config, render_feed
from narrate.publish.page import render_page
from narrate.sources.config import load_config

FORMATS = ("epub", "epub-readaloud", "pdf", "pdf-large", "mp3", "m4b", "transcript", "transcript-html", "chapters")

# what the English page and README said; none of it may be left in another language's
ENGLISH = [
    "downloads for", "Personal copies", "Please do not share", "Skip to the downloads", "Accessible editions",
    "Every publication comes as", "podcast feed", "Help with opening", "By Anna", " and Ben", ">Listen<",
    "Narration", "Download the narration", ">Chapters<", "Read the transcript", "a web page", "personal copy",
    ">Download<", ">Accessibility<", ">Rights<", "Captions", "EPUB e-book", "Read-along", "Large-print",
    "MP3 audio", "M4B audiobook", "Transcript (", "Everything", "reflowable", "narrated audio",
    "all of the above", "iPhone and iPad", "Windows and macOS", "Screen readers", "Open the EPUB", "Send the EPUB",
    "Copy the EPUB", "seconds", "minutes and", "Made with narrate.", "Checksums of every file",
    "No accessibility summary", "All rights reserved", "(for ",
]
README_ENGLISH = [
    "WHAT IS IN THIS FOLDER", "HOW TO OPEN", "HELP WITH", "ACCESSIBILITY\n", "RIGHTS\n", "The narration lasts",
    "checksums of the files above", "Open the", "open the", "Screen readers", "iPhone and iPad", "reflowable",
    "narrated audio", "chapter markers", "Transcript:", "Captions:", "seconds", "No accessibility summary",
    "All rights reserved",
]

EXPECTED = {
    "de": {"page": ["<h1>Barrierefreie Ausgaben</h1>", "Hafenpresse: Downloads für Ana</title>",
                    "Von Anna Weber und Ben Roth", "<h3>Anhören</h3>", "<h3>Herunterladen</h3>",
                    ">8 Minuten und 2 Sekunden</time>", "Lesung herunterladen", "Transkript lesen",
                    "persönliches Exemplar", "EPUB-E-Book", "M4B-Hörbuch", "(1,2 MB)", 'label="Untertitel (Deutsch)"',
                    "Hilfe zum Öffnen der Dateien", "<dt>iPhone und iPad</dt>",
                    'über den <a href="feed.xml">Podcast-Feed</a>.'],
           "readme": ["WAS IN DIESEM ORDNER IST", "HILFE ZUM ÖFFNEN DER DATEIEN", "BARRIEREFREIHEIT", "RECHTE",
                      "Die Lesung dauert 8 Minuten und 2 Sekunden", "Prüfsummen der obigen Dateien",
                      "iPhone und iPad: Öffnen Sie"],
           "feed": "Hafenpresse (für Ana)"},
    "fr": {"page": ["<h1>Éditions accessibles</h1>", "Hafenpresse : téléchargements pour Ana</title>",
                    "Par Anna Weber et Ben Roth", "<h3>Écouter</h3>", "<h3>Télécharger</h3>",
                    ">8 minutes et 2 secondes</time>", "Télécharger la lecture", "Lire la transcription",
                    "exemplaire personnel", "Livre numérique EPUB", "Livre audio M4B", "(1,2 Mo)",
                    'label="Sous-titres (français)"', "Aide pour ouvrir les fichiers", "<dt>iPhone et iPad</dt>",
                    'avec le <a href="feed.xml">flux de podcast</a>.'],
           "readme": ["CONTENU DE CE DOSSIER", "AIDE POUR OUVRIR LES FICHIERS", "ACCESSIBILITÉ", "DROITS",
                      "La lecture dure 8 minutes et 2 secondes", "sommes de contrôle des fichiers ci-dessus",
                      "iPhone et iPad : Ouvrez"],
           "feed": "Hafenpresse (pour Ana)"},
    "es": {"page": ["<h1>Ediciones accesibles</h1>", "Hafenpresse: descargas para Ana</title>",
                    "Por Anna Weber y Ben Roth", "<h3>Escuchar</h3>", "<h3>Descargar</h3>",
                    ">8 minutos y 2 segundos</time>", "Descargar la narración", "Leer la transcripción",
                    "copia personal", "Libro electrónico EPUB", "Audiolibro M4B", "(1,2 MB)",
                    'label="Subtítulos (español)"', "Ayuda para abrir los archivos", "<dt>iPhone y iPad</dt>",
                    'con el <a href="feed.xml">canal de pódcast</a>.'],
           "readme": ["QUÉ CONTIENE ESTA CARPETA", "AYUDA PARA ABRIR LOS ARCHIVOS", "ACCESIBILIDAD", "DERECHOS",
                      "La narración dura 8 minutos y 2 segundos", "sumas de verificación de los archivos anteriores",
                      "iPhone y iPad: Abra"],
           "feed": "Hafenpresse (para Ana)"},
}


def publication(language: str) -> Publication:
    artifacts = {fmt: Artifact(fmt, Path(f"/out/markt.{fmt}"), f"markt.{fmt}", 1_234_567, "0" * 64,
                               482.0 if fmt in ("mp3", "m4b") else None) for fmt in FORMATS}
    return Publication("markt", "Der Markt", language, "article", "content/markt.md", artifacts,
                       authors=("Anna Weber", "Ben Roth"), date=dt.date(2025, 3, 3), chapters=[(0.0, "Anfang")])


def page(language: str, pub_language: str | None = None, messages=None) -> str:
    return render_page([publication(pub_language or language)], title="Hafenpresse", language=language,
                       href=lambda p, f: f, sizes={}, css="page.css", sums="SHA256SUMS", feed_url="feed.xml",
                       prepared_for="Ana", personal={"epub"}, messages=messages)


def visible(html: str) -> str:
    """The page without its script, CLDR's no-break spaces ("8\xa0minutes") as spaces."""
    return re.sub(r"<script>.*?</script>", "", html, flags=re.S).replace("\xa0", " ").replace("\u202f", " ")


def words(text: str) -> str:
    """The README's words, whatever its line breaks and no-break spaces."""
    return " ".join(text.split())


def channel(language: str) -> Channel:
    return Channel("Hafenpresse", "", "https://example.com/", language, "", "", "", "News", False, "")


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_page_is_in_its_language(language):
    html = visible(page(language))
    for expected in EXPECTED[language]["page"]:
        assert expected in html, (language, expected)
    left = [phrase for phrase in ENGLISH if phrase in html]
    assert left == [], f"English left on the {language} page: {left}"
    assert f'<html lang="{language}">' in html


def test_publications_own_fields_keep_their_language_on_a_page_in_another():
    html = visible(page("fr", pub_language="de"))
    assert '<time datetime="2025-03-03">3 mars 2025</time>' in html  # among the page's words: the page's date
    assert 'srclang="de" label="Sous-titres (allemand)"' in html  # captions in German, named in French
    assert "Par Anna Weber et Ben Roth" in html  # the page's words, the page's list
    assert '<h2 id="pub-markt-title" lang="de">Der Markt</h2>' in html
    assert '<li><a href="#pub-markt" lang="de">Der Markt</a></li>' in html
    assert '<span lang="de">Anfang</span>' in html  # a chapter title


def test_english_page_dates_a_german_publication_in_english():
    html = visible(page("en", pub_language="de"))
    assert 'By Anna Weber and Ben Roth, <time datetime="2025-03-03">March 3, 2025</time>' in html
    assert "3. März" not in html and '<h2 id="pub-markt-title" lang="de">' in html


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_page_says_the_narration_is_synthetic_where_the_audio_is_chosen(language):
    from narrate.i18n.messages import messages_for

    html = visible(page(language))
    disclosure = messages_for(language)("disclosure")
    listen = html[html.index("<h3>", html.index('<article')):html.index("<audio")]
    assert disclosure in listen
    notes = re.findall(r'<a href="(mp3|m4b)" download>.*?<span class="note">(.*?)</span>', html)
    assert len(notes) == 2 and all(disclosure in note for _, note in notes), notes


def test_english_page_keeps_its_words():
    html = visible(page("en"))
    for expected in ("<h1>Accessible editions</h1>", "Hafenpresse: downloads for Ana</title>",
                     "By Anna Weber and Ben Roth", ">8 minutes and 2 seconds</time>", "(1.2 MB)",
                     'label="Captions (English)"', "<strong>personal copy</strong>",
                     'with the <a href="feed.xml">podcast feed</a>.', '<a href="SHA256SUMS">SHA256SUMS</a>.'):
        assert expected in html, expected


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_readme_is_in_the_publications_language(language):
    text = readme(publication(language), "Hafenpresse")
    for expected in EXPECTED[language]["readme"]:
        assert expected in words(text), (language, expected)
    left = [phrase for phrase in README_ENGLISH if phrase in text]
    assert left == [], f"English left in the {language} README: {left}"
    assert max(len(line) for line in text.splitlines()) <= 80  # translated prose is wrapped too


def test_english_readme():
    text = readme(publication("en"), "Hafenpresse")
    for expected in ("WHAT IS IN THIS FOLDER", "HELP WITH OPENING THE FILES", "ACCESSIBILITY", "RIGHTS",
                     "The narration lasts 8 minutes and 2 seconds", "Kindle: Send the EPUB", "Thorium"):
        assert expected in words(text), expected


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_subscriber_feed_title_is_in_the_feeds_language(language):
    mine = subscriber_channel(channel(language), "Ana")
    xml = render_feed(mine, [publication(language)], lambda p, f: f"https://example.com/{f}",
                      "https://example.com/feed.xml", private=True)
    root = ET.fromstring(xml)
    assert root.findtext("channel/title") == EXPECTED[language]["feed"]
    assert root.findtext("channel/language") == language
    author = root.findtext("channel/item/{http://www.itunes.com/dtds/podcast-1.0.dtd}author")
    assert author == {"de": "Anna Weber und Ben Roth", "fr": "Anna Weber et Ben Roth",
                      "es": "Anna Weber y Ben Roth"}[language]


def test_feed_without_a_title_or_publisher_is_named_in_its_language(tmp_path: Path):
    (tmp_path / "narrate.toml").write_text('[defaults]\nlanguage = "de"\n', encoding="utf-8")
    assert channel_from_config(load_config(tmp_path), [], "https://example.com/", "").title == "Gelesene Ausgaben"


def test_overrides_reach_the_new_words(tmp_path: Path):
    (tmp_path / "narrate.toml").write_text(
        '[messages.de]\npage_heading = "Unsere Ausgaben"\nfeed_title_for = "{title} – nur für {name}"\n'
        'readme_duration = "Hördauer: {duration}."\nlabel_m4b = "Hörbuch"\n'
        'page_intro = "Alles zum Mitnehmen."\n', encoding="utf-8")
    messages = load_config(tmp_path).messages
    html = page("de", messages=messages)
    assert "<h1>Unsere Ausgaben</h1>" in html and ">Hörbuch</a>" in html
    assert "<p>Alles zum Mitnehmen.</p>" in html  # an intro without {feed}: no dangling link
    assert "Hördauer: 8 Minuten und 2 Sekunden." in words(readme(publication("de"), "", messages))
    assert subscriber_channel(channel("de"), "Ana", messages).title == "Hafenpresse – nur für Ana"
    assert "<h1>Éditions accessibles</h1>" in page("fr", messages=messages)  # German overrides only


def test_override_with_a_wrong_placeholder_names_the_key(tmp_path: Path):
    (tmp_path / "narrate.toml").write_text('[messages.fr]\nfeed_title_for = "{title} pour {nom}"\n',
                                           encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert "'messages.fr.feed_title_for': expected placeholders {name}, {title}, found {nom}" in err.value.message


def test_override_text_is_escaped_on_the_page():
    html = page("de", messages={"de": {"page_intro": "<b>Alles</b> über den {feed}."}})
    assert "&lt;b&gt;Alles&lt;/b&gt; über den <a href=\"feed.xml\">Podcast-Feed</a>." in html


@pytest.mark.parametrize(("language", "seconds", "expected"), [
    ("en", 3723, "1 hour, 2 minutes, and 3 seconds"),
    ("en", 60, "1 minute"),
    ("de", 7200, "2 Stunden"),
    ("fr", 3601, "1 heure et 1 seconde"),
    ("es", 125, "2 minutos y 5 segundos"),
    ("xx", 61, "1 minute and 1 second"),  # no CLDR locale: English
])
def test_durations_in_cldr_units(language, seconds, expected):
    assert words(duration_text(seconds, language)) == expected


@pytest.mark.parametrize(("language", "size", "expected"), [
    ("en", 512, "512 bytes"), ("en", 999_999, "1.0 MB"), ("de", 1_234_567, "1,2 MB"), ("fr", 2_500, "2,5 ko"),
])
def test_sizes_in_the_pages_language(language, size, expected):
    assert words(size_text(size, language)) == expected


def test_bundle_zip_carries_the_readme_in_the_publications_language(tmp_path: Path, monkeypatch):
    import hashlib
    import zipfile

    from narrate.publish.bundle import write_bundle

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1740960000")
    artifacts = {}
    for fmt in ("epub", "mp3"):
        path = tmp_path / f"markt.{fmt}"
        path.write_bytes(fmt.encode() * 100)
        artifacts[fmt] = Artifact(fmt, path, path.name, path.stat().st_size,
                                  hashlib.sha256(path.read_bytes()).hexdigest(), 482.0 if fmt == "mp3" else None)
    pub = Publication("markt", "Der Markt", "es", "article", "content/markt.md", artifacts, authors=("Ana Ruiz",))
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    write_bundle(pub, first, "Hafenpresse")
    write_bundle(pub, second, "Hafenpresse")
    assert first.read_bytes() == second.read_bytes()  # deterministic, translated or not
    with zipfile.ZipFile(first) as zf:
        text = zf.read("markt/README.txt").decode("utf-8")
        sums = zf.read("markt/SHA256SUMS").decode("ascii")
    assert "QUÉ CONTIENE ESTA CARPETA" in text and "Por Ana Ruiz." in text
    assert "La narración dura 8 minutos y 2 segundos" in words(text)
    assert "audio narrado (MP3) con marcas de capítulo" in text
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() + "  README.txt" in sums
