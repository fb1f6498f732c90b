"""``duban assign N --leader … --section … [--unit …] [--table …] [--create]``: the CLI side of assigning."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from typing import TYPE_CHECKING

from bot.texts import t

if TYPE_CHECKING:
    from bot.core import Core


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``assign`` sub-command's arguments."""
    cmd = sub.add_parser("assign", help="set a task's lead leaders, lead sections and related units")
    cmd.add_argument("no", help="the task's 序号 (#N)")
    cmd.add_argument("--leader", action="append", help="lead leader(s); repeatable or comma-separated")
    cmd.add_argument("--section", action="append", help="lead section(s); repeatable or comma-separated")
    cmd.add_argument("--unit", action="append", help="related unit(s); repeatable or comma-separated")
    cmd.add_argument("--table", help="table id or title (default: the newest active table)")
    cmd.add_argument("--create", action="store_true", help="add unknown people and sections instead of refusing")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


async def run_assign(core: Core, args: argparse.Namespace, lang: str, now: datetime) -> int:
    """Assign one task as the CLI's admin; prints the outcome, exit status 2 on bad input."""
    from bot.services.assign import AssignError, assign, find_table, find_task, number_list, unassigned_numbers
    from bot.services.progress import Actor

    if args.leader is None and args.section is None and args.unit is None:
        return _fail(t("assign.nothing", lang))
    async with core.db.session() as session:
        table_id = None
        if args.table is not None:
            table_id = await find_table(session, args.table)
            if table_id is None:
                return _fail(t("assign.table_unknown", lang, table=args.table))
        task = await find_task(session, args.no, table_id)
        if task is None:
            return _fail(t("conv.task_not_found", lang, ref=args.no.lstrip("#")))
        actor = Actor(key="cli", channel="cli", person_id=None, admin=True)
        try:
            done = await assign(session, actor, task, now=now, leaders=args.leader, sections=args.section,
                                units=args.unit, create=args.create)
        except AssignError as error:
            await session.rollback()
            return _fail(t(error.key, lang, **error.params))
        none, sep = t("assign.none", lang), t("conv.name_sep", lang)
        print(t("assign.done" if done.changed else "assign.unchanged", lang, no=task.no,
                leaders=sep.join(done.new.leaders) or none, sections=sep.join(done.new.sections) or none,
                units=sep.join(done.new.units) or none))
        if done.created:
            print(t("assign.created", lang, names=sep.join(done.created)))
        left = await unassigned_numbers(session, task.table_id)
        print(t("assign.remaining", lang, n=len(left), numbers=number_list(left, lang)) if left
              else t("assign.all_assigned", lang))
    return 0
