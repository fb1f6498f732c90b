"""``duban groups add|list|remove``: group robots (WeCom, DingTalk) and the sections whose digests they post."""

from __future__ import annotations

import argparse
import sys

from bot.texts import t
from config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``groups`` sub-command's arguments."""
    cmd = sub.add_parser("groups", help="group robots that post their sections' digests (WeCom, DingTalk)")
    verbs = cmd.add_subparsers(dest="groups_action", required=True)
    add = verbs.add_parser("add", help="register a robot: its key, access token or webhook URL")
    add.add_argument("channel", choices=["wecom", "dingtalk"])
    add.add_argument("target", help="WeCom robot key / DingTalk access_token, or the robot's webhook URL")
    add.add_argument("--sections", required=True, action="append",
                     help="sections it covers, comma-separated, repeatable; 全部/all for every section")
    add.add_argument("--secret", help="DingTalk signing secret (SEC…), when the robot signs")
    add.add_argument("--title", help="a name to recognise the robot by (e.g. the group's name)")
    verbs.add_parser("list", help="one robot per line, starting with its id; keys masked")
    remove = verbs.add_parser("remove", help="unregister a robot by id")
    remove.add_argument("id", type=int)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


async def cmd_groups(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """Run ``duban groups …`` against the configured database."""
    from bot.app import open_core, system_now
    from bot.services import robots

    core = await open_core(settings)
    try:
        async with core.db.session() as session:
            await adopt_settings_robot(session, settings)
            if args.groups_action == "list":
                views = await robots.list_robots(session)
                print("\n".join(robots.robot_line(v, lang) for v in views) if views else t("robots.none", lang))
                return 0
            if args.groups_action == "remove":
                gone = await robots.remove_robot(session, args.id, now=system_now())
                if gone is None:
                    return _fail(t("robots.not_found", lang, id=args.id))
                print(t("robots.removed", lang, id=gone.id, channel=gone.channel, masked=gone.masked))
                return 0
            try:
                view = await robots.add_robot(session, args.channel, args.target, args.sections, secret=args.secret,
                                              title=args.title, created_by="cli", now=system_now())
            except robots.RobotError as error:
                await session.rollback()
                return _fail(t(error.key, lang, **error.params))
            print(t("robots.added", lang, id=view.id, channel=view.channel, masked=view.masked,
                    sections=t("robots.all_sections", lang) if view.everything else "、".join(view.sections)))
            return 0
    finally:
        await core.db.dispose()


async def adopt_settings_robot(session, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """Register DUBAN_WECOM__ROBOT_KEY as an every-section robot the first time robots are managed or served."""
    from bot.app import system_now
    from bot.services.robots import adopt_setting_robot

    key = settings.wecom.robot_key
    if key is not None and key.get_secret_value().strip():
        await adopt_setting_robot(session, "wecom", key.get_secret_value().strip(), now=system_now())
