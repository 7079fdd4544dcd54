"""Body extraction: narrate's page import against plain trafilatura, on narrate's own news fixture pages.

    PYTHONPATH=src python benchmarks/import_extraction.py [--repeat 20]

Each page in tests/fixtures/import/round-two/news/ has its article's text beside it (<name>.txt,
one paragraph a line). For each extractor the body is reduced to words and scored against that
text as a bag of words (precision, recall, F1: the measure of the public article-extraction
benchmarks). "trafilatura" is ``trafilatura.extract(html)`` with its defaults; "narrate" is what
``narrate import`` writes (read_page, then the Markdown body, with its markup removed). Pages per
second are narrate's, reading and rendering, images not fetched. The public benchmarks' own pages
are not installable here (none is packaged on PyPI, Debian or npm): these figures are not theirs.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from pathlib import Path

import trafilatura

from narrate.importing import html_page
from narrate.importing.markdown_out import render_body
from narrate.importing.media import Media

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "import"
PAGES = FIXTURES / "round-two" / "news"
# Two pages written for the first importer's tests, before the rules of issue 29: their articles' text is
# in benchmarks/import_gold/ (the news pages were written with the furniture those rules remove).
OLDER = {FIXTURES / "newsroom" / "harbour-ferries.html": "harbour-ferries.txt",
         FIXTURES / "blog" / "field-notes.html": "field-notes.txt"}
GOLD = Path(__file__).resolve().parent / "import_gold"


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def score(found: str, gold: str) -> tuple[float, float, float]:
    got, want = words(found), words(gold)
    common = sum((got & want).values())
    precision = common / max(1, sum(got.values()))
    recall = common / max(1, sum(want.values()))
    return precision, recall, 2 * precision * recall / max(1e-9, precision + recall)


def narrate_body(page: Path) -> str:
    article = html_page.read_page(page.read_bytes(), str(page), page=page)
    body = render_body(article, Media(None), page, "images/x", lambda message: None).body
    body = re.sub(r"!\[[^\]]*\]\(\S+(?: \"([^\"]*)\")?\)", r" \1 ", body)  # a figure: its caption, not its alt text
    body = re.sub(r"\]\([^)]*\)", "]", body)  # a link: its text
    body = re.sub(r"^\s*\d+\.\s", " ", body, flags=re.M)  # a numbered list's numbers are markup
    return re.sub(r"[*_#>`\[\]()!|\\-]", " ", body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    golds = {page: page.with_suffix(".txt") for page in sorted(PAGES.glob("*.html"))}
    golds.update({page: GOLD / name for page, name in OLDER.items()})
    pages = list(golds)
    totals: dict[str, list[tuple[float, float, float]]] = {"trafilatura": [], "narrate": []}
    for page in pages:
        gold = golds[page].read_text(encoding="utf-8")
        plain = trafilatura.extract(page.read_text(encoding="utf-8")) or ""
        for name, found in (("trafilatura", plain), ("narrate", narrate_body(page))):
            p, r, f = score(found, gold)
            totals[name].append((p, r, f))
            print(f"{page.stem:20} {name:12} P {p:.3f} R {r:.3f} F1 {f:.3f}")
    for name, rows in totals.items():
        mean = [sum(col) / len(rows) for col in zip(*rows, strict=True)]
        print(f"{'mean':20} {name:12} P {mean[0]:.3f} R {mean[1]:.3f} F1 {mean[2]:.3f}")
    started = time.perf_counter()
    for _ in range(args.repeat):
        for page in pages:
            narrate_body(page)
    elapsed = time.perf_counter() - started
    print(f"narrate: {args.repeat * len(pages) / elapsed:.1f} pages/s ({args.repeat * len(pages)} pages)")


if __name__ == "__main__":
    main()
