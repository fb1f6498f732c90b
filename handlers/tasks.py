"""Queries: 我的任务, 逾期, N天内到期, 本周到期, #N, by section, by leader, search."""

from __future__ import annotations

from bot.db.models import Person, Section, Task
from bot.ids import parse_id
from bot.services import queries
from bot.services.people import find_person, find_section
from bot.services.task_detail import find_task, task_detail
from bot.services.visibility import can_see, is_responsible, leads
from handlers.context import Ctx
from handlers.paging import fit_arg, task_page
from handlers.render import detail, esc, quote
from handlers.router import button_data
from bot.contracts import Button, Reply


async def mytasks(ctx: Ctx, args: str) -> list[Reply]:
    """我的任务: the caller's open tasks by role, then by next due date."""
    assert ctx.person_id is not None
    group = (await ctx.viewer()).group
    listing = await queries.my_tasks(ctx.session, ctx.day(), ctx.person_id, group=group)
    return [
        await task_page(
            ctx, listing, title=ctx.t("conv.title_mytasks"), command="mytasks", empty=ctx.t("conv.empty_mytasks")
        )
    ]


async def _group_guard(ctx: Ctx) -> list[Reply] | None:
    viewer = await ctx.viewer()
    if viewer.group is not None and viewer.group.empty:
        return [Reply(ctx.t("conv.group_not_subscribed"))]
    return None


async def overdue(ctx: Ctx, args: str) -> list[Reply]:
    """逾期: visible tasks past their next due date."""
    if guard := await _group_guard(ctx):
        return guard
    listing = await queries.overdue(ctx.session, ctx.day(), await ctx.viewer())
    return [
        await task_page(
            ctx, listing, title=ctx.t("conv.title_overdue"), command="overdue", empty=ctx.t("conv.empty_overdue")
        )
    ]


async def due(ctx: Ctx, args: str) -> list[Reply]:
    """/due [N], N天内到期: visible tasks due within N working days (default: the blue threshold)."""
    if guard := await _group_guard(ctx):
        return guard
    text = args.strip()
    days = ctx.core.settings.reminders.blue_within
    if text:
        if not text.isdigit() or not 0 <= int(text) <= 366:
            return [Reply(ctx.t("conv.due_usage"))]
        days = int(text)
    listing = await queries.due_within(ctx.session, ctx.day(), await ctx.viewer(), days)
    return [
        await task_page(
            ctx,
            listing,
            title=ctx.t("conv.title_due", days=days),
            command="due",
            arg=str(days),
            empty=ctx.t("conv.empty_due", days=days),
        )
    ]


async def week(ctx: Ctx, args: str) -> list[Reply]:
    """本周到期: visible tasks due between today and Sunday."""
    if guard := await _group_guard(ctx):
        return guard
    listing = await queries.due_this_week(ctx.session, ctx.day(), await ctx.viewer())
    return [
        await task_page(ctx, listing, title=ctx.t("conv.title_week"), command="week", empty=ctx.t("conv.empty_week"))
    ]


async def load_task(ctx: Ctx, ref: str) -> Task | None:
    """The task meant by ``#N``, ``T/N`` or a button's ``@id``, if the caller may see it here."""
    ref = ref.strip()
    if ref.startswith("@"):
        task_id = parse_id(ref[1:])
        task = await ctx.session.get(Task, task_id) if task_id is not None else None
        if task is not None and task.status == "removed":
            task = None
    else:
        task = await find_task(ctx.session, ref)
    if task is None or not await can_see(ctx.session, await ctx.viewer(), task.id):
        return None
    return task


def not_found(ctx: Ctx, ref: str) -> list[Reply]:
    """The same answer for a task that does not exist and one the caller may not see."""
    shown = ref.lstrip("@#＃") if not ref.startswith("@") else "?"
    return [Reply(ctx.t("conv.task_not_found", ref=quote(shown)))]


async def detail_reply(ctx: Ctx, task: Task, *, edit: bool = False) -> Reply:
    """The detail view with the buttons the caller may use."""
    info = await task_detail(ctx.session, ctx.day(), task.id)
    buttons: list[list[Button]] = []
    responsible = ctx.admin or await is_responsible(ctx.session, ctx.person_id, task.id)
    if task.status == "open" and responsible:
        buttons.append(
            [
                Button(ctx.t("conv.btn_ack"), button_data("ack", task.id)),
                Button(ctx.t("conv.btn_progress"), button_data("progress_ask", task.id)),
            ]
        )
        buttons.append(
            [
                Button(ctx.t("conv.btn_done"), button_data("done_ask", task.id)),
                Button(ctx.t("conv.btn_extend"), button_data("extend_ask", task.id)),
            ]
        )
    if task.status == "done" and ctx.admin:
        buttons.append([Button(ctx.t("conv.btn_reopen"), button_data("reopen", task.id))])
    if info.pending and (ctx.admin or await leads(ctx.session, ctx.person_id, task.id)):
        for request in info.pending:
            buttons.append(
                [
                    Button(ctx.t("conv.btn_approve", id=request.id), button_data("approve", request.id)),
                    Button(ctx.t("conv.btn_reject", id=request.id), button_data("reject", request.id)),
                ]
            )
    return Reply(detail(info, ctx.core.tz, ctx.lang), buttons=buttons, edit=edit)


async def task(ctx: Ctx, args: str) -> list[Reply]:
    """/task N, #N: the detail view."""
    ref = args.split()[0] if args.split() else ""
    if not ref:
        return [Reply(ctx.t("conv.task_usage"))]
    found = await load_task(ctx, ref)
    if found is None:
        return not_found(ctx, ref)
    return [await detail_reply(ctx, found)]


async def _owned_page(ctx: Ctx, kind: str, ident: int, name: str) -> list[Reply]:
    """The open tasks of one section (``kind`` "section") or one lead leader ("leader"), as a page."""
    lookup = queries.by_section if kind == "section" else queries.by_leader
    listing = await lookup(ctx.session, ctx.day(), await ctx.viewer(), ident)
    return [
        await task_page(
            ctx,
            listing,
            title=ctx.t(f"conv.title_{kind}", name=esc(name)),
            command=f"{kind}_id",
            arg=str(ident),
            empty=ctx.t(f"conv.empty_{kind}", name=esc(name)),
        )
    ]


async def section(ctx: Ctx, args: str) -> list[Reply]:
    """/section 疾控股: that section's open tasks, within what the caller may see."""
    if not args.strip():
        return [Reply(ctx.t("conv.section_usage"))]
    found = await find_section(ctx.session, args.strip())
    if found is None:
        return [Reply(ctx.t("conv.section_not_found", name=quote(args)))]
    return await _owned_page(ctx, "section", found.id, found.name)


async def section_by_id(ctx: Ctx, args: str) -> list[Reply]:
    """A page of a section's list (from a page button)."""
    section_id = parse_id(args)
    found = await ctx.session.get(Section, section_id) if section_id is not None else None
    if found is None:
        return [Reply(ctx.t("conv.section_not_found", name="?"))]
    return await _owned_page(ctx, "section", found.id, found.name)


async def leader(ctx: Ctx, args: str) -> list[Reply]:
    """/leader 李康民: the open tasks that person leads, within what the caller may see."""
    if not args.strip():
        return [Reply(ctx.t("conv.leader_usage"))]
    found = await find_person(ctx.session, args)
    if found is None:
        return [Reply(ctx.t("conv.person_not_found", name=quote(args)))]
    return await _owned_page(ctx, "leader", found.id, found.name)


async def leader_by_id(ctx: Ctx, args: str) -> list[Reply]:
    """A page of a leader's list (from a page button)."""
    person_id = parse_id(args)
    found = await ctx.session.get(Person, person_id) if person_id is not None else None
    if found is None:
        return [Reply(ctx.t("conv.person_not_found", name="?"))]
    return await _owned_page(ctx, "leader", found.id, found.name)


async def search(ctx: Ctx, args: str) -> list[Reply]:
    """/search 胸痛中心: open and done tasks whose text contains the words."""
    # The term rides in the page buttons' data, so it is cut to what fits there, and used as cut.
    term = fit_arg(" ".join(args.split()))
    if not term:
        return [Reply(ctx.t("conv.search_usage"))]
    listing = await queries.search(ctx.session, ctx.day(), await ctx.viewer(), term)
    return [
        await task_page(
            ctx,
            listing,
            title=ctx.t("conv.title_search", term=esc(term)),
            command="search",
            arg=term,
            empty=ctx.t("conv.empty_search", term=esc(term)),
        )
    ]
