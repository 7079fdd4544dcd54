"""Accessibility metadata computed from the content, never asserted blindly.

``accessibility(doc)`` inspects the document and returns what can honestly be
claimed (schema.org vocabulary, as EPUB Accessibility 1.1 uses it): access
modes, sufficient modes, features and hazards, and a generated summary that
front matter's ``accessibility_summary`` overrides.
"""

from __future__ import annotations

from dataclasses import dataclass

from narrate import model as m
from narrate.i18n.messages import Messages, messages_for


@dataclass(frozen=True)
class A11y:
    access_modes: tuple[str, ...]
    access_mode_sufficient: tuple[str, ...]
    features: tuple[str, ...]
    hazards: tuple[str, ...]
    summary: str


def accessibility(doc: m.Document, *, has_audio: bool = False, page_list: bool = False) -> A11y:
    images = m.images(doc)
    described = [alt for _, alt in images if alt.strip()]
    all_described = len(described) == len(images)
    modes = ["textual"] + (["visual"] if images else []) + (["auditory"] if has_audio else [])
    sufficient = ["textual"] if all_described else []
    if images:
        sufficient.append("textual,visual")
    if has_audio:
        sufficient.append("auditory,textual" if all_described else "auditory,textual,visual")
    features = ["tableOfContents", "readingOrder", "displayTransformability"]
    if _has_structure(doc):
        features.append("structuralNavigation")
    if images and all_described:
        features.append("alternativeText")
    if has_audio:
        features.append("synchronizedAudioText")
    if page_list:
        features += ["pageBreakMarkers", "pageNavigation"]
    hazards = ("unknown",) if any(src.lower().endswith(".gif") for src, _ in images) else ("none",)
    say = messages_for(doc.meta.language, doc.messages)  # the summary is in the publication's language
    summary = doc.meta.accessibility_summary or _summary(images, all_described, hazards, has_audio, say)
    narration = say("a11y_narration")
    if has_audio and doc.meta.accessibility_summary and narration not in summary:
        summary = f"{summary.rstrip()} {narration}"  # a summary written for the text alone
    return A11y(tuple(modes), tuple(sufficient), tuple(features), hazards, summary)


def _has_structure(doc: m.Document) -> bool:
    headed = [c for c in doc.chapters if c.heading is not None or not doc.single_file]
    return bool(headed) or any(isinstance(b, m.Heading) for b in m.all_blocks(doc))


def _summary(images, all_described: bool, hazards: tuple[str, ...], has_audio: bool, say: Messages) -> str:
    parts = [say("a11y_text")]
    if images and all_described:
        parts.append(say("a11y_images", count=str(len(images))) if len(images) > 1 else say("a11y_image"))
    elif images:
        parts.append(say("a11y_images_undescribed"))
    if has_audio:
        parts.append(say("a11y_narration"))
    if hazards == ("none",):
        parts.append(say("a11y_no_hazards"))
    return " ".join(parts)
