"""One publication's build: its changed editions made in a staging folder (the text editions
while the narration renders), then moved into place; a failure leaves the previous editions as
they were, and the manifest entry records exactly what landed."""

from __future__ import annotations

import os
import shutil
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from narrate import model as m
from narrate.artifacts import artifact_entry
from narrate.audio.synth import STOP_WAIT_S
from narrate.editions.context import Made, PublicationContext, page_list
from narrate.editions.makers import MAKERS, narration
from narrate.engine.job import STAGING, Job, Reporter, reusable
from narrate.engine.results import PublicationResult
from narrate.errors import NarrateError, OutputError


def build_publication(job: Job, reporter: Reporter | None) -> PublicationResult:
    """Make a publication's changed editions in a staging folder, then move them into place.

    Nothing replaces a previous edition until every edition of the publication is made,
    so a failed, interrupted or killed build leaves the previous outputs as they were. If
    moving fails midway (a full disk, a permission), the publication fails but its entry
    records the editions already moved, so the manifest always agrees with the files.
    """
    doc = job.doc
    slug = doc.meta.slug
    result = PublicationResult(slug, doc.meta.title, doc.source_files[0])
    started = time.monotonic()
    staging = job.output / STAGING / slug
    if reporter is not None:
        reporter.started(slug, doc.meta.title)
    progress = (lambda done, total, ms: reporter.progress(slug, done, total, ms)) if reporter else None
    # With --jobs N a batch was synthesized beforehand; one publication synthesizes on job.jobs workers.
    ctx = PublicationContext(doc, job.root, staging, job.config, job.voice, job.cache_dir, job.jobs, progress=progress,
                             page_list=page_list(job.makers), formats=tuple(job.makers),
                             prepared=job.prepared)
    previous = {a.get("format"): a for a in (job.previous or {}).get("artifacts", []) if isinstance(a, dict)}
    artifacts: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    try:
        shutil.rmtree(staging, ignore_errors=True)
        made = _make_all(job, ctx, previous, artifacts, result)
        _move_into_place(job, made, moved)
    except NarrateError as exc:
        result.error = _project_relative(exc, job)
    except Exception as exc:  # a bug in narrate: report it, keep building the others
        result.error = _internal_error(exc, job, doc)
    finally:
        for cleanup in ctx.cleanups:
            cleanup()
        shutil.rmtree(staging, ignore_errors=True)
    artifacts += moved
    done = {a["format"] for a in artifacts}
    # formats not requested this time keep their previous entries while their files exist
    artifacts += [a for fmt, a in previous.items()
                  if fmt not in done and (job.output / str(a.get("path", ""))).is_file()]
    result.warnings = ctx.warnings
    result.seconds = time.monotonic() - started
    if result.ok or moved:
        result.entry = {"slug": slug, "title": doc.meta.title, "kind": doc.meta.kind,
                        "language": doc.meta.language, "source": doc.source_files[0], "artifacts": artifacts}
    return result


# Makers that only stitch the rendered narration's cached pieces (ffmpeg copying frames): they
# run side by side once the narration is rendered, so an edit's MP3 and M4B are written together.
STITCHERS = ("mp3", "m4b")


def _make_all(job: Job, ctx: PublicationContext, previous: dict[str, Any], artifacts: list[dict[str, Any]],
              result: PublicationResult) -> list[tuple[str, Path, str, dict[str, Any]]]:
    todo = []
    for maker in job.makers:
        formats = MAKERS[maker][1]
        reused = reusable(job.output, previous, formats, job.keys[maker])
        if reused is None:
            todo.append(maker)
        else:
            artifacts += reused
            result.reused += list(formats)
            if maker == "cover":
                ctx._cover = _reused_cover(job.output, reused[0])
    here = [maker for maker in todo if job.premade is None or maker not in job.premade.made]  # not made on a node
    stitchers = [maker for maker in here if maker in STITCHERS] if len(set(here) & set(STITCHERS)) > 1 else []
    narrated = [maker for maker in here if MAKERS[maker][2]]
    text = [maker for maker in todo if maker not in narrated]
    made = _text_while_rendering(job, ctx, text) if narrated and text else {}
    made |= {maker: _make(job, maker, ctx) for maker in todo if maker not in stitchers and maker not in made}
    if stitchers:
        narration(ctx)  # rendered once, here, before the stitchers share it
        with ThreadPoolExecutor(max_workers=len(stitchers), thread_name_prefix="narrate-stitch") as pool:
            running = {maker: pool.submit(MAKERS[maker][0], ctx) for maker in stitchers}
            made |= {maker: running[maker].result() for maker in stitchers}  # the first failure in maker order
    result.built += [fmt for maker in todo for fmt in MAKERS[maker][1]]
    return [(fmt, path, job.keys[maker], extra) for maker in todo for fmt, path, extra in made[maker]]


def _make(job: Job, maker: str, ctx: PublicationContext) -> Made:
    """``maker``'s edition: written from what a cluster node made of it (``editions/text_tasks``), else made here."""
    if job.premade is None or maker not in job.premade.made:
        return MAKERS[maker][0](ctx)
    from narrate.editions.text_tasks import write_made

    ctx.warnings.extend(job.premade.warnings.get(maker, []))
    return write_made(ctx, job.premade.made[maker])


def _interrupt(thread: threading.Thread) -> None:
    """Raise KeyboardInterrupt in ``thread`` (at its next Python instruction: a running ffmpeg or
    model call ends first) and wait for its ``finally`` blocks (up to ``STOP_WAIT_S``): the thread is
    a daemon, so one still writing when narrate exits would leave its temp file behind."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident or 0), ctypes.py_object(KeyboardInterrupt))
    thread.join(STOP_WAIT_S)


def _text_while_rendering(job: Job, ctx: PublicationContext, makers: list[str]) -> dict[str, Made]:
    """The text editions ``makers`` made here while the narration renders on a thread (ffmpeg and
    the voice work mostly outside the interpreter's lock, so the two share the cores). An error
    waits for the render to end (the publication's cleanups then remove its work folder); an
    interrupt (Ctrl-C, SIGTERM) is raised in the render too, which is given ``STOP_WAIT_S`` for its
    cleanups (an atomic write's temp file, ffmpeg) before the build goes on stopping."""
    failed: list[BaseException] = []

    def render() -> None:
        try:
            narration(ctx)
        except BaseException as exc:  # raised in the build's thread, below
            failed.append(exc)

    thread = threading.Thread(target=render, name="narrate-render", daemon=True)
    thread.start()
    try:
        made = {maker: _make(job, maker, ctx) for maker in makers}
        thread.join()
    except Exception:
        thread.join()
        raise
    except BaseException:
        _interrupt(thread)
        raise
    if failed:
        raise failed[0]
    return made


def _move_into_place(job: Job, made: list[tuple[str, Path, str, dict[str, Any]]],
                     entries: list[dict[str, Any]]) -> None:
    """Rename each new edition over the old one, appending its entry to ``entries`` as it lands."""
    final_dir = job.output / job.doc.meta.slug
    try:
        final_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the publication's folder: {exc.strerror}", final_dir) from exc
    for fmt, path, key, extra in made:
        target = final_dir / path.name
        try:
            os.replace(path, target)
        except OSError as exc:
            raise OutputError(f"cannot move the new edition into place: {exc.strerror}", target) from exc
        entries.append(artifact_entry(job.output, fmt, target, key, **extra))


def _project_relative(exc: NarrateError, job: Job) -> NarrateError:
    """Name the file relative to the project (a staged edition by its final place), so a
    message reads the same from any worker, any folder, --jobs 1 or N."""
    if exc.path and Path(exc.path).is_absolute():
        path = Path(exc.path)
        staging = job.output / STAGING / job.doc.meta.slug
        if path.is_relative_to(staging):
            path = job.output / job.doc.meta.slug / path.relative_to(staging)
        exc.path = path.relative_to(job.root).as_posix() if path.is_relative_to(job.root) else str(path)
    return exc


def _internal_error(exc: Exception, job: Job, doc: m.Document) -> NarrateError:
    log = job.root / ".narrate" / "crash.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"--- {doc.meta.slug}\n{''.join(traceback.format_exception(exc))}\n")
    except OSError:
        pass
    return NarrateError(f"internal error in narrate ({type(exc).__name__}: {exc}); this is a bug, "
                        f"details in {log}", doc.source_files[0])


def _reused_cover(output: Path, entry: dict[str, Any]) -> tuple[bytes, str]:
    """The cover the previous build made, for the editions that embed it (the EPUB): reused
    under the same key, it is the image cover_bytes would make again (a generated cover's
    drawing and PNG encoding cost an edit's rebuild about half a CPU-second)."""
    path = output / str(entry["path"])
    return path.read_bytes(), path.suffix.lstrip(".")
