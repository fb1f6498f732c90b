"""Import by chat: /import with a document → preview with 确认导入 / 取消 → applied only on confirm, all or nothing.

The importer (and its file-format libraries) loads on the first import, not when the bot starts. Reading,
comparing and applying a table run in a worker process with its own database connection (bot.db.offloop):
a 10,000-row revision takes seconds, and other users' replies must not wait for it. The preview is one
message; what does not fit in it comes as a text file (handlers.import_summary).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from bot.db.models import PendingImport
from bot.db.offloop import off_loop
from bot.db.session import Database
from bot.texts import t
from handlers.context import Ctx
from handlers.render import esc
from handlers.router import button_data
from bot.contracts import Button, Reply

if TYPE_CHECKING:
    from bot.services.imports import Applied
    from bot.tableimport import ImportLimits, Problem
    from handlers.import_summary import PreviewParts

PENDING_VALID = timedelta(days=1)  # as bot.services.imports.PENDING_VALID (not imported: it loads the importer)
MAX_PROBLEMS = 20  # lines of a refusal in chat


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _limits(ctx: Ctx) -> ImportLimits:
    from bot.tableimport import ImportLimits

    imports = ctx.core.settings.imports
    return ImportLimits(max_bytes=imports.max_bytes, max_rows=imports.max_rows, max_cells=imports.max_cells)


def _failure(ctx: Ctx, problems: tuple[Problem, ...]) -> list[Reply]:
    from bot.tableimport.errors import render_problem

    lines = [render_problem(problem, ctx.lang) for problem in problems]
    shown = [ctx.t("conv.import_failed"), *(esc(line) for line in lines[:MAX_PROBLEMS])]
    if len(lines) > MAX_PROBLEMS:
        shown.append(ctx.t("conv.import_more_problems", count=len(lines) - MAX_PROBLEMS))
    return [Reply("\n".join(shown), edit=ctx.route.button)]


async def start_import(ctx: Ctx, args: str) -> list[Reply]:
    """/import [year] with a document (caption or reply): check the size, read, preview, and hold for confirmation."""
    attachment = ctx.request.attachment
    if attachment is None:
        return [Reply(ctx.t("conv.import_usage" if ctx.request.caps.file_caption else "conv.import_usage_after"))]
    # "/import [年度] [列指定]": a four-digit year first, then an optional column mapping.
    year_text, _, spec = args.strip().partition(" ")
    if year_text and not (year_text.isdigit() and len(year_text) == 4):
        year_text, spec = "", args.strip()
        if "=" not in spec:
            return [Reply(ctx.t("conv.import_usage"))]
    year = int(year_text) if year_text else None
    limit = ctx.core.settings.imports.max_bytes
    # Refuse before downloading: the channel knows the size from the message.
    if attachment.size is not None and attachment.size > limit:
        return [
            Reply(
                ctx.t("conv.import_too_large", file=esc(attachment.name), size=_mb(attachment.size), limit=_mb(limit))
            )
        ]
    data = await attachment.fetch()
    if len(data) > limit:
        return [Reply(ctx.t("conv.import_too_large", file=esc(attachment.name), size=_mb(len(data)), limit=_mb(limit)))]
    return await _hold(ctx, data, attachment.name, year, spec.strip() or None)


@dataclass(frozen=True, slots=True)
class _Read:
    """What the worker sends back about a file it read: small, so unpickling it on the loop costs nothing."""

    year: int
    year_guessed: bool
    parts: PreviewParts


async def _read(db: Database, data: bytes, filename: str, now: datetime, year: int | None, limits: ImportLimits,
                columns: str | None, lang: str) -> _Read | tuple[Problem, ...]:
    """In a worker: read and compare the file; the preview's message and file, or why it was refused."""
    from bot.services.import_names import name_hints
    from bot.services.imports import ImportFailure, prepare_import
    from handlers.import_summary import preview_parts

    try:
        async with db.session() as session:
            preview = await prepare_import(session, data, filename, now=now, year=year, limits=limits, columns=columns)
            names = await name_hints(session, preview)
    except ImportFailure as failure:
        return failure.problems
    return _Read(preview.year, preview.year_guessed, preview_parts(preview, lang, names))


async def _hold(ctx: Ctx, data: bytes, filename: str, year: int | None, columns: str | None,
                *, edit: bool = False) -> list[Reply]:
    """Read and preview the file, keep it until the admin confirms, and offer the confirm (or year) buttons."""
    read = await off_loop(ctx.core.db, _read, data, filename, ctx.request.now, year, _limits(ctx), columns, ctx.lang)
    if isinstance(read, tuple):
        return _failure(ctx, read)
    token = secrets.token_urlsafe(12)
    ctx.session.add(
        PendingImport(
            token=token,
            actor=ctx.request.sender.key,
            filename=filename,
            data=data,
            year=year,
            columns=columns,
            created_at=ctx.request.now,
        )
    )
    lines = [ctx.t("conv.import_preview"), *read.parts.lines]
    # The file first, so the buttons sit on the last message, where the admin reads on.
    attached = [Reply(file=read.parts.file)] if read.parts.file is not None else []
    cancel = Button(ctx.t("conv.btn_import_cancel"), button_data("import_cancel", token))
    if read.year_guessed:
        # No year in the file: the admin picks it before anything can be confirmed, since every date depends on it.
        years = [Button(ctx.t("conv.btn_import_year", year=y), button_data("import_year", f"{token}:{y}"))
                 for y in (read.year - 1, read.year, read.year + 1)]
        text = "\n".join([*lines, ctx.t("conv.import_ask_year")])
        return [*attached, Reply(text, buttons=[years, [cancel]], edit=edit)]
    buttons = [[Button(ctx.t("conv.btn_import_confirm"), button_data("import_confirm", token)), cancel]]
    return [*attached, Reply("\n".join(lines), buttons=buttons, edit=edit)]


async def columns(ctx: Ctx, args: str) -> list[Reply]:
    """/columns B=类别,C=任务: read the admin's last uploaded table again with these columns and preview it."""
    spec = args.strip()
    if not spec:
        return [Reply(ctx.t("conv.columns_usage"))]
    pending = await ctx.session.scalar(
        select(PendingImport)
        .where(PendingImport.actor == ctx.request.sender.key, PendingImport.created_at > ctx.request.now - PENDING_VALID)
        .order_by(PendingImport.id.desc())
        .limit(1)
    )
    if pending is None:
        return [Reply(ctx.t("conv.import_gone"))]
    replies = await _hold(ctx, pending.data, pending.filename, pending.year, spec)
    if any(reply.buttons for reply in replies):  # a new preview is held: the old one can no longer be confirmed
        await ctx.session.execute(delete(PendingImport).where(PendingImport.id == pending.id))
    return replies


async def set_year(ctx: Ctx, args: str) -> list[Reply]:
    """A year button under a preview without a year: read the held file again as that year's table."""
    token, _, year_text = args.strip().rpartition(":")
    if not (year_text.isdigit() and len(year_text) == 4):
        return [Reply(ctx.t("conv.import_gone"), edit=True)]
    pending = await _claim(ctx, token)
    if pending is None:
        return [Reply(ctx.t("conv.import_gone"), edit=True)]
    return await _hold(ctx, pending.data, pending.filename, int(year_text), pending.columns, edit=True)


async def _claim(ctx: Ctx, token: str) -> PendingImport | None:
    """Take the pending import off the list, so a double press applies it once; None when gone or expired."""
    from bot.services.imports import claim_pending

    return await claim_pending(ctx.session, token, ctx.request.now)


async def _apply(db: Database, token: str, now: datetime, limits: ImportLimits, actor: str,
                 channel: str) -> Applied | tuple[Problem, ...] | None:
    """In a worker: claim the held file, read it again and apply it in one transaction."""
    from bot.services.imports import ImportFailure, apply_pending

    async with db.session() as session:
        outcome = await apply_pending(session, token, now=now, limits=limits, actor=actor, channel=channel)
    return outcome.problems if isinstance(outcome, ImportFailure) else outcome


async def confirm(ctx: Ctx, args: str) -> list[Reply]:
    """确认导入: in a worker, claim the held file, parse it again and apply it, all or nothing."""
    sender = ctx.request.sender
    outcome = await off_loop(ctx.core.db, _apply, args.strip(), ctx.request.now, _limits(ctx), sender.key,
                             sender.channel)
    if outcome is None:
        return [Reply(ctx.t("conv.import_gone"), edit=True)]
    if isinstance(outcome, tuple):
        return _failure(ctx, outcome)
    if outcome.diff is not None:
        d = outcome.diff
        text = t("importing.revised", ctx.lang, title=esc(outcome.title), added=len(d.added), removed=len(d.removed),
                 changed=len(d.changed))
    else:
        text = t("importing.applied", ctx.lang, title=esc(outcome.title), tasks=outcome.tasks)
    return [Reply(text, edit=True, toast=ctx.t("conv.import_toast"))]


async def cancel(ctx: Ctx, args: str) -> list[Reply]:
    """取消: forget the held file; nothing was changed."""
    await _claim(ctx, args.strip())
    return [Reply(ctx.t("conv.import_cancelled"), edit=True)]
