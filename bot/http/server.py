"""One Starlette app from every channel's routes plus the service routes, served by uvicorn until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.http.health import Readiness, health_routes
from bot.http.metrics import metrics_routes
from bot.metrics import Metrics

log = logging.getLogger("duban.http")


Contribution = Starlette | Sequence[BaseRoute]


def build_http_app(contributions: Iterable[Contribution], *, readiness: Readiness, metrics: Metrics,
                   clock: Callable[[], datetime]) -> Starlette:
    """The process's Starlette app: every channel's routes, ``/healthz``, ``/readyz`` and ``/metrics``.

    A channel contributes a list of routes, or a Starlette app of its own: then its routes are served here
    and its lifespan (start-up and shutdown work) runs with this server's. Two channels claiming the same
    path and method is a wiring mistake, refused here rather than found out by a webhook that never arrives.
    """
    routes: list[BaseRoute] = []
    apps: list[Starlette] = []
    for part in contributions:
        if isinstance(part, Starlette):
            apps.append(part)
            routes += part.routes
        else:
            routes += list(part)
    routes += health_routes(readiness) + metrics_routes(metrics, readiness.db, clock=clock)
    _refuse_clashes(routes)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for sub in apps:
                await stack.enter_async_context(sub.router.lifespan_context(sub))
            yield

    return Starlette(routes=routes, lifespan=lifespan)


def _refuse_clashes(routes: Sequence[BaseRoute]) -> None:
    seen: set[tuple[str, str]] = set()
    for route in routes:
        path = getattr(route, "path", None)
        for method in getattr(route, "methods", None) or ():
            if method == "HEAD":
                continue
            if (path, method) in seen:
                raise ValueError(f"two routes serve {method} {path}")
            seen.add((path, method))


async def serve(app: Starlette, *, host: str, port: int, stop: asyncio.Event,
                sock: socket.socket | None = None, ready: asyncio.Event | None = None) -> None:
    """Serve ``app`` with uvicorn in the running loop until ``stop`` is set; ``ready`` is set once it listens.

    Signals are left to the process owner (``duban run`` stops polling, the scheduler and this server
    together), so uvicorn's own signal capture is switched off. ``sock`` serves an already bound socket
    (tests bind port 0 and read the port back).
    """
    # log_config=None: uvicorn's lines go through the process's own handlers (redacted, text or JSON).
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on", access_log=False,
                            log_config=None)
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    loop = asyncio.get_running_loop()

    async def run() -> None:
        try:
            await server.serve(sockets=[sock] if sock is not None else None)
        except SystemExit:  # uvicorn exits the process when it cannot listen; the owner decides that
            raise OSError(f"the HTTP server cannot listen on {host}:{port} (see the error above)") from None

    serving = loop.create_task(run())
    stopping = loop.create_task(stop.wait())
    try:
        while ready is not None and not server.started and not serving.done() and not stop.is_set():
            await asyncio.sleep(0.01)
        if ready is not None and server.started:
            ready.set()
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        await serving
    finally:
        stopping.cancel()
