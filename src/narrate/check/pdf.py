"""PDF checks for ``narrate check``: tagging, language, title, structure, outline, embedded fonts.

Structure (``pdf-structure``): every table header cell (``/TH``) has a ``/Scope`` (Matterhorn
15-003), every list item (``/LI``) holds only ``/Lbl`` and ``/LBody``, every heading has content.
No PDF/UA identifier is asked for: narrate does not claim PDF/UA (see writers/pdf.py).

pikepdf's home module in narrate (the writers never read PDFs back). It is imported lazily:
without it, the structural checks are one warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pikepdf

    from narrate.check.findings import Publication

XMP_TITLE = "{http://purl.org/dc/elements/1.1/}title"
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def check_pdf(pub: Publication, art: dict[str, Any], path: Path) -> None:
    try:
        import pikepdf
    except ImportError:
        pub.add(art, "pdf", "warning", "PDF structure not checked: install pikepdf")
        return
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        pub.add(art, "pdf", "error", f"cannot open the PDF ({exc})")
        return
    with pdf:
        _check_catalog(pub, art, pdf)
        for problem in structure_problems(pdf):
            pub.add(art, "pdf-structure", "error", problem)
        _check_outline(pub, art, outline(pdf))
        _check_fonts(pub, art, pdf)


def _check_catalog(pub: Publication, art: dict[str, Any], pdf: pikepdf.Pdf) -> None:
    root = pdf.Root
    mark_info = root.get("/MarkInfo")
    if mark_info is None or not bool(mark_info.get("/Marked", False)):
        pub.add(art, "pdf-tags", "error", "not a tagged PDF: /MarkInfo /Marked is not true")
    tree = root.get("/StructTreeRoot")
    if tree is None or tree.get("/K") is None:
        pub.add(art, "pdf-tags", "error", "no structure tree (/StructTreeRoot with /K)")
    lang = str(root.get("/Lang", "")).strip()
    if not lang:
        pub.add(art, "pdf-lang", "error", "no document language (/Lang in the catalog)")
    elif pub.language and lang.lower() != pub.language.lower():
        pub.add(art, "pdf-lang", "warning", f"/Lang is {lang!r}, the publication's language is {pub.language!r}")
    xmp = pdf.open_metadata()
    title = str(pdf.docinfo.get("/Title", "")).strip() or str(xmp.get(XMP_TITLE, "") or "").strip()
    if not title:
        pub.add(art, "pdf-title", "error", "no document title (Info /Title or XMP dc:title)")
    prefs = root.get("/ViewerPreferences")
    if prefs is None or not bool(prefs.get("/DisplayDocTitle", False)):
        pub.add(art, "pdf-title", "error", "/ViewerPreferences /DisplayDocTitle is not true: viewers show the "
                                           "file name instead of the title")


def structure_problems(pdf: pikepdf.Pdf) -> list[str]:
    """What the structure tree gets wrong (see the module doc): "N what" per kind of problem."""
    import pikepdf

    counts: dict[str, int] = {}

    def count(what: str) -> None:
        counts[what] = counts.get(what, 0) + 1

    tree = pdf.Root.get("/StructTreeRoot")
    stack, seen = _kids(tree) if tree is not None else [], set()
    while stack:
        element = stack.pop()
        if not isinstance(element, pikepdf.Dictionary) or element.objgen in seen:
            continue
        seen.add(element.objgen)
        stack.extend(_kids(element))
        kind = str(element.get("/S", ""))
        attributes = element.get("/A")
        if kind == "/TH" and not (isinstance(attributes, pikepdf.Dictionary) and "/Scope" in attributes):
            count("table header cells (/TH) without /Scope")
        elif kind == "/LI" and any(isinstance(kid, pikepdf.Dictionary) and str(kid.get("/S", ""))
                                   not in ("/Lbl", "/LBody") for kid in _kids(element)):
            count("list items (/LI) holding more than /Lbl and /LBody")
        elif kind in HEADINGS and not _has_content(element):
            count("headings without content")
    return [f"{number} {what}" for what, number in sorted(counts.items())]


HEADINGS = frozenset(f"/H{level}" for level in range(1, 7))


def _kids(element: Any) -> list[Any]:
    """The /K of a structure element as a list (a single kid, an array, or none)."""
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _has_content(element: Any) -> bool:
    """A marked-content id (or reference) somewhere under ``element``."""
    import pikepdf

    for kid in _kids(element):
        if not isinstance(kid, pikepdf.Dictionary) or kid.get("/Type") == "/MCR" or _has_content(kid):
            return True
    return False


def outline(pdf: pikepdf.Pdf) -> list[tuple[int, str]]:
    """(depth, title) of every outline item, in order."""
    found: list[tuple[int, str]] = []

    def walk(items: Any, depth: int) -> None:
        for item in items:
            found.append((depth, " ".join(str(item.title or "").split())))
            walk(item.children, depth + 1)

    with pdf.open_outline() as tree:
        walk(tree.root, 0)
    return found


def _check_outline(pub: Publication, art: dict[str, Any], items: list[tuple[int, str]]) -> None:
    if not items:
        pub.add(art, "pdf-outline", "error", "no outline (bookmarks)")
        return
    headings, source = (pub.nav_titles, "EPUB navigation") if pub.nav_titles else (
        pub.chapter_titles, "chapters JSON")
    if not headings:
        pub.add(art, "pdf-outline", "info", "no EPUB or chapters JSON in this build to compare the outline with")
        return
    titles = [title for _, title in items]
    missing = _not_in_order(headings, titles)
    if missing:
        pub.add(art, "pdf-outline", "error", f"headings missing from the outline or out of order (compared with "
                                             f"the {source}): {missing}")
    extra = [t for depth, t in items if depth <= 1 and t not in headings and not (depth == 0 and t == pub.title)]
    if extra:
        pub.add(art, "pdf-outline", "error", f"outline entries that are not headings in the {source}: {extra}")


def _not_in_order(wanted: list[str], titles: list[str]) -> list[str]:
    """The items of ``wanted`` that do not appear in ``titles`` as an ordered subsequence."""
    missing, position = [], 0
    for title in wanted:
        try:
            position = titles.index(title, position) + 1
        except ValueError:
            missing.append(title)
    return missing


def _check_fonts(pub: Publication, art: dict[str, Any], pdf: pikepdf.Pdf) -> None:
    fonts: dict[tuple[int, int], Any] = {}
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        _collect_fonts(page.obj.get("/Resources"), fonts, seen)
    if not fonts:
        pub.add(art, "pdf-fonts", "warning", "no fonts found (a PDF without text?)")
    bare = sorted({str(font.get("/BaseFont", "?")).lstrip("/") for font in fonts.values() if not _embedded(font)})
    if bare:
        pub.add(art, "pdf-fonts", "error", f"fonts not embedded: {', '.join(bare)}")


def _collect_fonts(resources: Any, fonts: dict[tuple[int, int], Any], seen: set[tuple[int, int]]) -> None:
    """Fonts of a resource dictionary and of the form XObjects it uses, each object once."""
    if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
        return
    seen.add(resources.objgen)
    for font in (resources.get("/Font") or {}).values():
        fonts[font.objgen if font.objgen != (0, 0) else (id(font), 0)] = font
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form":
            _collect_fonts(xobject.get("/Resources"), fonts, seen)


def _embedded(font: Any) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True  # glyphs are content streams inside the file
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts") or []
        return bool(descendants) and _embedded(descendants[0])
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(key in descriptor for key in FONT_FILES)
