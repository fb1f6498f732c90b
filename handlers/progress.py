"""Changes: 签收, 进度, 办结, 延期 (request, decision), reopen, snooze; notices to leaders and admins."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from bot.db.models import Task
from bot.ids import parse_id
from bot.services import notices
from bot.services import progress as service
from bot.services.occurrences import label, split_period
from bot.services.progress import ProgressError
from bot.services.queries import newest_table_id
from bot.texts import t
from handlers.context import Ctx
from handlers.render import esc, ref, shorten
from handlers.router import button_data
from handlers.tasks import detail_reply, load_task, not_found
from bot.contracts import Button, Reply

_PERCENT = re.compile(r"^(\d{1,3})\s*[%％]$")
_DATE = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?$")


def parse_percent(words: list[str]) -> tuple[int | None, list[str]]:
    """A leading ``50%`` (or ``50％``) among the words, and the words left."""
    if words and (found := _PERCENT.match(words[0])):
        return int(found.group(1)), words[1:]
    return None, words


def parse_date(text: str, today: date) -> date | None:
    """``2023-12-15``, ``2023/12/15``, ``2023年12月15日``; without a year, the current one."""
    found = _DATE.match(text.strip())
    if not found:
        return None
    year = int(found.group(1)) if found.group(1) else today.year
    try:
        return date(year, int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def _refused(ctx: Ctx, error: ProgressError) -> list[Reply]:
    text = ctx.t(error.key, **{k: esc(v) for k, v in error.params.items()})
    return [Reply(text, toast=text if ctx.route.button else None)]


def _done(ctx: Ctx, text: str) -> list[Reply]:
    return [Reply(text, toast=text if ctx.route.button else None)]


async def _ref(ctx: Ctx, task: Task) -> str:
    return ref(task.table_id, task.no, await newest_table_id(ctx.session))


async def _target(ctx: Ctx, args: str) -> tuple[Task | None, list[str], list[Reply] | None]:
    words = args.split()
    if not words:
        return None, [], [Reply(ctx.t(f"conv.{ctx.route.name}_usage"))]
    task = await load_task(ctx, words[0])
    if task is None:
        return None, [], not_found(ctx, words[0])
    return task, words[1:], None


async def _notify(
    ctx: Ctx,
    *,
    people: list[int],
    admins: bool,
    key: str,
    kind: str,
    text: Callable[[str], str],
    buttons: Callable[[str], list[tuple[str, str]]] = lambda lang: [],
    accounts: tuple[str, ...] = (),
) -> None:
    """Queue a notice, in each recipient's language, to the people, the admins and extra accounts (not the sender)."""
    settings = ctx.core.settings
    listed = list(accounts) + (list(settings.admins) if admins else [])
    silent = ctx.core.silent_channels
    targets = await notices.recipients(ctx.session, people=people, accounts=listed, default_lang=settings.language,
                                       silent=silent)
    targets.pop(ctx.request.sender.key, None)
    for account_key, lang in targets.items():
        await notices.enqueue(
            ctx.session,
            key=f"{key}:{account_key}",
            kind=kind,
            account=account_key,
            text=text(lang),
            buttons=buttons(lang),
            now=ctx.request.now,
            silent=silent,
        )


def _leader_ids(task: Task) -> list[int]:
    return [link.person_id for link in task.leaders]


def _who(ctx: Ctx) -> str:
    return esc(ctx.person_name or ctx.request.sender.key)


async def ack(ctx: Ctx, args: str) -> list[Reply]:
    """签收 N [period]: a recurring task is signed per period (the oldest open one not yet signed, or the one named)."""
    task, words, problem = await _target(ctx, args)
    if problem:
        return problem
    assert task is not None
    period, _ = split_period(task, words)
    try:
        filed = await service.acknowledge(
            ctx.session, ctx.actor(), task, now=ctx.request.now, today=ctx.today, cal=ctx.core.calendar, period=period
        )
    except ProgressError as error:
        return _refused(ctx, error)
    shown_ref, title = esc(await _ref(ctx, task)), esc(shorten(task.title, 28))
    if filed.period is not None:
        key = "conv.ack_period_done" if filed.fresh else "conv.ack_period_again"
        return _done(ctx, ctx.t(key, ref=shown_ref, title=title, period=label(filed.period, ctx.lang)))
    return _done(ctx, ctx.t("conv.ack_done" if filed.fresh else "conv.ack_again", ref=shown_ref, title=title))


async def snooze(ctx: Ctx, args: str) -> list[Reply]:
    """明天再提醒 N (the reminder button): no reminders for this task until the next working day."""
    task, _, problem = await _target(ctx, args)
    if problem:
        return problem
    assert task is not None
    try:
        until = await service.snooze(
            ctx.session, ctx.actor(), task, now=ctx.request.now, today=ctx.today, cal=ctx.core.calendar
        )
    except ProgressError as error:
        return _refused(ctx, error)
    return _done(ctx, ctx.t("conv.snooze_done", ref=esc(await _ref(ctx, task)), until=until.isoformat()))


async def progress(ctx: Ctx, args: str) -> list[Reply]:
    """进度 N [period] [xx%] text: on a recurring task the report lands on a period (the oldest open one, or the one named)."""
    task, words, problem = await _target(ctx, args)
    if problem:
        return problem
    assert task is not None
    period, words = split_period(task, words)
    percent, words = parse_percent(words)
    text = " ".join(words)
    try:
        filed = await service.report_progress(
            ctx.session, ctx.actor(), task, now=ctx.request.now, text=text, percent=percent,
            today=ctx.today, cal=ctx.core.calendar, period=period,
        )
    except ProgressError as error:
        return _refused(ctx, error)
    shown = f"{percent}%" if percent is not None else "—"
    shown_ref = esc(await _ref(ctx, task))
    note = esc(shorten(text, 100)) or "—"
    if filed.period is not None:
        return _done(ctx, ctx.t("conv.progress_period_done", ref=shown_ref, period=label(filed.period, ctx.lang),
                                percent=shown, text=note))
    return _done(ctx, ctx.t("conv.progress_done", ref=shown_ref, percent=shown, text=note))


async def progress_ask(ctx: Ctx, args: str) -> list[Reply]:
    """The 更新进度 button: say how to report, since a button cannot carry the text."""
    task = await load_task(ctx, args)
    if task is None:
        return not_found(ctx, args)
    return [Reply(ctx.t("conv.progress_prompt", no=esc(task.no)))]


async def done_ask(ctx: Ctx, args: str) -> list[Reply]:
    """The 办结 button: ask for confirmation, so a slip of the finger does not close a task."""
    task = await load_task(ctx, args)
    if task is None:
        return not_found(ctx, args)
    shown_ref = esc(await _ref(ctx, task))
    buttons = [
        [
            Button(ctx.t("conv.btn_done_confirm"), button_data("done", task.id)),
            Button(ctx.t("conv.btn_cancel"), button_data("dismiss", "")),
        ]
    ]
    return [
        Reply(
            ctx.t("conv.done_prompt", ref=shown_ref, title=esc(shorten(task.title, 28)), no=esc(task.no)),
            buttons=buttons,
        )
    ]


async def done(ctx: Ctx, args: str) -> list[Reply]:
    """办结 N [evidence]: the lead leaders and admins are told."""
    task, words, problem = await _target(ctx, args)
    if problem:
        return problem
    assert task is not None
    evidence = " ".join(words) or None
    try:
        event = await service.finish(ctx.session, ctx.actor(), task, now=ctx.request.now, evidence=evidence)
    except ProgressError as error:
        return _refused(ctx, error)
    who, title, shown_ref = _who(ctx), esc(shorten(task.title, 40)), esc(await _ref(ctx, task))
    await _notify(
        ctx,
        people=_leader_ids(task),
        admins=True,
        key=f"done:{task.id}:{event.id}",
        kind="done",
        text=lambda lang: t(
            "conv.notice_done", lang, who=who, ref=shown_ref, title=title, evidence=esc(shorten(evidence or "—", 200))
        ),
        buttons=lambda lang: [(t("conv.btn_view", lang), button_data("task", task.id))],
    )
    text = ctx.t("conv.done_done", ref=shown_ref, title=title)
    return [Reply(text, edit=ctx.route.button, toast=text if ctx.route.button else None)]


async def extend_ask(ctx: Ctx, args: str) -> list[Reply]:
    """The 申请延期 button: say how to ask, since a button cannot carry the date and reason."""
    task = await load_task(ctx, args)
    if task is None:
        return not_found(ctx, args)
    return [Reply(ctx.t("conv.extend_prompt", no=esc(task.no)))]


async def extend(ctx: Ctx, args: str) -> list[Reply]:
    """延期 N YYYY-MM-DD reason: a request the lead leader or an admin decides with buttons."""
    task, words, problem = await _target(ctx, args)
    if problem:
        return problem
    assert task is not None
    new_due = parse_date(words[0], ctx.today) if words else None
    if new_due is None:
        return [Reply(ctx.t("conv.extend_usage"))]
    reason = " ".join(words[1:])
    try:
        request = await service.request_extension(
            ctx.session,
            ctx.actor(),
            task,
            now=ctx.request.now,
            today=ctx.today,
            cal=ctx.core.calendar,
            new_due=new_due,
            reason=reason,
        )
    except ProgressError as error:
        return _refused(ctx, error)
    who, title, shown_ref = _who(ctx), esc(shorten(task.title, 40)), esc(await _ref(ctx, task))
    await _notify(
        ctx,
        people=_leader_ids(task),
        admins=True,
        key=f"extend:{request.id}",
        kind="extend_request",
        text=lambda lang: t(
            "conv.notice_extend",
            lang,
            who=who,
            ref=shown_ref,
            title=title,
            due=new_due.isoformat(),
            reason=esc(shorten(reason, 200)),
        ),
        buttons=lambda lang: [
            (t("conv.btn_approve", lang, id=request.id), button_data("approve", request.id)),
            (t("conv.btn_reject", lang, id=request.id), button_data("reject", request.id)),
        ],
    )
    return [Reply(ctx.t("conv.extend_done", ref=shown_ref, due=new_due.isoformat(), id=request.id))]


async def _decide(ctx: Ctx, args: str, approve: bool) -> list[Reply]:
    words = args.split()
    if not words or not words[0].lstrip("#").isdigit():
        return [Reply(ctx.t("conv.decide_usage"))]
    request_id = parse_id(words[0].lstrip("#"))
    try:
        if request_id is None:  # more digits than any id has: as unknown as any other number
            raise ProgressError("conv.extend_unknown")
        decision = await service.decide_extension(
            ctx.session, ctx.actor(), request_id, approve=approve, now=ctx.request.now
        )
    except ProgressError as error:
        return _refused(ctx, error)
    task, request = decision.task, decision.request
    outcome = "approved" if approve else "rejected"
    old = decision.old_due.isoformat() if decision.old_due else "—"
    who, shown_ref = _who(ctx), esc(await _ref(ctx, task))
    await _notify(
        ctx,
        people=[],
        admins=False,
        accounts=(request.requester_account,),
        key=f"extend_{outcome}:{request.id}",
        kind=f"extend_{outcome}",
        text=lambda lang: t(
            f"conv.notice_extend_{outcome}", lang, who=who, ref=shown_ref, old=old, due=request.new_due.isoformat()
        ),
    )
    text = ctx.t(f"conv.extend_{outcome}", ref=shown_ref, old=old, due=request.new_due.isoformat())
    return [Reply(text, edit=ctx.route.button, toast=text if ctx.route.button else None)]


async def approve(ctx: Ctx, args: str) -> list[Reply]:
    """批准 an extension request (button ``xa:<id>`` or ``/approve <id>``)."""
    return await _decide(ctx, args, True)


async def reject(ctx: Ctx, args: str) -> list[Reply]:
    """驳回 an extension request (button ``xr:<id>`` or ``/reject <id>``)."""
    return await _decide(ctx, args, False)


async def reopen(ctx: Ctx, args: str) -> list[Reply]:
    """/reopen N [reason] (admins): a done task is open again."""
    task, words, problem = await _target(ctx, args)
    if problem:
        return problem
    assert task is not None
    try:
        await service.reopen(ctx.session, ctx.actor(), task, now=ctx.request.now, reason=" ".join(words))
    except ProgressError as error:
        return _refused(ctx, error)
    if ctx.route.button:
        return [await detail_reply(ctx, task, edit=True)]
    return [Reply(ctx.t("conv.reopen_done", ref=esc(await _ref(ctx, task))))]


async def waive(ctx: Ctx, args: str) -> list[Reply]:
    """/waive N [period] reason (admins): one period of a recurring task needs no report; audited."""
    task, words, problem = await _target(ctx, args)
    if problem:
        return problem
    assert task is not None
    period, words = split_period(task, words)
    reason = " ".join(words)
    if not reason:
        return [Reply(ctx.t("conv.waive_usage"))]
    try:
        key = await service.waive(ctx.session, ctx.actor(), task, now=ctx.request.now, today=ctx.today,
                                  cal=ctx.core.calendar, period=period, reason=reason)
    except ProgressError as error:
        return _refused(ctx, error)
    shown_ref = esc(await _ref(ctx, task))
    return [Reply(ctx.t("conv.waive_done", ref=shown_ref, period=label(key, ctx.lang), reason=esc(shorten(reason, 200))))]
