"""Hardening of the conversation against hostile input (issue 10): unsubscribed groups, huge numbers, echoes."""

from __future__ import annotations

from tests.conversation.conftest import ADMIN, GROUP, WANG, Talk, texts


async def test_task_and_done_in_an_unsubscribed_group_answer_normally(talk: Talk) -> None:
    for phrase in ("#1", "完成 1", "#11", "签收 11"):
        said = await talk.text(WANG, phrase, group=GROUP)
        assert "出错" not in said and "错误" not in said, (phrase, said)
        assert "没有找到" in said or "找不到" in said or said == "", (phrase, said)


BIG = "99999999999999999999"


async def test_numbers_beyond_64_bits_are_not_found(talk: Talk) -> None:
    for phrase in (f"#{BIG}/1", f"#{BIG}", f"#1/{BIG}", f"/approve {BIG}", f"/reject {BIG}", f"签收 {BIG}",
                   f"进度 {BIG}/1 50% 好", f"/reopen {BIG}"):
        said = await talk.text(ADMIN, phrase)
        assert "抱歉" not in said, (phrase, said)
        assert "没有" in said or "找不到" in said, (phrase, said)
    for data in (f"t:{BIG}", f"ack:{BIG}", f"xa:{BIG}", f"dk:{BIG}", f"pg:sec:0:{BIG}", f"pg:ldr:0:{BIG}",
                 f"pg:my:{BIG}"):
        replies = await talk(ADMIN, press=data)
        assert "抱歉" not in texts(replies), (data, texts(replies))


async def test_a_reply_quotes_only_a_short_prefix_of_what_was_typed(talk: Talk) -> None:
    for phrase in ("#" + "&" * 4000, "签收 " + "&" * 4000, "/section " + "股" * 4000, "/leader " + "李" * 4000,
                   "/person add " + "&" * 4000):
        replies = await talk(ADMIN, phrase)
        assert len(replies) == 1, phrase[:20]
        assert len(replies[0].text) < 300, (phrase[:20], replies[0].text[:400])


async def test_unknown_section_in_subscribe_is_quoted_short(talk: Talk) -> None:
    said = await talk.text(ADMIN, "/subscribe " + "疾" * 5000, group=GROUP)
    assert "疾" * 31 not in said and "已知股室" in said


async def test_notes_reasons_and_names_have_length_limits(talk: Talk) -> None:
    note = "很" * 100_000
    said = await talk.text(WANG, f"进度 11 50% {note}")
    assert "最多 2000 个字" in said and "100000" in said and len(said) < 300
    assert "最多 500 个字" in await talk.text(WANG, "延期 11 2023-12-15 " + "因" * 501)
    assert "最多 500 个字" in await talk.text(WANG, "完成 11 " + "证" * 501)
    assert "姓名太长" in await talk.text(ADMIN, "/person add " + "赵" * 61)
    detail = await talk.text(WANG, "#11")
    assert "很很很很很很" not in detail  # nothing was stored
    assert "已记录" in await talk.text(WANG, "进度 11 50% " + "好" * 2000)


async def test_names_are_normalised_so_no_lookalike_person_can_be_made(talk: Talk) -> None:
    assert "已新增人员" in await talk.text(ADMIN, "/person add 赵六")
    for lookalike in ("赵\u200b六", "\u202e赵六", "赵 六", "赵\u3000六", "赵六\u200d"):
        said = await talk.text(ADMIN, f"/person add {lookalike}")
        assert "已新增人员" not in said, (lookalike, said)
    assert "已新增人员" in await talk.text(ADMIN, "/person add ＡＢ")
    assert "已新增人员" not in await talk.text(ADMIN, "/person add AB")


async def test_digits_that_are_not_decimal_are_no_numbers(talk: Talk) -> None:
    # ① and ² are digits to str.isdigit() but int() refuses them: they must be read as text, never crash.
    for phrase in ("#①", "签收 ①", "完成 ²", "进度 ① 50% 好", "/assign ① 李康民", "①"):
        said = await talk.text(ADMIN, phrase)
        assert "抱歉" not in said, (phrase, said)
