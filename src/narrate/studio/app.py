"""The studio's ASGI application (Starlette): views, JSON, server-sent events, files, and the
checks that keep it private to the editor.

Safety, in order, for every request (``Guard``):
* bound to a loopback address, only a loopback ``Host`` is served (a page on another site
  that points a name at 127.0.0.1 gets nothing: DNS rebinding);
* bound elsewhere, a token is required on every request (``?token=`` once, then a
  same-site, HTTP-only cookie, or an ``X-Studio-Token`` header);
* a request that changes anything (POST) must carry the page's same-origin token in an
  ``X-Studio-CSRF`` header and, when the browser sends an ``Origin``, that origin must be the
  studio's own: another site cannot build, synthesize or write a lexicon (no CSRF);
* files come only from the output folder (editions, proof clips), never a hidden or
  ``private/`` path, never through ``..`` or a symlink leading out of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from narrate.errors import NarrateError
from narrate.studio import delegate, pages
from narrate.studio.session import Studio

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
COOKIE = "narrate_studio"
STATIC = {"studio.js": "text/javascript", "studio.css": "text/css"}


@dataclass
class Settings:
    host: str = "127.0.0.1"
    token: str = ""  # required on every request when not bound to loopback
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK


class Broadcaster:
    """Events from any thread to every open page's event stream."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue] = set()
        self.loop: asyncio.AbstractEventLoop | None = None

    def close(self) -> None:
        """End every open stream (the server is stopping: pages reconnect to the next one)."""
        if self.loop is not None:
            for queue in list(self.queues):
                self.loop.call_soon_threadsafe(queue.put_nowait, None)

    def publish(self, event: dict[str, Any]) -> None:
        if self.loop is None:
            return
        for queue in list(self.queues):
            self.loop.call_soon_threadsafe(queue.put_nowait, event)

    async def stream(self, request: Request) -> AsyncIterator[str]:
        queue: asyncio.Queue = asyncio.Queue()
        self.queues.add(queue)
        try:
            yield ": connected\n\n"
            while not await request.is_disconnected():
                try:
                    event = await asyncio.wait_for(queue.get(), 10)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if event is None:
                    return
                yield f"data: {json.dumps(event, ensure_ascii=False)}\n\n"
        finally:
            self.queues.discard(queue)


def safe_file(output: Path, rel: str) -> Path | None:
    """``rel`` inside ``output`` (resolved, symlinks followed), or None."""
    if not rel or "\\" in rel or "\0" in rel or rel.startswith("/"):
        return None
    parts = PurePosixPath(rel).parts
    if any(p in ("..", ".") or p.startswith(".") for p in parts) or parts[0] == "private":
        return None
    root = output.resolve()
    target = (root / rel).resolve()
    return target if target.is_relative_to(root) and target.is_file() else None


class Guard:
    """The host, token and same-origin checks around the application (see the module's text)."""

    def __init__(self, app: Callable, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if self.settings.loopback and name not in LOOPBACK:
            return await _refuse(send, 403, "this studio answers only on its loopback address")
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        set_cookie = False
        if self.settings.token:
            given = (headers.get("x-studio-token") or _cookie(headers.get("cookie", ""))
                     or (query.get("token") or [""])[0])
            if not hmac.compare_digest(given.encode(), self.settings.token.encode()):
                return await _refuse(send, 401, "a token is required: open the address narrate serve printed")
            set_cookie = bool(query.get("token"))
        if scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin")
            own = {f"http://{host}", f"https://{host}"}
            csrf = headers.get("x-studio-csrf", "")
            if (origin is not None and origin not in own) or not hmac.compare_digest(
                    csrf.encode(), self.settings.csrf.encode()):
                return await _refuse(send, 403, "refused: not a same-origin request from the studio's own page")
        if not set_cookie:
            return await self.app(scope, receive, send)

        async def with_cookie(message: dict) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={self.settings.token}; Path=/; HttpOnly; SameSite=Strict"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
            await send(message)

        await self.app(scope, receive, with_cookie)


def _cookie(header: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == COOKIE:
            return value
    return ""


async def _refuse(send: Callable, status: int, message: str) -> None:
    body = message.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(studio: Studio, settings: Settings, broadcaster: Broadcaster | None = None,
               watch: Callable[[Executor], Any] | None = None) -> Callable:
    """The studio as an ASGI application; ``watch(work)`` (optional) is an async task run while it
    serves, handing work to the studio's one work thread (where builds run, one at a time)."""
    events = broadcaster or Broadcaster()
    studio.publish = events.publish
    work = ThreadPoolExecutor(max_workers=1, thread_name_prefix="narrate-studio")  # builds, one at a time

    def html(text: str) -> HTMLResponse:
        return HTMLResponse(text, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                                           "Content-Security-Policy": "default-src 'self'; media-src 'self'"})

    def library(request: Request) -> Response:
        try:
            rows, warnings = studio.library()
        except NarrateError as exc:  # no sources yet, a broken narrate.toml: said on the page
            return html(pages.library_page([], [], settings.csrf, str(exc)))
        return html(pages.library_page(rows, warnings, settings.csrf))

    def listen(request: Request) -> Response:
        slug = request.path_params["slug"]
        try:
            doc = studio.document(slug)
        except NarrateError as exc:
            return html(pages.listen_page(None, slug, settings.csrf, str(exc)))
        return html(pages.listen_page(doc, slug, settings.csrf))

    def words(request: Request) -> Response:
        slug = request.path_params["slug"]
        try:
            doc, flagged, where = studio.words(slug)
            _, voice = studio.voice_of(doc)
        except NarrateError as exc:
            return html(pages.listen_page(None, slug, settings.csrf, str(exc)))
        lexicon = studio.project().rel(Path(voice.profile.lexicons[0])) if voice.profile.lexicons else "no lexicon"
        return html(pages.words_page(doc, flagged, where, settings.csrf, lexicon))

    def chapter(request: Request) -> Response:
        try:
            return JSONResponse(studio.chapter(request.path_params["slug"], request.path_params["chapter"]))
        except NarrateError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        except KeyError:
            return JSONResponse({"error": "no such chapter"}, status_code=404)

    async def build(request: Request) -> Response:
        data = await _json(request)
        slug = str(data.get("slug") or "")
        work.submit(studio.build, (slug,) if slug else ())
        return JSONResponse({"queued": slug or "all"}, status_code=202)

    async def cli_build(request: Request) -> Response:
        """A ``narrate build`` handed over by the command line (``studio/handoff.py``): its events, a
        JSON object a line; 422 for what it cannot honour. While the studio builds (a saved source's
        rebuild, a page's build), it runs after that build, one at a time, and says it waits."""
        data = await _json(request)
        refused = delegate.refusal(studio, data)
        if refused:
            return JSONResponse({"refused": refused}, status_code=422)
        loop, queue, gone = asyncio.get_running_loop(), asyncio.Queue(), threading.Event()

        def emit(event: dict[str, Any] | None) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, event)

        def run() -> None:  # its own thread: the work thread may hold a watched build waiting for the lock
            if not delegate.take_turn(studio, emit, gone):
                emit(None)
                return  # the command line left while it waited: nothing was built for it
            try:
                delegate.run(studio, data, emit)
            except Exception as exc:  # a bug: said to the command line, the studio keeps serving
                emit({"event": "error", "error": {"type": "NarrateError", "message": f"the studio's build "
                                                  f"failed: {type(exc).__name__}: {exc}", "exit_code": 1}})
            finally:
                studio.building.release()
                emit(None)

        threading.Thread(target=run, name="narrate-studio-cli", daemon=True).start()

        async def lines() -> AsyncIterator[str]:
            try:
                while (event := await queue.get()) is not None:
                    yield json.dumps(event, ensure_ascii=False) + "\n"
            finally:  # ended, or cancelled when the command line hangs up
                gone.set()

        return StreamingResponse(lines(), media_type="application/x-ndjson", headers={"Cache-Control": "no-store"})

    async def hear(request: Request) -> Response:
        data = await _json(request)
        args = [str(data.get(k, "")) for k in ("chapter", "segment", "word", "kind", "value")]
        try:
            heard = await asyncio.to_thread(studio.hear, request.path_params["slug"], *args)
        except NarrateError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        except KeyError:
            return JSONResponse({"error": "no such sentence"}, status_code=404)
        return JSONResponse({"clip": f"/files/{heard.clip}", "spoken": heard.spoken, "changed": heard.changed})

    async def hear_stream(request: Request) -> Response:
        """The sentence's audio as it is made (16-bit mono PCM; its rate, text and clip in the
        ``X-Studio-Heard`` header), its first part made before the answer starts, so a voice's
        error is a 422 and not a cut stream."""
        data = await _json(request)
        args = [str(data.get(k, "")) for k in ("chapter", "segment", "word", "kind", "value")]
        try:
            heard = await asyncio.to_thread(studio.hear, request.path_params["slug"], *args, stream=True)
            first = await asyncio.to_thread(next, heard.sound, b"")
        except NarrateError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        except KeyError:
            return JSONResponse({"error": "no such sentence"}, status_code=404)
        said = {"clip": f"/files/{heard.clip}", "spoken": heard.spoken, "changed": heard.changed, "rate": heard.rate}
        return StreamingResponse(_pulled(first, heard.sound), media_type="application/octet-stream",
                                 headers={"X-Studio-Heard": quote(json.dumps(said, ensure_ascii=False)),
                                          "Cache-Control": "no-store"})

    async def save(request: Request) -> Response:
        data = await _json(request)
        try:
            path = await asyncio.to_thread(studio.save, request.path_params["slug"], str(data.get("word", "")),
                                           str(data.get("kind", "")), str(data.get("value", "")))
        except NarrateError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return JSONResponse({"saved": studio.project().rel(path)})

    def files(request: Request) -> Response:
        target = safe_file(studio.output, request.path_params["path"])
        if target is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(target, headers={"Cache-Control": "no-cache"})

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return Response("not found", status_code=404, media_type="text/plain")
        text = resources.files("narrate.studio").joinpath("static", name).read_text(encoding="utf-8")
        return Response(text, media_type=STATIC[name], headers={"Cache-Control": "no-cache"})

    async def stream(request: Request) -> Response:
        return StreamingResponse(events.stream(request), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.loop = asyncio.get_running_loop()
        work.submit(studio.documents)  # read the sources now, so the first page opens at once
        task = asyncio.create_task(watch(work)) if watch is not None else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            work.shutdown(wait=False, cancel_futures=True)

    routes = [Route("/", library), Route("/pub/{slug}", listen), Route("/pub/{slug}/words", words),
              Route("/api/pub/{slug}/chapter/{chapter}", chapter), Route("/api/build", build, methods=["POST"]),
              Route("/api/cli/build", cli_build, methods=["POST"]),
              Route("/api/pub/{slug}/hear", hear, methods=["POST"]),
              Route("/api/pub/{slug}/hear/stream", hear_stream, methods=["POST"]),
              Route("/api/pub/{slug}/lexicon", save, methods=["POST"]),
              Route("/files/{path:path}", files), Route("/static/{name}", static), Route("/events", stream)]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.work = work
    app.state.studio = studio
    return Guard(app, settings)


async def _pulled(first: bytes, rest: Iterator[bytes]) -> AsyncIterator[bytes]:
    """``first``, then each part of ``rest`` made on a worker thread (never on the event loop)."""
    if first:
        yield first
    while (part := await asyncio.to_thread(next, rest, b"")):
        yield part


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
