"""Correcting an import in chat: /columns re-reads the held file with the admin's mapping, and a table that
names no year asks for it with buttons before anything can be confirmed."""

from __future__ import annotations

from sqlalchemy import select

from bot.core import Core
from bot.db.models import Milestone, PendingImport, Task
from tests.conversation.conftest import ADMIN, WANG, Talk, button_datas, texts
from tests.conversation.test_import_export import Upload
from tests.tableimport.builders import csv_bytes

ROWS = [["序号", "板块", "事项", "单位", "联系人"],
        ["1", "改革", "6月底前推进医共体建设。", "医政股", "张三"],
        ["2", "改革", "9月底前完善分级诊疗。", "基卫股", "李四"]]


async def test_columns_corrects_the_guess_and_the_confirm_uses_it(core: Core) -> None:
    talk = Talk(core)
    first = texts(await talk(ADMIN, "/import 2024", attachment=Upload("t.csv", csv_bytes(ROWS)).attachment))
    assert "E 列“联系人”未读取" in first and "/columns" in first
    again = await talk(ADMIN, "/columns B=类别,C=任务,D=牵头单位,E=忽略")
    text = texts(again)
    assert "B“板块”→类别" in text and "C“事项”→任务" in text and "D“单位”→牵头单位" in text
    assert "未读取" not in text
    async with core.db.session() as session:
        assert len((await session.scalars(select(PendingImport))).all()) == 1  # the first preview is gone
    done = await talk(ADMIN, press=button_datas(again)["确认导入"])
    assert "共 2 项任务" in texts(done)
    async with core.db.session() as session:
        task = await session.scalar(select(Task).where(Task.no == "2"))
        assert (task.category, task.content) == ("改革", "9月底前完善分级诊疗。")


async def test_a_bad_mapping_names_the_item_and_only_admins_may_map(core: Core) -> None:
    talk = Talk(core)
    await talk(ADMIN, "/import 2024", attachment=Upload("t.csv", csv_bytes(ROWS)).attachment)
    assert "列指定“B=什么”无法识别" in await talk.text(ADMIN, "/columns B=什么")
    assert "用法：/columns" in await talk.text(ADMIN, "/columns")
    assert "导入预览" not in await talk.text(WANG, "/columns B=类别")


async def test_columns_without_a_held_file_says_so(core: Core) -> None:
    assert "已处理、已取消或已过期" in await Talk(core).text(ADMIN, "/columns B=类别")


async def test_a_table_without_a_year_asks_for_it_before_confirming(core: Core) -> None:
    talk = Talk(core)
    preview = await talk(ADMIN, "/import", attachment=Upload("t.csv", csv_bytes(ROWS)).attachment)
    text = texts(preview)
    assert text.index("没有找到年度") < text.index("文件：")  # said first
    buttons = button_datas(preview)
    assert "确认导入" not in buttons
    years = sorted(label for label in buttons if label.endswith("年导入"))
    assert len(years) == 3
    year = int(years[-1].split()[1])
    chosen = await talk(ADMIN, press=buttons[years[-1]])
    assert chosen[0].edit and f"年度 {year} 取自指定的年度" in texts(chosen)
    done = await talk(ADMIN, press=button_datas(chosen)["确认导入"])
    assert "共 2 项任务" in texts(done)
    async with core.db.session() as session:
        dues = sorted(m.due.isoformat() for m in (await session.scalars(select(Milestone))).all())
    assert dues == [f"{year}-06-30", f"{year}-09-30"]
