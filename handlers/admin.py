"""Admin commands: /invite, /person add, /member add|remove, /people, /export, /stats.

In a group (see handlers.groups) /export and /stats cover the group's subscribed sections only; the others
answer only in a private chat.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.db.clock import to_local
from bot.services import accounts, people
from bot.services.people import PeopleError
from bot.services.subscriptions import ChatSections
from handlers.context import Ctx
from handlers.paging import page_buttons
from handlers.render import esc, quote
from bot.contracts import OutFile, Reply

if TYPE_CHECKING:
    from bot.exports.data import ExportData

PEOPLE_PAGE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEAD_WORDS = {"head", "负责人", "股长", "科长", "主任"}


def _refused(ctx: Ctx, error: PeopleError) -> list[Reply]:
    return [Reply(ctx.t(error.key, **{k: esc(v) for k, v in error.params.items()}))]


async def invite(ctx: Ctx, args: str) -> list[Reply]:
    """/invite 李康民: a single-use code valid for 7 days, with a deep link where the channel has one."""
    name = args.strip()
    if not name:
        return [Reply(ctx.t("conv.invite_usage"))]
    person = await people.find_person(ctx.session, name)
    if person is None:
        return [Reply(ctx.t("conv.invite_unknown_person", name=quote(name)))]
    created = await accounts.create_invite(ctx.session, person, created_by=ctx.request.sender.key, now=ctx.request.now)
    expires = to_local(created.expires_at, ctx.core.tz).strftime("%Y-%m-%d %H:%M")
    lines = [ctx.t("conv.invite_made", name=esc(person.name), code=esc(created.code), expires=expires)]
    link = ctx.request.caps.deep_link(created.code, ctx.request.bot_username)  # the channel knows its links
    if link is not None:
        lines.append(ctx.t("conv.invite_link", link=esc(link)))
    return [Reply("\n".join(lines))]


async def person(ctx: Ctx, args: str) -> list[Reply]:
    """/person add 张三 [疾控股] [head]: a new person, optionally in a section (as its head)."""
    words = args.split()
    if len(words) < 2 or words[0].lower() not in ("add", "新增", "添加"):
        return [Reply(ctx.t("conv.person_usage"))]
    head = len(words) > 3 and words[3].lower() in _HEAD_WORDS
    if len(words) > 4 or (len(words) == 4 and not head):
        return [Reply(ctx.t("conv.person_usage"))]
    section = words[2] if len(words) > 2 else None
    try:
        found, created = await people.add_person(ctx.session, words[1], now=ctx.request.now, section=section, head=head)
    except PeopleError as error:
        return _refused(ctx, error)
    key = "conv.person_added" if created else "conv.person_exists"
    text = ctx.t(key, name=esc(found.name))
    if section:
        text += "\n" + ctx.t(
            "conv.member_added" + ("_head" if head else ""), name=esc(found.name), section=esc(section)
        )
    return [Reply(text)]


async def member(ctx: Ctx, args: str) -> list[Reply]:
    """/member add|remove 张三 疾控股 [head]: section membership and headship."""
    words = args.split()
    if len(words) < 3 or words[0].lower() not in ("add", "remove", "rm", "添加", "移除"):
        return [Reply(ctx.t("conv.member_usage"))]
    adding = words[0].lower() in ("add", "添加")
    head = len(words) > 3 and words[3].lower() in _HEAD_WORDS
    if len(words) > 4 or (len(words) == 4 and not (head and adding)):
        return [Reply(ctx.t("conv.member_usage"))]
    found = await people.find_person(ctx.session, words[1])
    if found is None:
        return [Reply(ctx.t("conv.invite_unknown_person", name=quote(words[1])))]
    try:
        if adding:
            section = await people.add_member(ctx.session, found, words[2], head=head)
            key = "conv.member_added_head" if head else "conv.member_added"
        else:
            section = await people.remove_member(ctx.session, found, words[2])
            key = "conv.member_removed"
    except PeopleError as error:
        return _refused(ctx, error)
    return [Reply(ctx.t(key, name=esc(found.name), section=esc(section.name)))]


async def people_(ctx: Ctx, args: str) -> list[Reply]:
    """/people: people with their sections (head marked) and bound accounts, paged."""
    total = await people.count_people(ctx.session)
    if not total:
        return [Reply(ctx.t("conv.people_empty"), edit=ctx.route.button)]
    pages = -(-total // PEOPLE_PAGE)
    page = min(max(ctx.route.page, 0), pages - 1)
    rows = await people.list_people(ctx.session, offset=page * PEOPLE_PAGE, limit=PEOPLE_PAGE)
    sep = ctx.t("conv.name_sep")
    lines = [
        ctx.t("conv.people_head", total=total)
        + (ctx.t("conv.page_of", page=page + 1, pages=pages) if pages > 1 else "")
    ]
    for row in rows:
        sections = sep.join(esc(name) + (ctx.t("conv.head_mark") if head else "") for name, head in row.sections) or "—"
        bound = sep.join(esc(a) for a in row.accounts) or ctx.t("conv.people_unbound")
        lines.append(ctx.t("conv.people_line", name=esc(row.name), sections=sections, accounts=bound))
    return [Reply("\n".join(lines), buttons=page_buttons("people", page, pages), edit=ctx.route.button)]


async def _group_scope(ctx: Ctx) -> ChatSections | None:
    """The sections a group follows (None outside a group, or when it follows everything)."""
    if not ctx.in_group:
        return None
    group = (await ctx.viewer()).group
    return None if group is None or group.everything else group


def _within(data: ExportData, group: ChatSections) -> ExportData:
    """Only the tasks of the group's sections, and only the tables that still have some."""
    from bot.exports.data import ExportData

    wanted = set(group.names)
    tasks = tuple(task for task in data.tasks if wanted.intersection(task.sections))
    tables = {task.table_id for task in tasks}
    return ExportData(tuple(table for table in data.tables if table.id in tables), tasks)


async def export(ctx: Ctx, args: str) -> list[Reply]:
    """/export: the 台账 as xlsx, with status, latest progress and colours; /export 模板 the template to fill in."""
    if args.strip().lower() in ("模板", "template"):
        if ctx.in_group:  # the template lists every task of a table, whoever leads it
            return [Reply(ctx.t("conv.private_only"))]
        from handlers.assign import template

        return await template(ctx, args)
    group = await _group_scope(ctx)
    if group is not None and group.empty:
        return [Reply(ctx.t("conv.group_not_subscribed"))]
    data = await _ledger(ctx, group)
    name = ctx.t("conv.export_name", date=ctx.today.isoformat())
    caption = ctx.t("conv.export_caption")
    if group is not None:
        caption += "\n" + ctx.t("conv.group_scope", sections=ctx.t("conv.name_sep").join(esc(n) for n in group.names))
    return [Reply(caption, file=OutFile(name, data, XLSX))]


async def _ledger(ctx: Ctx, group: ChatSections | None) -> bytes:
    """The 台账 xlsx of every active table, or of a group's sections only."""
    from bot.exports.data import load_export
    from bot.exports.ledger import build_ledger
    from bot.services.status import Rules

    data = await load_export(ctx.session)
    if group is not None:
        data = _within(data, group)
    # Building the workbook is CPU work; keep the event loop (other chats) responsive meanwhile.
    rules = Rules.from_settings(ctx.core.settings.reminders)
    return await asyncio.to_thread(build_ledger, data, ctx.today, ctx.core.calendar, rules, ctx.core.tz, ctx.lang)


async def stats(ctx: Ctx, args: str) -> list[Reply]:
    """/stats: a short summary and a chart of done / on time / yellow / red per section (a group's sections in a group)."""
    from bot.exports.data import load_export
    from bot.exports.stats import compute_stats, render_chart, summary_text
    from bot.services.status import Rules

    group = await _group_scope(ctx)
    if group is not None and group.empty:
        return [Reply(ctx.t("conv.group_not_subscribed"))]
    data = await load_export(ctx.session)
    if group is not None:
        data = _within(data, group)
    rules = Rules.from_settings(ctx.core.settings.reminders)
    figures = compute_stats(data, ctx.today, ctx.core.calendar, rules, ctx.core.tz)
    if group is not None:  # a task shared with another section counts here, that section's row does not
        figures.sections = [(name, counts) for name, counts in figures.sections if name in group.names]
    # The summary comes in the safe markup already, with its section names escaped.
    summary = summary_text(figures, rules, ctx.lang)
    png = await asyncio.to_thread(render_chart, figures, ctx.lang)
    name = f"stats-{ctx.today.isoformat()}.png"
    return [Reply(summary), Reply(photo=OutFile(name, png, "image/png"))]
