"""签收, 进度, 办结, 延期 and reopen: who may, what is stored, what the audit trail and the outbox hold."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import ExtensionRequest, Milestone, OutboxMessage, Task, TaskEvent
from tests.conversation.conftest import ADMIN, GROUP, LI, NOW, WANG, ZHANG, Talk, button_datas, texts


async def _task(talk: Talk, no: str) -> Task:
    async with talk.core.db.session() as session:
        task = await session.scalar(select(Task).where(Task.no == no))
        assert task is not None
        return task


async def _events(talk: Talk, no: str) -> list[TaskEvent]:
    async with talk.core.db.session() as session:
        task_id = await session.scalar(select(Task.id).where(Task.no == no))
        rows = await session.scalars(select(TaskEvent).where(TaskEvent.task_id == task_id).order_by(TaskEvent.id))
        return list(rows)


async def _outbox(talk: Talk) -> list[OutboxMessage]:
    async with talk.core.db.session() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def _milestone(talk: Talk, no: str) -> Milestone:
    task = await _task(talk, no)
    async with talk.core.db.session() as session:
        found = await session.scalar(select(Milestone).where(Milestone.task_id == task.id, Milestone.kind == "dated"))
        assert found is not None
        return found


async def test_ack_by_people_responsible_and_admins_is_recorded_once_each(talk: Talk) -> None:
    for who, phrase, again in (
        (WANG, "签收 11", "签收11"),
        (ZHANG, "ack 11", "ack #11"),
        (ADMIN, "/ack 11", "/ack 11"),
    ):
        assert "已签收 #11" in await talk.text(who, phrase)
        assert "已签收过 #11" in await talk.text(who, again)
    events = await _events(talk, "11")
    assert [(e.kind, e.actor, e.channel, e.created_at) for e in events] == [
        ("ack", WANG, "telegram", NOW),
        ("ack", ZHANG, "telegram", NOW),
        ("ack", ADMIN, "telegram", NOW),
    ]


async def test_changes_refused_to_people_not_responsible(talk: Talk) -> None:
    # In private, 李康民 cannot even see #11; in a group that follows 医政医管股 he can, but may not change it.
    assert "没有找到你可查看的任务 #11" in await talk.text(LI, "签收 11")
    await talk(ADMIN, "/subscribe 医政医管股", group=GROUP)
    for phrase in ("签收 11", "进度 11 50% 已开始", "完成 11", "延期 11 2023-12-15 等待批复"):
        assert "#11 不是你负责的任务" in await talk.text(LI, phrase, group=GROUP)
    assert await _events(talk, "11") == []
    task = await _task(talk, "11")
    assert task.status == "open" and task.progress_percent is None


async def test_progress_with_percent_updates_the_task_and_the_history(talk: Talk) -> None:
    reply = await talk.text(ZHANG, "进度 11 50% 已完成胸痛中心设备采购")
    assert "已记录 #11 的进度：50%，已完成胸痛中心设备采购" in reply
    task = await _task(talk, "11")
    assert (task.progress_percent, task.progress_text, task.progress_at) == (50, "已完成胸痛中心设备采购", NOW)
    await talk(ZHANG, "progress 11 设备已到货", now=NOW + timedelta(hours=2))
    task = await _task(talk, "11")
    assert (task.progress_percent, task.progress_text) == (50, "设备已到货")  # a report without a percent keeps it
    detail = await talk.text(WANG, "#11", now=NOW + timedelta(hours=3))
    assert "最新进度：50%，2023-10-27 11:00：设备已到货" in detail
    assert "2023-10-27 09:00 张三（telegram）填报进度：50%；已完成胸痛中心设备采购" in detail


async def test_progress_input_checks(talk: Talk) -> None:
    cases = [
        ("进度 11 150% 超了", "百分比应在 0 到 100 之间"),
        ("/progress 11", "请写上进度说明或百分比"),
        ("/progress", "用法：进度 序号"),
        ("进度 99 50% 无此任务", "没有找到你可查看的任务 #99"),
        ("进度 11 0%", "已记录 #11 的进度：0%"),
    ]
    for phrase, message in cases:
        assert message in await talk.text(WANG, phrase), phrase
    assert [e.percent for e in await _events(talk, "11")] == [0]


async def test_progress_feeds_the_yellow_mark(talk: Talk) -> None:
    # Unreported past half its window, #11 is behind 序时进度; reporting 95% makes it simply due soon (blue).
    assert "🟡 <b>#11</b>" in await talk.text(WANG, "我的任务")
    await talk(WANG, "进度 11 95% 即将完成")
    assert "🔵 <b>#11</b>" in await talk.text(WANG, "我的任务")


async def test_done_closes_the_task_and_tells_leaders_and_admins(talk: Talk) -> None:
    reply = await talk.text(ZHANG, "办结 11 胸痛中心已通过验收")
    assert "#11 加强急诊急救能力建设 已办结" in reply
    task = await _task(talk, "11")
    assert (task.status, task.done_at, task.progress_percent) == ("done", NOW, 100)
    events = await _events(talk, "11")
    assert [(e.kind, e.text, e.actor) for e in events] == [("done", "胸痛中心已通过验收", ZHANG)]
    # 王卫健 (lead leader) and the Telegram admin are told; the console admin cannot be reached by a notice.
    notices = await _outbox(talk)
    assert sorted((n.channel, n.target, n.kind) for n in notices) == [
        ("telegram", "1000", "done"),
        ("telegram", "2001", "done"),
    ]
    assert all("张三 已将 #11" in n.text and "胸痛中心已通过验收" in n.text for n in notices)
    assert "#11" not in await talk.text(WANG, "我的任务")
    assert "已办结" in await talk.text(ZHANG, "进度 11 10% 补充")


async def test_done_is_the_latest_progress_and_withdraws_a_pending_extension(talk: Talk) -> None:
    await talk(ZHANG, "进度 11 60% 已通过初审")
    await talk(ZHANG, "延期 11 2023-12-15 设备到货延迟")
    leader_notice = next(n for n in await _outbox(talk) if n.kind == "extend_request" and n.target == "2001")
    approve = next(b.split("|")[0] for b in leader_notice.buttons if b.split("|")[1].startswith("批准"))
    later = NOW + timedelta(days=1)
    await talk(ZHANG, "办结 11 已建成", now=later)
    task = await _task(talk, "11")
    assert (task.progress_percent, task.progress_at, task.progress_text) == (100, later, "已建成")
    detail = await talk.text(ZHANG, "#11", now=later)
    assert "状态：已办结（2023-10-28 09:00）" in detail and "最新进度：100%，2023-10-28 09:00：已建成" in detail
    assert "待审批" not in detail and "已通过初审" in detail  # the earlier report stays in the history
    # The leader's approve button, pressed after the task was done, says why nothing moves.
    assert "延期申请已撤回：任务已办结" in texts(await talk(WANG, press=approve))
    assert (await _milestone(talk, "11")).due == date(2023, 10, 31)
    async with talk.core.db.session() as session:
        request = await session.scalar(select(ExtensionRequest))
    assert (request.status, request.decided_by) == ("withdrawn", ZHANG)


async def test_done_button_asks_first_then_closes(talk: Talk, task_id) -> None:  # type: ignore[no-untyped-def]
    ident = await task_id("11")
    detail = await talk(WANG, "#11")
    ask = await talk(WANG, press=button_datas(detail)["办结"])
    assert "确认将 #11" in texts(ask)
    assert (await _task(talk, "11")).status == "open"
    cancelled = await talk(WANG, press=button_datas(ask)["取消"])
    assert cancelled[0].edit and (await _task(talk, "11")).status == "open"
    done = await talk(WANG, press=f"dk:{ident}")
    assert done[0].edit and done[0].toast
    assert (await _task(talk, "11")).status == "done"
    # Done tasks offer admins a reopen button, and nobody the progress buttons.
    assert set(button_datas(await talk(ADMIN, "#11"))) == {"重新打开"}
    assert button_datas(await talk(WANG, "#11")) == {}


async def test_reopen_is_for_admins(talk: Talk) -> None:
    await talk(WANG, "完成 11")
    assert "只有管理员可以这样做" in await talk.text(WANG, "/reopen 11")
    assert "已重新打开 #11" in await talk.text(ADMIN, "/reopen 11 验收未通过")
    assert (await _task(talk, "11")).status == "open"
    assert "未办结，无需重新打开" in await talk.text(ADMIN, "/reopen 11")
    assert [e.kind for e in await _events(talk, "11")] == ["done", "reopen"]


async def test_progress_and_extend_buttons_say_what_to_send(talk: Talk) -> None:
    buttons = button_datas(await talk(ZHANG, "#11"))
    assert "进度 11 60%" in texts(await talk(ZHANG, press=buttons["更新进度"]))
    assert "延期 11 2023-12-15" in texts(await talk(ZHANG, press=buttons["申请延期"]))
    assert "已签收 #11" in texts(await talk(ZHANG, press=buttons["签收"]))


async def test_extension_moves_the_milestone_only_when_the_lead_leader_approves(talk: Talk) -> None:
    reply = await talk.text(ZHANG, "延期 11 2023-12-15 等待省级专家验收")
    assert "已提交 #11 的延期申请" in reply and "2023-12-15" in reply
    assert (await _milestone(talk, "11")).due == date(2023, 10, 31)
    notices = [n for n in await _outbox(talk) if n.kind == "extend_request"]
    assert sorted(n.target for n in notices) == ["1000", "2001"]
    leader_notice = next(n for n in notices if n.target == "2001")
    assert "张三 申请将 #11" in leader_notice.text and "等待省级专家验收" in leader_notice.text
    approve = next(b.split("|")[0] for b in leader_notice.buttons if b.split("|")[1].startswith("批准"))
    # Only a lead leader or an admin decides; not the requester, not another official.
    assert "只有 #11 的牵头领导或管理员可以审批" in texts(await talk(LI, press=approve))
    assert "只有 #11 的牵头领导或管理员可以审批" in texts(await talk(ZHANG, press=approve))
    assert (await _milestone(talk, "11")).due == date(2023, 10, 31)
    decided = await talk(WANG, press=approve)
    assert "已批准 #11 延期：2023-10-31 → 2023-12-15" in texts(decided) and decided[0].edit
    moved = await _milestone(talk, "11")
    assert (moved.due, moved.original_due) == (date(2023, 12, 15), date(2023, 10, 31))
    assert "已经批准过了" in texts(await talk(ADMIN, press=approve))
    detail = await talk.text(ZHANG, "#11")
    assert "2023-12-15〔限期〕" in detail and "原定 2023-10-31（已批准延期）" in detail
    assert "王卫健（telegram）批准延期：2023-10-31 → 2023-12-15" in detail
    requester = [n for n in await _outbox(talk) if n.kind == "extend_approved"]
    assert [n.target for n in requester] == ["2003"] and "王卫健 批准" in requester[0].text
    assert "#11" not in await talk.text(ZHANG, "逾期", now=NOW + timedelta(days=10))


async def test_rejected_extension_leaves_the_milestone(talk: Talk) -> None:
    await talk(ZHANG, "延期 11 2023-12-15 等待验收")
    async with talk.core.db.session() as session:
        request_id = await session.scalar(select(ExtensionRequest.id))
    detail = await talk(ADMIN, "#11")
    assert "延期申请 #" in texts(detail)
    reply = await talk(ADMIN, press=button_datas(detail)[f"驳回延期 #{request_id}"])
    assert "已驳回 #11 的延期申请，时间节点仍为 2023-10-31" in texts(reply)
    assert (await _milestone(talk, "11")).due == date(2023, 10, 31)
    assert "#11" in await talk.text(ZHANG, "逾期", now=NOW + timedelta(days=10))
    kinds = [e.kind for e in await _events(talk, "11")]
    assert kinds == ["extend_request", "extend_rejected"]


async def test_a_lead_leader_cannot_approve_their_own_request(talk: Talk) -> None:
    await talk(WANG, "延期 11 2023-11-30 人手不足")
    async with talk.core.db.session() as session:
        request_id = await session.scalar(select(ExtensionRequest.id))
    assert "不能审批自己提交的延期申请" in await talk.text(WANG, f"/approve {request_id}")
    assert "已批准 #11 延期" in await talk.text(ADMIN, f"/approve {request_id}")


async def test_extension_input_checks(talk: Talk) -> None:
    refused = [
        ("延期 11 2023-10-30 提前", "新日期应晚于当前节点（2023-10-31）"),
        ("延期 11 2023-12-15", "请写明延期理由"),
        ("延期 11 明年 理由", "用法：延期 序号 新日期 理由"),
        ("延期 11 2023-02-30 理由", "用法：延期 序号 新日期 理由"),
    ]
    for phrase, message in refused:
        assert message in await talk.text(ZHANG, phrase), phrase
    assert await _events(talk, "11") == []


@pytest.mark.parametrize("phrase", ["延期 11 12月15日 等待批复", "extend 11 2023/12/15 waiting"])
async def test_extension_dates_as_people_write_them(talk: Talk, phrase: str) -> None:
    assert "已提交 #11 的延期申请（#1，延至 2023-12-15）" in await talk.text(ZHANG, phrase)


async def test_one_pending_extension_at_a_time(talk: Talk) -> None:
    await talk(ZHANG, "延期 11 2023-12-15 等待验收")
    assert "已有一份待审批的延期申请" in await talk.text(WANG, "延期 11 2023-12-20 另一个理由")


async def test_user_text_is_escaped_everywhere_it_is_shown(talk: Talk) -> None:
    script = "<script>alert(1)</script>&"
    await talk(ZHANG, f"进度 11 {script}")
    await talk(ZHANG, f"延期 11 2023-12-15 {script}")
    for who in (WANG, ADMIN):
        detail = await talk.text(who, "#11")
        assert "<script>" not in detail
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in detail
    assert all("<script>" not in n.text for n in await _outbox(talk))
    assert "&lt;b&gt;" in await talk.text(ADMIN, "/person add <b>x</b>")
    assert "<script>" not in await talk.text(ADMIN, f"/search {script}")


async def test_snooze_holds_reminders_until_the_next_working_day(talk: Talk, task_id) -> None:  # type: ignore[no-untyped-def]
    from bot.db.models import Snooze

    ident = await task_id("11")
    # Friday 2023-10-27: the next working day is Monday 10-30.
    replies = await talk(WANG, press=f"sz:{ident}")
    assert "暂停到 2023-10-30" in texts(replies) and replies[0].toast
    assert "暂停到 2023-10-31" in await talk.text(WANG, "明天再提醒 11", now=NOW + timedelta(days=3))
    async with talk.core.db.session() as session:
        held = list(await session.scalars(select(Snooze)))
    assert [(s.task_id, s.until) for s in held] == [(ident, date(2023, 10, 31))]
    assert [e.kind for e in await _events(talk, "11")] == ["snooze", "snooze"]
    await talk(ADMIN, "/subscribe 医政医管股", group=GROUP)
    assert "#11 不是你负责的任务" in await talk.text(LI, "snooze 11", group=GROUP)


async def test_full_width_digits_from_a_chinese_keyboard_name_the_task(talk: Talk) -> None:
    reply = await talk.text(ZHANG, "进度１１ 70％ 设备已安装")
    assert "已记录 #11 的进度：70%，设备已安装" in reply
    assert "已签收 #11" in await talk.text(ZHANG, "签收 １１")
