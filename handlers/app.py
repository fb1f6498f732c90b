"""The conversation's entry point: ``handle(core, request)`` routes, checks the caller's role, runs the handler.

It never raises. An unexpected error becomes a short apology with an error id; the traceback goes to the
log under that id, never into the chat.
"""

from __future__ import annotations

import logging
import secrets
from functools import lru_cache

from bot.core import Core
from bot.services.accounts import get_caller
from bot.texts import t
from handlers.context import Ctx
from handlers.identity import unbound_text
from handlers.router import Command, Route, commands, route_callback, route_text
from bot.contracts import Reply, Request

log = logging.getLogger("duban.handlers")


@lru_cache(maxsize=1)
def _commands() -> dict[str, Command]:
    return commands()


async def handle(core: Core, request: Request) -> list[Reply]:
    """Answer one message or button press; never raises."""
    lang: list[str] = [core.settings.language]
    try:
        return await _dispatch(core, request, lang)
    except Exception:
        error_id = secrets.token_hex(4)
        what = (
            "button" if request.callback else (request.text.split(maxsplit=1)[0][:40] if request.text.strip() else "-")
        )
        log.exception(
            "error %s handling %r from %s in %s:%s",
            error_id,
            what,
            request.sender.key,
            request.chat.kind,
            request.chat.id,
        )
        return [Reply(t("conv.error", lang[0], id=error_id))]


def _route(request: Request) -> Route | None:
    if request.callback is not None:
        return route_callback(request.callback)
    route = route_text(request.text, request.bot_username)
    if route is None and request.attachment is not None and request.chat.kind == "private":
        return Route("file_hint")
    return route


async def _dispatch(core: Core, request: Request, lang: list[str]) -> list[Reply]:
    route = _route(request)
    if route is None and request.callback is not None:
        return [Reply(toast=t("conv.button_stale", lang[0]))]
    command = _commands().get(route.name) if route is not None else None
    if command is None and request.chat.kind == "group":
        return []  # groups talk among themselves: only what is clearly for Duban gets an answer
    async with core.db.session() as session:
        sender = request.sender
        caller = await get_caller(session, sender.channel, sender.id)
        if caller is not None and caller.lang:
            lang[0] = caller.lang
        ctx = Ctx(
            core=core,
            request=request,
            session=session,
            route=route or Route("unknown"),
            caller=caller,
            admin=core.is_admin(sender.key),
            lang=lang[0],
        )
        if command is None:
            key = "conv.file_hint" if route is not None and route.name == "file_hint" else "conv.unknown"
            return [Reply(ctx.t(key))]
        refusal = _refusal(ctx, command)
        if refusal is not None:
            return refusal
        return await command.handler(ctx, ctx.route.args)


def _refusal(ctx: Ctx, command: Command) -> list[Reply] | None:
    """Why this caller may not run this command, or None when they may."""
    if command.access == "anyone":
        return None
    if command.access == "admin":
        if ctx.admin:
            return None
        text = ctx.t("conv.admin_only") if ctx.bound else unbound_text(ctx)
    elif command.access == "bound":
        if ctx.admin or ctx.bound:
            return None
        text = unbound_text(ctx)
    else:  # person
        if ctx.bound:
            return None
        text = ctx.t("conv.admin_not_bound") if ctx.admin else unbound_text(ctx)
    return [Reply(text, toast=text if ctx.route.button else None)]
