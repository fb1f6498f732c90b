"""Admin commands in a group (issue 10, item 7): /export and /stats cover the group's sections, the rest go private.

A group is read by all its members: in a group subscribed to 医政医管股 (#11's section, 5 tasks of the 2023
table) /export holds only that section's tasks and /stats only its row; in a group subscribed to nothing
both say so in one line; every command that reveals people, accounts, invites or whole tables, or changes
them, answers "use this in a private chat" and changes nothing.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.db.models import Invite, Person, PendingImport, Task, TaskEvent
from handlers.router import button_data
from tests.conversation.conftest import ADMIN, GROUP, WANG, Talk, texts
from tests.conversation.test_import_export import Upload

PRIVATE = "请在与机器人的私聊中使用"
NOT_SUBSCRIBED = "本群还没有订阅任何股室"


def _ledger_numbers(data: bytes) -> list[str]:
    """The 序号 of every task row in a ledger workbook (rows below the title and header)."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    numbers = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=4, max_col=1, values_only=True):
            if row[0] is not None:
                numbers.append(str(row[0]))
    return numbers


async def _subscribed(talk: Talk) -> None:
    assert "已订阅：医政医管股" in await talk.text(ADMIN, "/subscribe 医政医管股", group=GROUP)


async def test_export_in_a_group_holds_only_its_sections_tasks(talk: Talk) -> None:
    [private] = await talk(ADMIN, "/export")
    assert private.file is not None
    everything = _ledger_numbers(private.file.data)
    assert len(everything) > 40
    await _subscribed(talk)
    [scoped] = await talk(ADMIN, "/export", group=GROUP)
    assert scoped.file is not None and "医政医管股" in scoped.text
    numbers = _ledger_numbers(scoped.file.data)
    async with talk.core.db.session() as session:
        from bot.db.models import Section, TaskSection

        wanted = sorted(
            (await session.scalars(
                select(Task.no).join(TaskSection, TaskSection.task_id == Task.id)
                .join(Section, Section.id == TaskSection.section_id).where(Section.name == "医政医管股")
            )).all()
        )
    assert sorted(numbers) == wanted and "11" in numbers and len(numbers) == 5


async def test_stats_in_a_group_shows_only_its_sections(talk: Talk) -> None:
    private = await talk.text(ADMIN, "/stats")
    assert "疾控股" in private and "医政医管股" in private
    await _subscribed(talk)
    replies = await talk(ADMIN, "/stats", group=GROUP)
    assert len(replies) == 2 and replies[1].photo is not None
    summary = replies[0].text
    assert "医政医管股" in summary and "疾控股" not in summary and "基层卫生健康股" not in summary
    assert "共 5 项" in summary or "5" in summary


@pytest.mark.parametrize("command", ["/export", "/stats"])
async def test_export_and_stats_in_an_unsubscribed_group_say_so(talk: Talk, command: str) -> None:
    replies = await talk(ADMIN, command, group=GROUP)
    assert len(replies) == 1 and replies[0].file is None and replies[0].photo is None
    assert NOT_SUBSCRIBED in replies[0].text


async def _state(talk: Talk) -> tuple[int, int, int, int]:
    async with talk.core.db.session() as session:
        counts = []
        for model in (Person, Invite, PendingImport, TaskEvent):
            counts.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
    return tuple(counts)  # type: ignore[return-value]


GROUP_REFUSED = [
    "/people",
    "/invite 李康民",
    "/person add 赵六 医政医管股",
    "/member add 王卫健 疾控股",
    "/member remove 王卫健 医政医管股",
    "/assign 11 李康民 疾控股",
    "指派 11 李康民 疾控股",
    "/columns B=类别,C=任务",
    "/approve 1",
    "/reject 1",
    "/export 模板",
    "/group list",
    "/group add wecom 疾控股 693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
]


@pytest.mark.parametrize("subscribed", [True, False], ids=["subscribed", "unsubscribed"])
async def test_commands_revealing_people_or_whole_tables_answer_use_a_private_chat(
    talk: Talk, fixtures_dir, subscribed: bool  # type: ignore[no-untyped-def]
) -> None:
    if subscribed:
        await _subscribed(talk)
    # An extension request to decide, so /approve 1 would otherwise work.
    assert "申请" in await talk.text(WANG, "延期 11 2023-12-15 设备未到")
    before = await _state(talk)
    for command in GROUP_REFUSED:
        replies = await talk(ADMIN, command, group=GROUP)
        assert [r.text for r in replies] == [PRIVATE + "这个命令。"], (command, texts(replies))
        assert all(r.file is None for r in replies)
    xlsx = (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()
    upload = Upload("t.xlsx", xlsx)
    assert PRIVATE in await talk.text(ADMIN, "/import", group=GROUP, attachment=upload.attachment)
    assert upload.fetched == 0
    for name in ("import_confirm", "import_cancel"):
        [pressed] = await talk(ADMIN, group=GROUP, press=button_data(name, "sometoken"))
        assert PRIVATE in pressed.text and pressed.toast
    assert await _state(talk) == before
    # Outside the group the same commands work.
    assert "王卫健" in await talk.text(ADMIN, "/people")
    assert "已批准 #11 延期" in await talk.text(ADMIN, "/approve 1")


@pytest.mark.parametrize("subscribed", [True, False], ids=["subscribed", "unsubscribed"])
async def test_group_safe_admin_commands_keep_to_the_groups_sections(talk: Talk, subscribed: bool) -> None:
    if subscribed:
        await _subscribed(talk)
    assert "已办结" in await talk.text(WANG, "完成 11 已验收")
    # /reopen works in a group only on a task the group sees.
    said = await talk.text(ADMIN, "/reopen 11 复查", group=GROUP)
    assert ("已重新打开" in said) if subscribed else ("没有找到" in said), said
    said = await talk.text(ADMIN, "/reopen 1 复查", group=GROUP)  # #1 is not 医政医管股's
    assert "没有找到" in said, said
    # /subscribe without arguments shows what the group follows.
    shown = await talk.text(ADMIN, "/subscribe", group=GROUP)
    assert ("医政医管股" in shown) if subscribed else ("没有订阅" in shown)


async def test_a_non_admin_in_a_group_is_told_admins_only_first(talk: Talk) -> None:
    for command in ("/people", "/export", "/stats"):
        assert "只有管理员" in await talk.text(WANG, command, group=GROUP)


async def test_invite_and_member_quote_only_a_short_prefix_of_an_unknown_name(talk: Talk) -> None:
    for name, shown in (("李" * 4000, "李"), ("&" * 4000, "&amp;")):
        for command in (f"/invite {name}", f"/member add {name} 疾控股"):
            replies = await talk(ADMIN, command)
            assert len(replies) == 1, command[:20]
            said = replies[0].text
            assert shown * 20 in said and shown * 31 not in said, (command[:20], said[:400])
