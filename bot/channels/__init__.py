"""The channel adapters (outer ring), one per platform; here only what their HTTP endpoints share."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only the type: a console run need not load the HTTP stack
    from starlette.requests import Request


async def bounded_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None once it passes ``limit`` bytes, declared or not (a refused body is not read)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
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
