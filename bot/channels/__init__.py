"""The channel adapters (outer ring), one per platform; here only what their HTTP endpoints share."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only the type: a console run need not load the HTTP stack
    from starlette.requests import Request


async def bounded_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None once it passes ``limit`` bytes, declared or not (a refused body is not read)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdecimal() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class TokenCache:
    """A platform's access token, fetched by ``fetch`` as (token, lifetime in seconds) and kept until shortly before
    it expires; one fetch at a time, however many senders ask at once."""

    def __init__(self, fetch: Callable[[], Awaitable[tuple[str, float]]], *, margin: float = 300.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._margin = margin
        self._monotonic = monotonic
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self, *, force: bool = False) -> str:
        """The cached token, fetched anew when missing, about to expire, or ``force``d."""
        async with self._lock:
            if not force and self._token is not None and self._monotonic() < self._expires_at:
                return self._token
            token, lifetime = await self._fetch()
            self._token = token
            # Refresh a little early, so a token never expires between our check and the platform's.
            self._expires_at = self._monotonic() + lifetime - min(self._margin, lifetime / 2)
            return token

    def forget(self, token: str) -> None:
        """Drop ``token`` if it is the cached one (the platform refused it), so the next ``get`` fetches anew."""
        if self._token == token:
            self._token = None


class CallbackWork:
    """What a callback shares across platforms: remembering recent message keys, so a platform's retry is accepted
    once, and the background tasks that handle accepted messages (drained in tests, given time at shutdown)."""

    def __init__(self, seen_max: int) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._seen_max = seen_max
        self._tasks: set[asyncio.Task[None]] = set()

    def first_time(self, key: str) -> bool:
        """Whether ``key`` is new among the recent keys (it is remembered either way)."""
        if key in self._seen:
            self._seen.move_to_end(key)
            return False
        self._seen[key] = None
        while len(self._seen) > self._seen_max:
            self._seen.popitem(last=False)
        return True

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` in the background, kept until it finishes."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every started task has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, timeout: float = 10.0) -> None:
        """Give running work ``timeout`` seconds to finish, then cancel the rest."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(list(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
