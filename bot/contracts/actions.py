"""The one action codec: the data behind every button, written by handlers, the scheduler and adapters alike.

Button data is ``code[:argument]`` and stays within Telegram's 64 bytes. A task's argument is its database id,
a decision's the request id, an import's the preview token; a page button is ``pg:<list>:<page>[:<filter>]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.contracts.messages import Button

ArgKind = Literal["task", "id", "token", "none"]
MAX_DATA = 64
PAGE_CODE = "pg"


@dataclass(frozen=True, slots=True)
class Action:
    """A button's meaning: the command it runs, its short code, and what its argument is."""

    name: str
    code: str
    arg: ArgKind


ACTIONS: tuple[Action, ...] = (
    Action("task", "t", "task"),
    Action("ack", "ack", "task"),
    Action("done_ask", "dn", "task"),
    Action("done", "dk", "task"),
    Action("progress_ask", "pr", "task"),
    Action("extend_ask", "ex", "task"),
    Action("reopen", "ro", "task"),
    Action("snooze", "sz", "task"),
    Action("approve", "xa", "id"),
    Action("reject", "xr", "id"),
    Action("import_confirm", "io", "token"),
    Action("import_cancel", "ix", "token"),
    Action("import_year", "iy", "token"),
    Action("dismiss", "no", "none"),
)
BY_CODE = {action.code: action for action in ACTIONS}
BY_NAME = {action.name: action for action in ACTIONS}
# Codes that reminders of earlier versions wrote; rows still queued in an outbox, or old messages in a chat, use them.
LEGACY_CODES = {"snooze": "sz", "done": "dn"}

# Paged list code → the command that lists it.
PAGED: dict[str, str] = {
    "my": "mytasks",
    "od": "overdue",
    "due": "due",
    "wk": "week",
    "sec": "section_id",
    "ldr": "leader_id",
    "q": "search",
    "ppl": "people",
}
PAGED_CODES = {command: code for code, command in PAGED.items()}


@dataclass(frozen=True, slots=True)
class Decoded:
    """What a button's data asks for: an action with its argument, or a page of a list (``page`` set)."""

    name: str
    arg: str
    kind: ArgKind | Literal["page"]
    page: int | None = None


def encode(name: str, arg: int | str = "") -> str:
    """Button data for an action, e.g. ``encode("ack", 42)`` → ``ack:42``."""
    code = BY_NAME[name].code
    return f"{code}:{arg}" if arg != "" else code


def encode_page(command: str, page: int, arg: str = "") -> str:
    """Button data for page ``page`` of a paged list (the caller keeps ``arg`` within the 64 bytes)."""
    data = f"{PAGE_CODE}:{PAGED_CODES[command]}:{page}"
    return f"{data}:{arg}" if arg else data


def decode(data: str) -> Decoded | None:
    """The meaning of button data, or None for data Duban never made (forged, truncated, or a number gone wrong)."""
    code, _, rest = data.partition(":")
    if code == PAGE_CODE:
        kind, _, tail = rest.partition(":")
        page_text, _, arg = tail.partition(":")
        if kind not in PAGED or not page_text.isdigit():
            return None
        return Decoded(PAGED[kind], arg, "page", int(page_text))
    action = BY_CODE.get(LEGACY_CODES.get(code, code))
    if action is None:
        return None
    if action.arg in ("task", "id") and not rest.isdigit():
        return None
    return Decoded(action.name, rest, action.arg)


def task_ids(rows: Sequence[Sequence[Button]]) -> set[int]:
    """The ids of the tasks the buttons act on (to look up how users write those tasks)."""
    found: set[int] = set()
    for button in (b for row in rows for b in row):
        action = decode(button.data)
        if action is not None and action.kind == "task":
            found.add(int(action.arg))
    return found


@dataclass(frozen=True, slots=True)
class Choice:
    """A button as text, where a channel has none: a command to type, or a number that stands for its data."""

    label: str
    data: str
    command: str | None = None
    number: int | None = None
