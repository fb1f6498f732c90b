"""The same conversation over every channel, from one table of cases (issue 11).

Each case is what people type or press and what the reply must say (its meaning, not any platform's markup); it
runs over the console, Telegram, WeCom and DingTalk end to end over their real transports (see every_channel.py).
A new platform is one adapter class in ADAPTERS. The database holds the bundled 2023 沅江 sample table; 王卫健's
account is bound on the channel, 李康民 has an invite code, and the clock is Friday 2023-10-27 09:00 (Shanghai)
unless a case sets another: #11 (王卫健, 医政医管股) is due 2023-10-31, one working day overdue on 2023-11-01.
A step with ``when`` runs only where the channel's recorded capabilities match (wording that differs by design); a
case's ``known_gaps`` mark a divergence found and not yet fixed as a strict xfail on those channels.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import sample_table
from bot.core import Core
from bot.db.models import Person
from bot.services.accounts import bind, create_invite
from bot.services.imports import apply_import, prepare_import
from config import Settings
from tests.channels.every_channel import ADAPTERS, Adapter, local
from tests.channels.telegram_harness import Clock

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

NOW = local("2023-10-27")
# Markup or entities no member may see: a reply showing one was mangled on the way.
RAW_MARKUP = ("<b>", "</", "<a ", "&lt;", "&gt;", "&amp;", "&quot;")
NEXT_PAGE = ("▶", "下一页")  # Telegram and the console show an arrow; typed channels name it


@dataclass(frozen=True)
class Step:
    """One thing ``who`` types (``text``) or presses (``press``: a button's label, in any channel's words).

    ``has`` must all appear in the reply and ``lacks`` none; ``{code}``, ``{channel}`` and ``{wang}``/``{stranger}``
    (the accounts' ids on the channel) are filled in per channel.
    """

    who: str
    text: str = ""
    press: tuple[str, ...] = ()
    has: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    keep: str = ""  # a pattern whose named groups later steps use, e.g. a code the reply gave
    when: str = ""  # only where the channel has this capability ("!name": only where it lacks it)


@dataclass(frozen=True)
class Case:
    """A named conversation: its steps and the local day (09:00) it happens on."""

    id: str
    steps: tuple[Step, ...]
    day: str = "2023-10-27"
    known_gaps: tuple[tuple[str, str], ...] = ()  # (channel, why): a known divergence, expected to fail there

    @property
    def buttons(self) -> bool:
        """Whether the case presses a button (skipped on a channel without any)."""
        return any(step.press for step in self.steps)


WANG_PAGE_1 = ("#11", "#4", "#5", "#6", "#7", "#9", "#10", "#12", "#13", "#18")
CASES = (
    Case("bind-with-start-code", (
        Step("li", "/start {code}", has=("绑定成功", "李康民")),
        Step("li", "/whoami", has=("李康民", "{channel}:")),
        Step("li", "我的任务", has=("我的任务（共 9 项）", "#15", "#1 ", "#23"), lacks=("#11 ",)),
    )),
    Case("bind-with-phrase", (
        Step("li", "绑定 {code}", has=("绑定成功：你是 李康民",)),
        Step("li", "我的任务", has=("我的任务（共 9 项）", "#8 ", "#21"), lacks=("还没有绑定",)),
    )),
    Case("admin-invites-then-bind", (
        Step("admin", "/invite 李康民", has=("已为 李康民 生成邀请码", "有效期至 2023-11-03 09:00", "仅可使用一次"),
             keep=r"生成邀请码：(?P<fresh>[A-Za-z0-9_-]{8,})"),
        Step("admin", "/invite 李康民", when="deep_links", has=("或直接打开：https://", "?start=")),
        Step("admin", "/invite 李康民", when="!deep_links", lacks=("或直接打开", "?start=")),
        Step("li", "绑定 {fresh}", has=("绑定成功：你是 李康民",)),
        Step("stranger", "/start {fresh}", lacks=("绑定成功",)),
        Step("stranger", "/whoami", lacks=("李康民",)),
    )),
    Case("bind-with-a-wrong-code", (
        Step("li", "绑定 WRONG0CODE", lacks=("绑定成功",)),
        Step("li", "我的任务", has=("还没有绑定到人员",), lacks=("#15",)),
    )),
    Case("my-tasks", (
        Step("wang", "我的任务", has=("我的任务（共 11 项），第 1/2 页", "牵头领导", *WANG_PAGE_1,
                                       "🟡 #11 加强急诊急救能力建设 · 2023-10-31 剩 2 个工作日",
                                       "🟢 #4 加快推进全市紧密型医共体建设"), lacks=("#33", "#15")),
    )),
    Case("my-tasks-next-page", (
        Step("wang", "我的任务", has=("第 1/2 页",)),
        Step("wang", press=NEXT_PAGE, has=("第 2/2 页", "#33 强化内部审计"), lacks=("#11 ",)),
    )),
    Case("task-detail", (
        Step("wang", "#11", has=("#11 加强急诊急救能力建设", "10月底前完成人民医院胸痛中心建设", "牵头领导：王卫健",
                                 "牵头股室：医政医管股", "相关责任单位：人民医院", "2023-10-31 剩 2 个工作日",
                                 "暂无记录")),
    )),
    Case("ack-then-detail", (
        Step("wang", "签收 11", has=("已签收 #11 加强急诊急救能力建设",)),
        Step("wang", "#11", has=("2023-10-27 09:00 王卫健（{channel}）签收",), lacks=("暂无记录",)),
    )),
    Case("ack-by-button", (
        Step("wang", "#11", has=("暂无记录",)),
        Step("wang", press=("签收",), has=("已签收 #11",)),
        Step("wang", "#11", has=("王卫健（{channel}）签收",)),
    )),
    Case("ack-is-once-and-only-for-those-who-see-the-task", (
        Step("wang", "签收 11", has=("已签收 #11",)),
        Step("wang", "签收 11", has=("你已签收过 #11",)),
        Step("wang", "#11", has=("王卫健（{channel}）签收",)),
        Step("wang", press=("签收",), has=("你已签收过 #11",)),
        Step("li", "绑定 {code}", has=("绑定成功：你是 李康民",)),
        Step("li", "签收 11", has=("没有找到你可查看的任务 #11",), lacks=("已签收",)),
        Step("li", "进度 11 10% 越权填报", has=("没有找到你可查看的任务 #11",), lacks=("已记录",)),
        Step("wang", "#11", has=("王卫健（{channel}）签收",), lacks=("越权填报", "李康民")),
    )),
    Case("buttons-say-what-to-type", (  # 更新进度 and 申请延期 cannot carry the text: they explain, record nothing
        Step("wang", "#11", has=("暂无记录",)),
        Step("wang", press=("更新进度",), has=("进度 11",), lacks=("已记录",)),
        Step("wang", "#11", has=("暂无记录",)),
        Step("wang", press=("申请延期",), has=("延期 11",)),
    )),
    Case("progress-then-detail", (
        Step("wang", "进度 11 50% 胸痛中心已通过初审", has=("已记录 #11 的进度：50%，胸痛中心已通过初审",)),
        Step("wang", "#11", has=("50%", "胸痛中心已通过初审", "王卫健（{channel}）"), lacks=("暂无记录",)),
    )),
    Case("progress-keeps-the-note-as-typed", (
        Step("wang", "进度 11 30% 审核<初稿>&预算 \"A&B\"", has=("审核<初稿>&预算 \"A&B\"",)),
        Step("wang", "#11", has=("30%", "审核<初稿>&预算 \"A&B\""),),
    )),
    Case("progress-refuses-bad-input", (
        Step("wang", "进度 11 150% 乱填", has=("百分比应在 0 到 100 之间（收到 150%）",), lacks=("已记录",)),
        Step("wang", "进度 99 10%", has=("没有找到你可查看的任务 #99",)),
        Step("wang", "#11", has=("暂无记录",), lacks=("乱填",)),
    )),
    Case("done-then-detail", (
        Step("wang", "办结 11 胸痛中心已通过验收", has=("#11 加强急诊急救能力建设 已办结",)),
        Step("wang", "#11", has=("✅ #11 加强急诊急救能力建设", "状态：已办结",
                                 "王卫健（{channel}）办结：胸痛中心已通过验收")),
        Step("wang", "我的任务", has=("我的任务（共 10 项）", "#33"), lacks=("#11 ",)),
    )),
    Case("english", (
        Step("wang", "/lang en", has=("Language set to English",)),
        Step("wang", "/mytasks", has=("My tasks (11", "As lead leader",
                                      "#11 加强急诊急救能力建设 · 2023-10-31, 2 working days left"),
             lacks=("我的任务",)),
        Step("wang", "/help", has=("ack 11", "progress 11 50%", "overdue")),
    )),
    Case("overdue", (
        Step("wang", "逾期", has=("逾期任务（共 1 项）", "#11 加强急诊急救能力建设 · 2023-10-31 逾期 1 个工作日"),
             lacks=("#37",)),
        Step("admin", "逾期", has=("逾期任务（共 2 项）", "#37 提升支部建设质量", "#11 ")),
    ), day="2023-11-01"),
    Case("nothing-overdue", (
        Step("wang", "逾期", has=("没有逾期任务",), lacks=("#11",)),
    )),
    Case("due-this-week", (
        Step("wang", "本周到期", has=("本周到期（共 1 项）", "#11 加强急诊急救能力建设 · 2023-10-31 剩 1 个工作日"),
             lacks=("#4 ",)),
    ), day="2023-10-30"),
    Case("help-arrives-whole", (  # longer than WeCom's 2,048 bytes: split, never cut
        Step("wang", "帮助", has=("查询\n我的任务（/mytasks）", "逾期（/overdue）；本周到期（/week）", "签收 11（/ack 11）",
                                  "进度 11 50% 已完成方案起草", "延期 11 2023-12-15 理由", "/whoami 查看绑定",
                                  "标记：🔴 逾期　🟡 落后于序时进度　🔵 5 个工作日内到期　🟢 正常　✅ 已办结")),
    )),
    Case("help-words-the-task-actions-as-the-channel-offers-them", (
        Step("wang", "帮助", when="buttons", has=("以及签收、更新进度、办结、申请延期按钮",)),
        Step("wang", "帮助", when="!buttons", has=("以及签收、进度、办结、延期的回复命令",), lacks=("申请延期按钮",)),
    )),
    Case("typed-with-a-chinese-keyboard", (  # full-width ＃ and ％, no space after the verb
        Step("wang", "＃11", has=("#11 加强急诊急救能力建设", "牵头领导：王卫健")),
        Step("wang", "签收11", has=("已签收 #11",)),
        Step("wang", "进度 11 60％ 全角百分号", has=("已记录 #11 的进度：60%，全角百分号",)),
    )),
    Case("unknown-command", (
        Step("wang", "/frobnicate", has=("没听懂",)),
        Step("wang", "今天天气怎么样", has=("没听懂", "帮助")),
    )),
    Case("unbound-account", (
        Step("stranger", "我的任务", has=("{channel}:{stranger}", "还没有绑定到人员", "绑定 邀请码"),
             lacks=("#11",)),
        Step("stranger", "#11", has=("还没有绑定到人员",), lacks=("加强急诊急救能力建设",)),
        Step("stranger", "我的任务", when="deep_links", has=("点击邀请链接",)),
        Step("stranger", "我的任务", when="!deep_links", lacks=("点击邀请链接",)),  # no link to tap there
    )),
    Case("people-is-for-admins", (
        Step("wang", "/people", has=("只有管理员可以这样做",), lacks=("李康民", "未绑定")),
        Step("admin", "/people", has=("人员（共 5 人）", "李康民：—；未绑定", "王卫健：—；{channel}:{wang}")),
    )),
)


# ---- fixtures ----------------------------------------------------------------------------------------------


@pytest.fixture
async def fake(channel: type[Adapter]) -> AsyncIterator[Any]:
    """The channel's fake platform on 127.0.0.1 (none for the console)."""
    async with channel.transport() as server:
        yield server


@pytest.fixture
def settings(channel: type[Adapter], fake: Any) -> Settings:
    """Settings for that channel (overrides the shared fixture)."""
    return channel.settings(fake)


@pytest.fixture
async def invite(core: Core, channel: type[Adapter]) -> str:
    """The sample table imported, 王卫健 bound on the channel; a one-time code for 李康民."""
    name, data = sample_table()
    imported = NOW - timedelta(days=30)
    async with core.db.session() as session:
        preview = await prepare_import(session, data, name, now=imported)
        await apply_import(session, preview, now=imported, actor="console:admin")
    async with core.db.session() as session:
        wang = await session.scalar(select(Person).where(Person.name == "王卫健"))
        li = await session.scalar(select(Person).where(Person.name == "李康民"))
        assert wang is not None and li is not None
        await bind(session, channel.name, channel.accounts["wang"], wang, now=imported)
        return (await create_invite(session, li, created_by="console:admin", now=NOW)).code


# ---- the table over every channel --------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ADAPTERS, ids=lambda adapter: adapter.name)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
async def test_the_conversation(case: Case, channel: type[Adapter], core: Core, fake: Any, invite: str,
                                request: pytest.FixtureRequest) -> None:
    if case.buttons and not channel.buttons:
        pytest.skip(f"{channel.name} has no buttons")
    for gap in (why for name, why in case.known_gaps if name == channel.name):
        request.applymarker(pytest.mark.xfail(reason=gap, strict=True, raises=AssertionError))
    fill = {"code": invite, "channel": channel.name, **channel.accounts}
    clock = Clock(local(case.day))
    async with channel(core, fake, clock).running() as adapter:
        caps = core.caps(channel.name)  # as the channel recorded them when built
        for number, step in enumerate(case.steps, 1):
            if step.when and getattr(caps, step.when.lstrip("!")) == step.when.startswith("!"):
                continue
            if step.press:
                reply = await adapter.press(step.who, step.press)
            else:
                reply = await adapter.say(step.who, step.text.format(**fill))
            where = f"{channel.name}, step {number} ({step.text or step.press}):\n{reply}"
            assert reply.strip(), f"no reply: {where}"
            assert not [m for m in RAW_MARKUP if m in reply], f"markup shown: {where}"
            for wanted in step.has:
                assert wanted.format(**fill) in reply, f"{wanted.format(**fill)!r} missing: {where}"
            for unwanted in step.lacks:
                assert unwanted.format(**fill) not in reply, f"{unwanted.format(**fill)!r} shown: {where}"
            if step.keep:
                found = re.search(step.keep, reply)
                assert found, f"{step.keep!r} not found: {where}"
                fill |= found.groupdict()


def test_the_table_covers_what_issue_11_names() -> None:
    typed = " ".join(step.text for case in CASES for step in case.steps)
    for needed in ("/invite 李康民", "/start {code}", "绑定 {code}", "我的任务", "#11", "签收 11", "进度 11 50%", "逾期",
                   "本周到期", "帮助", "/frobnicate", "/people"):
        assert needed in typed, needed
    assert {adapter.name for adapter in ADAPTERS} == {"console", "telegram", "wecom", "dingtalk"}
    assert any(case.buttons for case in CASES)
