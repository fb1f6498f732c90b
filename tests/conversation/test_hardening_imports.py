"""Imports by chat that go wrong politely (issue 10: 12, 13): an impossible year, a preview nobody confirmed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.core import Core
from tests.conversation.conftest import ADMIN, Talk, texts
from tests.conversation.test_import_export import Upload


@pytest.fixture
def xlsx(fixtures_dir: Path) -> bytes:
    """The real 2023 table as a spreadsheet."""
    return (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()


@pytest.mark.parametrize("year", ["0000", "9999"])
async def test_an_impossible_year_is_told_in_a_sentence(core: Core, xlsx: bytes, year: str) -> None:
    said = texts(await Talk(core)(ADMIN, f"/import {year}", attachment=Upload("t.xlsx", xlsx).attachment))
    assert "1990 至 2100" in said and "import.bad_year" not in said and "{" not in said
