"""/group add|list|remove: admins register group robots (WeCom, DingTalk) that post their sections' digests.

Only in a private chat: the command carries the robot's key, which must not be shown to a group. The reply
shows the key masked; the admin's own message still holds it, which is why the chat must be private.
"""

from __future__ import annotations

from bot.services import robots
from bot.services.robots import RobotError
from handlers.context import Ctx
from handlers.render import esc
from bot.contracts import Reply

_ADD = frozenset({"add", "添加", "登记", "新增"})
_LIST = frozenset({"list", "ls", "列表", "查看"})
_REMOVE = frozenset({"remove", "rm", "delete", "删除", "移除"})


def _refused(ctx: Ctx, error: RobotError) -> list[Reply]:
    return [Reply(ctx.t(error.key, **{k: esc(str(v)) for k, v in error.params.items()}))]


async def group(ctx: Ctx, args: str) -> list[Reply]:
    """/group add CHANNEL 股室1,股室2 KEY_OR_URL [SEC…] | /group list | /group remove ID."""
    words = args.split()
    verb = words[0].lower() if words else ""
    if verb in _LIST and len(words) == 1:
        views = await robots.list_robots(ctx.session)
        if not views:
            return [Reply(ctx.t("robots.none"))]
        return [Reply("\n".join(esc(robots.robot_line(v, ctx.lang)) for v in views))]
    if ctx.in_group:
        return [Reply(ctx.t("robots.private_only"))]
    if verb in _REMOVE and len(words) == 2:
        if not words[1].isdigit():
            return [Reply(ctx.t("robots.bad_id"))]
        gone = await robots.remove_robot(ctx.session, int(words[1]), now=ctx.request.now)
        if gone is None:
            return [Reply(ctx.t("robots.not_found", id=esc(words[1])))]
        return [Reply(ctx.t("robots.removed", id=gone.id, channel=gone.channel, masked=esc(gone.masked)))]
    if verb in _ADD and len(words) in (4, 5):
        channel, sections, target = words[1].lower(), words[2], words[3]
        secret = words[4] if len(words) == 5 else None
        try:
            view = await robots.add_robot(ctx.session, channel, target, [sections], secret=secret,
                                          created_by=ctx.request.sender.key, now=ctx.request.now)
        except RobotError as error:
            return _refused(ctx, error)
        names = ctx.t("robots.all_sections") if view.everything else "、".join(view.sections)
        return [Reply(ctx.t("robots.added", id=view.id, channel=view.channel, masked=esc(view.masked),
                            sections=esc(names)))]
    return [Reply(ctx.t("robots.usage"))]
