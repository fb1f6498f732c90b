"""Group chats: /subscribe 疾控股 应急办 | all, /unsubscribe [sections] (admins, in the group itself)."""

from __future__ import annotations

from bot.services import subscriptions
from bot.services.people import PeopleError
from bot.services.subscriptions import ChatSections
from handlers.context import Ctx
from handlers.render import esc
from handlers.types import Reply


def _describe(ctx: Ctx, sections: ChatSections) -> str:
    if sections.everything:
        return ctx.t("conv.subscribed_all")
    if sections.empty:
        return ctx.t("conv.subscribed_none")
    return ctx.t("conv.subscribed", sections=ctx.t("conv.name_sep").join(esc(n) for n in sections.names))


async def subscribe(ctx: Ctx, args: str) -> list[Reply]:
    """/subscribe 疾控股 应急办 | all: this group follows those sections' tasks; alone, shows what it follows."""
    if not ctx.in_group:
        return [Reply(ctx.t("conv.group_only"))]
    chat = ctx.request.chat
    names = args.replace("，", " ").replace(",", " ").replace("、", " ").split()
    if not names:
        return [Reply(_describe(ctx, await subscriptions.chat_sections(ctx.session, chat.channel, chat.id)))]
    try:
        now = await subscriptions.subscribe(
            ctx.session, chat.channel, chat.id, names, now=ctx.request.now, title=chat.title
        )
    except PeopleError as error:
        return [Reply(ctx.t(error.key, **{k: esc(v) for k, v in error.params.items()}))]
    return [Reply(_describe(ctx, now))]


async def unsubscribe(ctx: Ctx, args: str) -> list[Reply]:
    """/unsubscribe [sections]: stop following those sections, or everything."""
    if not ctx.in_group:
        return [Reply(ctx.t("conv.group_only"))]
    chat = ctx.request.chat
    names = args.replace("，", " ").replace(",", " ").replace("、", " ").split()
    try:
        left = await subscriptions.unsubscribe(ctx.session, chat.channel, chat.id, names or None)
    except PeopleError as error:
        return [Reply(ctx.t(error.key, **{k: esc(v) for k, v in error.params.items()}))]
    return [Reply(_describe(ctx, left))]
