"""/prefer wecom|telegram|dingtalk: a person bound on several channels gets each notice once, on this one."""

from __future__ import annotations

from bot.services import notices
from handlers.context import Ctx
from handlers.render import esc
from bot.contracts import Reply

_AUTO = frozenset({"auto", "自动", "默认"})


async def prefer(ctx: Ctx, args: str) -> list[Reply]:
    """/prefer CHANNEL sets where notices go; /prefer auto goes back to the latest bound account; bare shows it."""
    person_id = ctx.person_id
    if person_id is None:  # the router lets only bound people in; kept for type checkers
        return []
    wanted = args.strip().lower()
    silent = ctx.core.silent_channels
    current, bound = await notices.channel_choice(ctx.session, person_id, silent=silent)
    if not wanted:
        return [Reply(ctx.t("prefer.usage", current=esc(current or ctx.t("prefer.auto"))))]
    channel = None if wanted in _AUTO else wanted
    if not await notices.set_preferred_channel(ctx.session, person_id, channel, silent=silent):
        return [Reply(ctx.t("prefer.not_bound", channel=esc(channel or ""), channels=esc("、".join(bound) or "—")))]
    return [Reply(ctx.t("prefer.set", channel=esc(channel or ctx.t("prefer.auto"))))]
