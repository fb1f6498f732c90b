"""Who one is: /start [code] (binding), /whoami, /unbind, /lang, help."""

from __future__ import annotations

import math

from sqlalchemy import select

from bot.db.models import Account, Section, SectionMember
from bot.services import accounts
from bot.texts import LANGUAGES
from handlers.context import Ctx
from handlers.render import esc
from bot.contracts import Capabilities, Reply

_LANG_WORDS = {"zh": "zh", "cn": "zh", "中文": "zh", "chinese": "zh", "en": "en", "english": "en", "英文": "en"}


def import_how_key(caps: Capabilities) -> str:
    """How an admin hands over a table on this channel: a file with /import as its caption, or /import after it."""
    return "conv.import_how_caption" if caps.file_caption else "conv.import_how_after"


def unbound_text(ctx: Ctx) -> str:
    """How an unbound user gets an invite (and nothing else)."""
    key = "conv.unbound" if ctx.request.caps.deep_links else "conv.unbound_typed"  # no invite link to tap there
    return ctx.t(key, account=esc(ctx.request.sender.key))


async def start(ctx: Ctx, args: str) -> list[Reply]:
    """/start <code> binds this account; /start alone greets."""
    code = args.strip()
    sender = ctx.request.sender
    if code:
        if ctx.in_group:
            return [Reply(ctx.t("conv.start_in_group"))]
        result = await accounts.redeem_invite(
            ctx.session,
            code,
            channel=sender.channel,
            external_id=sender.id,
            now=ctx.request.now,
            display_name=sender.display_name,
        )
        if result.outcome == "slow_down" and result.retry_at is not None:
            minutes = max(1, math.ceil((result.retry_at - ctx.request.now).total_seconds() / 60))
            return [Reply(ctx.t("conv.invite_slow_down", minutes=minutes))]
        if result.outcome == "bound_other":
            name = result.person.name if result.person is not None else "—"
            return [Reply(ctx.t("conv.invite_bound_other", name=esc(name)))]
        if result.outcome != "bound" or result.person is None:
            return [Reply(ctx.t(f"conv.invite_{result.outcome}"))]
        return [Reply(ctx.t("conv.bound", name=esc(result.person.name)))]
    if ctx.bound:
        return [Reply(ctx.t("conv.welcome_bound", name=esc(ctx.person_name)) + "\n\n" + ctx.t("conv.help_short"))]
    if ctx.admin:
        return [Reply(ctx.t("conv.welcome_admin") + "\n\n" + ctx.t("conv.help_short"))]
    return [Reply(ctx.t("conv.welcome") + "\n\n" + unbound_text(ctx))]


async def help_(ctx: Ctx, args: str) -> list[Reply]:
    """帮助: what can be asked and done (and, for admins, administered)."""
    caps = ctx.request.caps
    text = ctx.t("conv.help", task_detail=ctx.t("conv.help_detail_buttons" if caps.buttons else "conv.help_detail_typed"))
    if ctx.admin:
        text += "\n\n" + ctx.t("conv.help_admin", import_how=ctx.t(import_how_key(caps)))
    if not ctx.bound and not ctx.admin:
        text += "\n\n" + unbound_text(ctx)
    return [Reply(text)]


async def whoami(ctx: Ctx, args: str) -> list[Reply]:
    """/whoami: this account, its binding, sections, role and language."""
    lines = [ctx.t("conv.whoami_account", account=esc(ctx.request.sender.key))]
    if not ctx.bound:
        lines.append(ctx.t("conv.whoami_unbound"))
    else:
        rows = await ctx.session.execute(
            select(Section.name, SectionMember.is_head)
            .join(SectionMember, SectionMember.section_id == Section.id)
            .where(SectionMember.person_id == ctx.person_id)
            .order_by(Section.name)
        )
        sections = [esc(name) + (ctx.t("conv.head_mark") if head else "") for name, head in rows]
        lines.append(ctx.t("conv.whoami_person", name=esc(ctx.person_name)))
        lines.append(ctx.t("conv.whoami_sections", sections=ctx.t("conv.name_sep").join(sections) or "—"))
    if ctx.admin:
        lines.append(ctx.t("conv.whoami_admin"))
    lines.append(ctx.t("conv.whoami_lang", lang=ctx.t(f"conv.lang_name_{ctx.lang}")))
    return [Reply("\n".join(lines))]


async def unbind(ctx: Ctx, args: str) -> list[Reply]:
    """/unbind: this account is no longer bound to its person."""
    account = await ctx.session.get(Account, ctx.caller.account_id) if ctx.caller is not None else None
    if account is None or account.person is None:
        return [Reply(ctx.t("conv.unbind_not_bound"))]
    person = await accounts.unbind(ctx.session, account)
    return [Reply(ctx.t("conv.unbound_done", name=esc(person.name if person else "")))]


async def lang(ctx: Ctx, args: str) -> list[Reply]:
    """/lang zh|en: this account's language."""
    word = args.strip().lower()
    if not word:
        return [Reply(ctx.t("conv.lang_usage", lang=ctx.t(f"conv.lang_name_{ctx.lang}")))]
    chosen = _LANG_WORDS.get(word)
    if chosen not in LANGUAGES:
        return [Reply(ctx.t("conv.lang_usage", lang=ctx.t(f"conv.lang_name_{ctx.lang}")))]
    sender = ctx.request.sender
    await accounts.set_language(ctx.session, sender.channel, sender.id, chosen, now=ctx.request.now)
    ctx.lang = chosen
    return [Reply(ctx.t("conv.lang_set"))]


async def dismiss(ctx: Ctx, args: str) -> list[Reply]:
    """取消 on a question: replace it with a short note."""
    text = ctx.t("conv.cancelled")
    return [Reply(text, edit=True, toast=text)]
