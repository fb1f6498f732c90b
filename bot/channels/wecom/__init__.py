"""The WeCom (企业微信) channel: the self-built app (callback in, message/send out) and the group robot.

The composition root calls ``build_wecom_app`` (the callback URL as a Starlette app, whose routes and
lifespan ``duban run``'s one HTTP server takes in, see ``bot.http``) and ``build_wecom_notifier`` (the
scheduler's Notifier). Both share one ``Delivery`` per core (kept in the core's ``channel_state`` slot for
``wecom``), so answers and notices to a member wait on the same per-member limit and the same access token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette

from bot.channels.wecom.api import WeComApi
from bot.channels.wecom.callback import CALLBACK_PATH, Handle, Inbox, callback_app
from bot.channels.wecom.crypto import WeComCrypto, WeComCryptoError
from bot.channels.wecom.capabilities import CAPABILITIES, capabilities
from bot.channels.wecom.delivery import CHANNEL, Delivery, Limits
from bot.channels.wecom.notifier import WeComNotifier
from bot.channels.wecom.robot import WeComRobot
from bot.channels.registry import Built
from bot.core import Core
from config import Settings

__all__ = [
    "CALLBACK_PATH",
    "CAPABILITIES",
    "CHANNEL",
    "Delivery",
    "Limits",
    "WeComCryptoError",
    "WeComNotifier",
    "build_wecom_app",
    "build_wecom_delivery",
    "build_wecom_notifier",
    "wecom_app_configured",
    "wecom_callback_configured",
]

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
    found = core.channel_state.get(CHANNEL)
    if isinstance(found, Delivery):
        return found
    core.capabilities.setdefault(CHANNEL, capabilities(core.settings))
    w = core.settings.wecom
    api = None
    if wecom_app_configured(core.settings):
        api = WeComApi(base_url=w.base_url, corp_id=w.corp_id or "", secret=w.secret.get_secret_value(),  # type: ignore[union-attr]
                       agent_id=int(w.agent_id or 0))
    robot = WeComRobot(base_url=w.base_url, key=w.robot_key.get_secret_value()) if w.robot_key else None
    delivery = Delivery(core, api, robot, limits=limits or Limits())
    core.channel_state[CHANNEL] = delivery
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



def build(core: Core, handle: Handle, clock: Callable[[], datetime], *, notifier: bool, http: bool,
          app: object = None) -> Built:
    """WeCom's registry entry: the Notifier (app messages or a robot) and the callback, on one shared Delivery."""
    caps = capabilities(core.settings)
    w = core.settings.wecom
    sends = wecom_app_configured(core.settings) or w.robot_key is not None
    return Built(caps, notifier=build_wecom_notifier(core, clock=clock) if notifier and sends else None,
                 http=build_wecom_app(core, handle, clock=clock) if http and wecom_callback_configured(core.settings) else None)
