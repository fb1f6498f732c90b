"""Roles on every command, the help, people administration, unknown input, and the error-id apology."""

from __future__ import annotations

import logging
import re

import pytest

from tests.conversation.conftest import ADMIN, GROUP, LI, STRANGER, WANG, ZHANG, Talk, at, button_datas, texts

ADMIN_COMMANDS = [
    ("/invite 李康民", False),
    ("/person add 赵六 疾控股", False),
    ("/member add 李康民 疾控股", False),
    ("/member remove 张三 医政医管股", False),
    ("/people", False),
    ("/export", False),
    ("/stats", False),
    ("/reopen 11", False),
    ("/import", False),
    ("/approve 1", False),
    ("/subscribe all", True),
    ("/unsubscribe", True),
]


async def test_admin_commands_are_refused_to_officials(talk: Talk) -> None:
    for phrase, group in ADMIN_COMMANDS:
        replies = await talk(WANG, phrase, group=GROUP if group else None)
        if phrase.startswith("/approve"):
            assert texts(replies) == "没有这份延期申请。"  # deciding is per task: checked there
            continue
        assert texts(replies) == "只有管理员可以这样做。", phrase
        assert not any(r.file or r.photo or r.buttons for r in replies), phrase
    assert "赵六" not in await talk.text(ADMIN, "/people")


async def test_admin_buttons_are_refused_to_officials(talk: Talk) -> None:
    for data in ("io:sometoken", "ix:sometoken", "pg:ppl:0"):
        replies = await talk(WANG, press=data)
        assert texts(replies) == "只有管理员可以这样做。" and replies[0].toast


async def test_help_differs_for_admins_and_mentions_the_newest_table_rule(talk: Talk) -> None:
    official = await talk.text(WANG, "帮助")
    admin = await talk.text(ADMIN, "/help")
    assert "#11 指最新导入的表" in official and "/invite" not in official
    assert "/invite" in admin and "/subscribe" in admin
    assert "🔴 逾期" in official


async def test_help_in_english_mentions_the_newest_table_rule(talk: Talk) -> None:
    await talk(WANG, "/lang en")
    assert "#11 means the newest table" in await talk.text(WANG, "help")


async def test_people_and_memberships(talk: Talk) -> None:
    assert "张三 已加入 疾控股，并设为负责人" in await talk.text(ADMIN, "/member add 张三 疾控股 head")
    listing = await talk.text(ADMIN, "/people")
    assert "张三：医政医管股、疾控股（负责人）；telegram:2003" in listing
    assert "胡立军：—；未绑定" in listing
    assert "张三 已移出 医政医管股" in await talk.text(ADMIN, "/member remove 张三 医政医管股")
    assert "#11" not in await talk.text(ZHANG, "我的任务")
    assert "张三 不在 医政医管股" in await talk.text(ADMIN, "/member remove 张三 医政医管股")
    assert "没有找到股室「无此股」" in await talk.text(ADMIN, "/member add 张三 无此股")
    assert "用法：/member" in await talk.text(ADMIN, "/member add 张三")
    assert "人员 张三 已存在" in await talk.text(ADMIN, "/person add 张三")


async def test_people_list_is_paged(talk: Talk) -> None:
    for n in range(25):
        await talk(ADMIN, f"/person add 人员{n:02d}")
    first = await talk(ADMIN, "/people")
    assert "第 1/2 页" in first[0].text
    second = await talk(ADMIN, press=button_datas(first)["▶"])
    assert "第 2/2 页" in second[0].text and second[0].edit


async def test_unknown_text_is_answered_privately_and_ignored_in_groups(talk: Talk) -> None:
    assert "没听懂" in await talk.text(WANG, "今天天气怎么样")
    assert await talk(WANG, "今天天气怎么样", group=GROUP) == []
    assert await talk(WANG, "/nosuchcommand", group=GROUP) == []
    assert await talk(WANG, "/help@SomeOtherBot", group=GROUP) == []
    assert "查询" in await talk.text(WANG, "/help@DubanBot", group=GROUP)


async def test_stale_or_forged_buttons_get_a_toast(talk: Talk) -> None:
    for data in ("zz:1", "ack:notanumber", "pg:nope:1", ""):
        replies = await talk(WANG, press=data)
        assert [r.toast for r in replies] == ["这个按钮已失效。"]


async def test_a_document_without_import_gets_a_hint(talk: Talk) -> None:
    from bot.contracts import Attachment

    async def fetch() -> bytes:
        raise AssertionError("must not download")

    replies = await talk(ADMIN, "", attachment=Attachment("table.xlsx", 100, None, fetch))
    assert "/import" in texts(replies)


async def test_an_internal_error_gives_an_apology_with_an_id_and_logs_the_traceback(
    talk: Talk, caplog: pytest.LogCaptureFixture
) -> None:
    # A database whose tables are gone: every query fails inside SQLAlchemy, as a broken disk would.
    await talk.core.db.drop_all()
    with caplog.at_level(logging.ERROR, logger="duban.handlers"):
        replies = await talk(WANG, "我的任务")
    [reply] = replies
    found = re.search(r"错误编号 <code>([0-9a-f]{8})</code>", reply.text)
    assert found, reply.text
    assert "Traceback" not in reply.text and "sqlalchemy" not in reply.text.lower()
    [record] = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert record.exc_info is not None
    problem = str(record.exc_info[1]).lower()
    assert "no such table" in problem or "does not exist" in problem


async def test_unbound_stranger_cannot_use_admin_or_data_commands_in_groups(talk: Talk) -> None:
    await talk(ADMIN, "/subscribe all", group=GROUP)
    text = await talk.text(STRANGER, "逾期", group=GROUP)
    assert "还没有绑定到人员" in text and "#" not in text
    assert "还没有绑定到人员" in await talk.text(STRANGER, "/subscribe 疾控股", group=GROUP)
    assert "#1" in await talk.text(LI, "逾期", group=GROUP, now=at("2024-01-05"))
