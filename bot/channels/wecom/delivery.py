"""Turning Duban's replies into WeCom messages and sending them within WeCom's limits.

One ``Delivery`` per process is shared by the callback (answers) and the notifier (notices): WeCom's cap of
about 30 app messages a minute per member counts both, so both wait on the same per-member limiter.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


from bot.channels.wecom.api import TEXT_LIMIT, WeComApi
from bot.channels.wecom.cards import button_card, new_task_id
from bot.channels.wecom.limits import KeyedLimiter
from bot.channels.wecom.memory import ChoiceMemory
from bot.channels.wecom.render import choices, message_text, split_utf8
from bot.contracts.actions import task_ids
from bot.channels.wecom.robot import MARKDOWN_LIMIT, WeComRobot
from bot.core import Core
from bot.services.accounts import get_account
from bot.services.queries import typed_refs
from bot.services.robots import find_robot, robot_id_of
from bot.texts import t
from bot.contracts import Button, OutFile, Reply
from bot.contracts import DeliveryError, Unreachable

log = logging.getLogger("duban.wecom")

CHANNEL = "wecom"


@dataclass(frozen=True, slots=True)
class Limits:
    """WeCom's caps: app messages per member and robot messages, each per window of seconds."""

    per_user: int = 30
    per_user_window: float = 60.0
    robot: int = 20
    robot_window: float = 60.0


def robot_bucket(key: str) -> str:
    """The rate bucket of a robot: named by a digest of its key, which is a secret (buckets may live in the database)."""
    return "robot:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


class Delivery:
    """Renders and sends replies and notices to members (app) and the group (robot)."""

    def __init__(self, core: Core, api: WeComApi | None, robot: WeComRobot | None, *,
                 limits: Limits | None = None, memory: ChoiceMemory | None = None) -> None:
        self.core = core
        self.api = api
        self.robot = robot
        limits = limits or Limits()
        self.users = KeyedLimiter(limits.per_user, limits.per_user_window)
        # One limit per robot, keyed by its key's digest: the setting's robot and a registered robot with the
        # same key share WeCom's 20 a minute.
        self.robot_limits = KeyedLimiter(limits.robot, limits.robot_window)
        self.robots: dict[str, WeComRobot] = {}  # registered robots' clients by key, made on first use
        self.memory = memory or ChoiceMemory()

    async def aclose(self) -> None:
        """Close the HTTP clients."""
        for client in (self.api, self.robot, *self.robots.values()):
            if client is not None:
                await client.aclose()

    async def lang(self, user: str) -> str:
        """The member's chosen language, else the bureau's."""
        async with self.core.db.session() as session:
            account = await get_account(session, CHANNEL, user)
        return account.lang if account is not None and account.lang else self.core.settings.language

    async def refs(self, ids: Iterable[int]) -> dict[int, str]:
        """How users write each task: ``11`` in the newest table, ``3/11`` in table 3."""
        async with self.core.db.session() as session:
            return await typed_refs(session, ids)

    # ---- members ---------------------------------------------------------------------------------------------

    def app_api(self) -> WeComApi:
        """The app API client; Unreachable when the app is not configured."""
        if self.api is None:
            raise Unreachable("the WeCom app is not configured (corp id, agent id, secret)")
        return self.api

    async def text_to_user(self, user: str, text: str) -> None:
        """Plain text to one member, in parts of at most 2048 bytes, each waiting for the member's limit."""
        api = self.app_api()
        for part in split_utf8(text, TEXT_LIMIT):
            await self.users.acquire(user)
            await api.send_text(user, part)

    async def card_to_user(self, user: str, markup: str, buttons: list[list[Button]], lang: str) -> None:
        """Below a message, a template card with buttons for its quick actions (签收, snooze, confirm …), if any.

        Best effort: a card WeCom refuses (an older private deployment without template cards) is logged and skipped.
        """
        if not self.core.settings.wecom.cards:
            return
        card = button_card(markup, buttons, lang, task_id=new_task_id())
        if card is None:
            return
        await self.users.acquire(user)
        try:
            await self.app_api().send_template_card(user, card)
        except DeliveryError as error:
            # The message above already went out with its commands to type; failing now would send it again.
            log.warning("WeCom card not sent: %s", error)

    async def card_answered(self, user: str, response_code: str, lang: str) -> None:
        """Grey the buttons of the card a member pressed; a card that cannot be updated any more is left as it is."""
        try:
            await self.app_api().update_template_card(user, response_code, t("wecom.card_done", lang))
        except DeliveryError as error:  # expired or used response code: the answer already went out
            log.info("WeCom card not updated: %s", error)

    async def file_to_user(self, user: str, out: OutFile, *, image: bool = False) -> None:
        """A file (or picture) to one member: uploaded, then sent."""
        api = self.app_api()
        media_id = await api.upload_media(out.name, out.data, out.mime, kind="image" if image else "file")
        await self.users.acquire(user)
        if image:
            await api.send_image(user, media_id)
        else:
            await api.send_file(user, media_id)

    async def replies_to_user(self, user: str, replies: Sequence[Reply], *, now: datetime,
                              lang: str | None = None) -> None:
        """Answers to a member: text with buttons as "回复 …" lines, then files; numbered choices remembered."""
        lang = lang or await self.lang(user)
        refs = await self.refs(i for reply in replies for i in task_ids(reply.buttons))
        numbered: list[tuple[int, str]] = []
        for reply in replies:
            items = choices(reply.buttons, refs, lang, first_number=len(numbered) + 1)
            numbered += [(c.number, c.data) for c in items if c.number is not None]
            markup = reply.text or ("" if reply.file or reply.photo else reply.toast or "")
            text = message_text(markup, items, lang)
            if text.strip():
                await self.text_to_user(user, text)
            await self.card_to_user(user, markup, reply.buttons, lang)
            if reply.file is not None:
                await self.file_to_user(user, reply.file)
            if reply.photo is not None:
                await self.file_to_user(user, reply.photo, image=True)
        self.memory.remember(user, numbered, now)

    async def notice_to_user(self, user: str, text: str, buttons: list[list[Button]], *, now: datetime) -> None:
        """A notice to a member; its buttons become commands to type, or numbers remembered like an answer's."""
        lang = await self.lang(user)
        refs = await self.refs(task_ids(buttons))
        items = choices(buttons, refs, lang)
        await self.text_to_user(user, message_text(text, items, lang))
        await self.card_to_user(user, text, buttons, lang)
        numbered = [(c.number, c.data) for c in items if c.number is not None]
        if numbered:
            self.memory.remember(user, numbered, now)

    # ---- the group -------------------------------------------------------------------------------------------

    async def _group_robot(self, chat_id: str) -> WeComRobot:
        """The robot a group target names: a registered ``robot:<id>``, else the DUBAN_WECOM__ROBOT_KEY robot."""
        if robot_id_of(chat_id) is None:
            if self.robot is None:
                raise Unreachable("the WeCom group robot is not configured (robot key)")
            return self.robot
        async with self.core.db.session() as session:
            found = await find_robot(session, CHANNEL, chat_id)
        if found is None:
            raise Unreachable(f"the WeCom robot {chat_id} is no longer registered")
        if self.robot is not None and self.robot.key == found.target:
            return self.robot
        client = self.robots.get(found.target)
        if client is None:
            client = self.robots[found.target] = WeComRobot(base_url=self.core.settings.wecom.base_url,
                                                            key=found.target)
        return client

    async def notice_to_group(self, text: str, buttons: list[list[Button]], chat_id: str = "") -> None:
        """A notice to a group robot as markdown; buttons become commands to send the app privately."""
        robot = await self._group_robot(chat_id)
        lang = self.core.settings.language
        refs = await self.refs(task_ids(buttons))
        items = [c for c in choices(buttons, refs, lang) if c.command is not None]
        for part in split_utf8(message_text(text, items, lang, markdown=True), MARKDOWN_LIMIT):
            await self.robot_limits.acquire(robot_bucket(robot.key))
            await robot.send_markdown(part)
