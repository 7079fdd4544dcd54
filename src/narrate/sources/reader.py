"""Markdown body → model chapters, keeping source lines for messages.

markdown-it-py (CommonMark, plus tables, footnotes and smart punctuation)
gives a token tree that carries source line numbers; this module walks it
into the closed model of ``model.py``. Raw HTML never reaches an edition:
its tags are removed (script and style contents with them) and a warning
names the file and line. Links keep only http(s) and mailto targets.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from narrate import model as m
from narrate.errors import SourceError
from narrate.sources.inch_marks import inch_marks

AssetResolver = Callable[[str, m.SourcePos], str]

_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_DROP_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")


_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
MAX_NESTING = 50  # markdown-it token levels; a list costs two (list + item)


# Typography keeps the author's characters: only quotes (markdown-it's smartquotes) and dashes
# change. markdown-it's own "replacements" also turns "(c)" into "©" ("Section 12(c)" would be
# printed "12©" and spoken "twelve copyright"), "(tm)", "(r)", "+-", ".." and "????": not used.
_EM_DASH = re.compile(r"(?<!-)---(?!-)")
_EN_DASH = re.compile(r"(?<![-\s])--(?![-\s])|(?<!\S)--(?!\S)")  # "a--b", "a -- b"; not "--flag"


def _dashes(state: StateCore) -> None:
    """"---" → em dash, "--" → en dash in text (not in code, not inside an autolink)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        in_autolink = 0
        for token in block.children:
            if token.type == "link_open" and token.info == "auto":
                in_autolink += 1
            elif token.type == "link_close" and token.info == "auto":
                in_autolink -= 1
            elif token.type == "text" and not in_autolink and "--" in token.content:
                token.content = _EN_DASH.sub("\u2013", _EM_DASH.sub("\u2014", token.content))


# A straight quote after a digit is a prime, not a quote: 4'11", a 12" pizza, 6' 2". markdown-it's
# smartquotes would print 4’11" (an apostrophe) or close a quote with it, so such marks are hidden from it
# and given back as the author wrote them. A digit's "'" before a letter ("the 1990's") is an apostrophe,
# and a mark after a digit that closes a quote opened before it ("pick 12") stays a quote. Which double
# marks are inches is the speech side's rule (``inch_marks``), so the page prints what the voice says:
# inside a quotation ('"the board is 4" wide" today') a mark after a digit is an inch mark when the next
# mark cannot open a quotation.
_PRIME, _DOUBLE_PRIME = "\ue000", "\ue001"
_FEET_INCHES = re.compile(r"(?<=[0-9])'(\s?[0-9]+(?:\.[0-9]+)?)\"")
_AFTER_DIGIT = re.compile(r"(?<=[0-9])(['\"])(?![A-Za-z])")
_OPENING = re.compile(r"(?<![\w'])'(?=\w)")
_CLOSING = re.compile(r"(?<=[\w.,;:!?])'(?!\w)")
_BREAKS = {"softbreak": " ", "hardbreak": " "}


def _single_quote_open(text: str) -> bool:
    """A single quote is open at the end of ``text`` (more opened than closed; apostrophes not counted)."""
    return len(_OPENING.findall(text)) > len(_CLOSING.findall(text))


def _hide_primes(state: StateCore) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        texts = [_FEET_INCHES.sub(lambda m: f"{_PRIME}{m.group(1)}{_DOUBLE_PRIME}", t.content)
                 if t.type == "text" else _BREAKS.get(t.type, "") for t in block.children]
        inches = inch_marks("".join(texts))  # the block's text as the voice reads it, across emphasis
        start, seen = 0, ""  # seen: the block's text so far, primes hidden, to tell a prime from a quote
        for token, text in zip(block.children, texts, strict=True):
            if token.type == "text":
                done, last = "", 0
                for m in _AFTER_DIGIT.finditer(text):
                    done += text[last:m.start()]
                    if m.group(1) == '"':
                        done += _DOUBLE_PRIME if start + m.start() in inches else '"'
                    else:
                        done += "'" if _single_quote_open(seen + done) else _PRIME
                    last = m.end()
                token.content = done + text[last:]
                seen += token.content
            start += len(text)


def _show_primes(state: StateCore) -> None:
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "text" and (_PRIME in token.content or _DOUBLE_PRIME in token.content):
                token.content = token.content.replace(_PRIME, "'").replace(_DOUBLE_PRIME, '"')


def _note_definitions(state: StateCore) -> None:
    """Record every footnote definition (label, body line) before markdown-it keeps only the last of a label."""
    state.env.setdefault("note_definitions", []).extend(
        (str(token.meta["label"]), token.map[0] if token.map else None)
        for token in state.tokens if token.type == "footnote_reference_open")


# "[^label]" left as text: markdown-it makes a reference only when the label has a definition.
_UNDEFINED_REF = re.compile(r"\[\^([^\]\s]+)\]")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "html": True, "maxNesting": MAX_NESTING})
    md.enable(["table", "smartquotes"])
    md.core.ruler.before("smartquotes", "dashes", _dashes)
    md.core.ruler.before("smartquotes", "hide_primes", _hide_primes)
    md.core.ruler.after("smartquotes", "show_primes", _show_primes)
    md.use(footnote_plugin)
    md.core.ruler.before("footnote_tail", "note_definitions", _note_definitions)
    # Language of parts (WCAG 3.1.2): "[c'est la vie]{lang=fr}" and "{lang=fr}" on the line before a block.
    md.use(attrs_plugin, spans=True, allowed=["lang"])
    md.use(attrs_block_plugin, allowed=["lang"])
    # Every URL reaches narrate's own checks (which refuse file:, javascript: ... with a message)
    # instead of markdown-it silently leaving such links and images as literal text.
    md.validateLink = lambda url: True
    return md


_MD = _parser()


@dataclass
class _Note:
    blocks: list[m.Block]
    pos: m.SourcePos
    refs: list[str]  # labels this note's own text refers to ("[^a]: see[^b]")


@dataclass
class _Section:
    heading: m.Heading | None
    title: str
    blocks: list[m.Block] = field(default_factory=list)
    note_labels: list[str] = field(default_factory=list)


class _Walker:
    """Turns one file's token tree into blocks, numbering ids as it goes."""

    def __init__(self, path: str, line_offset: int, resolve_asset: AssetResolver, warnings: list[str]):
        self.path = path
        self.offset = line_offset
        self.resolve_asset = resolve_asset
        self.warnings = warnings
        self.prefix = "c1"
        self.base = "c1"  # the file's first chapter id; footnote block ids hang off it
        self.counter = 0
        self.note_numbers: dict[str, int] = {}
        self.refs_seen: list[str] = []
        self._skip_depth = 0

    # ---------------------------------------------------------------- helpers
    def pos(self, node: SyntaxTreeNode | None) -> m.SourcePos:
        if node is not None and node.map:
            return m.SourcePos(self.path, node.map[0] + self.offset)
        return m.SourcePos(self.path, None)

    def new_id(self) -> str:
        self.counter += 1
        return f"{self.prefix}-b{self.counter}"

    def warn(self, pos: m.SourcePos, message: str) -> None:
        self.warnings.append(f"{pos}: {message}")

    # ----------------------------------------------------------------- blocks
    def blocks(self, nodes: list[SyntaxTreeNode]) -> list[m.Block]:
        out: list[m.Block] = []
        for node in nodes:
            block = self.block(node)
            if block is not None:
                out.append(block)
        return out

    def block(self, node: SyntaxTreeNode) -> m.Block | None:  # noqa: C901 - a flat dispatch
        kind = node.type
        pos = self.pos(node)
        if kind == "paragraph":
            return self.paragraph(node, pos)
        if kind == "heading":
            return m.Heading(self.new_id(), int(node.tag[1]), self.inlines(node.children[0], pos), pos,
                             self.lang(node, pos))
        if kind in ("bullet_list", "ordered_list"):
            block_id = self.new_id()
            items = tuple(tuple(self.blocks(item.children)) for item in node.children)
            start = int(node.attrs.get("start", 1)) if kind == "ordered_list" else 1
            return m.ListBlock(block_id, kind == "ordered_list", items, pos, start)
        if kind == "blockquote":
            block_id = self.new_id()
            return m.Quote(block_id, tuple(self.blocks(node.children)), pos, self.lang(node, pos))
        if kind in ("fence", "code_block"):
            return m.CodeBlock(self.new_id(), node.content.rstrip("\n"), pos, (node.info or "").split(" ")[0])
        if kind == "hr":
            return m.Rule(self.new_id(), pos)
        if kind == "table":
            return self.table(node, pos)
        if kind == "html_block":
            return self.html_block(node, pos)
        if kind == "footnote_block":
            return None  # collected separately
        self.warn(pos, f"unsupported Markdown element '{kind}' (left out)")
        return None

    def paragraph(self, node: SyntaxTreeNode, pos: m.SourcePos) -> m.Block | None:
        inline = node.children[0]
        kids = [c for c in inline.children if not (c.type == "text" and not c.content.strip())]
        if len(kids) == 1 and kids[0].type == "image":
            img = kids[0]
            src = self.resolve_asset(str(img.attrs.get("src", "")), pos)
            alt = self.alt_text(img)
            caption = (m.Text(str(img.attrs["title"])),) if img.attrs.get("title") else ()
            return m.Figure(self.new_id(), src, alt, caption, pos)
        children = self.inlines(inline, pos)
        if not m.plain_text(children).strip() and not any(isinstance(c, m.FootnoteRef) for c in children):
            return None
        return m.Paragraph(self.new_id(), children, pos, self.lang(node, pos))

    def table(self, node: SyntaxTreeNode, pos: m.SourcePos) -> m.Table:
        block_id = self.new_id()
        head: list[tuple[m.TableCell, ...]] = []
        body: list[tuple[m.TableCell, ...]] = []
        for section in node.children:
            rows = head if section.type == "thead" else body
            for tr in section.children:
                cells = []
                for cell in tr.children:
                    style = str(cell.attrs.get("style", ""))
                    align = style.split(":", 1)[1] if style.startswith("text-align:") else ""
                    content = self.inlines(cell.children[0], pos) if cell.children else ()
                    cells.append(m.TableCell(content, cell.type == "th", align))  # type: ignore[arg-type]
                rows.append(tuple(cells))
        return m.Table(block_id, tuple(head), tuple(body), pos)

    def html_block(self, node: SyntaxTreeNode, pos: m.SourcePos) -> m.Block | None:
        self.warn(pos, "raw HTML is not allowed in editions; its tags were removed and its text kept")
        text = html_text(node.content)
        if not text:
            return None
        return m.Paragraph(self.new_id(), (m.Text(text),), pos)

    # ---------------------------------------------------------------- inlines
    def inlines(self, node: SyntaxTreeNode, pos: m.SourcePos) -> tuple[m.Inline, ...]:
        outermost = node.type == "inline"
        out: list[m.Inline] = []
        for child in node.children:
            self.inline(child, pos, out)
        if outermost and self._skip_depth:  # an unclosed <script> must not swallow later text
            self.warn(pos, "raw HTML element opened here is never closed; its content was removed")
            self._skip_depth = 0
        merged = _merge_text(out)
        return self.drop_undefined_refs(node.content, merged, pos) if outermost else merged

    def drop_undefined_refs(self, source: str, items: tuple[m.Inline, ...], pos: m.SourcePos
                            ) -> tuple[m.Inline, ...]:
        """A "[^label]" with no "[^label]:" definition is a marker pointing nowhere: printed it is a typo,
        read aloud it is "caret label". Warn and leave it out of every edition. An escaped "\\[^label]"
        (or one inside a code span) is the author's own text and stays."""
        labels = {match.group(1) for match in _UNDEFINED_REF.finditer(source)
                  if not source[:match.start()].endswith("\\")}
        if not labels:
            return items
        out: list[m.Inline] = []
        for item in items:
            if isinstance(item, m.Text):
                text = _UNDEFINED_REF.sub(lambda hit: self._undefined_ref(hit, labels, pos), item.text)
                item = m.Text(text)
            elif isinstance(item, (m.Emph, m.Strong, m.Link, m.Span)):
                item = replace(item, children=self.drop_undefined_refs(source, item.children, pos))
            out.append(item)
        return tuple(out)

    def _undefined_ref(self, hit: re.Match[str], labels: set[str], pos: m.SourcePos) -> str:
        if hit.group(1) not in labels:
            return hit.group(0)
        self.warn(pos, f"footnote reference [^{hit.group(1)}] has no definition '[^{hit.group(1)}]: ...' "
                       "(the marker was left out)")
        return ""

    def inline(self, node: SyntaxTreeNode, pos: m.SourcePos, out: list[m.Inline]) -> None:  # noqa: C901
        kind = node.type
        if kind == "html_inline":
            self.html_inline(node.content, pos)
            return
        if self._skip_depth:
            return
        if kind == "text":
            out.append(m.Text(node.content))
        elif kind == "softbreak":
            out.append(m.Text(" "))
        elif kind == "hardbreak":
            out.append(m.LineBreak())
        elif kind == "code_inline":
            out.append(m.Code(node.content))
        elif kind in ("em", "strong"):
            cls = m.Emph if kind == "em" else m.Strong
            out.append(cls(self.inlines(node, pos)))
        elif kind == "link":
            self.link(node, pos, out)
        elif kind == "image":
            src = self.resolve_asset(str(node.attrs.get("src", "")), pos)
            out.append(m.InlineImage(src, self.alt_text(node)))
        elif kind == "span":
            children = self.inlines(node, pos)
            lang = self.lang(node, pos)
            if lang:
                out.append(m.Span(lang, children))
            else:
                out.extend(children)
        elif kind == "footnote_ref":
            label = str(node.meta.get("label", node.meta.get("id")))
            number = self.note_numbers.setdefault(label, len(self.note_numbers) + 1)
            self.refs_seen.append(label)
            out.append(m.FootnoteRef(label, number))
        else:
            self.warn(pos, f"unsupported inline element '{kind}' (left out)")

    def link(self, node: SyntaxTreeNode, pos: m.SourcePos, out: list[m.Inline]) -> None:
        href = str(node.attrs.get("href", ""))
        children = self.inlines(node, pos)
        if href.lower().startswith(_SAFE_SCHEMES):
            out.append(m.Link(href, children, str(node.attrs.get("title", "") or "")))
        else:
            self.warn(pos, f"link target '{href}' is not an http(s) or mailto address; kept as plain text")
            out.extend(children)

    def html_inline(self, tag: str, pos: m.SourcePos) -> None:
        match = _TAG.match(tag)
        name = match.group(2).lower() if match else ""
        closing = bool(match and match.group(1))
        if name in _DROP_CONTENT and not tag.rstrip().endswith("/>"):
            self._skip_depth = max(0, self._skip_depth + (-1 if closing else 1))
        if not closing:
            self.warn(pos, f"raw HTML {tag.strip()[:40]!r} is not allowed in editions; the tag was removed")

    def lang(self, node: SyntaxTreeNode, pos: m.SourcePos) -> str:
        """The ``{lang=…}`` of a block or span: a well-formed BCP 47 tag, else a warning and none."""
        value = str(node.attrs.get("lang", "") or "").strip()
        if value and not _LANG.fullmatch(value):
            self.warn(pos, f"expected a language tag such as lang=fr or lang=de-AT, found lang={value!r} (ignored)")
            return ""
        return value

    def alt_text(self, node: SyntaxTreeNode) -> str:
        return re.sub(r"\s+", " ", m.plain_text(self.inlines(node, m.SourcePos(self.path)))).strip()

    # -------------------------------------------------------------- footnotes
    def footnotes(self, root: SyntaxTreeNode) -> dict[str, _Note]:
        """Each referenced note's blocks, where it is, and the notes its own text refers to."""
        notes: dict[str, _Note] = {}
        for node in root.children:
            if node.type != "footnote_block":
                continue
            for index, note in enumerate(node.children, 1):
                label = str(note.meta.get("label", note.meta.get("id")))
                self.prefix, self.counter = f"{self.base}n{index}", 0
                kids = [c for c in note.children if c.type != "footnote_anchor"]
                first = next((k for k in kids if k.map), None)
                refs_before = len(self.refs_seen)
                blocks = self.blocks(kids)
                notes[label] = _Note(blocks, self.pos(first), self.refs_seen[refs_before:])
        return notes

    def duplicate_definitions(self, definitions: list[tuple[str, int | None]]) -> None:
        """markdown-it keeps the last of two definitions of one label: say so rather than lose one silently."""
        first: dict[str, int | None] = {}
        for label, line in definitions:
            where = m.SourcePos(self.path, None if line is None else line + self.offset)
            if label in first:
                earlier = "" if first[label] is None else f" (first defined on line {first[label]})"
                self.warn(where, f"footnote [^{label}] is defined again{earlier}; the last definition is used")
            else:
                first[label] = where.line


def _check_nesting(tokens, path: str, first_line: int) -> None:
    """markdown-it silently drops text nested deeper than its limit: refuse instead."""
    deepest = [t for t in tokens if t.level >= MAX_NESTING - 1]
    if deepest:
        line = next((t.map[0] + first_line for t in tokens if t.map and t.level >= MAX_NESTING - 3), None)
        raise SourceError(f"expected lists and block quotes nested at most about {MAX_NESTING // 2 - 5} levels "
                          "deep, found deeper nesting (its text would be lost)", path, line)


def _merge_text(items: list[m.Inline]) -> tuple[m.Inline, ...]:
    out: list[m.Inline] = []
    for item in items:
        if isinstance(item, m.Text) and out and isinstance(out[-1], m.Text):
            out[-1] = m.Text(out[-1].text + item.text)
        else:
            out.append(item)
    return tuple(out)


def parse_body(
    body: str,
    *,
    path: str,
    first_line: int,
    title: str,
    split_sections: bool,
    resolve_asset: AssetResolver,
    warnings: list[str],
    id_prefix: str = "c",
    first_chapter: int = 1,
) -> list[m.Chapter]:
    """Parse one Markdown body into chapters.

    With ``split_sections`` (articles) every ``##`` starts a chapter and the
    text before the first one is the lead; otherwise (book chapters) the whole
    body is one chapter titled ``title``.
    """
    try:
        env: dict = {}
        tokens = _MD.parse(body, env)
    except Exception as exc:  # markdown-it raises plain exceptions on pathological input
        raise SourceError(f"cannot parse the Markdown: {exc}", path) from exc
    _check_nesting(tokens, path, first_line)
    root = SyntaxTreeNode(tokens)
    walker = _Walker(path, first_line, resolve_asset, warnings)
    walker.base = f"{id_prefix}{first_chapter}"
    nodes = list(root.children)
    # A leading "# Title" repeats the front matter title: the title page shows it.
    if nodes and nodes[0].type == "heading" and nodes[0].tag == "h1":
        heading_text = m.plain_text(walker.inlines(nodes[0].children[0], walker.pos(nodes[0])))
        if not split_sections or heading_text.strip() == title.strip():
            nodes = nodes[1:]
    sections = _sections(walker, nodes, split_sections, title, id_prefix, first_chapter)
    notes = walker.footnotes(root)
    walker.duplicate_definitions(env.get("note_definitions", []))
    return _chapters(walker, sections, notes, path, id_prefix, first_chapter, split_sections)


def _sections(walker: _Walker, nodes, split: bool, title: str, prefix: str, first: int) -> list[_Section]:
    sections: list[_Section] = []
    current = _Section(None, title)
    walker.prefix = f"{prefix}{first}"
    refs_start = 0
    for node in nodes:
        if split and node.type == "heading" and node.tag in ("h1", "h2"):
            current.note_labels = walker.refs_seen[refs_start:]
            refs_start = len(walker.refs_seen)
            sections.append(current)
            walker.prefix = f"{prefix}{first + len(sections)}"
            walker.counter = 0
            pos = walker.pos(node)
            inl = walker.inlines(node.children[0], pos)
            heading = m.Heading(f"{walker.prefix}-h", 2, inl, pos)
            current = _Section(heading, m.plain_text(inl).strip() or "Untitled section")
            continue
        block = walker.block(node)
        if block is not None:
            current.blocks.append(block)
    current.note_labels = walker.refs_seen[refs_start:]
    sections.append(current)
    return sections


def _chapters(walker: _Walker, sections, notes, path, prefix, first, split) -> list[m.Chapter]:
    placed: set[str] = set()
    chapters: list[m.Chapter] = []
    for index, section in enumerate(sections):
        if split and index == 0 and not section.blocks and len(sections) > 1:
            role = "lead"
        else:
            role = "lead" if split and index == 0 else "body"
        chapter_id = f"{prefix}{first + index}"
        footnotes: list[m.Footnote] = []
        # A note referred to from another note ("[^a]: see[^b]") goes with it, right after it.
        labels = list(section.note_labels)
        while labels:
            label = labels.pop(0)
            if label in placed or label not in notes:
                continue
            placed.add(label)
            note = notes[label]
            labels[:0] = note.refs
            number = walker.note_numbers[label]
            footnotes.append(m.Footnote(label, number, f"{chapter_id}-fn{number}", tuple(note.blocks), note.pos))
        source = section.heading.pos if section.heading else m.SourcePos(path, None)
        chapters.append(
            m.Chapter(chapter_id, section.title, section.heading, tuple(section.blocks), tuple(footnotes),
                      source, role)  # type: ignore[arg-type]
        )
    for label in notes:
        if label not in placed:
            walker.warn(notes[label].pos, f"footnote [^{label}] is never referenced (left out)")
    if split and len(chapters) > 1 and not chapters[0].blocks and not chapters[0].footnotes:
        chapters = chapters[1:]
    return chapters


def markdown_html(text: str) -> str:
    """Markdown as HTML, read the way narrate reads Markdown (``narrate import``: Ghost's old markdown field)."""
    return _MD.render(text)


def html_text(raw: str) -> str:
    """What a raw-HTML block keeps in an edition: its text, every tag removed (script and style with content)."""
    return re.sub(r"\s+", " ", _html.unescape(nh3.clean(raw, tags=set()))).strip()


def sanitize_html(raw: str, tags: set[str], attributes: dict[str, set[str]], drop_content: set[str]) -> str:
    """HTML keeping only ``tags`` and ``attributes``, links to http(s)/mailto (``narrate import``)."""
    return nh3.clean(raw, tags=tags, attributes=attributes, clean_content_tags=drop_content,
                     url_schemes={"http", "https", "mailto"}, link_rel=None, strip_comments=True)
