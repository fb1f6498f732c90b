"""Import by chat (preview, confirm, cancel, refusals) and the admin's /export and /stats files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.core import Core
from bot.db.models import PendingImport, Task, TaskTable
from bot.contracts import Attachment
from tests.conversation.conftest import ADMIN, NOW, WANG, Talk, bind_people, button_datas, texts


class Upload:
    """A document as a channel hands it over; counts downloads so a refusal can prove it fetched nothing."""

    def __init__(self, name: str, data: bytes, size: int | None = -1) -> None:
        self.data = data
        self.fetched = 0
        self.attachment = Attachment(name, len(data) if size == -1 else size, None, self.fetch)

    async def fetch(self) -> bytes:
        self.fetched += 1
        return self.data


async def _counts(core: Core) -> tuple[int, int]:
    async with core.db.session() as session:
        tables = await session.scalar(select(func.count()).select_from(TaskTable))
        tasks = await session.scalar(select(func.count()).select_from(Task))
    return int(tables or 0), int(tasks or 0)


@pytest.fixture
def xlsx(fixtures_dir: Path) -> bytes:
    """The real 2023 table as a spreadsheet."""
    return (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()


async def test_import_previews_then_applies_on_confirm(core: Core, xlsx: bytes) -> None:
    talk = Talk(core)
    upload = Upload("yuanjiang-2023-tasks.xlsx", xlsx)
    preview = await talk(ADMIN, "/import", attachment=upload.attachment)
    text = texts(preview)
    assert "导入预览" in text and "任务 45 项" in text
    assert await _counts(core) == (0, 0)
    buttons = button_datas(preview)
    assert set(buttons) == {"确认导入", "取消"}
    assert all(len(d.encode()) <= 64 for d in buttons.values())
    done = await talk(ADMIN, press=buttons["确认导入"])
    assert "已导入：2023年全市卫生健康重点工作责任分解表，共 45 项任务" in texts(done) and done[0].edit
    assert await _counts(core) == (1, 45)
    again = await talk(ADMIN, press=buttons["确认导入"])
    assert "已处理、已取消或已过期" in texts(again)
    assert await _counts(core) == (1, 45)
    async with core.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(PendingImport)) == 0
    await bind_people(core)
    assert "#11" in await talk.text(WANG, "我的任务")


def _revised(xlsx: bytes) -> bytes:
    """The same table with row 11's content reworded, as a bureau would circulate a revision."""
    book = load_workbook(io.BytesIO(xlsx))
    sheet = book.active
    [cell] = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "胸痛中心建设" in c.value]
    cell.value = cell.value.replace("10月底前", "11月底前")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_revised_table_shows_its_diff_and_keeps_history(core: Core, xlsx: bytes) -> None:
    talk = Talk(core)
    first = await talk(ADMIN, "/import", attachment=Upload("t.xlsx", xlsx).attachment)
    await talk(ADMIN, press=button_datas(first)["确认导入"])
    await bind_people(core)
    await talk(WANG, "签收 11")
    second = await talk(ADMIN, "/import", attachment=Upload("t2.xlsx", _revised(xlsx)).attachment)
    assert "修订对比" in texts(second) and "变更 #11" in texts(second)
    done = await talk(ADMIN, press=button_datas(second)["确认导入"])
    assert "已更新" in texts(done)
    assert await _counts(core) == (1, 45)
    detail = await talk.text(WANG, "#11")
    assert "2023-11-30" in detail and "王卫健（telegram）签收" in detail


async def test_cancel_changes_nothing(core: Core, xlsx: bytes) -> None:
    talk = Talk(core)
    preview = await talk(ADMIN, "/import 2023", attachment=Upload("t.xlsx", xlsx).attachment)
    cancelled = await talk(ADMIN, press=button_datas(preview)["取消"])
    assert "已取消导入" in texts(cancelled) and cancelled[0].edit
    assert await _counts(core) == (0, 0)
    assert "已处理" in texts(await talk(ADMIN, press=button_datas(preview)["确认导入"]))


async def test_files_over_the_limit_are_refused_before_download(core: Core, xlsx: bytes) -> None:
    core.settings.imports.max_bytes = 1000
    talk = Talk(core)
    upload = Upload("t.xlsx", xlsx)
    reply = await talk.text(ADMIN, "/import", attachment=upload.attachment)
    assert "超过上限" in reply and "未下载" in reply
    assert upload.fetched == 0
    unknown_size = Upload("t.xlsx", xlsx, size=None)
    assert "超过上限" in await talk.text(ADMIN, "/import", attachment=unknown_size.attachment)
    assert await _counts(core) == (0, 0)


BAD_FILES = [
    ("empty.xlsx", b""),
    ("picture.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 200),
    ("broken.xlsx", b"PK\x03\x04" + b"garbage" * 50),
    ("notes.txt", "会议纪要：今天讨论了很多事情。".encode()),
]


async def test_a_bad_file_gets_the_importers_error_and_nothing_changes(core: Core) -> None:
    talk = Talk(core)
    for name, data in BAD_FILES:
        replies = await talk(ADMIN, "/import", attachment=Upload(name, data).attachment)
        text = texts(replies)
        assert text.startswith("<b>导入失败，数据未做任何改动：</b>"), name
        assert len(text.splitlines()) >= 2 and not any(r.buttons for r in replies), name
    assert await _counts(core) == (0, 0)


async def test_import_needs_a_file_and_an_admin(seeded: Core, xlsx: bytes) -> None:
    talk = Talk(seeded)
    assert "用法：发送任务表文件" in await talk.text(ADMIN, "/import")
    assert "用法：发送任务表文件" in await talk.text(ADMIN, "/import abc", attachment=Upload("t.xlsx", xlsx).attachment)
    upload = Upload("t.xlsx", xlsx)
    assert "只有管理员" in await talk.text(WANG, "/import", attachment=upload.attachment)
    assert upload.fetched == 0


async def test_export_sends_the_ledger_as_xlsx(talk: Talk) -> None:
    replies = await talk(ADMIN, "/export")
    [reply] = [r for r in replies if r.file]
    assert reply.file is not None and reply.file.name == "督办台账-2023-10-27.xlsx"
    book = load_workbook(io.BytesIO(reply.file.data))
    assert any("状态" in str(cell.value) for sheet in book.worksheets for cell in sheet[1] + sheet[2] + sheet[3])


async def test_stats_sends_a_summary_and_a_png(talk: Talk) -> None:
    replies = await talk(ADMIN, "/stats", now=NOW)
    assert replies[0].text.startswith("<b>")  # the exporter's summary is already in the safe markup
    assert "医政医管股" in replies[0].text
    photos = [r.photo for r in replies if r.photo]
    assert len(photos) == 1 and photos[0] is not None
    assert photos[0].data[:8] == b"\x89PNG\r\n\x1a\n" and photos[0].mime == "image/png"
