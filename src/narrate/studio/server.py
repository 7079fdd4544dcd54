"""``narrate serve``: the studio under uvicorn, on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from narrate.studio import handoff
from narrate.studio.app import Broadcaster, Settings, create_app
from narrate.studio.session import Studio
from narrate.studio.watch import watch_project


@dataclass
class Served:
    url: str  # what to open (with the token when one is needed)
    server: StudioServer
    thread: threading.Thread | None = None

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=15)


class StudioServer(uvicorn.Server):
    """uvicorn's server, ending the pages' event streams first when it stops, so it stops at once;
    on loopback it tells ``narrate build`` where it is (``handoff.announce``) while it serves."""

    def __init__(self, config: uvicorn.Config, events: Broadcaster, root: Path | None = None, token: str = ""):
        super().__init__(config)
        self.events = events
        self.root, self.token, self.port = root, token, 0
        self.ready = False  # started and, on loopback, announced: uvicorn's ``started`` comes first

    async def startup(self, sockets=None) -> None:  # noqa: ANN001 - uvicorn's signature
        await super().startup(sockets)
        if self.started and self.root is not None and self.servers and self.servers[0].sockets:
            self.port = int(self.servers[0].sockets[0].getsockname()[1])
            handoff.announce(self.root, self.port, self.token)
        self.ready = self.started

    async def shutdown(self, sockets=None) -> None:  # noqa: ANN001 - uvicorn's signature
        if self.port:
            handoff.withdraw(self.root, self.port)
        self.events.close()
        await super().shutdown(sockets)


def make_server(root: Path | str, *, host: str = "127.0.0.1", port: int = 8000, voice: str = "",
                watch: bool = True) -> Served:
    """The studio's server, ready to run; away from loopback it requires a fresh token."""
    settings = Settings(host=host)
    if not settings.loopback:
        settings.token = secrets.token_urlsafe(24)
    studio = Studio(root, voice=voice)
    events = Broadcaster()
    app = create_app(studio, settings, events,
                     (lambda work: watch_project(studio, work)) if watch else None)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=1, lifespan="on")
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={settings.token}" if settings.token else "")
    announced = studio.root if host == "127.0.0.1" else None  # builds are handed over on 127.0.0.1 only
    return Served(url, StudioServer(config, events, announced, settings.csrf))


def start_in_thread(served: Served) -> Served:
    """Run ``served`` on a thread (tests, benchmarks) and wait until it accepts connections and, on
    loopback, has announced itself to ``narrate build`` (a build started right after finds it)."""
    served.thread = threading.Thread(target=served.server.run, daemon=True)
    served.thread.start()
    for _ in range(400):
        if served.server.ready:
            return served
        if not served.thread.is_alive():
            break
        threading.Event().wait(0.025)
    raise RuntimeError("the studio did not start")
