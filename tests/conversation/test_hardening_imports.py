"""Imports by chat that go wrong politely (issue 10: 12, 13): an impossible year, a preview nobody confirmed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core import Core
from bot.db.models import PendingImport
from scheduler.jobs import run_pass
from tests.conversation.conftest import ADMIN, NOW, Talk, button_datas, texts
from tests.conversation.test_import_export import Upload


@pytest.fixture
def xlsx(fixtures_dir: Path) -> bytes:
    """The real 2023 table as a spreadsheet."""
    return (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()


@pytest.mark.parametrize("year", ["0000", "9999"])
async def test_an_impossible_year_is_told_in_a_sentence(core: Core, xlsx: bytes, year: str) -> None:
    said = texts(await Talk(core)(ADMIN, f"/import {year}", attachment=Upload("t.xlsx", xlsx).attachment))
    assert "1990 至 2100" in said and "import.bad_year" not in said and "{" not in said


async def _previews(core: Core) -> int:
    async with core.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(PendingImport)) or 0)


async def test_an_unconfirmed_preview_is_deleted_by_the_daily_pass_a_day_later(core: Core, xlsx: bytes) -> None:
    talk = Talk(core)
    preview = await talk(ADMIN, "/import", attachment=Upload("t.xlsx", xlsx).attachment)
    assert await _previews(core) == 1
    await run_pass(core, NOW + timedelta(days=1))  # exactly a day old: still confirmable, so kept
    assert await _previews(core) == 1
    await run_pass(core, NOW + timedelta(days=1, seconds=1), dry_run=True)  # a dry run changes nothing
    assert await _previews(core) == 1
    await run_pass(core, NOW + timedelta(days=1, seconds=1))
    assert await _previews(core) == 0
    late = await talk(ADMIN, now=NOW + timedelta(days=1, seconds=2), press=button_datas(preview)["确认导入"])
    assert "已处理、已取消或已过期" in texts(late)
