"""The ``duban`` command line: import, list, export, calendar, console, run, remind, jobs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path

from bot.app import configure_logging, open_core, system_now
from bot.cli_groups import cmd_groups
from bot.cli_invite import cmd_invite
from bot.core import Core
from bot.db.clock import from_local, local_date
from bot.tableimport import ImportFailure
from bot.texts import t
from bot.workcal import CalendarFileError
from config import Settings, get_settings

log = logging.getLogger("duban.cli")
DEMO_START = datetime(2023, 10, 27, 9, 0)
# The sample as the bureau would have loaded it, days after it was issued: 序时进度 windows open then.
SAMPLE_IMPORTED = datetime(2023, 5, 10, 9, 0)


class CliError(Exception):
    """A user error already worded for the terminal; exits with status 2."""


def _date(arg: str, value: str | None, lang: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(t("cli.bad_date", lang, arg=arg, value=value)) from None


def _datetime(arg: str, value: str, lang: str, tz: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(t("cli.bad_datetime", lang, arg=arg, value=value)) from None
    return from_local(moment, tz) if moment.tzinfo is None else moment


def _read(path: str, lang: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise CliError(t("cli.file_missing", lang, file=path))
    try:
        return file.read_bytes()
    except OSError as exc:
        raise CliError(t("cli.file_unreadable", lang, file=path, reason=exc.strerror)) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = argparse.ArgumentParser(prog="duban", description="督办 Duban: 责任分解表督办机器人")
    parser.add_argument("--lang", choices=["zh", "en"], help="language of messages (default DUBAN_LANGUAGE)")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade", "current", "backup", "restore"])
    from bot.cli_db import add_arguments as add_db_arguments

    add_db_arguments(db)

    imp = sub.add_parser("import", help="load a responsibility table (xlsx, xls, docx, csv, html, pdf, txt)")
    imp.add_argument("file")
    imp.add_argument("--year", type=int, help="the document year, when the file does not say")
    imp.add_argument("--columns", help='correct the column guess, e.g. "B=类别,C=任务,D=牵头单位" (roles as the preview prints)')
    imp.add_argument("--dry-run", action="store_true", help="show the preview only")

    tasks = sub.add_parser("tasks", help="list tasks")
    tasks.add_argument("--leader")
    tasks.add_argument("--section")
    tasks.add_argument("--overdue", action="store_true")
    tasks.add_argument("--due-within", type=int, metavar="N", help="due within N working days")
    tasks.add_argument("--at", metavar="YYYY-MM-DD", help="as of this day (default today)")

    exp = sub.add_parser("export", help="export the tables")
    exp.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
    exp.add_argument("-o", "--output", help="file to write (default stdout for json/csv)")
    exp.add_argument("--at", metavar="YYYY-MM-DD")
    exp.add_argument("--template", action="store_true", help="xlsx: the 责任分解表 template to fill in and re-import")
    exp.add_argument("--table", help="with --template: table id or title (default: the newest active table)")

    cal = sub.add_parser("calendar", help="the working-day calendar")
    cal_sub = cal.add_subparsers(dest="action", required=True)
    load = cal_sub.add_parser("load", help="load admin overrides from a file (date,休|班 per line)")
    load.add_argument("file")
    add = cal_sub.add_parser("add", help="set one day as a working day or a day off")
    add.add_argument("day")
    add.add_argument("kind", choices=["work", "off"])
    add.add_argument("--note")
    check = cal_sub.add_parser("check", help="warn when a year has no official data")
    check.add_argument("--at", metavar="YYYY-MM-DD")

    console = sub.add_parser("console", help="talk to Duban in this terminal")
    console.add_argument("--demo", action="store_true", help="fresh demo database with the sample table")

    sub.add_parser("run", help="start every configured channel and the scheduler")

    remind = sub.add_parser("remind", help="run the reminder pass the scheduler runs at an instant")
    remind.add_argument("--at", required=True, metavar="YYYY-MM-DDTHH:MM", help="local time")
    remind.add_argument("--dry-run", action="store_true")

    sub.add_parser("jobs", help="list scheduled jobs and their next run times")

    from bot.cli_assign import add_parser as add_assign
    from bot.cli_doctor import add_parser as add_doctor

    add_assign(sub)
    from bot.cli_groups import add_parser as add_groups
    from bot.cli_invite import add_parser as add_invite

    add_groups(sub)
    add_invite(sub)
    add_doctor(sub)
    return parser


Command = Callable[[argparse.Namespace, Settings, str], Awaitable[int]]


async def _with_core(settings: Settings, body: Callable[[Core], Awaitable[int]]) -> int:
    core = await open_core(settings)
    try:
        return await body(core)
    finally:
        await core.db.dispose()


async def cmd_db(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """``duban db upgrade|current|backup|restore``."""
    from bot.cli_db import ACTIONS, run

    if args.action in ACTIONS:
        return await run(args, settings, lang)
    from bot.db import Database
    from bot.db.migrate import current, upgrade

    db = Database(settings.database.url)
    try:
        if args.action == "upgrade":
            await upgrade(db.engine)
        print(t("cli.db_upgraded", lang, revision=await current(db.engine)) if args.action == "upgrade"
              else (await current(db.engine) or "-"))
    finally:
        await db.dispose()
    return 0


async def cmd_import(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """``duban import FILE [--year] [--dry-run]``."""
    from bot.services.import_names import name_hints
    from bot.services.imports import apply_import, prepare_import, render_preview
    from bot.tableimport import ImportLimits

    data = _read(args.file, lang)
    limits = ImportLimits(settings.imports.max_bytes, settings.imports.max_rows, settings.imports.max_cells)
    now = system_now()

    async def body(core: Core) -> int:
        async with core.db.session() as session:
            preview = await prepare_import(session, data, Path(args.file).name, now=now, year=args.year, limits=limits,
                                           columns=args.columns)
            names = await name_hints(session, preview)
            print("\n".join(render_preview(preview, lang, how="cli", names=names)))
            if args.dry_run:
                print(t("importing.dry_run", lang))
                await session.rollback()
                return 0
            with _progress(len(preview.tasks)) as bar:
                table = await apply_import(session, preview, now=now, actor="cli", channel="cli", progress=bar)
        d = preview.diff
        print(t("importing.revised", lang, title=table.title, added=len(d.added), removed=len(d.removed),
                changed=len(d.changed)) if d else t("importing.applied", lang, title=table.title, tasks=len(preview.tasks)))
        return 0

    return await _with_core(settings, body)


class _progress:
    """A tqdm bar on a terminal for long imports; silent otherwise."""

    def __init__(self, total: int) -> None:
        self.bar = None
        if total >= 500 and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="行", file=sys.stderr, leave=False)

    def __enter__(self) -> Callable[[int], None] | None:
        return self.bar.update if self.bar is not None else None

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


async def cmd_tasks(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """``duban tasks [filters]``: a readable list with colour marks."""
    from bot.services.status import COLOUR_MARKS, Rules
    from bot.services.task_list import list_tasks

    today = _date("--at", args.at, lang) or local_date(system_now(), settings.timezone)
    rules = Rules.from_settings(settings.reminders)

    async def body(core: Core) -> int:
        async with core.db.session() as session:
            listed = await list_tasks(session, today=today, cal=core.calendar, tz=core.tz, rules=rules,
                                      leader=args.leader, section=args.section, overdue=args.overdue,
                                      due_within=args.due_within)
            if not listed:
                print(t("cli.no_tasks", lang))
                return 0
            for item in listed:
                print(_task_line(item, lang))
            print(t("cli.total", lang, count=len(listed)))
        return 0

    def _task_line(item, lang: str) -> str:  # type: ignore[no-untyped-def]
        s = item.standing
        if s.days_left is None:
            left = t("cli.no_due", lang)
        elif s.days_left < 0:
            left = t("cli.days_overdue", lang, n=-s.days_left)
        elif s.days_left == 0:
            left = t("cli.due_today", lang)
        else:
            left = t("cli.days_left", lang, n=s.days_left)
        if s.estimated:
            left += t("cli.estimated", lang)
        head = t("cli.task_line", lang, mark=COLOUR_MARKS[s.colour], no=item.task.no,
                 due=s.due.isoformat() if s.due else "----------", left=left, title=item.task.title)
        roles = t("cli.task_roles", lang, leaders="、".join(item.leaders) or "—",
                  sections="、".join(item.sections) or "—")
        return f"{head}\n{roles}"

    return await _with_core(settings, body)


async def cmd_export(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """``duban export --format json|csv|xlsx [-o FILE]``."""
    import json

    from bot import exports

    today = _date("--at", args.at, lang) or local_date(system_now(), settings.timezone)

    async def body(core: Core) -> int:
        async with core.db.session() as session:
            if args.template:
                data = await _template(session, args, lang)
            elif args.format == "json":
                payload = json.dumps(await exports.export_json(session, today=today), ensure_ascii=False, indent=1)
                data = payload.encode("utf-8")
            elif args.format == "csv":
                data = await exports.export_csv(session, today=today)
            else:
                data = await exports.ledger_xlsx(session, core, today, lang)
        if args.output:
            Path(args.output).write_bytes(data)
            print(t("cli.exported", lang, file=args.output), file=sys.stderr)
        elif args.format == "xlsx":
            raise CliError(t("cli.error", lang, message="xlsx needs -o FILE"))
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        return 0

    return await _with_core(settings, body)


async def _template(session, args: argparse.Namespace, lang: str) -> bytes:  # type: ignore[no-untyped-def]
    from bot.exports.template import template_xlsx
    from bot.services.assign import find_table

    table_id = None
    if args.table is not None and (table_id := await find_table(session, args.table)) is None:
        raise CliError(t("assign.table_unknown", lang, table=args.table))
    data = await template_xlsx(session, table_id, lang)
    if data is None:
        raise CliError(t("assign.template_empty", lang))
    args.format = "xlsx"
    return data


async def cmd_assign(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """``duban assign N --leader … --section … [--unit …] [--table …] [--create]``."""
    from bot.cli_assign import run_assign

    return await _with_core(settings, lambda core: run_assign(core, args, lang, system_now()))


async def cmd_calendar(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """``duban calendar load|add|check``."""
    from bot.services.calendar_admin import add_override, load_overrides

    async def body(core: Core) -> int:
        if args.action == "load":
            data = _read(args.file, lang)
            async with core.db.session() as session:
                count = await load_overrides(session, data, Path(args.file).name)
            print(t("cli.calendar_loaded", lang, count=count))
        elif args.action == "add":
            day = _date("day", args.day, lang)
            async with core.db.session() as session:
                await add_override(session, day, args.kind == "work", args.note)  # type: ignore[arg-type]
            print(t("cli.calendar_added", lang, day=day, kind=t("cli.workday" if args.kind == "work" else "cli.holiday", lang)))
        else:
            today = _date("--at", args.at, lang) or local_date(system_now(), settings.timezone)
            warnings = core.calendar.check_messages(today, lang)
            for line in warnings:
                print(line)
            if not warnings:
                print(t("cli.calendar_ok", lang, years=f"{today.year}–{today.year + 1}"))
            return 1 if warnings else 0
        return 0

    return await _with_core(settings, body)


async def cmd_console(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """``duban console [--demo]``: the conversation in this terminal."""
    from bot.channels.console import run_console

    if args.demo:
        from bot.app import demo_database

        settings.database.url = demo_database(Path.cwd())
        if "console:admin" not in settings.admins:
            settings.admins.append("console:admin")
    core = await open_core(settings)
    try:
        if args.demo:
            await _load_sample(core, lang, from_local(SAMPLE_IMPORTED, settings.timezone))
        clock = system_now
        if args.demo:
            # The sample is the 2023 table: the demo's clock starts on a morning when its deadlines matter.
            offset = from_local(DEMO_START, settings.timezone) - system_now()
            clock = lambda: system_now() + offset  # noqa: E731
        await run_console(core, stdin=sys.stdin, stdout=sys.stdout, clock=clock, demo=args.demo)
    finally:
        await core.db.dispose()
    return 0


async def _load_sample(core: Core, lang: str, now: datetime) -> None:
    from bot.app import sample_table
    from bot.services.imports import apply_import, prepare_import

    name, data = sample_table()
    async with core.db.session() as session:
        preview = await prepare_import(session, data, name, now=now)
        table = await apply_import(session, preview, now=now, actor="demo", channel="console")
    print(t("cli.demo_ready", lang, title=table.title, tasks=len(preview.tasks), db=core.redact(core.settings.database.url)))


async def cmd_run(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """``duban run``: every configured channel plus the scheduler, until interrupted."""
    from bot.app import run_all

    from bot.channels.dingtalk import dingtalk_configured

    if (settings.telegram.token is None and not settings.wecom.corp_id and settings.wecom.robot_key is None
            and not dingtalk_configured(settings)):
        print(t("cli.no_token", lang))
        return 2
    return await run_all(settings)


async def cmd_remind(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """``duban remind --at …``: the scheduler's pass at that instant (``--dry-run`` lists, sends nothing)."""
    from bot.app import remind_once

    now = _datetime("--at", args.at, lang, settings.timezone)
    return await remind_once(settings, now, dry_run=args.dry_run, lang=lang)


async def cmd_jobs(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """``duban jobs``: the scheduled jobs and their next run times."""
    from bot.app import print_jobs
    from bot.cli_db import print_passes

    status = await print_jobs(settings, system_now())
    await print_passes(settings, lang)
    return status


async def cmd_doctor(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    """``duban doctor``: one line per configuration and reachability check; 1 when any failed."""
    from bot.cli_doctor import run

    return await run(settings, lang, local_date(system_now(), settings.timezone))


COMMANDS: dict[str, Command] = {
    "db": cmd_db,
    "import": cmd_import,
    "tasks": cmd_tasks,
    "export": cmd_export,
    "calendar": cmd_calendar,
    "console": cmd_console,
    "run": cmd_run,
    "remind": cmd_remind,
    "jobs": cmd_jobs,
    "assign": cmd_assign,
    "groups": cmd_groups,
    "invite": cmd_invite,
    "doctor": cmd_doctor,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``duban`` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValueError as exc:  # pydantic's ValidationError: one line per bad DUBAN_ variable, no traceback
        from bot.cli_doctor import settings_failures

        doctor = args.command == "doctor"
        for problem in settings_failures(exc):
            print(f"fail settings: {problem}" if doctor else t("cli.error", args.lang, message=problem),
                  file=sys.stdout if doctor else sys.stderr)
        return 1 if doctor else 2
    lang = args.lang or settings.language
    redact = configure_logging(settings.log_level if args.command in ("run", "console") else "WARNING", settings)
    try:
        return asyncio.run(COMMANDS[args.command](args, settings, lang))
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except ImportFailure as exc:
        print("\n".join(exc.render(lang)), file=sys.stderr)
        return 2
    except CalendarFileError as exc:
        print(exc.render(lang), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a one-line error for the admin; the details go to the log
        if _database_busy(exc):
            print(t("cli.db_busy", lang, seconds=f"{settings.database.busy_timeout:g}"), file=sys.stderr)
            return 2
        log.debug("command failed", exc_info=True)
        print(t("cli.error", lang, message=redact(f"{type(exc).__name__}: {exc}")), file=sys.stderr)
        return 1


def _database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite giving up on a write lock another process held past the busy timeout."""
    from sqlalchemy.exc import OperationalError

    return isinstance(exc, OperationalError) and any(
        word in str(exc.orig).lower() for word in ("database is locked", "database is busy"))


if __name__ == "__main__":
    sys.exit(main())
