"""The DingTalk (钉钉) channel: an enterprise internal app robot in HTTP callback mode, and custom group robots.

The composition root asks ``dingtalk_configured`` and then takes ``build_dingtalk_app`` (the callback, ``POST
/dingtalk/callback``, as a Starlette app whose routes and lifespan join the one HTTP server; ``routes`` gives the
bare route list) and ``build_dingtalk_notifier`` (the scheduler's Notifier for channel ``dingtalk``). The two
need not share a Delivery: answers go by session webhooks or the API, notices by the API, DingTalk reports its
flow control per call, and custom robots' limits live in buckets shared through bot.services.buckets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette
from starlette.routing import Route

from bot.channels.dingtalk.api import DingTalkApi
from bot.channels.dingtalk.capabilities import CAPABILITIES
from bot.channels.dingtalk.callback import CALLBACK_PATH, Callback, Handle, Inbox, callback_app, callback_routes
from bot.channels.dingtalk.delivery import CHANNEL, Delivery
from bot.channels.dingtalk.notifier import DingTalkNotifier
from bot.channels.dingtalk.robot import DingTalkRobots
from bot.channels.registry import Built
from bot.core import Core
from config import Settings

__all__ = [
    "CALLBACK_PATH",
    "CAPABILITIES",
    "CHANNEL",
    "Delivery",
    "DingTalkNotifier",
    "build_dingtalk_app",
    "build_dingtalk_delivery",
    "build_dingtalk_notifier",
    "dingtalk_configured",
    "routes",
]


def dingtalk_configured(settings: Settings) -> bool:
    """Whether the app robot can run: app key and app secret are set (the robot code defaults to the app key)."""
    d = settings.dingtalk
    return bool(d.app_key and d.app_secret)


def _robot_code(settings: Settings) -> str:
    # An enterprise internal app's robot is addressed by the app's AppKey unless the console shows another code.
    return settings.dingtalk.robot_code or settings.dingtalk.app_key or ""


def build_dingtalk_delivery(core: Core) -> Delivery:
    """A Delivery on the configured app robot (when set) and custom robots (always: admins register them)."""
    d = core.settings.dingtalk
    api = None
    if dingtalk_configured(core.settings):
        api = DingTalkApi(api_base=d.api_base, oapi_base=d.oapi_base, app_key=d.app_key or "",
                          robot_code=_robot_code(core.settings),
                          app_secret=d.app_secret.get_secret_value())  # type: ignore[union-attr]
    return Delivery(core, api, DingTalkRobots(oapi_base=d.oapi_base))


def _callback(core: Core, handle: Handle, clock: Callable[[], datetime], delivery: Delivery | None) -> Callback:
    d = core.settings.dingtalk
    if not dingtalk_configured(core.settings):
        raise ValueError("DUBAN_DINGTALK__APP_KEY and DUBAN_DINGTALK__APP_SECRET must be set")
    inbox = Inbox(core, handle, delivery or build_dingtalk_delivery(core), clock=clock)
    return Callback(inbox, d.app_secret.get_secret_value())  # type: ignore[union-attr]


def routes(core: Core, handle: Handle, clock: Callable[[], datetime], *,
           delivery: Delivery | None = None) -> list[Route]:
    """The callback's route (``POST /dingtalk/callback``) for the process's one HTTP server."""
    return callback_routes(_callback(core, handle, clock, delivery))


def build_dingtalk_app(core: Core, handle: Handle, *, clock: Callable[[], datetime],
                       delivery: Delivery | None = None) -> Starlette:
    """The callback alone as a Starlette app, its inbox at ``app.state.inbox`` (tests, a separate server)."""
    return callback_app(_callback(core, handle, clock, delivery))


def build_dingtalk_notifier(core: Core, *, clock: Callable[[], datetime] | None = None,
                            delivery: Delivery | None = None) -> DingTalkNotifier:
    """The scheduler's Notifier for the ``dingtalk`` channel (not to be wrapped in the Telegram rate limiter)."""
    delivery = delivery or build_dingtalk_delivery(core)
    return DingTalkNotifier(delivery) if clock is None else DingTalkNotifier(delivery, clock=clock)


def build(core: Core, handle: Handle, clock: Callable[[], datetime], *, notifier: bool, http: bool,
          app: object = None) -> Built:
    """DingTalk's registry entry: the Notifier and the callback (POST /dingtalk/callback) when configured."""
    if not dingtalk_configured(core.settings):
        return Built(CAPABILITIES)
    return Built(CAPABILITIES, notifier=build_dingtalk_notifier(core, clock=clock) if notifier else None,
                 http=build_dingtalk_app(core, handle, clock=clock) if http else None)
