"""Group chats: /subscribe 疾控股 应急办 | all, /unsubscribe [sections] (admins, in the group itself).

Everything said in a group is read by all its members, so admin commands are scoped there (issue 10, item 7):
/export and /stats cover only the group's subscribed sections (see handlers.admin); commands that reveal
people, accounts, invites or whole tables, or change them, answer "use this in a private chat" (PRIVATE_ONLY).
"""

from __future__ import annotations

from bot.services import subscriptions
from bot.services.people import PeopleError
from bot.services.subscriptions import ChatSections
from handlers.context import Ctx
from handlers.render import esc
from handlers.router import Command, Handler
from bot.contracts import Reply

# Commands that answer only in a private chat: people and their accounts (/people), invite codes (/invite),
# changes to people, sections and assignments, whole-table imports, and extension decisions (whose reply
# names a task of any section).
PRIVATE_ONLY = frozenset({
    "invite", "person", "member", "people", "assign", "import", "import_confirm", "import_cancel",
    "import_year", "columns", "approve", "reject", "group",
})


def private_only(handler: Handler) -> Handler:
    """The handler, answering "use this in a private chat" when called in a group."""

    async def guarded(ctx: Ctx, args: str) -> list[Reply]:
        if ctx.in_group:
            text = ctx.t("conv.private_only")
            return [Reply(text, toast=text if ctx.route.button else None)]
        return await handler(ctx, args)

    guarded.__doc__ = handler.__doc__
    return guarded


def scoped(table: dict[str, Command]) -> dict[str, Command]:
    """The command table with every PRIVATE_ONLY command guarded against use in a group."""
    return {
        name: Command(private_only(command.handler), command.access) if name in PRIVATE_ONLY else command
        for name, command in table.items()
    }


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
