"""MP3 edition: the chapters' cached MP3 frames joined gaplessly, then ID3 tags and chapters (mutagen).

Each chapter is encoded once (``audio_chapter``) and cached; an edition is its pieces' frames
concatenated, so an edit re-encodes only the chapters it touches. CHAP times are the
frame counts' (checked against the timeline).

The only module that imports ``mutagen``.

Choices:

* **CBR**, 64 kbps mono at 44.1 kHz by default (MPEG-1 Layer III, which every player
  decodes); ``acx`` renders get 192 kbps CBR at 44.1 kHz as ACX requires. CBR rather
  than VBR because players seek in CBR by exact byte arithmetic, whereas VBR seeking
  goes through a 100-entry Xing table of contents and can land seconds away from a
  chapter start in a long book; for speech at 64 kbps VBR saves little.
* **ID3v2.3**, not 2.4: the chapter addendum (CHAP/CTOC) is defined for both, and 2.3
  is what Windows, car stereos and older Apple software read reliably. The tag is built
  with v2.4 frames and converted by mutagen's ``update_to_v23`` (TDRC becomes TYER/TDAT);
  CHAP frames are written in time order (see ``_TimeOrderedID3``).
* ``-bitexact`` and ffmpeg's own ID3 writing off: the output is byte-identical for
  identical input; mutagen adds the tag in place on the temporary file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCOM,
    TCON,
    TCOP,
    TDRC,
    TIT2,
    TLAN,
    TLEN,
    TPE1,
    TPE2,
    TPUB,
    TRCK,
    CTOCFlags,
)
from mutagen.id3._tags import save_frame  # for _TimeOrderedID3; mutagen exports no public equivalent

from narrate.artifacts import atomic_path
from narrate.audio.master import Rendered, check_chapter_starts, concat_mp3, encoded
from narrate.errors import AudioError
from narrate.writers import AudioMeta, cover_mime

DEFAULT_BITRATE = "64k"
ACX_BITRATE = "192k"
SAMPLE_RATE = 44100
UTF16 = 1  # ID3v2.3 has no UTF-8 text encoding


def write_mp3(
    rendered: Rendered, meta: AudioMeta, cover: Path | None, out: Path, *, bitrate: str | None = None
) -> Path:
    """Stitch the chapters' cached MP3 frames into ``out`` with tags, cover and chapters; atomic."""
    bitrate = bitrate or (ACX_BITRATE if rendered.loudness == "acx" else DEFAULT_BITRATE)
    pieces = encoded(rendered, "mp3", bitrate)
    check_chapter_starts(rendered, pieces, out, "frames")
    with atomic_path(out) as tmp:
        concat_mp3([piece.path for piece in pieces], tmp)
        tag_mp3(tmp, rendered, meta, cover, out)
    return out


def tag_mp3(path: Path, rendered: Rendered, meta: AudioMeta, cover: Path | None, out: Path) -> None:
    """Write the ID3v2.3 tag (text frames, cover, chapters) into the MP3 at ``path``."""
    tags = build_id3(rendered, meta, cover)
    try:
        _save_v23(tags, path)
    except MutagenError as exc:
        raise AudioError(f"cannot write ID3 tags ({exc})", out) from exc


def _save_v23(tags: ID3, path: Path) -> None:
    # mutagen writes v2.4-only frames (TDRC) into a v2.3 tag unless converted first;
    # update_to_v23 turns TDRC into TYER (+ TDAT for a full date).
    tags.update_to_v23()
    tags.save(path, v2_version=3, v1=0, padding=lambda info: 1024)


class _TimeOrderedID3(ID3):
    """An ``ID3`` that writes CHAP frames last, in order of start time.

    mutagen orders frames by size, so chapters come out in the order of their titles'
    lengths, and tools that take CHAP frames in file order (ffmpeg 5, and what is built
    on it) list chapters out of order. The other frames keep mutagen's own order.
    """

    def _write(self, config):  # noqa: ANN001, ANN202 - mutagen's internal hook
        chapters = sorted(self.getall("CHAP"), key=lambda f: (f.start_time, f.end_time))
        self.delall("CHAP")
        try:
            head = super()._write(config)
        finally:
            for frame in chapters:
                self.add(frame)
        return head + b"".join(save_frame(frame, config=config) for frame in chapters)


def build_id3(rendered: Rendered, meta: AudioMeta, cover: Path | None) -> ID3:
    """The tag as ID3v2.4 frames; ``_save_v23`` converts it when saving."""
    tags = _TimeOrderedID3()
    tags.add(TIT2(encoding=UTF16, text=[meta.title]))
    if meta.authors:
        tags.add(TPE1(encoding=UTF16, text=[meta.artist]))
        tags.add(TPE2(encoding=UTF16, text=[meta.artist]))  # album artist: how players group books
    tags.add(TALB(encoding=UTF16, text=[meta.album_or_title]))
    tags.add(TRCK(encoding=UTF16, text=["1/1"]))  # one file holds the whole publication
    tags.add(TLEN(encoding=UTF16, text=[str(rendered.timeline.duration_ms)]))
    if meta.publisher:
        tags.add(TPUB(encoding=UTF16, text=[meta.publisher]))
    if meta.copyright:
        tags.add(TCOP(encoding=UTF16, text=[meta.copyright]))
    if meta.narrator:
        tags.add(TCOM(encoding=UTF16, text=[meta.narrator]))  # the audiobook convention for the narrator
    if meta.date:
        tags.add(TDRC(encoding=UTF16, text=[meta.date]))
    if meta.genre:
        tags.add(TCON(encoding=UTF16, text=[meta.genre]))
    if meta.comment:
        tags.add(COMM(encoding=UTF16, lang=meta.language3, desc="", text=[meta.comment]))
    tags.add(TLAN(encoding=UTF16, text=[meta.language3]))
    if cover is not None:
        tags.add(APIC(encoding=UTF16, mime=cover_mime(cover), type=3, desc="Cover", data=cover.read_bytes()))
    _add_chapters(tags, rendered, meta.contents_title)
    return tags


def _add_chapters(tags: ID3, rendered: Rendered, contents_title: str = "Contents") -> None:
    ids = []
    for number, chapter in enumerate(rendered.timeline.chapters, 1):
        element_id = f"ch{number}"
        ids.append(element_id)
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=UTF16, text=[chapter.title])],
            )
        )
    if ids:
        tags.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=UTF16, text=[contents_title])],
            )
        )


# ------------------------------------------------------------ personal copies


def read_comment(path: Path) -> str:
    """The text of the MP3's main comment (COMM with an empty description), "" when none."""
    try:
        tags = ID3(path)
    except Exception as exc:  # mutagen raises its own error types on damaged tags
        raise AudioError(f"cannot read the MP3's ID3 tag ({exc})", path) from exc
    for frame in tags.getall("COMM"):
        if not frame.desc:
            return str(frame.text[0]) if frame.text else ""
    return ""


def copy_with_comment(source: Path, target: Path, comment: str) -> None:
    """Copy ``source`` to ``target`` atomically with its main comment replaced.

    The audio frames are copied as they are (no re-encoding); mutagen rewrites only the
    tag, keeping CTOC/CHAP, the cover and the other frames.
    """
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
        try:
            tags = _TimeOrderedID3(tmp)
            lang = next((f.lang for f in tags.getall("COMM") if not f.desc), "eng")
            tags.delall("COMM")
            tags.add(COMM(encoding=UTF16, lang=lang, desc="", text=[comment]))
            _save_v23(tags, tmp)
        except AudioError:
            raise
        except Exception as exc:
            raise AudioError(f"cannot write the personal copy's ID3 tag ({exc})", target) from exc
