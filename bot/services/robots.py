"""Group robots admins register per section (WeCom webhook keys, DingTalk custom robots): add, list, remove.

A robot's sections are ``ChatSubscription`` rows on chat id ``robot:<id>`` of its channel, so the scheduler
plans a robot's digests exactly like a subscribed group chat's and the channel's notifier, given a group
target ``robot:<id>``, looks the robot up here (``find_robot``) to post through its webhook. The key or access
token and the DingTalk ``SEC…`` secret are secrets: they are stored, never logged, and shown masked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChatSubscription, GroupRobot, Section
from bot.services.assign import split_names, suggest

ROBOT_CHANNELS = ("wecom", "dingtalk")
ROBOT_PREFIX = "robot:"
ALL_WORDS = frozenset({"all", "全部", "所有"})
SETTING_TITLE = "DUBAN_WECOM__ROBOT_KEY"
# A WeCom webhook key is a UUID; a DingTalk access token 64 hex digits. Accept anything key-like, refuse junk.
_KEY = re.compile(r"^[A-Za-z0-9_\-]{8,200}$")
# The query parameter carrying the secret in each channel's webhook URL.
_URL_PARAM = {"wecom": "key", "dingtalk": "access_token"}


class RobotError(Exception):
    """Bad robot input, worded by a text key and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True, slots=True)
class RobotView:
    """A registered robot as admins see it: the key masked, the sections by name, or every section."""

    id: int
    channel: str
    masked: str
    title: str | None
    sections: tuple[str, ...]
    signed: bool
    everything: bool = False


def mask(secret: str) -> str:
    """A secret shown safely: its first and last four characters at most, the middle hidden."""
    if len(secret) <= 12:
        return secret[:2] + "…" if len(secret) > 4 else "…"
    return f"{secret[:4]}…{secret[-4:]}"


def chat_id_of(robot_id: int) -> str:
    """The subscription chat id (and notice target) of robot ``robot_id``."""
    return f"{ROBOT_PREFIX}{robot_id}"


def robot_id_of(chat_id: str) -> int | None:
    """The robot id in a ``robot:<id>`` target, None for any other chat id."""
    head, _, tail = chat_id.partition(":")
    return int(tail) if f"{head}:" == ROBOT_PREFIX and tail.isdecimal() else None


def parse_target(channel: str, raw: str) -> str:
    """The robot's key (WeCom) or access token (DingTalk) from the key itself or the webhook URL."""
    if channel not in ROBOT_CHANNELS:
        raise RobotError("robots.bad_channel", channel=channel[:20])
    value = raw.strip()
    if value.lower().startswith(("http://", "https://")):
        found = parse_qs(urlsplit(value).query).get(_URL_PARAM[channel])
        value = found[0] if found else ""
    if not _KEY.match(value):
        raise RobotError(f"robots.bad_target_{channel}")
    return value


def check_secret(channel: str, secret: str | None) -> str | None:
    """The DingTalk signing secret (``SEC…``) checked; WeCom robots take none."""
    if secret is None or not secret.strip():
        return None
    secret = secret.strip()
    if channel != "dingtalk":
        raise RobotError("robots.secret_wecom")
    if not secret.startswith("SEC") or not _KEY.match(secret):
        raise RobotError("robots.bad_secret")
    return secret


async def _section_ids(session: AsyncSession, names: list[str]) -> list[int] | None:
    """Section ids for the names in order; None for every section; an unknown name refused with a hint."""
    if not names:
        raise RobotError("robots.no_sections")
    if any(name.lower() in ALL_WORDS for name in names):
        return None
    rows = dict((await session.execute(select(Section.name, Section.id).where(Section.name.in_(names)))).all())
    for name in names:
        if name not in rows:
            known = list((await session.scalars(select(Section.name).order_by(Section.name))).all())
            hint = suggest(name, known)
            if hint is not None:
                raise RobotError("robots.unknown_section_hint", name=name, hint=hint)
            raise RobotError("robots.unknown_section", name=name, known="、".join(known) or "—")
    return [rows[name] for name in names]


async def add_robot(session: AsyncSession, channel: str, target: str, sections: list[str], *, created_by: str,
                    now: datetime, secret: str | None = None, title: str | None = None) -> RobotView:
    """Register a robot for the named sections (``全部``/``all``: every section); refused when already registered."""
    key = parse_target(channel, target)
    sec = check_secret(channel, secret)
    ids = await _section_ids(session, split_names(sections))
    existing = await session.scalar(select(GroupRobot.id).where(GroupRobot.channel == channel,
                                                                GroupRobot.target == key))
    if existing is not None:
        raise RobotError("robots.exists", id=existing)
    robot = GroupRobot(channel=channel, target=key, secret=sec, title=title, created_by=created_by, created_at=now)
    session.add(robot)
    await session.flush()
    chat = chat_id_of(robot.id)
    label = title or f"{channel} {mask(key)}"
    for section_id in ([None] if ids is None else list(dict.fromkeys(ids))):
        session.add(ChatSubscription(channel=channel, chat_id=chat, section_id=section_id, title=label,
                                     created_at=now))
    await session.flush()
    return (await list_robots(session, robot_ids=[robot.id]))[0]


async def list_robots(session: AsyncSession, *, robot_ids: list[int] | None = None) -> list[RobotView]:
    """Every registered robot (or those ids), oldest first, with its sections' names (two queries)."""
    query = select(GroupRobot).where(GroupRobot.removed_at.is_(None)).order_by(GroupRobot.id)
    if robot_ids is not None:
        query = query.where(GroupRobot.id.in_(robot_ids))
    robots = list((await session.scalars(query)).all())
    names: dict[str, list[str]] = {}
    everything: set[str] = set()
    if robots:
        rows = await session.execute(
            select(ChatSubscription.chat_id, ChatSubscription.section_id, Section.name)
            .outerjoin(Section, Section.id == ChatSubscription.section_id)
            .where(ChatSubscription.chat_id.in_([chat_id_of(r.id) for r in robots]))
            .order_by(Section.name)
        )
        for chat_id, section_id, name in rows:
            if section_id is None:
                everything.add(chat_id)
            else:
                names.setdefault(chat_id, []).append(name)
    return [RobotView(r.id, r.channel, mask(r.target), r.title, tuple(names.get(chat_id_of(r.id), ())),
                      r.secret is not None, chat_id_of(r.id) in everything) for r in robots]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def _removed_target(robot_id: int, key: str) -> str:
    """What a removed robot keeps instead of its key: enough to recognise the key, nothing to use it."""
    return f"removed:{robot_id}:{_digest(key)}"


async def remove_robot(session: AsyncSession, robot_id: int, *, now: datetime) -> RobotView | None:
    """Unregister a robot: its sections go, its key and secret are forgotten; None when there is no such robot."""
    found = await list_robots(session, robot_ids=[robot_id])
    robot = await session.get(GroupRobot, robot_id)
    if robot is None or not found:
        return None
    await session.execute(delete(ChatSubscription).where(ChatSubscription.channel == robot.channel,
                                                         ChatSubscription.chat_id == chat_id_of(robot_id)))
    robot.target, robot.secret, robot.removed_at = _removed_target(robot.id, robot.target), None, now
    await session.flush()
    return found[0]


async def find_robot(session: AsyncSession, channel: str, chat_id: str) -> GroupRobot | None:
    """The robot a ``robot:<id>`` notice target of ``channel`` names, if it is still registered."""
    robot_id = robot_id_of(chat_id)
    if robot_id is None:
        return None
    robot = await session.get(GroupRobot, robot_id)
    return robot if robot is not None and robot.channel == channel and robot.removed_at is None else None


async def adopt_setting_robot(session: AsyncSession, channel: str, key: str, *, now: datetime) -> int | None:
    """Register the robot of a legacy setting (one key, every section) once: its id; None once admins removed it."""
    existing = await session.scalar(select(GroupRobot.id).where(GroupRobot.channel == channel,
                                                                GroupRobot.target == key))
    if existing is not None:
        return existing
    removed = await session.scalar(select(GroupRobot.id).where(GroupRobot.channel == channel,
                                                               GroupRobot.target.like(f"removed:%:{_digest(key)}")))
    if removed is not None:
        return None  # an admin removed it: the setting does not bring it back
    view = await add_robot(session, channel, key, ["all"], created_by="settings", now=now, title=SETTING_TITLE)
    return view.id


def robot_line(view: RobotView, lang: str) -> str:
    """One robot on one line, starting with its id: channel, masked key, sections, signing, title (plain text)."""
    from bot.texts import t

    sections = t("robots.all_sections", lang) if view.everything else "、".join(view.sections) or "—"
    return t("robots.line", lang, id=view.id, channel=view.channel, masked=view.masked, sections=sections,
             signed=t("robots.signed", lang) if view.signed else "",
             title=f"  {view.title}" if view.title and view.title != SETTING_TITLE else "")
