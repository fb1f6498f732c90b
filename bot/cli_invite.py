"""``duban invite NAME``: a one-time binding code from the terminal, so a bureau can start with no admin bound."""

from __future__ import annotations

import argparse
import sys

from bot.texts import t
from config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``invite`` sub-command's arguments."""
    cmd = sub.add_parser("invite", help="print a one-time binding code for a person (and the Telegram link)")
    cmd.add_argument("name", help="the person's name, as in the table or /person add")


async def cmd_invite(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """Create an invite for ``args.name`` and print the code, its expiry and the deep link where one is known."""
    from bot.app import open_core, system_now
    from bot.db.clock import to_local
    from bot.services import accounts, people

    core = await open_core(settings)
    try:
        async with core.db.session() as session:
            person = await people.find_person(session, args.name.strip())
            if person is None:
                print(t("invite.cli_unknown_person", lang, name=args.name.strip()), file=sys.stderr)
                return 2
            made = await accounts.create_invite(session, person, created_by="cli", now=system_now())
            expires = to_local(made.expires_at, core.tz).strftime("%Y-%m-%d %H:%M")
            print(t("invite.cli_made", lang, name=person.name, code=made.code, expires=expires))
            username = settings.telegram.username
            link = core.caps("telegram").deep_link(made.code, username.lstrip("@")) if username else None
            if settings.telegram.token is not None and link:
                print(t("invite.cli_link", lang, link=link))
            await session.commit()
        return 0
    finally:
        await core.db.dispose()
