"""The pass over a task's life: idempotent runs, snoozes, completion, extensions, escalation, quiet days, catch-up."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update

from bot.core import Core
from bot.db.models import Account, Milestone, OutboxMessage, SentBatch, Task, TaskEvent
from bot.services.snooze import snooze
from bot.services.notices import decode_buttons
from tests.scheduler.conftest import at, pass_at, seen
from tests.scheduler.seed import Bureau, add_task, dated

PERSONAL = {"reminder", "overdue", "snoozed", "progress", "escalation_head", "escalation_leader"}


def people(result, b: Bureau, kind: str | None = None) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """Daily notices and escalations of a pass to people with accounts: (name, kind, task no)."""
    return {x for x in seen(result, b) if x[0] in b.telegram and x[1] in PERSONAL and (kind is None or x[1] == kind)}


async def count(core: Core, model) -> int:  # type: ignore[no-untyped-def]
    async with core.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_running_the_same_pass_twice_sends_nothing_the_second_time(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 10))])
    first = await pass_at(core, "2025-10-09T09:00")
    rows = await count(core, OutboxMessage)
    assert first.messages and rows == first.enqueued
    again = await pass_at(core, "2025-10-09T09:00")
    later = await pass_at(core, "2025-10-09T17:30")
    assert again.messages == [] and later.messages == []
    assert await count(core, OutboxMessage) == rows


async def test_a_dry_run_lists_recipients_and_texts_and_writes_nothing(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 10))], title="完善<胸痛中心>建设")
    dry = await pass_at(core, "2025-10-09T09:00", dry_run=True)
    assert await count(core, OutboxMessage) == 0 and await count(core, SentBatch) == 0
    zhang = next(m for m in dry.messages if m.recipient == "张三 (telegram:101)")
    assert zhang.target is not None and zhang.target.key == "telegram:101"
    assert "完善&lt;胸痛中心&gt;建设" in zhang.texts[0] and "还有 1 个工作日" in zhang.texts[0]
    real = await pass_at(core, "2025-10-09T09:00")
    assert sorted(m.texts for m in real.messages) == sorted(m.texts for m in dry.messages)
    assert "周七" in dry.unroutable  # planned for, but has no account to receive it


async def test_nothing_falls_due_before_send_time(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 10))])
    assert (await pass_at(core, "2025-10-09T08:59")).notices == []
    assert people(await pass_at(core, "2025-10-09T09:00"), bureau) == {("张三", "reminder", "1"), ("李四", "reminder", "1")}


async def test_one_message_per_person_lists_all_their_due_tasks_with_buttons(core: Core, bureau: Bureau) -> None:
    for no, due in (("1", date(2025, 10, 9)), ("2", date(2025, 10, 10)), ("3", date(2025, 9, 30))):
        await add_task(core, bureau, no, milestones=[dated(due)])
    result = await pass_at(core, "2025-10-09T09:00")
    zhang = [m for m in result.messages if m.recipient.startswith("张三")]
    assert len(zhang) == 1 and len(zhang[0].texts) == 1
    text = zhang[0].texts[0]
    assert "已逾期（1 项）" in text and "即将到期（2 项）" in text
    async with core.db.session() as s:
        row = (await s.execute(select(OutboxMessage).where(OutboxMessage.target == "101"))).scalar_one()
    rows = decode_buttons(row.buttons)
    ids = [bureau.tasks[n] for n in ("3", "1", "2")]  # overdue first, then by due date
    assert [[b.data for b in r] for r in rows] == [[f"ack:{i}", f"sz:{i}", f"dn:{i}"] for i in ids]
    assert [r[0].label for r in rows] == ["签收 3", "签收 1", "签收 2"]


async def test_a_task_completed_between_two_runs_is_not_mentioned_again(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 9))])
    assert people(await pass_at(core, "2025-10-10T09:00"), bureau, "overdue") == {("张三", "overdue", "1"), ("李四", "overdue", "1")}
    async with core.db.session() as s:
        await s.execute(update(Task).values(status="done", done_at=at("2025-10-10T15:00")))
    nxt = await pass_at(core, "2025-10-11T09:00")
    assert [n for n in nxt.notices if n.kind not in ("weekly_admin", "weekly_leader")] == []


async def test_a_snooze_holds_the_reminder_and_reminds_once_on_the_next_working_day(core: Core, bureau: Bureau) -> None:
    task = await add_task(core, bureau, "1", milestones=[dated(date(2025, 6, 20))])
    both = {("张三", "reminder", "1"), ("李四", "reminder", "1")}
    assert people(await pass_at(core, "2025-06-17T09:00"), bureau) >= both  # d3
    async with core.db.session() as s:  # 张三 presses 明天再提醒 after the d3 reminder
        until = await snooze(s, task, bureau.people["张三"], date(2025, 6, 17), core.calendar, at("2025-06-17T10:00"), actor="telegram:101")
    assert until == date(2025, 6, 18)
    # Wed: no new step (2 working days left): only 张三 hears again, once.
    assert people(await pass_at(core, "2025-06-18T09:00"), bureau) == {("张三", "snoozed", "1")}
    assert people(await pass_at(core, "2025-06-18T15:00"), bureau) == set()
    async with core.db.session() as s:  # 李四 snoozes before Thursday's 09:00 run: Thursday is held for him
        await snooze(s, task, bureau.people["李四"], date(2025, 6, 19), core.calendar, at("2025-06-19T08:00"))
    assert people(await pass_at(core, "2025-06-19T09:00"), bureau) == {("张三", "reminder", "1")}
    # Fri (his snooze day): the new d0 step reaches both, and 李四 gets it once, not twice.
    assert people(await pass_at(core, "2025-06-20T09:00"), bureau) == both
    async with core.db.session() as s:
        kinds = (await s.execute(select(TaskEvent.kind, TaskEvent.actor).order_by(TaskEvent.id))).all()
    assert [tuple(k) for k in kinds] == [("snooze", "telegram:101"), ("snooze", f"person:{bureau.people['李四']}")]


async def test_a_snooze_on_friday_lasts_until_monday(core: Core, bureau: Bureau) -> None:
    task = await add_task(core, bureau, "1", milestones=[dated(date(2025, 6, 13))])
    async with core.db.session() as s:
        until = await snooze(s, task, bureau.people["张三"], date(2025, 6, 13), core.calendar, at("2025-06-13T08:30"))
    assert until == date(2025, 6, 16)
    assert people(await pass_at(core, "2025-06-13T09:00"), bureau) == {("李四", "reminder", "1")}
    assert people(await pass_at(core, "2025-06-16T09:00"), bureau) == {("张三", "overdue", "1"), ("李四", "overdue", "1")}


async def test_an_approved_extension_moves_the_reminders_and_ends_the_overdue_notices(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 6, 13))])
    assert people(await pass_at(core, "2025-06-16T09:00"), bureau, "overdue") == {("张三", "overdue", "1"), ("李四", "overdue", "1")}
    async with core.db.session() as s:  # the lead leader approved 延期 to Fri 06-27
        await s.execute(update(Milestone).values(due=date(2025, 6, 27)))
    for day in ("17", "18", "19"):
        result = await pass_at(core, f"2025-06-{day}T09:00")
        assert people(result, bureau) == set(), day  # no overdue, no escalation on the 18th
    result = await pass_at(core, "2025-06-20T09:00")
    assert people(result, bureau) == {("张三", "reminder", "1"), ("李四", "reminder", "1")}
    assert {n.days for n in result.notices if n.kind == "reminder"} == {5}
    assert all(":2025-06-27:d5:" in n.key for n in result.notices if n.kind == "reminder")


async def test_escalation_goes_to_the_head_then_the_lead_leader_once_each_showing_acknowledgements(core: Core, bureau: Bureau) -> None:
    task = await add_task(core, bureau, "1", milestones=[dated(date(2025, 6, 13))])
    async with core.db.session() as s:
        s.add(TaskEvent(task_id=task, person_id=bureau.people["张三"], actor="telegram:101", channel="telegram", kind="ack",
                        data={}, created_at=at("2025-06-12T10:00")))
        await snooze(s, task, bureau.people["李四"], date(2025, 6, 16), core.calendar, at("2025-06-16T10:00"))
    escalations = []
    for day in ("16", "17", "18", "19", "20", "23", "24"):
        result = await pass_at(core, f"2025-06-{day}T09:00")
        escalations += [(day, who, kind) for who, kind, _ in seen(result, bureau) if kind.startswith("escalation")]
        if day == "18":
            head = next(m for m in result.messages if m.recipient.startswith("王五"))
    assert escalations == [("18", "王五", "escalation_head"), ("20", "李康民", "escalation_leader")]
    text = head.texts[0]
    assert "已逾期 3 个工作日" in text and "牵头股室：疾控股" in text
    assert "✅张三已签收" in text and "⏸李四已约明天处理" in text and "❌周七未签收" in text


async def test_a_section_without_known_members_is_reminded_through_its_head(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 10))], sections=("医政股",))
    assert people(await pass_at(core, "2025-10-09T09:00"), bureau) == {("赵六", "reminder", "1")}


async def test_quiet_days_send_nothing_unless_red_escalations_are_allowed(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 9, 24))])
    assert (await pass_at(core, "2025-10-04T09:00")).notices == []  # National Day: nothing at all
    core.settings.reminders.quiet_days_allow_red = True
    red = await pass_at(core, "2025-10-04T09:00")
    assert seen(red, bureau) == {("王五", "escalation_head", "1"), ("李康民", "escalation_leader", "1")}
    back = await pass_at(core, "2025-10-09T09:00")  # first working day: the daily notices and digest, no escalation again
    assert {kind for _, kind, _ in seen(back, bureau)} == {"overdue", "digest", "weekly_leader", "weekly_admin"}


async def test_catch_up_after_downtime_sends_only_the_current_step_once(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 9))])
    assert {n.days for n in (await pass_at(core, "2025-09-25T09:00")).notices if n.kind == "reminder"} == {5}
    # Down from 09-25 evening until 10-09 10:30: the d3 (09-28) and d1 (09-30) reminders are skipped, d0 goes once.
    back = await pass_at(core, "2025-10-09T10:30")
    assert people(back, bureau, "reminder") == {("张三", "reminder", "1"), ("李四", "reminder", "1")}
    assert {n.days for n in back.notices if n.kind == "reminder"} == {0}
    assert (await pass_at(core, "2025-10-09T11:00")).messages == []
    # Down again 10-10 … 10-14 10:00: today's overdue notice once, and the head's escalation (due since 10-13) once.
    late = await pass_at(core, "2025-10-14T10:00")
    assert people(late, bureau) == {
        ("张三", "overdue", "1"), ("李四", "overdue", "1"), ("王五", "escalation_head", "1")}
    assert {n.days for n in late.notices if n.kind == "overdue"} == {4}
    zhang = [m for m in late.messages if m.recipient.startswith("张三")]
    assert len(zhang) == 1


async def test_unbound_people_are_reported_not_recorded_and_hear_the_current_step_once_bound(core: Core, bureau: Bureau) -> None:
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 10))])
    first = await pass_at(core, "2025-09-30T09:00")  # 2 working days left: d3
    assert "周七" in first.unroutable
    async with core.db.session() as s:
        s.add(Account(channel="telegram", external_id="106", person_id=bureau.people["周七"], bound_at=at("2025-10-09T08:00"),
                      created_at=at("2025-10-09T08:00")))
    bound = await pass_at(core, "2025-10-09T09:00")
    zhou = [n for n in bound.notices if n.recipient.person_id == bureau.people["周七"]]
    assert [(n.kind, n.days) for n in zhou] == [("reminder", 1)] and bound.unroutable == []


async def test_the_reminder_footer_is_worded_for_the_recipients_channel(core: Core, bureau: Bureau) -> None:
    from bot.channels.wecom.capabilities import capabilities

    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 10))])

    async def footer() -> str:
        result = await pass_at(core, "2025-10-09T09:00", dry_run=True)
        return next(m for m in result.messages if m.recipient.startswith("张三")).texts[0].splitlines()[-1]

    assert footer_says_tap(await footer())  # Telegram: buttons under the reminder
    async with core.db.session() as s:  # 张三 now reads Duban on WeCom, where cards are switched off
        await s.execute(update(Account).where(Account.external_id == "101").values(channel="wecom"))
    core.capabilities["wecom"] = capabilities(core.settings.model_copy(
        update={"wecom": core.settings.wecom.model_copy(update={"cards": False})}))
    typed = await footer()
    assert not footer_says_tap(typed) and "回复「签收 序号」" in typed
    core.capabilities["wecom"] = capabilities(core.settings)  # cards on: buttons again
    assert footer_says_tap(await footer())


def footer_says_tap(line: str) -> bool:
    """Whether a reminder's last line tells the reader to tap buttons."""
    return line.startswith("可点按钮")
