"""The channel registry: every platform's ONE builder; the composition root loops over the configured ones.

Adding a platform = its package under ``bot/channels/<name>/`` (with a ``build`` function returning ``Built``),
one entry in ``PLATFORMS``, its settings (config/settings.py) and its texts (bot/texts/{zh,en}/<name>.py).
A platform's package is imported only when its settings configure it, so a console run loads no HTTP stack.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Any, Protocol

from bot.contracts import Capabilities, Notifier, Reply, Request
from bot.core import Core
from config import Settings

Handle = Callable[[Core, Request], Awaitable[list[Reply]]]
Clock = Callable[[], datetime]


@dataclass(slots=True)
class Built:
    """What one platform gives the process: its abilities, the scheduler's Notifier, what it serves on the one HTTP
    server (a Starlette app or a list of routes), and an application the root runs beside it (Telegram's)."""

    capabilities: Capabilities
    notifier: Notifier | None = None
    http: Any = None
    app: Any = None


class Builder(Protocol):
    """A platform's builder: ``notifier``/``http`` say which parts to make; ``app`` reuses one made before."""

    def __call__(self, core: Core, handle: Handle, clock: Clock, *, notifier: bool, http: bool,
                 app: Any = None) -> Built: ...


@dataclass(frozen=True, slots=True)
class Platform:
    """One registry entry: the channel name, whether settings configure it, and where its builder lives."""

    name: str
    configured: Callable[[Settings], bool]
    builder: str  # "module:function", imported only when configured
    # "module:name" of its Capabilities, or of a function of the settings that gives them (a light module: every
    # platform's abilities are recorded at start, configured or not, so nothing is routed where none can read it).
    abilities: str
    # Whether the scheduler's Telegram-style rate limiter wraps its Notifier (others keep their platform's caps).
    rate_limited: bool = False

    def build(self, core: Core, handle: Handle, clock: Clock, *, notifier: bool = True, http: bool = True,
              app: Any = None) -> Built:
        """Build this platform's parts and record its abilities on ``core``."""
        module, _, function = self.builder.partition(":")
        built: Built = getattr(import_module(module), function)(core, handle, clock, notifier=notifier, http=http, app=app)
        core.capabilities[self.name] = built.capabilities
        return built

    def capabilities(self, settings: Settings) -> Capabilities:
        """This platform's abilities under ``settings``, without building (or importing) its adapter."""
        module, _, name = self.abilities.partition(":")
        found = getattr(import_module(module), name)
        return found if isinstance(found, Capabilities) else found(settings)


def _wecom(settings: Settings) -> bool:
    w = settings.wecom
    return bool((w.corp_id and w.agent_id is not None and w.secret) or w.robot_key is not None
                or (w.corp_id and w.token and w.encoding_aes_key))


def _dingtalk(settings: Settings) -> bool:
    d = settings.dingtalk
    return bool(d.app_key and d.app_secret)


PLATFORMS: tuple[Platform, ...] = (
    Platform("console", lambda settings: True, "bot.channels.console:build", "bot.channels.console:CAPABILITIES"),
    # Telegram's CAPABILITIES (bot.channels.telegram) is the rich record; naming it there would load PTB.
    Platform("telegram", lambda settings: settings.telegram.token is not None, "bot.channels.telegram:build",
             "bot.contracts.capabilities:RICH", rate_limited=True),
    Platform("wecom", _wecom, "bot.channels.wecom:build", "bot.channels.wecom.capabilities:capabilities"),
    Platform("dingtalk", _dingtalk, "bot.channels.dingtalk:build", "bot.channels.dingtalk.capabilities:CAPABILITIES"),
)


def record_capabilities(core: Core) -> None:
    """Record every platform's abilities on ``core`` before anything is built (the scheduler routes by them:
    no notice goes to a channel that cannot reach someone who is not typing)."""
    core.capabilities.update({platform.name: platform.capabilities(core.settings) for platform in PLATFORMS})


def configured(settings: Settings) -> list[Platform]:
    """The platforms ``settings`` configure, in registry order."""
    return [platform for platform in PLATFORMS if platform.configured(settings)]
