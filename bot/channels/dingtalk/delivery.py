"""Turning Duban's replies and notices into DingTalk messages and choosing the way each goes out.

- An answer goes back through the conversation's ``sessionWebhook`` while it is valid (by its expiry time, and
  by DingTalk's word: 300001 means it is gone); otherwise through the app robot's API, batchSend in a single
  chat or groupMessages/send in a group.
- A notice to a member goes by batchSend; its ``invalidStaffIdList`` makes the member unreachable and its
  ``flowControlledStaffIdList`` a RetryLater (DingTalk did not send it this time).
- A notice to a group goes by groupMessages/send as markdown; one to a registered custom robot through that robot.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


from bot.channels.dingtalk.api import MAX_USERS, RETRY_AFTER, BatchResult, DingTalkApi, SessionExpired
from bot.channels.dingtalk.contract import Button, OutFile, Reply, RetryLater, Transient, Unreachable
from bot.channels.dingtalk.memory import ChoiceMemory
from bot.channels.dingtalk.render import choices, markdown_text, markdown_title, message_text, split_utf8
from bot.contracts.actions import task_ids
from bot.channels.dingtalk.robot import DingTalkRobots
from bot.core import Core
from bot.services.accounts import get_account
from bot.services.queries import typed_refs

log = logging.getLogger("duban.dingtalk")

CHANNEL = "dingtalk"
TEXT_LIMIT = 4000  # bytes per message part; DingTalk takes more, but long robot texts read badly
# A session webhook this close to its expiry is not trusted: the reply would race the expiry.
SESSION_MARGIN_MS = 5_000


@dataclass(frozen=True, slots=True)
class Conversation:
    """Where an answer goes: the member, the conversation, and its session webhook while DingTalk keeps it."""

    user: str
    conversation_id: str
    group: bool = False
    webhook: str | None = None
    expires_ms: int = 0

    @property
    def memory_key(self) -> str:
        """Whose numbered choices these are: the member, or the member in this group."""
        return f"{self.user}@{self.conversation_id}" if self.group else self.user


class Delivery:
    """Renders and sends replies and notices through the app robot, session webhooks and custom robots."""

    def __init__(self, core: Core, api: DingTalkApi | None, robots: DingTalkRobots | None, *,
                 memory: ChoiceMemory | None = None,
                 wall_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        self.core = core
        self.api = api
        self.robots = robots
        self.memory = memory or ChoiceMemory()
        self.wall_ms = wall_ms  # session expiry is DingTalk's real time, not the conversation's clock
        self.session_replies = 0
        self.fallbacks = 0

    async def aclose(self) -> None:
        """Close the HTTP clients."""
        for client in (self.api, self.robots):
            if client is not None:
                await client.aclose()

    async def lang(self, user: str) -> str:
        """The member's chosen language, else the bureau's."""
        async with self.core.db.session() as session:
            account = await get_account(session, CHANNEL, user)
        return (account.lang if account is not None else None) or self.core.settings.language

    async def refs(self, ids: Iterable[int]) -> dict[int, str]:
        """How users write each task: ``11`` in the newest table, ``3/11`` in table 3."""
        async with self.core.db.session() as session:
            return await typed_refs(session, ids)

    def app_api(self) -> DingTalkApi:
        """The app robot's API client; Transient when the app is not configured (custom robots work without it).

        Not Unreachable: a restart that forgot the settings must not mark every DingTalk member unreachable.
        """
        if self.api is None:
            raise Transient("the DingTalk app is not configured (DUBAN_DINGTALK__APP_KEY, __APP_SECRET)")
        return self.api

    # ---- answers in a conversation -------------------------------------------------------------------------

    async def text_to(self, where: Conversation, text: str) -> None:
        """Plain text into the conversation, in parts: by its session webhook while valid, else by the API."""
        for part in split_utf8(text, TEXT_LIMIT):
            if await self._by_session(where, {"msgtype": "text", "text": {"content": part}}):
                continue
            self.fallbacks += 1
            if where.group:
                await self.app_api().group_send(where.conversation_id, "sampleText", {"content": part})
            else:
                await self.text_to_users([where.user], part, strict=True)

    async def _by_session(self, where: Conversation, message: dict[str, object]) -> bool:
        if not where.webhook or where.expires_ms - SESSION_MARGIN_MS <= self.wall_ms():
            return False
        api = self.app_api()
        # The sign covers only the timestamp: a replayed callback could carry any URL, so only DingTalk's is used.
        if not where.webhook.startswith(f"{api.oapi_base}/robot/sendBySession?"):
            log.warning("a DingTalk sessionWebhook outside %s was not used", api.oapi_base)
            return False
        try:
            await api.session_send(where.webhook, message)
        except SessionExpired:
            log.info("a DingTalk session webhook had expired before its time; answering by the API")
            return False
        self.session_replies += 1
        return True

    async def replies_to(self, where: Conversation, replies: Sequence[Reply], *, now: datetime) -> None:
        """Answers in the conversation: text with buttons as "回复 …" lines; numbered choices remembered."""
        lang = await self.lang(where.user)
        refs = await self.refs(i for reply in replies for i in task_ids(reply.buttons))
        numbered: list[tuple[int, str]] = []
        for reply in replies:
            items = choices(reply.buttons, refs, lang, first_number=len(numbered) + 1)
            numbered += [(c.number, c.data) for c in items if c.number is not None]
            text = message_text(reply.text or ("" if reply.file or reply.photo else reply.toast or ""), items, lang)
            if text.strip():
                await self.text_to(where, text)
            if reply.file is not None:
                await self.file_to(where, reply.file)
            if reply.photo is not None:
                await self.file_to(where, reply.photo, image=True)
        self.memory.remember(where.memory_key, numbered, now)

    async def file_to(self, where: Conversation, out: OutFile, *, image: bool = False) -> None:
        """A file (or picture) into the conversation: uploaded, then sent by the API (session webhooks take none)."""
        api = self.app_api()
        media_id = await api.upload_media(out.name, out.data, out.mime, kind="image" if image else "file")
        kind, param = ("sampleImageMsg", {"photoURL": media_id}) if image else (
            "sampleFile", {"mediaId": media_id, "fileName": out.name, "fileType": out.name.rpartition(".")[2] or "file"})
        if where.group:
            await api.group_send(where.conversation_id, kind, param)
            return
        result = await api.batch_send([where.user], kind, param)
        if result.invalid or result.flow_controlled:
            raise RetryLater(RETRY_AFTER, "DingTalk did not send the file (flow control or unknown member)")

    # ---- notices -------------------------------------------------------------------------------------------

    async def text_to_users(self, users: Sequence[str], text: str, *, strict: bool = False) -> list[BatchResult]:
        """One text to members by batchSend, 20 a call; with ``strict`` a member not reached raises."""
        results = []
        for start in range(0, len(users), MAX_USERS):
            chunk = users[start:start + MAX_USERS]
            result = await self.app_api().batch_send(chunk, "sampleText", {"content": text})
            results.append(result)
            if strict and set(chunk) & set(result.invalid):
                raise Unreachable(f"DingTalk does not know {len(result.invalid)} of the members (invalidStaffIdList)")
            if strict and set(chunk) & set(result.flow_controlled):
                raise RetryLater(RETRY_AFTER, "DingTalk flow control (flowControlledStaffIdList)")
        return results

    async def notice_to_user(self, user: str, text: str, buttons: list[list[Button]], *, now: datetime) -> None:
        """A notice to a member by batchSend; its buttons become commands to type, or remembered numbers."""
        lang = await self.lang(user)
        items = choices(buttons, await self.refs(task_ids(buttons)), lang)
        for part in split_utf8(message_text(text, items, lang), TEXT_LIMIT):
            await self.text_to_users([user], part, strict=True)
        numbered = [(c.number, c.data) for c in items if c.number is not None]
        if numbered:
            self.memory.remember(user, numbered, now)

    async def _group_markdown(self, text: str, buttons: list[list[Button]]) -> str:
        lang = self.core.settings.language
        return markdown_text(text, choices(buttons, await self.refs(task_ids(buttons)), lang), lang)

    async def notice_to_group(self, conversation_id: str, text: str, buttons: list[list[Button]]) -> None:
        """A notice into a group the app robot is in, as markdown; buttons become commands to send the robot."""
        body = await self._group_markdown(text, buttons)
        await self.app_api().group_send(conversation_id, "sampleMarkdown", {"title": markdown_title(body),
                                                                             "text": body})

    async def notice_to_robot(self, target: str, secret: str | None, text: str, buttons: list[list[Button]]) -> None:
        """A notice through a registered custom group robot, as markdown within the robot's 20 a minute."""
        if self.robots is None:
            raise Unreachable("DingTalk custom robots are not set up")
        await self.robots.send(target, secret, await self._group_markdown(text, buttons), markdown=True)
