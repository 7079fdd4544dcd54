from __future__ import annotations

from xml.etree import ElementTree as ET

from narrate import model as m
from narrate.markup.html import RenderContext, block
from narrate.markup.sentence_spans import locate, slice_inlines

PARA = (m.Text("One "), m.Emph((m.Text("two. Three"),)), m.Text(" four"), m.FootnoteRef("n", 1),
        m.Text(". Five "), m.Link("https://e.org", (m.Text("six. Seven"),)), m.Text("."))


def render(spans):
    ctx = RenderContext(sentence_spans={"p1": spans})
    html = block(m.Paragraph("p1", PARA, m.SourcePos("x")), ctx).replace("{chapter}", "c1")
    return ET.fromstring(html.replace("<p ", '<p xmlns:epub="http://www.idpf.org/2007/ops" ', 1))


def test_sentences_crossing_markup_get_one_span_each():
    spans = [("s1", "One two."), ("s2", "Three four."), ("s3", "Five six."), ("s4", "Seven.")]
    p = render(spans)
    ids = [span.get("id") for span in p.findall("span")]
    assert ids == ["s1", "s2", "s3", "s4"]
    texts = ["".join(span.itertext()) for span in p.findall("span")]
    assert texts[0].strip() == "One two." and texts[1].strip().startswith("Three four")
    assert "".join(p.itertext()).replace("1", "") == m.plain_text(PARA)
    # the emphasis and the link were cut in two, not overlapped
    assert len(p.findall(".//em")) == 2 and len(p.findall(".//a[@href='https://e.org']")) == 2
    # the footnote reference stays with the sentence it follows
    assert p.findall("span")[1].find(".//sup") is not None


def test_unlocatable_sentences_fall_back_to_one_span():
    p = render([("s1", "Completely different."), ("s2", "Text.")])
    assert [span.get("id") for span in p.findall("span")] == ["s1"]


def test_locate_ignores_whitespace_differences():
    assert locate("A  b.\nC d.", ["A b.", "C d."]) == [(0, 5), (6, 10)]
    assert locate("abc", ["abd"]) is None


def test_slice_keeps_zero_width_nodes_once():
    nodes = (m.Text("ab"), m.FootnoteRef("x", 1), m.Text("cd"))
    first = slice_inlines(nodes, 0, 2, last=False)
    second = slice_inlines(nodes, 2, 4, last=True)
    assert sum(isinstance(n, m.FootnoteRef) for n in first + second) == 1
