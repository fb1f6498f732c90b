"""The WeCom (企业微信) channel: the self-built app (callback in, message/send out) and the group robot.

The composition root calls ``build_wecom_app`` (the callback URL as a Starlette app, served with uvicorn by
``serve_wecom``) and ``build_wecom_notifier`` (the scheduler's Notifier). Both share one ``Delivery`` per
core, so answers and notices to a member wait on the same per-member limit and the same access token.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import weakref
from collections.abc import Callable
from datetime import datetime

import uvicorn
from starlette.applications import Starlette

from bot.channels.wecom.api import WeComApi
from bot.channels.wecom.callback import CALLBACK_PATH, Handle, Inbox, callback_app
from bot.channels.wecom.crypto import WeComCrypto, WeComCryptoError
from bot.channels.wecom.delivery import Delivery, Limits
from bot.channels.wecom.notifier import WeComNotifier
from bot.channels.wecom.robot import WeComRobot
from bot.core import Core
from config import Settings

__all__ = [
    "CALLBACK_PATH",
    "Delivery",
    "Limits",
    "WeComCryptoError",
    "WeComNotifier",
    "build_wecom_app",
    "build_wecom_delivery",
    "build_wecom_notifier",
    "serve_wecom",
    "wecom_app_configured",
    "wecom_callback_configured",
]

_SHARED: dict[int, tuple[weakref.ref[Core], Delivery]] = {}


def wecom_callback_configured(settings: Settings) -> bool:
    """Whether the callback can run: corp id, token and EncodingAESKey are set."""
    w = settings.wecom
    return bool(w.corp_id and w.token and w.encoding_aes_key)


def wecom_app_configured(settings: Settings) -> bool:
    """Whether app messages can be sent: corp id, agent id and secret are set."""
    w = settings.wecom
    return bool(w.corp_id and w.agent_id is not None and w.secret)


def build_wecom_delivery(core: Core, *, limits: Limits | None = None) -> Delivery:
    """The one Delivery for ``core`` (made on first use): app client, robot client, limits, choice memory."""
    found = _SHARED.get(id(core))
    if found is not None and found[0]() is core:
        return found[1]
    w = core.settings.wecom
    api = None
    if wecom_app_configured(core.settings):
        api = WeComApi(base_url=w.base_url, corp_id=w.corp_id or "", secret=w.secret.get_secret_value(),  # type: ignore[union-attr]
                       agent_id=int(w.agent_id or 0))
    robot = WeComRobot(base_url=w.base_url, key=w.robot_key.get_secret_value()) if w.robot_key else None
    delivery = Delivery(core, api, robot, limits=limits or Limits())
    key = id(core)
    # Bind the dict now: at interpreter exit the module global may already be None when the ref dies.
    _SHARED[key] = (weakref.ref(core, lambda _ref, shared=_SHARED: shared.pop(key, None)), delivery)
    return delivery


def build_wecom_app(core: Core, handle: Handle, *, clock: Callable[[], datetime],
                    delivery: Delivery | None = None) -> Starlette:
    """The callback URL as a Starlette app (``CALLBACK_PATH``); needs corp id, token and EncodingAESKey."""
    w = core.settings.wecom
    if not wecom_callback_configured(core.settings):
        raise ValueError("DUBAN_WECOM__CORP_ID, DUBAN_WECOM__TOKEN and DUBAN_WECOM__ENCODING_AES_KEY must be set")
    crypto = WeComCrypto(w.token.get_secret_value(), w.encoding_aes_key.get_secret_value(), w.corp_id or "")  # type: ignore[union-attr]
    inbox = Inbox(core, handle, delivery or build_wecom_delivery(core), clock=clock)
    return callback_app(inbox, crypto)


def build_wecom_notifier(core: Core, *, clock: Callable[[], datetime] | None = None) -> WeComNotifier:
    """The scheduler's Notifier for the ``wecom`` channel (do not wrap it in the Telegram rate limiter)."""
    delivery = build_wecom_delivery(core)
    return WeComNotifier(delivery) if clock is None else WeComNotifier(delivery, clock=clock)


async def serve_wecom(app: Starlette, *, host: str, port: int, stop: asyncio.Event,
                      sock: socket.socket | None = None, ready: asyncio.Event | None = None) -> None:
    """Serve ``app`` with uvicorn in the running loop until ``stop`` is set; ``ready`` is set once it listens.

    Signals are left to the process owner (``duban run`` stops Telegram polling and this server together),
    so uvicorn's own signal capture is switched off. ``sock`` serves an already bound socket (tests bind
    port 0 and read the port back).
    """
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    loop = asyncio.get_running_loop()
    serving = loop.create_task(server.serve(sockets=[sock] if sock is not None else None))
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
