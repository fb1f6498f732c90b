"""The channel registry: one builder per platform, only the configured ones built, each recording its abilities
on the core; WeCom's answers and notices share one Delivery through the core's channel slot."""

from __future__ import annotations

from pydantic import SecretStr

from bot.app import _http_channels, _notifiers
from bot.channels.console import CAPABILITIES as CONSOLE
from bot.channels.dingtalk.capabilities import CAPABILITIES as DINGTALK
from bot.channels.registry import PLATFORMS, configured
from bot.channels.wecom import build_wecom_delivery
from bot.core import Core
from config import Settings
from handlers.app import handle


def test_each_platform_has_one_entry_and_settings_choose_the_built_ones() -> None:
    assert [p.name for p in PLATFORMS] == ["console", "telegram", "wecom", "dingtalk"]
    assert [p.name for p in configured(Settings(_env_file=None))] == ["console"]  # type: ignore[call-arg]
    every = Settings(_env_file=None, telegram={"token": "1:x"}, wecom={"robot_key": "k"},  # type: ignore[call-arg]
                     dingtalk={"app_key": "a", "app_secret": "s"})
    assert [p.name for p in configured(every)] == ["console", "telegram", "wecom", "dingtalk"]
    from bot.channels.telegram import CAPABILITIES as TELEGRAM

    recorded = {p.name: p.capabilities(every) for p in PLATFORMS}
    assert recorded["telegram"] == TELEGRAM and recorded["console"] == CONSOLE and recorded["dingtalk"] == DINGTALK
    assert {name for name, caps in recorded.items() if not caps.reach_idle} == {"console"}


async def test_the_root_builds_the_configured_channels_and_records_their_abilities(core: Core) -> None:
    core.settings.wecom.robot_key = SecretStr("robot-key")
    core.settings.wecom.cards = False
    core.settings.dingtalk.app_key, core.settings.dingtalk.app_secret = "key", SecretStr("secret")
    notifiers, app = _notifiers(core)
    assert sorted(notifiers) == ["dingtalk", "wecom"] and app is None
    assert core.capabilities["console"] == CONSOLE and core.capabilities["dingtalk"] == DINGTALK
    wecom = core.capabilities["wecom"]
    assert not wecom.buttons and not wecom.deep_links and not wecom.file_caption  # cards off: typed commands
    assert core.caps("telegram").deep_links  # not configured: a rich chat's wording by default
    assert core.channel_state["wecom"] is build_wecom_delivery(core)  # one Delivery per core, no module global
    assert len(_http_channels(core, handle, None)) == 1  # DingTalk's callback; WeCom's needs its token and key
    await build_wecom_delivery(core).aclose()
