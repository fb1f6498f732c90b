"""Admin commands that make a table someone's: /assign N 领导 股室 [配合 单位] [+新], and /export 模板."""

from __future__ import annotations

from bot.services.assign import AssignError, Assigned, assign as assign_task, classify, number_list, unassigned_numbers
from handlers.admin import XLSX
from handlers.context import Ctx
from handlers.render import esc
from handlers.tasks import load_task, not_found
from bot.contracts import OutFile, Reply

UNITS_WORDS = frozenset({"配合", "配合单位", "相关", "相关责任单位", "with", "units"})
CREATE_WORDS = frozenset({"+新", "+新增", "+new", "--create"})
_BRACKETS = str.maketrans("", "", "[]【】")


def parse_assign(args: str) -> tuple[str, list[str], list[str] | None, bool]:
    """``4 李康民 医政医管股 配合 市人民医院 +新`` → (task ref, leader/section words, unit words or None, create)."""
    words = [w for w in args.translate(_BRACKETS).split() if w]
    if not words:
        return "", [], None, False
    ref, rest = words[0], words[1:]
    create = bool(rest) and rest[-1].lower() in CREATE_WORDS
    if create:
        rest = rest[:-1]
    at = next((i for i, w in enumerate(rest) if w.lower() in UNITS_WORDS), None)
    if at is None:
        return ref, rest, None, create
    return ref, rest[:at], rest[at + 1 :], create


def _names(ctx: Ctx, names: tuple[str, ...]) -> str:
    return ctx.t("conv.name_sep").join(esc(n) for n in names) or ctx.t("assign.none")


async def assign(ctx: Ctx, args: str) -> list[Reply]:
    """/assign 4 李康民 医政医管股 [配合 市人民医院] [+新]: set who leads a task (admins only), audited."""
    ref, words, units, create = parse_assign(args)
    if not ref or (not words and units is None):
        return [Reply(ctx.t("assign.usage"))]
    task = await load_task(ctx, ref)
    if task is None:
        return not_found(ctx, ref)
    leaders, sections = await classify(ctx.session, words)
    try:
        done = await assign_task(
            ctx.session, ctx.actor(), task, now=ctx.request.now, leaders=leaders or None, sections=sections or None,
            units=units, create=create,
        )
    except AssignError as error:
        return [Reply(ctx.t(error.key, **{k: esc(str(v)) for k, v in error.params.items()}))]
    return [Reply(await _outcome(ctx, done))]


async def _outcome(ctx: Ctx, done: Assigned) -> str:
    key = "assign.done" if done.changed else "assign.unchanged"
    lines = [
        ctx.t(key, no=esc(done.task.no), leaders=_names(ctx, done.new.leaders), sections=_names(ctx, done.new.sections),
              units=_names(ctx, done.new.units))
    ]
    if done.created:
        lines.append(ctx.t("assign.created", names=_names(ctx, done.created)))
    left = await unassigned_numbers(ctx.session, done.task.table_id)
    if left:
        lines.append(ctx.t("assign.remaining", n=len(left), numbers=esc(number_list(left, ctx.lang))))
    else:
        lines.append(ctx.t("assign.all_assigned"))
    return "\n".join(lines)


async def template(ctx: Ctx, args: str) -> list[Reply]:
    """/export 模板: the newest table in 责任分解表 columns, empty leader/section cells coloured, to fill and re-import."""
    from bot.exports.template import template_xlsx

    data = await template_xlsx(ctx.session, lang=ctx.lang)
    if data is None:
        return [Reply(ctx.t("assign.template_empty"))]
    name = ctx.t("assign.template_name", date=ctx.today.isoformat())
    return [Reply(ctx.t("assign.template_caption"), file=OutFile(name, data, XLSX))]
