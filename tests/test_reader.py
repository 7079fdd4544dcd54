from __future__ import annotations

import pytest

from narrate import model as m
from narrate.errors import SourceError
from narrate.sources.project import discover, load_document, open_project


def load(root):
    project = open_project(root)
    docs = [load_document(project, s) for s in discover(project)]
    return project, docs


def test_article_sections_become_chapters(root_copy):
    _, [doc] = load(root_copy("basic"))
    assert [c.title for c in doc.chapters] == ["A Sample Article", "First section", "Second section"]
    assert [c.role for c in doc.chapters] == ["lead", "body", "body"]
    assert doc.single_file and doc.meta.kind == "article"
    assert doc.meta.authors == ("Ada Writer", "Ben Editor")
    assert doc.meta.publisher == "Test Press"
    assert doc.meta.slug == "sample"
    assert doc.meta.identifier.startswith("urn:uuid:")


def test_block_ids_are_unique_and_carry_lines(root_copy):
    _, [doc] = load(root_copy("basic"))
    ids = [b.id for b in m.all_blocks(doc)]
    assert len(ids) == len(set(ids))
    para = doc.chapters[0].blocks[0]
    assert isinstance(para, m.Paragraph)
    assert para.pos.path == "content/sample.md" and para.pos.line == 10
    # smart punctuation
    assert "“hello”" in m.plain_text(para.children) and "–" in m.plain_text(para.children)


def test_footnote_lands_in_the_chapter_that_cites_it(root_copy):
    _, [doc] = load(root_copy("basic"))
    first = doc.chapters[1]
    assert [n.number for n in first.footnotes] == [1]
    assert m.plain_text(first.footnotes[0].children[0].children) == "The note text."


def test_figure_resolves_inside_project(root_copy):
    _, [doc] = load(root_copy("basic"))
    assert m.images(doc) == [("content/images/box.png", "A blue box on a white page")]


def test_nested_lists_and_tables(root_copy):
    _, [doc] = load(root_copy("basic"))
    lists = [b for b in m.all_blocks(doc) if isinstance(b, m.ListBlock)]
    assert len(lists) == 3 and lists[0].items[1][1] == lists[1]
    [table] = [b for b in m.all_blocks(doc) if isinstance(b, m.Table)]
    assert table.head[0][1].align == "right" and table.body[0][0].children == (m.Text("Owls"),)


@pytest.mark.parametrize(("front", "line", "fragment"), [
    ("title: [unclosed\n", 2, "invalid YAML"),
    ("subtitle: no title here\n", 1, "expected a 'title'"),
    ("title: T\ndate: yesterday\n", 3, "'date' must be an ISO 8601 date"),
    ("title: T\ntags: {a: 1}\n", 3, "'tags' must be a list"),
    ("title: T\nlanguage: 'english please'\n", 3, "BCP 47"),
])
def test_bad_front_matter_names_file_and_line(make_project, front, line, fragment):
    root = make_project({"content/bad.md": f"---\n{front}---\n\nBody text.\n"})
    project = open_project(root)
    with pytest.raises(SourceError) as info:
        load_document(project, discover(project)[0])
    assert str(info.value).startswith(f"content/bad.md:{line}: ")
    assert fragment in str(info.value)


def test_unknown_front_matter_key_warns(make_project):
    root = make_project({"content/a.md": "---\ntitle: T\nflavour: mint\n---\n\nText.\n"})
    project, _ = load(root)
    assert any("content/a.md:3: unknown front matter key 'flavour'" in w for w in project.warnings)


def test_raw_html_is_removed_with_a_warning(make_project):
    root = make_project({"content/a.md": """
        ---
        title: T
        ---

        Safe <b onclick="x()">bold</b> text <script>alert(1)</script> end.

        <div><script>steal()</script><p>Kept words</p><iframe src="https://evil"></iframe></div>
        """})
    project, [doc] = load(root)
    text = " ".join(m.plain_text(b.children) for b in m.all_blocks(doc) if isinstance(b, m.Paragraph))
    assert "Safe bold text  end." in text and "Kept words" in text
    assert "alert" not in text and "steal" not in text and "<" not in text
    assert any("content/a.md:5: raw HTML" in w for w in project.warnings)


@pytest.mark.parametrize(("src", "fragment"), [
    ("https://example.org/a.png", "remote or non-file images are not allowed"),
    ("/etc/passwd", "absolute path"),
    ("../../outside.png", "leads outside the project"),
    ("missing.png", "not found"),
])
def test_bad_image_paths_are_refused(make_project, src, fragment):
    root = make_project({"content/a.md": f"---\ntitle: T\n---\n\nIntro.\n\n![alt]({src})\n"})
    project = open_project(root)
    with pytest.raises(SourceError) as info:
        load_document(project, discover(project)[0])
    assert str(info.value).startswith("content/a.md:7: ") and fragment in str(info.value)


def test_symlinked_image_leaving_the_project_is_refused(make_project, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    root = make_project({"content/a.md": "---\ntitle: T\n---\n\nIntro.\n\n![alt](link.png)\n"})
    (root / "content" / "link.png").symlink_to(secret)
    project = open_project(root)
    with pytest.raises(SourceError, match="leads outside the project"):
        load_document(project, discover(project)[0])


def test_non_utf8_file_names_line(make_project):
    root = make_project({"content/a.md": b"---\ntitle: T\n---\n\ncaf\xe9\n"})
    project = open_project(root)
    with pytest.raises(SourceError, match=r"content/a.md:5: expected UTF-8 text"):
        load_document(project, discover(project)[0])


def test_book_order_roles_and_types(make_project):
    root = make_project({
        "content/novel/book.toml": 'title = "Novel"\nauthors = ["A. Author"]\nfront = ["c.md"]\n'
                                    'chapters = ["b.md", "a.md"]\nback = ["z.md"]\n',
        "content/novel/a.md": "---\ntitle: Two\n---\n\nSecond chapter.\n",
        "content/novel/b.md": "---\ntitle: One\n---\n\nFirst chapter.\n",
        "content/novel/c.md": "---\ntitle: Copyright\nepub_type: copyright-page\n---\n\nRights.\n",
        "content/novel/z.md": "---\ntitle: About\n---\n\nBio.\n",
    })
    _, [doc] = load(root)
    assert doc.meta.kind == "book" and doc.meta.slug == "novel" and not doc.single_file
    assert [(c.title, c.role) for c in doc.chapters] == [
        ("Copyright", "front"), ("One", "body"), ("Two", "body"), ("About", "back")]
    assert doc.chapters[0].epub_type == "copyright-page"


def test_book_without_lists_uses_file_name_order(make_project):
    root = make_project({
        "content/b/book.toml": 'title = "B"\n',
        "content/b/02.md": "---\ntitle: Second\n---\n\nx\n",
        "content/b/01.md": "---\ntitle: First\n---\n\ny\n",
    })
    _, [doc] = load(root)
    assert [c.title for c in doc.chapters] == ["First", "Second"]


def test_book_lists_missing_file(make_project):
    root = make_project({"content/b/book.toml": 'title = "B"\nchapters = ["nope.md"]\n'})
    project = open_project(root)
    with pytest.raises(SourceError, match=r"content/b/book.toml: 'chapters' lists 'nope.md'"):
        load_document(project, discover(project)[0])


def test_empty_article_is_an_error(make_project):
    root = make_project({"content/a.md": "---\ntitle: T\n---\n\n"})
    project = open_project(root)
    with pytest.raises(SourceError, match="expected some text"):
        load_document(project, discover(project)[0])
