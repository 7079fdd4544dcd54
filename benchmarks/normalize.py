"""Text normalization: time per 1,000 sentences and test cases per category.

    PYTHONPATH=src python benchmarks/normalize.py
    PYTHONPATH=src python benchmarks/normalize.py --nemo   # also measure nemo-text-processing, if installed
    PYTHONPATH=src python benchmarks/normalize.py --suite DIR  # agreement with a folder of test_cases_*.txt
    PYTHONPATH=src python benchmarks/normalize.py --suite DIR2 # or of WeTextProcessing's <category>.txt
    PYTHONPATH=src python benchmarks/normalize.py --suite DIR --heard  # also count readings heard the same

The corpus is 1,000 sentences: every written form from ``tests/test_normalize_en.py``
and a few sentences of ordinary prose with dates, money, times and phones, repeated in
a fixed order, so two runs time the same work. ``--nemo`` also times NeMo's English
normalizer (grammar compile or cache load, then the same sentences) and counts how many
of narrate's test cases it reads the same way (lenient: case, punctuation, hyphens,
"and" and the spacing of spelled letters are ignored).

``--suite DIR`` measures agreement, per category and overall, with every
``test_cases_<category>.txt`` in DIR: NeMo-text-processing's public English test
files (``tests/nemo_text_processing/en/data_text_normalization/`` in its GitHub
repository; they are not in its PyPI sdist or wheel, so they are fetched by hand
and never stored here). A line is ``written~spoken``; a file in the
``normalize_with_audio`` form (``~written`` then one acceptable reading a line)
counts a case as agreeing when any reading matches. The comparison is lenient
as above, and a word in capitals counts as its letters spelled ("PM EST" = "P M E S
T"), which the old comparison missed when two acronyms met; a single quote at a
word's edge is punctuation like any other ("twenty'" = "twenty '"), only an
apostrophe inside a word ("I've") is kept. ``--show`` prints each
disagreement.

``--heard`` adds one more equality, reported beside the lenient figure: two
readings that still differ count as agreeing when espeak-ng (the phonemizer
of narrate's Piper voices) gives both, after the lenient step, the same
phonemes once stress marks and the spaces between words are set aside
("my email" = "myemail", "twelve's" = "twelves"), or gives the two readings
as written the same phonemes (a sign the lenient step drops is said by the
voice: "thirty one/thirty one" is heard "thirty one slash thirty one"). It is
symmetric and looks at nothing but the sound: "jpg" (said "J P G") and "jpeg" ("jay-peg") still
differ, as do "HTTPS colon slash slash" and nothing.

The same ``--suite`` reads WeTextProcessing's English test data
(``tn/english/test/data/<category>.txt`` in its GitHub repository, Apache-2.0,
also not in its wheel): one ``written => spoken`` a line, each side stripped as
its own test reader does. The form is told from the files (``--suite-format``
names it when a folder holds both). WeTextProcessing copies a word it does not
read through as written ("1-800-GO-U-HAUL" → "GO U HAUL", "HAHAHA"), beside the
letters it writes itself ("PM"), so in its files a capital word counts as its
letters spelled or as the word it is ("go U haul"); NeMo's are only the former.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from narrate.speech.normalize import normalize

_TESTS = Path(__file__).resolve().parent.parent / "tests" / "test_normalize_en.py"

PROSE = [
    "The committee met on Jan. 5, 2021 at 10:30 a.m. and approved $1.4 million for 12 km of road.",
    "She said the meeting would last about two hours, then left for the station.",
    "Call (555) 555-0199 between 9am and 5pm, or write to the office on Baker St.",
    "Prices rose 3.5% in 2023, from £2.40 to £2.49 a loaf, according to the ONS.",
    "King Charles III opened Chapter IV of the 1,200-page report on 15/01/2024.",
]


def load_cases() -> dict[str, list[tuple[str, str]]]:
    spec = importlib.util.spec_from_file_location("test_normalize_en", _TESTS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {"issue examples": module.ISSUE_EXAMPLES, **module.CASES, "US region": module.US_CASES,
            "GB region": module.GB_CASES}


def corpus(cases: dict[str, list[tuple[str, str]]], size: int = 1000) -> list[str]:
    forms = [text for pairs in cases.values() for text, _ in pairs]
    pool = [s for pair in zip(forms, PROSE * (len(forms) // len(PROSE) + 1), strict=False) for s in pair]
    return [pool[i % len(pool)] for i in range(size)]


def per_thousand(say: Callable[[str], str], sentences: list[str], repeats: int) -> float:
    """Median seconds to normalize the 1,000 sentences."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for sentence in sentences:
            say(sentence)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000 / len(sentences)


def lenient(text: str, spell_capitals: bool = True) -> str:
    # an acronym written in capitals ("EST") and the same letters spelled ("E S T") compare equal
    if spell_capitals:
        text = re.sub(r"\b[A-Z]{2,5}\b", lambda m: " ".join(m.group(0)), text)
    text = re.sub(r"[^\w\s']", " ", text.lower().replace("-", " ").replace("–", " "))
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text)  # a quote mark, not an apostrophe inside a word ("I've")
    out: list[str] = []
    run = False
    for token in text.split():
        if token == "and":
            continue
        if len(token) == 1 and token.isalpha() and run:
            out[-1] += token  # "p m" == "pm"
        else:
            out.append(token)
            run = len(token) == 1 and token.isalpha()
    return " ".join("zero" if token == "oh" else token for token in out)  # "oh" for 0, at the end too


def nemo(cases: dict[str, list[tuple[str, str]]], sentences: list[str]) -> None:
    if importlib.util.find_spec("nemo_text_processing") is None:
        print("nemo-text-processing is not installed; skipped")
        return
    start = time.perf_counter()
    from nemo_text_processing.text_normalization.normalize import Normalizer

    imported = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        Normalizer(input_case="cased", lang="en", cache_dir=cache)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        norm = Normalizer(input_case="cased", lang="en", cache_dir=cache)
        warm = time.perf_counter() - start
    print(f"nemo: import {imported:.1f} s, grammar compile {cold:.1f} s, start from cached grammars {warm:.1f} s")
    sample = sentences[:100]
    seconds = per_thousand(lambda s: norm.normalize(s, punct_post_process=True), sample, 1)
    print(f"nemo: {seconds:.1f} s per 1,000 sentences (timed on {len(sample)})")
    for category, pairs in cases.items():
        if category in {"US region", "GB region"}:
            continue
        same = sum(lenient(norm.normalize(t, punct_post_process=True)) == lenient(e) for t, e in pairs)
        print(f"nemo agrees with narrate's tests, {category}: {same}/{len(pairs)}")


def suite_files(folder: Path, form: str) -> list[Path]:
    """The test files of one suite: NeMo's ``test_cases_*.txt`` or WeTextProcessing's ``*.txt``."""
    nemo_files = sorted(folder.glob("test_cases_*.txt"))
    if form == "nemo" or (form == "auto" and nemo_files):
        return nemo_files
    return sorted(folder.glob("*.txt"))


def suite_cases(path: Path) -> list[tuple[str, list[str]]]:
    """``(written, acceptable readings)`` from one test file (NeMo's two forms, or WeTextProcessing's)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not path.name.startswith("test_cases_"):  # WeTextProcessing: "written => spoken"
        return [(w.strip(), [s.strip()]) for w, _, s in (line.partition("=>") for line in lines if "=>" in line)]
    if lines and lines[0].startswith("~"):
        cases: list[tuple[str, list[str]]] = []
        for line in lines:
            if line.startswith("~"):
                cases.append((line[1:], []))
            elif cases and line:
                cases[-1][1].append(line)
        return cases
    return [(w, [s]) for w, _, s in (line.partition("~") for line in lines if "~" in line) if w.strip()]


def heard(text: str, language: str) -> str:
    """The phonemes espeak-ng gives a lenient reading, without stress marks or word spaces."""
    voice = "en-gb" if language.lower().endswith("gb") else "en-us"
    binary = shutil.which("espeak-ng") or "espeak-ng"
    ipa = subprocess.run([binary, "-q", "--ipa", "-v", voice, text], capture_output=True, text=True,
                         check=True).stdout
    return re.sub(r"[\sˈˌ]", "", ipa)


def suite(folder: Path, show: bool, form: str = "auto", language: str = "en-US", by_ear: bool = False) -> None:
    total = agree = ear = 0
    print(f"agreement with {folder} ({language}, lenient{', and heard the same' if by_ear else ''}):")
    for path in suite_files(folder, form):
        cases = suite_cases(path)
        copies = not path.name.startswith("test_cases_")  # WeTextProcessing copies capital words through
        same = same_heard = 0
        for written, readings in cases:
            said = normalize(written, language)
            accepted = {lenient(r) for r in readings} | ({lenient(r, False) for r in readings} if copies else set())
            if lenient(said) in accepted:
                same += 1
            elif by_ear and (heard(lenient(said), language) in {heard(lenient(r), language) for r in readings}
                             or heard(said, language) in {heard(r, language) for r in readings}):
                same_heard += 1
                if show:
                    print(f"    heard the same: {written!r} -> {said!r}  (expected {readings[0]!r})")
            elif show:
                print(f"    {written!r} -> {said!r}  (expected {readings[0]!r})")
        total, agree, ear = total + len(cases), agree + same, ear + same_heard
        category = path.stem.removeprefix("test_cases_")
        line = f"  {category:28} {same:3}/{len(cases):3}  {100 * same / max(1, len(cases)):5.1f} %"
        both = same + same_heard
        print(line + (f"   heard: {both:3}/{len(cases):3}  {100 * both / max(1, len(cases)):5.1f} %" if by_ear else ""))
    line = f"  {'all categories':28} {agree:3}/{total:3}  {100 * agree / max(1, total):5.1f} %"
    both = agree + ear
    print(line + (f"   heard: {both:3}/{total:3}  {100 * both / max(1, total):5.1f} %" if by_ear else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--nemo", action="store_true", help="also measure nemo-text-processing")
    parser.add_argument("--suite", type=Path, help="folder of test_cases_*.txt: agreement per category, then exit")
    parser.add_argument("--show", action="store_true", help="with --suite: print each disagreement")
    parser.add_argument("--suite-format", choices=("auto", "nemo", "wetext"), default="auto",
                        help="with --suite: the files' form (auto: test_cases_*.txt means NeMo's)")
    parser.add_argument("--language", default="en-US", help="with --suite: the region read in (default en-US)")
    parser.add_argument("--heard", action="store_true",
                        help="with --suite: also count readings espeak-ng gives the same phonemes")
    args = parser.parse_args()
    if args.suite:
        suite(args.suite, args.show, args.suite_format, args.language, args.heard)
        return 0
    cases = load_cases()
    sentences = corpus(cases)
    start = time.perf_counter()
    normalize("warm up: Jan. 5, $3.50", "en-GB")  # compiles the rules for both regions
    normalize("warm up", "en-US")
    print(f"first call (rule compilation): {time.perf_counter() - start:.3f} s")
    for tag in ("en-US", "en-GB"):
        seconds = per_thousand(lambda s, tag=tag: normalize(s, tag), sentences, args.repeats)
        print(f"narrate {tag}: {seconds:.3f} s per 1,000 sentences (median of {args.repeats})")
    print("test cases per category (tests/test_normalize_en.py):")
    for category, pairs in cases.items():
        print(f"  {category:16} {len(pairs):4}")
    print(f"  {'total':16} {sum(len(p) for p in cases.values()):4}")
    if args.nemo:
        nemo(cases, sentences)
    return 0


if __name__ == "__main__":
    sys.exit(main())
