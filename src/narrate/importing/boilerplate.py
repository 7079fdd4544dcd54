"""What a page's extraction keeps that is the site's, not the article's: removed from the body.

trafilatura, asked to keep images, links and formatting, lets some of a news site's furniture
through. What is removed here, each by its shape and never by a site's name:

- lines of the interface (the whole line): a video player's dialog text ("This is a modal window."), "Read more",
  "Loading Comments…", "Advertisement", "Ads by …", slide counters ("3 of 50"), an image's file name
  standing as a line;
- sections under an interface heading ("Most Read", "From Around the Web", "Related stories",
  "You may also like"...) made mostly of links;
- menus: a list whose items are all account words (log in, register, my account...);
- navigation bars: a block of six or more links of at most three words each and little else;
- a teaser that is one link to the next or previous article ("... Next Article");
- a byline standing as a line of the body ("By Jo Kemp and Tamsin Hocking");
- a slide-show's buttons (Close, Fullscreen, Thumbnails, Previous, Next) and a widget's "Please wait"
  as whole lines, the copyright line, tag lines ("Topics: ...", "Filed under: ...");
- a widget's section under a heading that can name nothing else ("Most Popular", "Featured Slide
  Shows", "From Around the Web"), whatever it holds;
- slide-shows: a run of five or more pictures (each with at most a short line) that shows the
  signs of a widget rather than of the article's own pictures: slide counters ("3 of 50"), a
  picture repeated (a strip of thumbnails), pictures that link to other pages, most pictures
  saying nothing (no alt text, caption or line of their own), or, standing before or after all
  of the article's text, any picture saying nothing. A photo essay's gallery (pictures with their
  own alt text or captions, within the article) stays, with its words.

``clean`` returns the body without them and the text of what went, for a warning.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from narrate.importing.model import clean_text

# A whole line that is the interface's (trailing punctuation and an ellipsis allowed)...
_LINE = re.compile(
    r"(?:read more|continue reading|read the full (?:story|article)|advertisement|skip (?:ad|advert)"
    r"|sponsored content|most read|most popular|from around the web|(?:play|watch) video|loading comments"
    r"|loading|(?:(?:slide|photo|picture|image) )?\d+ ?(?:of|/) ?\d+|share (?:this|on \w+)(?: article| story)?"
    r"|click to (?:share|print|email)\b.*|log in to (?:comment|reply)|comments are closed"
    r"|close|full ?screen|thumbnails|previous|prev|next|back to top|all rights reserved)\W*", re.I)
_AD = re.compile(r"ads? (?:by|via) \w[\w.&' -]{0,30}\W*", re.I)  # an ad network's label, with its badge or not
# ... or that opens the way a video player's dialog or a browser notice does.
_OPENING = re.compile(
    r"(?:this is a modal window|beginning of dialog window|end of dialog window|escape will cancel and close"
    r"|video player is loading|you must be logged in to|please enable javascript|your browser does not support"
    r"|copyright\s*(?:©|\(c\))?\s*\d{4}\b|(?:©|\(c\))\s*(?:copyright\s*)?\d{4}\b|please wait\b"
    r"|this feature is (?:temporarily |currently )?unavailable)",
    re.I)
_LEAD = re.compile(r"^(?:read (?:more|also|next)|also read|related|see also|more|recommended|watch|topics|tags"
                   r"|filed under|categories|posted in)\b\s*[:|»>–—-]",
                   re.I)
_NAME = r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}"
_BYLINE = re.compile(rf"(?i:by)\s+{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*")  # a byline standing as a line: "By Jo Kemp"
_FILE = re.compile(r"^[\w\-.() ]{1,120}\.(?:jpe?g|png|gif|webp|avif|svg|tiff?)$", re.I)
_COUNTER = re.compile(r"^(?:(?:slide|photo|picture|image)\s*)?\d+\s*(?:of|/)\s*\d+$", re.I)
_SECTION = re.compile(
    r"^(?:most (?:read|popular|viewed|shared|commented)|from around the web|around the web|related(?: \w+)?"
    r"|more (?:from|on|in|stories|news|articles)\b.*|you (?:may|might) also like|recommended(?: for you| reading)?"
    r"|trending(?: now)?|popular(?: now| posts| stories)?|read next|what to read next|latest(?: news| stories)?"
    r"|top stories|sponsored(?: stories| links)?|promoted(?: stories)?|partner content|comments?|\d+ comments?"
    r"|leave a (?:reply|comment)|join the conversation|share this(?: article| story)?"
    r"|elsewhere on the web|editors'? picks?|(?:more|other) (?:related )?[\w ]{0,30}?(?:stories|articles|columns"
    r"|posts|news)|(?:more|other|featured|recent|latest|popular) (?:slide ?shows|galleries|videos|photos))\W*$",
    re.I)
# A heading that can only name a widget of other pages: its section goes whatever it holds.
_WIDGET = re.compile(r"^(?:most (?:read|popular|viewed|shared|commented)|(?:from |elsewhere on )?(?:around )?the web"
                     r"|sponsored(?: stories| links)?|promoted(?: stories)?|partner content"
                     r"|(?:more|other|featured|recent|latest|popular) (?:slide ?shows|galleries|videos|photos))\W*$",
                     re.I)
_ACCOUNT = re.compile(r"^(?:log ?in|log ?out|sign (?:in|up|out)|register|create (?:an )?account|my account|account"
                      r"|profile|username|password|forgot(?: your)? password\??|remember me|subscribe|"
                      r"manage subscription|settings|newsletters?)\W*$", re.I)
# A link's label to the site's next or previous article, opening or closing a teaser that is all one link.
_PAGER = re.compile(r"^\W*(?:next|previous|prev)\s+(?:article|story|post)\b|\b(?:next|previous|prev)\s+"
                    r"(?:article|story|post)\W*$", re.I)
_COUNTED = re.compile(r"^(?:(?:slide|photo|picture|image)\s*)?\d+\s*(?:of|/)\s*\d+\s*[:|–—-]", re.I)  # "3 of 50: ..."
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = ("p", "div", "li", "blockquote", "pre", "table", "ul", "ol", *_HEADINGS)
BAR = 6  # short links in one block that make a navigation bar
GALLERY = 5  # pictures in a row that make a gallery, not an article's figures
_SHORT = 200  # a gallery picture's line is no longer than this


def clean(html: str) -> tuple[str, list[str]]:
    root = lxml_html.fragment_fromstring(html, create_parent="div") if html.strip() else None
    if root is None:
        return html, []
    removed: list[str] = []
    _galleries(root, removed)  # first: a counter in a picture's words is a sign of a slide-show
    _image_words(root, removed)
    _sections(root, removed)
    _menus(root, removed)
    _link_bars(root, removed)
    _pager_teasers(root, removed)
    _lines(root, removed)
    out = etree.tostring(root, encoding="unicode", method="html")
    return out, removed


def _text(el: Any) -> str:
    return clean_text(el.text_content())


def _link_share(el: Any) -> float:
    text = _text(el)
    if not text:
        return 1.0
    return sum(len(_text(a)) for a in el.xpath(".//a")) / len(text)


def _drop(el: Any, removed: list[str], what: str | None = None) -> None:
    removed.append(what if what is not None else _text(el))
    parent = el.getparent()
    if parent is not None:
        el.drop_tree()


def _lines(root: Any, removed: list[str]) -> None:
    for el in list(root.iter(*_BLOCKS, "span")):
        if el.getparent() is None or next(el.iterdescendants(*_BLOCKS), None) is not None:  # stops at the first
            continue
        text = _text(el)
        if text and _AD.fullmatch(text):
            _drop(el, removed)
        if not text or el.getparent() is None or el.xpath(".//img"):
            continue
        if (_LINE.fullmatch(text) or (_OPENING.match(text) and len(text) < 160) or _FILE.match(text)
                or _BYLINE.fullmatch(text)):
            _drop(el, removed)
        elif _LEAD.match(text) and el.xpath(".//a") and (len(text) < 160 or _link_share(el) > 0.5):
            _drop(el, removed)


def _pager_teasers(root: Any, removed: list[str]) -> None:
    """A block that is one link, labelled as the way to the next or previous article."""
    for el in list(root.iter("p", "div", "li")):
        if el.getparent() is None or len(el.xpath(".//a")) != 1 or len(_text(el)) > 200:
            continue
        if _link_share(el) > 0.9 and _PAGER.search(_text(el)):
            _drop(el, removed)


def _sections(root: Any, removed: list[str]) -> None:
    """An interface heading (or a line standing as one) and what follows it up to the next heading,
    when that is mostly links (or nothing)."""
    for head in list(root.iter(*_HEADINGS, "p")):
        if head.getparent() is None or not _SECTION.match(_text(head)):
            continue
        if head.tag == "p" and (len(_text(head)) > 60 or head.xpath(".//a")):
            continue
        level = int(head.tag[1]) if head.tag in _HEADINGS else 7
        body = []
        for sib in head.itersiblings():
            if sib.tag in _HEADINGS and int(sib.tag[1]) <= level:
                break
            if head.tag == "p" and sib.tag in _HEADINGS:
                break
            body.append(sib)
            if head.tag == "p":
                break  # a line standing as a heading names only the block after it
        texts = sum(len(_text(b)) for b in body)
        links = sum(len(_text(a)) for b in body for a in b.xpath(".//a") + ([b] if b.tag == "a" else []))
        if texts == 0 or links / texts >= 0.5 or _WIDGET.match(_text(head)):
            _drop(head, removed)
            for sib in body:
                _drop(sib, removed)


def _image_words(root: Any, removed: list[str]) -> None:
    """A caption or alt text that is a file name or a slide counter says nothing: it goes (the picture stays)."""
    for img in root.iter("img"):
        for attr in ("title", "alt"):
            value = clean_text(img.get(attr))
            if value and (_FILE.match(value) or _COUNTER.match(value)):
                removed.append(value)
                del img.attrib[attr]


def _menus(root: Any, removed: list[str]) -> None:
    for lst in list(root.iter("ul", "ol")):
        items = [_text(li) for li in lst.iter("li")]
        if lst.getparent() is not None and items and all(_ACCOUNT.match(t) for t in items if t):
            _drop(lst, removed)


def _link_bars(root: Any, removed: list[str]) -> None:
    """A site's navigation bar: a block of BAR or more links of at most three words each, and little else."""
    for el in list(root.iter("table", "ul", "ol", "p", "div", "nav")):
        if el is root or not any(up is root for up in el.iterancestors()):  # the root, or inside a block dropped
            continue
        links = [_text(a) for a in el.xpath(".//a")]
        if len(links) >= BAR and all(0 < len(t.split()) <= 3 for t in links) and _link_share(el) >= 0.9:
            _drop(el, removed)


def _picture_line(el: Any) -> str:
    """"img" for a block that is a picture (with at most a short caption), "short" for a short line, else ""."""
    if el.tag == "img":
        return "img"
    if el.tag not in ("p", "div", "figure"):
        return ""
    length = _length_within(el.text_content(), _SHORT)
    if length > _SHORT:
        return ""
    if el.xpath(".//img"):
        return "img"
    return "short" if length else ""


def _length_within(raw: str, limit: int) -> int:
    """The length of ``clean_text(raw)``, or ``limit + 1`` if it is longer: a box holding the whole article is
    asked of every picture beside it, so only the start of its words is cleaned when that decides."""
    if len(raw) > 4 * limit:
        start = len(clean_text(raw[:4 * limit]))  # the cleaned start is the start of the cleaned whole
        if start > limit:
            return limit + 1
    return min(len(clean_text(raw)), limit + 1)


def _galleries(root: Any, removed: list[str]) -> None:
    for parent in list(root.iter()):
        if not isinstance(parent.tag, str) or (parent.getparent() is None and parent is not root):  # dropped
            continue
        run: list[Any] = []
        for child in [*list(parent), None]:
            kind = _picture_line(child) if child is not None else ""
            if kind == "img" or (kind == "short" and run and _picture_line(run[-1]) == "img"):
                run.append(child)
                continue
            run = _captioned_run(run)
            pictures = [el for el in run if _picture_line(el) == "img"]
            if len(pictures) >= GALLERY and _slide_show(root, run, pictures):
                for el in run:
                    _drop(el, removed, "")
                removed[-len(run):] = [f"a gallery of {len(pictures)} pictures"]
            run = []


def _captioned_run(run: list[Any]) -> list[Any]:
    """The run without a last short line that is the article's next paragraph: a line after the last
    picture is its caption only when the other pictures have theirs too."""
    lines = sum(1 for el in run if _picture_line(el) == "short")
    if run and _picture_line(run[-1]) == "short" and lines < sum(1 for el in run if _picture_line(el) == "img"):
        return run[:-1]
    return run


def _words(el: Any, run: list[Any]) -> list[str]:
    """What a picture of a run says of itself: its alt text, its title (a caption) and the line after it."""
    images = [el] if el.tag == "img" else el.xpath(".//img")
    words = [clean_text(img.get(attr)) for img in images for attr in ("alt", "title")]
    words.append(_text(el))
    following = run[run.index(el) + 1] if run.index(el) + 1 < len(run) else None
    if following is not None and _picture_line(following) == "short":
        words.append(_text(following))
    return [w for w in words if w and not _FILE.match(w)]


def _picture_key(img: Any) -> str:
    """A picture's file, the same for its sizes ("boat-150x150.jpg" is "boat.jpg") and whatever its query."""
    path = (img.get("src") or "").split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1].lower()
    return re.sub(r"-\d+x\d+(?=\.\w+$)|[-_.@](?:thumb(?:nail)?|small|large|\d+w|2x)(?=\.\w+$)", "", path)


def _links_away(pic: Any) -> bool:
    """Whether a picture is a link to another page (an article's teaser), not to its own larger file."""
    links = ([pic] if pic.tag == "a" else []) + pic.xpath(".//a | ancestor::a")
    return any(a.get("href") and not re.search(r"\.(?:jpe?g|png|gif|webp|avif)(?:\?|$)", a.get("href"), re.I)
               for a in links)


def _slide_show(root: Any, run: list[Any], pictures: list[Any]) -> bool:
    """Whether a run of pictures is a widget's (see the module's text), not the article's own gallery."""
    words = [_words(pic, run) for pic in pictures]
    if any(_COUNTER.match(w) or _COUNTED.match(w) for said in words for w in said):
        return True
    everywhere = [_picture_key(img) for img in root.iter("img")]
    own = [_picture_key(img) for pic in pictures for img in ([pic] if pic.tag == "img" else pic.xpath(".//img"))]
    if any(key and everywhere.count(key) > 1 for key in own):
        return True
    if sum(_links_away(pic) for pic in pictures) * 2 > len(pictures):
        return True
    said = [" ".join(w).lower() for w in words if w]
    if len(said) * 2 < len(pictures) or len(set(said)) * 2 < len(pictures):
        return True  # most say nothing, or the same thing ("Photo: the agency")
    return len(said) < len(pictures) and not _within_text(root, run)


def _within_text(root: Any, run: list[Any]) -> bool:
    """Whether the article's text goes on both before and after the run."""
    inside = {node for el in run for node in el.iter()}  # held, so each node keeps its one proxy object
    before = after = 0
    seen = False
    for el in root.iter("p", "li", "blockquote", "pre", "td", *_HEADINGS):
        if el in inside:
            seen = True
            continue
        length = len(_text(el))
        if seen:
            after += length
        else:
            before += length
    return before > 0 and after > 0
