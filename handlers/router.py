"""From what a user typed or pressed to a handler: /commands, everyday Chinese and English phrases, button data.

Button data is compact (≤ 64 bytes, Telegram's limit): ``<code>:<arg>``, e.g. ``ack:42`` (task id 42),
``pg:my:2`` (page 2 of my tasks), ``xa:7`` (approve extension request 7). Task ids in button data are
internal ids, written ``@42`` in the routed arguments, so a button keeps working when a newer table arrives.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.contracts import actions
from bot.contracts.actions import PAGED  # noqa: F401  (adapters name the paged lists through the router)

if TYPE_CHECKING:
    from handlers.context import Ctx
    from bot.contracts import Reply

Access = Literal["anyone", "bound", "person", "admin"]
Handler = Callable[["Ctx", str], Awaitable[list["Reply"]]]


@dataclass(frozen=True, slots=True)
class Route:
    """Which command was meant, with its argument text; ``page`` and ``button`` for presses."""

    name: str
    args: str = ""
    page: int = 0
    button: bool = False


@dataclass(frozen=True, slots=True)
class Command:
    """A handler and who may call it: anyone, a bound person or admin, a bound person only, an admin."""

    handler: Handler
    access: Access


# ---- text ------------------------------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int | None:
    """``3``, ``三``, ``十``, ``十五``, ``二十``, ``三十一`` → the number; None when not a number up to 99."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


_REF = r"[#＃]?\s*(?P<ref>\S+)"
# A period of a recurring task: Q3, 三季度, 7月, 2026-07, 上半年, H2, W27, 2026年度.
_PERIOD = r"(?:\d{4}[-年])?(?:[qQ][1-4]|[hH][12]|[wW]\d{1,2}|第?[一二三四1-4]季度?|第\d{1,2}周|\d{1,2}月份?|[一二三四五六七八九十]{1,3}月份?|上半年|下半年)|\d{4}-\d{2}|\d{4}年度?"
_PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.IGNORECASE), name)
    for p, name in [
        (r"^(?:我的任务|我的工作|my\s+tasks?)$", "mytasks"),
        (r"^(?:逾期|逾期任务|超期|overdue)$", "overdue"),
        (r"^(?:本周到期|这周到期|due\s+this\s+week)$", "week"),
        (r"^(?P<n>[0-9]+|[零一二两三四五六七八九十]+)\s*(?:个工作日|个?天|日)内到期$", "due"),
        (r"^due\s+(?:in|within)\s+(?P<n>[0-9]+)\s+(?:working\s+)?days?$", "due"),
        (r"^(?:即将到期|快到期|due\s+soon)$", "due"),
        (r"^[#＃]\s*(?P<ref>\S+)$", "task"),
        (r"^(?:任务|task)\s*" + _REF + "$", "task"),
        (r"^(?:签收|ack)\s*" + _REF + r"(?:\s+(?P<rest>" + _PERIOD + "))?$", "ack"),  # 签收 2 Q3: one period of a recurring task
        (r"^(?:明天再提醒|稍后提醒|snooze)\s*" + _REF + "$", "snooze"),
        (r"^(?:完成|办结|done)\s*" + _REF + r"(?:\s+(?P<rest>.+))?$", "done"),
        (r"^(?:进度|progress)\s*" + _REF + r"\s+(?P<rest>.+)$", "progress"),
        (r"^(?:延期|extend)\s*" + _REF + r"\s+(?P<rest>.+)$", "extend"),
        # The number alone asks how: what the 更新进度 / 申请延期 buttons do, typed on a channel without buttons.
        (r"^(?:进度|progress)\s*" + _REF + r"$", "progress_ask"),
        (r"^(?:延期|extend)\s*" + _REF + r"$", "extend_ask"),
        (r"^(?:免报|waive)\s*" + _REF + r"\s+(?P<rest>.+)$", "waive"),
        (r"^(?:搜索|查找|search)\s+(?P<rest>.+)$", "search"),
        (r"^(?:指派|assign)\s*" + _REF + r"\s+(?P<rest>.+)$", "assign"),
        (r"^(?:帮助|help|\?|？)$", "help"),
        (r"^(?:绑定\s*|bind\s+)(?P<rest>[A-Za-z0-9_\-]{4,40})$", "start"),  # 绑定 CODE, beside /start CODE
    ]
]

_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)

COMMAND_ALIASES = {"my": "mytasks", "tasks": "mytasks", "me": "whoami", "mytask": "mytasks"}


def route_text(text: str, bot_username: str | None = None) -> Route | None:
    """The route for a message, or None when it is not meant for Duban."""
    text = text.strip()
    if not text:
        return None
    match = _COMMAND.match(text)
    if match:
        name, addressee, args = match.group(1).lower(), match.group(2), match.group(3) or ""
        if addressee and bot_username and addressee.lower() != bot_username.lower():
            return None  # a command for another bot in the same group
        return Route(COMMAND_ALIASES.get(name, name), args.strip())
    for pattern, name in _PHRASES:
        found = pattern.match(text)
        if found:
            return Route(name, _phrase_args(found))
    return None


def _phrase_args(found: re.Match[str]) -> str:
    groups = found.groupdict()
    parts: list[str] = []
    if groups.get("n"):
        number = chinese_number(groups["n"])
        parts.append(str(number) if number is not None else groups["n"])
    parts += [groups[key] for key in ("ref", "rest") if groups.get(key)]
    return " ".join(parts).strip()


# ---- buttons -----------------------------------------------------------------------------------------------

# The codes live in the one action codec (bot.contracts.actions), shared with the scheduler and every adapter.


def route_callback(data: str) -> Route | None:
    """The route for a button press, or None for data Duban never made."""
    decoded = actions.decode(data)
    if decoded is None:
        return None
    if decoded.kind == "page":
        return Route(decoded.name, decoded.arg, page=decoded.page or 0, button=True)
    return Route(decoded.name, f"@{decoded.arg}" if decoded.kind == "task" else decoded.arg, button=True)


def page_data(command: str, page: int, arg: str = "") -> str:
    """Button data for page ``page`` of a paged list (kept within 64 bytes by the caller's argument)."""
    return actions.encode_page(command, page, arg)


def button_data(command: str, arg: int | str) -> str:
    """Button data for a task action or a decision, e.g. ``button_data("ack", 42)`` → ``ack:42``."""
    return actions.encode(command, arg)


# ---- handlers ------------------------------------------------------------------------------------------------


def commands() -> dict[str, Command]:
    """Every command name with its handler and access level."""
    from handlers import admin, assign, groups, identity, imports, prefer, progress, robots, tasks

    # In a group, commands that reveal people or whole tables answer "use a private chat" (handlers.groups).
    return groups.scoped({
        # identity and help: anyone, bound or not
        "start": Command(identity.start, "anyone"),
        "help": Command(identity.help_, "anyone"),
        "whoami": Command(identity.whoami, "anyone"),
        "unbind": Command(identity.unbind, "anyone"),
        "lang": Command(identity.lang, "anyone"),
        "dismiss": Command(identity.dismiss, "anyone"),
        # queries: a bound person, or an admin
        "mytasks": Command(tasks.mytasks, "person"),
        "overdue": Command(tasks.overdue, "bound"),
        "due": Command(tasks.due, "bound"),
        "week": Command(tasks.week, "bound"),
        "task": Command(tasks.task, "bound"),
        "section": Command(tasks.section, "bound"),
        "section_id": Command(tasks.section_by_id, "bound"),
        "leader": Command(tasks.leader, "bound"),
        "leader_id": Command(tasks.leader_by_id, "bound"),
        "search": Command(tasks.search, "bound"),
        # changes: people responsible for the task, and admins (checked per task)
        "ack": Command(progress.ack, "bound"),
        "progress": Command(progress.progress, "bound"),
        "progress_ask": Command(progress.progress_ask, "bound"),
        "done": Command(progress.done, "bound"),
        "done_ask": Command(progress.done_ask, "bound"),
        "extend": Command(progress.extend, "bound"),
        "extend_ask": Command(progress.extend_ask, "bound"),
        "approve": Command(progress.approve, "bound"),
        "reject": Command(progress.reject, "bound"),
        "reopen": Command(progress.reopen, "admin"),
        "waive": Command(progress.waive, "admin"),
        "snooze": Command(progress.snooze, "person"),
        # admin
        "invite": Command(admin.invite, "admin"),
        "person": Command(admin.person, "admin"),
        "member": Command(admin.member, "admin"),
        "people": Command(admin.people_, "admin"),
        "export": Command(admin.export, "admin"),
        "assign": Command(assign.assign, "admin"),
        "stats": Command(admin.stats, "admin"),
        "subscribe": Command(groups.subscribe, "admin"),
        "unsubscribe": Command(groups.unsubscribe, "admin"),
        "import": Command(imports.start_import, "admin"),
        "import_confirm": Command(imports.confirm, "admin"),
        "import_cancel": Command(imports.cancel, "admin"),
        "import_year": Command(imports.set_year, "admin"),
        "columns": Command(imports.columns, "admin"),
        "group": Command(robots.group, "admin"),
        "prefer": Command(prefer.prefer, "person"),
    })
