"""Part-of-speech tags for English sentences. The only module that imports ``nltk``.

The tagger is NLTK's greedy averaged perceptron (``nltk.tag.perceptron``) with the weights
that Matthew Honnibal trained on the Penn Treebank and published on PyPI in the
``textblob-aptagger`` package (``trontagger-0.1.0.pickle``, 8 MB, Penn Treebank tags). NLTK's
own copy of those weights downloads from GitHub at run time, which narrate never does; the
PyPI package installs with pip like any other dependency. The pickle is read with an
unpickler that builds only dicts, sets and strings, so a tampered file cannot run code.

Loaded once per process (about 0.3 s); tagging costs about 0.1 ms a word.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import pickle
from functools import cache
from pathlib import Path
from typing import Any

from narrate.errors import SpeechError

MODEL_PACKAGE = "textblob-aptagger"
MODEL_FILE = "trontagger-0.1.0.pickle"
_ALLOWED = {("__builtin__", "set"), ("builtins", "set"), ("collections", "defaultdict"), ("__builtin__", "dict"),
            ("builtins", "dict")}


class _DataOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"expected tagger weights, found a reference to {module}.{name}")
        return super().find_class(module.replace("__builtin__", "builtins"), name)


def model_path() -> Path:
    spec = importlib.util.find_spec("textblob_aptagger")  # found, never imported (it needs TextBlob 0.7)
    if spec is None or not spec.submodule_search_locations:
        raise SpeechError(f"expected the {MODEL_PACKAGE} package (pip install {MODEL_PACKAGE}), found none")
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE


def model_version() -> str:
    try:
        return f"{MODEL_PACKAGE}=={importlib.metadata.version(MODEL_PACKAGE)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{MODEL_PACKAGE}==unknown"


@cache
def _tagger() -> Any:
    from nltk.tag.perceptron import PerceptronTagger

    path = model_path()
    try:
        with path.open("rb") as handle:
            weights, tagdict, classes = _DataOnly(handle, encoding="latin1").load()
    except (OSError, pickle.UnpicklingError, ValueError, EOFError) as exc:
        raise SpeechError(f"expected the part-of-speech tagger's weights, found an unreadable file ({exc})",
                          path) from exc
    tagger = PerceptronTagger(load=False)
    tagger.model.weights, tagger.tagdict, tagger.classes = weights, tagdict, set(classes)
    tagger.model.classes = tagger.classes
    return tagger


def tag(words: list[str]) -> list[str]:
    """Penn Treebank tags of one sentence's ``words`` (punctuation as separate words)."""
    if not words:
        return []
    return [t for _, t in _tagger().tag(words)]
