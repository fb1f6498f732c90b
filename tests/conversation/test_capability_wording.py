"""The same help, not-bound reply, import usage and invite worded per channel, from each channel's capabilities:
Telegram (buttons, captions, t.me links), WeCom (no deep links, files without a caption; cards as buttons only
with DUBAN_WECOM__CARDS) and the console (plain text, numbered choices)."""

from __future__ import annotations

import pytest

from bot.channels.console import CAPABILITIES as CONSOLE
from bot.channels.telegram import CAPABILITIES as TELEGRAM
from bot.channels.wecom.capabilities import capabilities as wecom_capabilities
from bot.contracts import Capabilities, Chat, Request, Sender
from bot.core import Core
from handlers.app import handle
from tests.conversation.conftest import ADMIN, NOW, Talk, texts


def _wecom(core: Core, cards: bool) -> Capabilities:
    settings = core.settings.model_copy(update={"wecom": core.settings.wecom.model_copy(update={"cards": cards})})
    return wecom_capabilities(settings)


async def _say(core: Core, who: str, text: str, caps: Capabilities) -> str:
    channel, _, ident = who.partition(":")
    request = Request(sender=Sender(channel, ident, ident), chat=Chat(channel, ident, "private"), now=NOW, text=text,
                      bot_username="DubanBot", caps=caps)
    return texts(await handle(core, request))


async def test_help_and_the_unbound_reply_differ_per_channel(talk: Talk) -> None:
    core = talk.core
    telegram = await _say(core, "telegram:4040", "帮助", TELEGRAM)
    assert "签收、更新进度、办结、申请延期按钮" in telegram and "点击邀请链接" in telegram
    wecom = await _say(core, "wecom:zhangsan", "帮助", _wecom(core, cards=False))
    assert "按钮" not in wecom and "签收、进度、办结、延期的回复命令" in wecom
    assert "点击邀请链接" not in wecom and "「绑定 邀请码」" in wecom  # WeCom has no deep links
    cards = await _say(core, "wecom:zhangsan", "帮助", _wecom(core, cards=True))
    assert "申请延期按钮" in cards and "点击邀请链接" not in cards  # cards are buttons; still no links
    console = await _say(core, "console:guest", "help", CONSOLE)
    assert "按钮" not in console and "点击邀请链接" not in console
    assert len({telegram, wecom, console}) == 3
    for text in (telegram, wecom, cards, console):  # the detail line once named 时间节点、进度记录 twice
        assert "任务详情（时间节点、进度记录，以及" in text and text.count("时间节点、进度记录") == 1


async def test_import_instructions_follow_whether_a_file_carries_a_caption(talk: Talk) -> None:
    core = talk.core
    telegram = await _say(core, ADMIN, "帮助", TELEGRAM)
    assert "/import（以文件说明发送，或回复文件）" in telegram
    wecom = await _say(core, ADMIN, "帮助", _wecom(core, cards=True))
    assert "/import（直接发送文件，收到即给出预览）" in wecom and "文件说明" not in wecom
    assert "在文件说明里写" in await _say(core, ADMIN, "/import", TELEGRAM)
    usage = await _say(core, ADMIN, "/import", _wecom(core, cards=True))
    assert "直接发送任务表文件" in usage and "文件说明" not in usage


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_invite_link_comes_from_the_channel(talk: Talk, lang: str) -> None:
    core = talk.core
    if lang == "en":
        await _say(core, ADMIN, "/lang en", TELEGRAM)
    telegram = await _say(core, ADMIN, "/invite 王卫健", TELEGRAM)
    assert "https://t.me/DubanBot?start=" in telegram
    for caps in (_wecom(core, cards=True), CONSOLE):
        said = await _say(core, ADMIN, "/invite 王卫健", caps)
        assert "t.me" not in said and "<code>" in said
