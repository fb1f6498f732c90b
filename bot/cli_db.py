"""``duban db backup FILE`` / ``duban db restore FILE [--force]``: the CLI side of backups."""

from __future__ import annotations

import argparse
import sys

from bot.texts import t
from config import Settings

ACTIONS = ("backup", "restore")


def add_arguments(db: argparse.ArgumentParser) -> None:
    """The backup/restore arguments of ``duban db`` (the action itself is the parser's first positional)."""
    db.add_argument("file", nargs="?", help="backup/restore: the backup file")
    db.add_argument("--force", action="store_true", help="restore: overwrite a database that has tasks or people")


async def run(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """Back up or restore the configured database; one line on success or failure."""
    from bot.services.backup import BackupError, backup, restore

    if not args.file:
        print(t("ops.file_needed", lang, action=args.action), file=sys.stderr)
        return 2
    url = settings.database.url
    try:
        if args.action == "backup":
            await backup(url, args.file)
        else:
            await restore(url, args.file, force=args.force)
    except BackupError as error:
        print(t(error.key, lang, **error.params), file=sys.stderr)
        return error.status
    print(t(f"ops.{args.action}_done", lang, file=args.file))
    return 0


async def print_passes(settings: Settings, lang: str) -> None:
    """The latest reminder passes (slot, replica, when finished) under ``duban jobs``."""
    from zoneinfo import ZoneInfo

    from bot.app import open_core
    from bot.services.pass_slots import recent_slots

    core = await open_core(settings)
    try:
        passes = await recent_slots(core)
    finally:
        await core.db.dispose()
    if not passes:
        print(t("ops.no_pass", lang))
    for done in passes:
        finished = done.finished_at.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M:%S")
        print(t("ops.last_pass", lang, slot=done.slot, replica=done.replica, finished=finished, messages=done.messages))
