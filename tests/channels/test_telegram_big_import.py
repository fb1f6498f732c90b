"""A 10,000-row revision sent to the bot on Telegram (issue 10, item 3): one preview message and one document.

Through the real application polling the fake Bot API: the admin sends the generated table (bench/gen_table.py,
the 2023 table's title, so a revision of the loaded table) with the caption /import; the bot answers with the
full preview as a text document and one message carrying the summary and the buttons, and 确认导入 applies it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.models import Task
from tests.channels.telegram_harness import Duban
from tests.channels.test_telegram_e2e import ADMIN, duban, settings, world  # noqa: F401 - fixtures
from tests.fakes.telegram_api import fake_telegram  # noqa: F401 - fixture

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from gen_table import write_table  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")


async def test_a_10k_row_revision_is_previewed_in_one_message_and_one_document(duban: Duban, tmp_path: Path) -> None:  # noqa: F811
    data = write_table(tmp_path / "2023-big.xlsx", 10_000).read_bytes()
    turn = await duban.send(ADMIN, document=("2023-big.xlsx", data), caption="/import")
    assert len(turn.sent) == 2, [(m.text or "")[:60] for m in turn.sent]
    document, message = turn.sent
    assert document.document is not None and not document.reply_markup
    assert message.document is None and set(turn.buttons()) == {"确认导入", "取消"}
    assert len(message.raw_text or "") <= 4096 and "导入预览" in (message.text or "")
    assert document.document.filename and document.document.filename.endswith(".txt")
    assert document.document.filename in (message.text or "")
    body = document.document.data.decode("utf-8")
    assert "新增（9955 项）" in body and "#10000 " in body
    confirmed = await duban.press(ADMIN, message, turn.buttons()["确认导入"])
    assert confirmed.answer and confirmed.answer["text"] == "导入完成"
    assert "新增 9955" in (duban.current(message).text or "")
    async with duban.core.db.session() as session:
        live = await session.scalar(select(func.count()).select_from(Task).where(Task.status != "removed"))
    assert live == 10_000
