"""Import by chat: /import with a document → preview with 确认导入 / 取消 → applied only on confirm, all or nothing.

The importer (and its file-format libraries) loads on the first import, not when the bot starts. Reading,
comparing and applying a table run in a worker thread with its own database connection (bot.db.offloop):
a 10,000-row revision takes seconds, and other users' replies must not wait for it. The preview is one
message; what does not fit in it comes as a text file (handlers.import_summary).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from bot.db.models import PendingImport
from bot.db.offloop import off_loop
from bot.db.session import Database
from bot.texts import t
from handlers.context import Ctx
from handlers.render import esc
from handlers.router import button_data
from handlers.types import Button, Reply

if TYPE_CHECKING:
    from bot.services.imports import ImportPreview
    from bot.tableimport import ImportFailure, ImportLimits

PENDING_VALID = timedelta(days=1)  # as bot.services.imports.PENDING_VALID (not imported: it loads the importer)
MAX_PROBLEMS = 20  # lines of a refusal in chat


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _limits(ctx: Ctx) -> ImportLimits:
    from bot.tableimport import ImportLimits

    imports = ctx.core.settings.imports
    return ImportLimits(max_bytes=imports.max_bytes, max_rows=imports.max_rows, max_cells=imports.max_cells)


def _failure(ctx: Ctx, failure: ImportFailure) -> list[Reply]:
    problems = failure.render(ctx.lang)
    lines = [ctx.t("conv.import_failed"), *(esc(line) for line in problems[:MAX_PROBLEMS])]
    if len(problems) > MAX_PROBLEMS:
        lines.append(ctx.t("conv.import_more_problems", count=len(problems) - MAX_PROBLEMS))
    return [Reply("\n".join(lines), edit=ctx.route.button)]


async def start_import(ctx: Ctx, args: str) -> list[Reply]:
    """/import [year] with a document (caption or reply): check the size, read, preview, and hold for confirmation."""
    attachment = ctx.request.attachment
    if attachment is None:
        return [Reply(ctx.t("conv.import_usage"))]
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


async def _hold(ctx: Ctx, data: bytes, filename: str, year: int | None, columns: str | None,
                *, edit: bool = False) -> list[Reply]:
    """Read and preview the file, keep it until the admin confirms, and offer the confirm (or year) buttons."""
    from bot.services.imports import ImportFailure, prepare_import
    from handlers.import_summary import PreviewParts, preview_parts

    limits, now, lang = _limits(ctx), ctx.request.now, ctx.lang

    async def read(db: Database) -> tuple[ImportPreview, PreviewParts]:
        async with db.session() as session:
            preview = await prepare_import(session, data, filename, now=now, year=year, limits=limits, columns=columns)
        return preview, preview_parts(preview, lang)

    try:
        preview, parts = await off_loop(ctx.core.db, read)
    except ImportFailure as failure:
        return _failure(ctx, failure)
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
    lines = [ctx.t("conv.import_preview"), *parts.lines]
    # The file first, so the buttons sit on the last message, where the admin reads on.
    attached = [Reply(file=parts.file)] if parts.file is not None else []
    cancel = Button(ctx.t("conv.btn_import_cancel"), button_data("import_cancel", token))
    if preview.year_guessed:
        # No year in the file: the admin picks it before anything can be confirmed, since every date depends on it.
        years = [Button(ctx.t("conv.btn_import_year", year=y), button_data("import_year", f"{token}:{y}"))
                 for y in (preview.year - 1, preview.year, preview.year + 1)]
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
    if replies[0].buttons:  # a new preview is held: the old one can no longer be confirmed
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


async def confirm(ctx: Ctx, args: str) -> list[Reply]:
    """确认导入: in a worker thread, claim the held file, parse it again and apply it in one transaction."""
    from bot.services.imports import Applied, ImportFailure, apply_pending

    token, now, limits = args.strip(), ctx.request.now, _limits(ctx)
    sender = ctx.request.sender

    async def apply(db: Database) -> Applied | ImportFailure | None:
        async with db.session() as session:
            return await apply_pending(session, token, now=now, limits=limits, actor=sender.key, channel=sender.channel)

    outcome = await off_loop(ctx.core.db, apply)
    if outcome is None:
        return [Reply(ctx.t("conv.import_gone"), edit=True)]
    if isinstance(outcome, ImportFailure):
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
