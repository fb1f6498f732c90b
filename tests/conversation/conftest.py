"""The conversation under test: the real 2023 table loaded, people bound, and a ``talk`` helper driving ``handle``.

Times: NOW is Friday 2023-10-27 09:00 in Asia/Shanghai. Row 11 (王卫健, 医政医管股) is due 2023-10-31, two
working days later; on 2023-11-03 it is three working days overdue. Most rows have no time node and are due
at the end of 2023 by default; rows 31 and 45 are ongoing (常态化).
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.core import Core
from bot.db.models import Person, Task
from bot.services.accounts import bind
from bot.services.people import add_person
from handlers.app import handle
from bot.contracts import Attachment, Chat, Reply, Request, Sender

NOW = datetime(2023, 10, 27, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai
ADMIN = "telegram:1000"
WANG = "telegram:2001"  # 王卫健: lead leader of #11
LI = "telegram:2002"  # 李康民: lead leader of #1 and others, not of #11
ZHANG = "telegram:2003"  # 张三: member of 医政医管股 (#11's section)
STRANGER = "telegram:4040"  # never bound
GROUP = "-100500"


def at(day: str, hour: int = 9) -> datetime:
    """A local (Asia/Shanghai) wall-clock time as an aware UTC instant."""
    local = datetime.fromisoformat(day).replace(hour=hour, tzinfo=timezone(timedelta(hours=8)))
    return local.astimezone(UTC)


@dataclass
class Talk:
    """Says things to Duban as a given account, privately or in the test group, and keeps the replies."""

    core: Core
    bot_username: str | None = "DubanBot"
    log: list[tuple[str, str, list[Reply]]] = field(default_factory=list)

    async def __call__(
        self,
        who: str,
        text: str = "",
        *,
        now: datetime = NOW,
        group: str | None = None,
        press: str | None = None,
        attachment: Attachment | None = None,
    ) -> list[Reply]:
        channel, _, ident = who.partition(":")
        chat = Chat(channel, group, "group", "督办群") if group else Chat(channel, ident, "private")
        request = Request(
            sender=Sender(channel, ident, ident),
            chat=chat,
            now=now,
            text=text,
            callback=press,
            attachment=attachment,
            bot_username=self.bot_username,
        )
        replies = await handle(self.core, request)
        self.log.append((who, press or text, replies))
        return replies

    async def text(self, who: str, text: str = "", **kw: object) -> str:
        """All reply texts of one turn, joined."""
        return "\n".join(r.text for r in await self(who, text, **kw))  # type: ignore[arg-type]


def texts(replies: list[Reply]) -> str:
    """All reply texts joined."""
    return "\n".join(r.text for r in replies)


def button_datas(replies: list[Reply]) -> dict[str, str]:
    """Button label → data over all replies."""
    return {b.label: b.data for r in replies for row in r.buttons for b in row}


_PREVIEWS: dict[str, object] = {}


async def load_2023_table(core: Core, fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    """Import the real 2023 table into an empty database with the importer the CLI and /import use."""
    from bot.services.imports import apply_import, prepare_import

    imported = NOW - timedelta(days=30)
    async with core.db.session() as session:
        # Every test starts from an empty database, so the preview (the parse) is the same each time.
        preview = _PREVIEWS.get("2023")
        if preview is None:
            data = (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()
            preview = _PREVIEWS["2023"] = await prepare_import(session, data, "yuanjiang-2023-tasks.xlsx", now=imported)
        await apply_import(session, preview, now=imported, actor="console:admin")  # type: ignore[arg-type]


async def bind_people(core: Core) -> None:
    """Bind WANG, LI and ZHANG (a new member of 医政医管股) to their accounts."""
    async with core.db.session() as session:
        for key, name in ((WANG, "王卫健"), (LI, "李康民")):
            person = await session.scalar(select(Person).where(Person.name == name))
            assert person is not None, name
            channel, _, ident = key.partition(":")
            await bind(session, channel, ident, person, now=NOW)
        zhang, _ = await add_person(session, "张三", now=NOW, section="医政医管股")
        await bind(session, "telegram", "2003", zhang, now=NOW)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the seeded SQLite database is kept once built, to be copied for each test."""
    return tmp_path_factory.mktemp("conversation") / "seeded.sqlite3"


def _sqlite_file(url: str) -> Path:
    return Path(make_url(url).database or "")


@pytest.fixture
async def seeded(core: Core, fixtures_dir, sqlite_template: Path) -> Core:  # type: ignore[no-untyped-def]
    """The core with the 2023 table imported and WANG, LI, ZHANG bound."""
    if not core.db.is_sqlite:
        await load_2023_table(core, fixtures_dir)
        await bind_people(core)
        return core
    # SQLite: seed once, then copy the file; closing every connection first folds the WAL into the file.
    target = _sqlite_file(core.db.url)
    if not sqlite_template.exists():
        await load_2023_table(core, fixtures_dir)
        await bind_people(core)
        await core.db.dispose()
        shutil.copyfile(target, sqlite_template)
        return core
    await core.db.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(sqlite_template, target)
    return core


@pytest.fixture
def talk(seeded: Core) -> Talk:
    """A talker over the seeded core."""
    return Talk(seeded)


@pytest.fixture
def task_id(seeded: Core) -> Callable[[str], Awaitable[int]]:
    """The internal id of a task of the seeded table by its 序号."""

    async def lookup(no: str) -> int:
        async with seeded.db.session() as session:
            found = await session.scalar(select(Task.id).where(Task.no == no))
        assert found is not None
        return found

    return lookup
