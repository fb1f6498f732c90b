"""A minimal HTTP forward proxy on 127.0.0.1 (plain http only) that records what passed through it."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import ClientSession, web

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authorization", "proxy-connection", "te", "trailer",
               "transfer-encoding", "upgrade", "host", "content-length"}


@dataclass
class ForwardProxy:
    """Forwards absolute-form requests (``POST http://host/path``) and keeps (method, url, proxy auth) of each."""

    seen: list[tuple[str, str, str | None]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _client: ClientSession | None = None

    async def __aenter__(self) -> ForwardProxy:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._client = ClientSession(auto_decompress=False)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, credentials: str = "") -> str:
        """The proxy URL, optionally with ``user:password@``."""
        return f"http://{credentials + '@' if credentials else ''}127.0.0.1:{self.port}"

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._client is not None
        target = str(request.url)
        self.seen.append((request.method, target, request.headers.get("Proxy-Authorization")))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        async with self._client.request(request.method, target, headers=headers, data=await request.read(),
                                        allow_redirects=False) as upstream:
            body = await upstream.read()
            kept = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP}
            return web.Response(status=upstream.status, body=body, headers=kept)
