"""Long lists in pages of ``PAGE_SIZE`` lines, with ◀ ▶ buttons that edit the message in place."""

from __future__ import annotations

from bot.services import queries
from bot.services.queries import TaskList
from handlers.context import PAGE_SIZE, Ctx
from handlers.render import lines_with_roles
from bot.contracts import Button, Reply
from bot.contracts.actions import MAX_DATA, encode_page


def page_buttons(command: str, page: int, pages: int, arg: str = "") -> list[list[Button]]:
    """◀ and ▶ where there is a page to go to; none for a single page."""
    if pages <= 1:
        return []
    row: list[Button] = []
    if page > 0:
        row.append(Button("◀", encode_page(command, page - 1, arg)))
    row.append(Button(f"{page + 1}/{pages}", encode_page(command, page, arg)))
    if page < pages - 1:
        row.append(Button("▶", encode_page(command, page + 1, arg)))
    return [row]


def fit_arg(arg: str, budget: int = MAX_DATA - len("pg:xxx:9999:")) -> str:
    """An argument cut (at a character boundary) to fit into button data."""
    while len(arg.encode("utf-8")) > budget:
        arg = arg[:-1]
    return arg


async def task_page(ctx: Ctx, listing: TaskList, *, title: str, command: str, arg: str = "", empty: str) -> Reply:
    """The requested page of a task list with its heading, page count, colour legend and page buttons."""
    if not listing.entries:
        return Reply(empty, edit=ctx.route.button)
    shown = await queries.page(ctx.session, ctx.day(), listing, ctx.route.page, PAGE_SIZE)
    head = ctx.t("conv.list_head", title=title, total=shown.total)
    if shown.pages > 1:
        head += ctx.t("conv.page_of", page=shown.number + 1, pages=shown.pages)
    body = [head, *lines_with_roles(shown.lines, shown.newest_table, ctx.lang), ctx.t("conv.legend")]
    return Reply("\n".join(body), buttons=page_buttons(command, shown.number, shown.pages, arg), edit=ctx.route.button)
