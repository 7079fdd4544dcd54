"""House rules from DESIGN.md, checked by walking the imports with ast."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).parent.parent / "src" / "narrate"

# Layers, lowest first: a module may import only from its own layer or below.
LAYERS = [
    {"__init__", "errors", "model", "fonts", "dates"},
    {"config", "frontmatter", "reader", "project", "html", "accessibility", "sentence_markup", "speech",
     "artifacts", "cover", "scaffold"},
    {"audio", "audio_loudness", "audio_assembly", "audio_synth"},
    {"writers"},
    {"context", "editions", "narration", "readalong", "check", "check_findings", "check_epub", "check_pdf",
     "check_audio"},
    {"publish"},
    {"build", "clean", "views", "fingerprints", "proof", "importing"},
    {"cli", "__main__"},
]

# Each third-party library lives in exactly one module.
HOMES = {
    "ebooklib": "writers/epub.py",
    "weasyprint": "writers/pdf.py",
    "markdown_it": "reader.py",
    "mdit_py_plugins": "reader.py",
    "yaml": "frontmatter.py",
    "nh3": "reader.py",
    "PIL": "cover.py",
    "typer": "cli.py",
    "rich": "cli.py",
    "piper": "speech/piper.py",
    "gtts": "speech/gtts.py",
    "babel": "dates.py",
    "num2words": None,  # checked below: one module
    "mutagen": None,
    "jinja2": None,
    "pydub": None,
}


def modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        yield rel, ast.parse(path.read_text(encoding="utf-8"))


def layer_of(rel: str) -> int:
    top = rel.split("/")[0].removesuffix(".py")
    if top.startswith("audio_"):
        top = "audio"  # audio.py's helper modules share its layer
    for index, layer in enumerate(LAYERS):
        if top in layer:
            return index
    raise AssertionError(f"{rel}: module missing from the layer table in test_architecture.py")


def narrate_imports(rel: str, tree: ast.AST):
    package = rel.split("/")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
                names = [target] if node.module else [[*base, a.name] for a in node.names]
                for t in names:
                    if t:
                        yield t[0]
            elif node.module and node.module.startswith("narrate."):
                yield node.module.split(".")[1]


def test_imports_run_one_way():
    back_edges = []
    for rel, tree in modules():
        own = layer_of(rel)
        for target in narrate_imports(rel, tree):
            if not ((SRC / f"{target}.py").is_file() or (SRC / target).is_dir()) or target == "__init__":
                continue  # a name from a package's __init__, not a module
            if layer_of(target + ".py") > own:
                back_edges.append(f"{rel} imports {target}")
    assert back_edges == []


def test_each_third_party_library_has_one_home():
    homes: dict[str, set[str]] = defaultdict(set)
    for rel, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module.split(".")[0]]
            else:
                continue
            for name in names:
                if name in HOMES:
                    homes[name].add(rel)
    for name, found in homes.items():
        expected = HOMES[name]
        assert len(found) == 1, f"{name} is imported in {sorted(found)}"
        if expected:
            assert found == {expected}, f"{name} lives in {found}, expected {expected}"


def test_only_cli_prints():
    offenders = []
    for rel, tree in modules():
        if rel in ("cli.py",):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(rel)
    assert offenders == []
