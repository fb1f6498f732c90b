"""The 责任分解表 template: work points → template → leader/section cells filled in Excel → imported as the same table."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.core import Core
from bot.db.models import Task, TaskEvent, TaskTable
from bot.exports.template import COLUMNS, EMPTY_FILL, title_cell
from bot.services.assign import unassigned_numbers
from tests.conversation.conftest import ADMIN, WANG, Talk, button_datas, texts
from tests.conversation.test_assign import POINTS, ZJ_NOW, ZJ_PLAN, _import_points
from tests.conversation.test_import_export import Upload

HEADERS = ["序号", "工作任务", "具体内容及时间节点", "牵头领导", "牵头股室", "相关责任单位", "完成时限", "备注"]
LATER = ZJ_NOW + timedelta(days=20)


async def _template(talk: Talk) -> bytes:
    replies = await talk(ADMIN, "/export 模板", now=LATER)
    [reply] = [r for r in replies if r.file]
    assert reply.file is not None and reply.file.name.endswith(".xlsx") and "模板" in reply.file.name
    return reply.file.data


def _fill(data: bytes, plan: dict[int, tuple[str, str]]) -> bytes:
    """Write leaders and sections into the rows of the 序号 in ``plan``, as an admin would in Excel."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    for row in sheet.iter_rows(min_row=4):
        if row[0].value in plan:
            row[3].value, row[4].value = plan[row[0].value]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _upload(talk: Talk, name: str, data: bytes) -> str:
    preview = await talk(ADMIN, "/import", attachment=Upload(name, data).attachment, now=LATER)
    assert "确认导入" in button_datas(preview), texts(preview)
    done = await talk(ADMIN, press=button_datas(preview)["确认导入"], now=LATER)
    return texts(preview) + "\n" + texts(done)


async def test_the_template_has_the_standard_columns_a_title_row_and_coloured_empty_cells(core: Core, fixtures_dir: Path) -> None:
    await _import_points(core, fixtures_dir)
    talk = Talk(core)
    await talk(ADMIN, "/assign 2 李康民 基层卫生股 +新", now=ZJ_NOW)
    sheet = load_workbook(io.BytesIO(await _template(talk))).active
    assert sheet["A1"].value == "张家港市2024年基层卫生工作要点"
    assert "发文日期：2024-03-27" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == HEADERS == [h for h, _, _ in COLUMNS]
    rows = list(sheet.iter_rows(min_row=4))
    assert [r[0].value for r in rows] == list(range(1, 19))
    assert rows[0][1].value == "一、推进基层医疗卫生服务体系建设" and rows[0][2].value.startswith("优化完善基层卫生服务体系。")
    coloured = {(r[0].value, c.column_letter) for r in rows for c in r if c.fill.fgColor.rgb.endswith(EMPTY_FILL)}
    assert coloured == {(no, col) for no in range(1, 19) if no != 2 for col in "DE"}
    assert (rows[1][3].value, rows[1][4].value) == ("李康民", "基层卫生股")
    refused = await talk(WANG, "/export 模板")  # not an admin (not even bound here): no file
    assert not any(r.file for r in refused) and "绑定" in texts(refused)


def test_a_title_the_importer_would_not_read_as_one_is_quoted() -> None:
    assert title_cell("2024年基层卫生工作要点") == "2024年基层卫生工作要点"
    assert title_cell("tasks") == "《tasks》"


async def test_the_filled_template_imports_back_into_the_same_table_keeping_progress(core: Core, fixtures_dir: Path) -> None:
    await _import_points(core, fixtures_dir)
    talk = Talk(core)
    # Some work happened before the table was assigned: a progress report on #3, #5 done.
    await talk(ADMIN, "进度 3 30% 已完成调研", now=ZJ_NOW + timedelta(days=1))
    await talk(ADMIN, "完成 5", now=ZJ_NOW + timedelta(days=2))
    filled = _fill(await _template(talk), {no: ZJ_PLAN[no] for no in range(1, 10)})
    result = await _upload(talk, "张家港-模板.xlsx", filled)
    assert "修订对比" in result and "变更 #1、#2、#3" in result and "未变 9 项" in result
    async with core.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(TaskTable)) == 1
        tasks = {t.no: t for t in await session.scalars(select(Task))}
        assert len(tasks) == 18 and all(t.status != "removed" for t in tasks.values())
        assert [x.person.name for x in tasks["3"].leaders] == ["李康民"]
        assert [x.section.name for x in tasks["3"].sections] == ["基层卫生股"]
        assert (tasks["3"].progress_percent, tasks["3"].progress_text) == (30, "已完成调研")
        assert tasks["5"].status == "done"
        kinds = {(e.task_id, e.kind) for e in await session.scalars(select(TaskEvent))}
        assert (tasks["3"].id, "progress") in kinds and (tasks["5"].id, "done") in kinds
        assert (tasks["3"].id, "import_change") in kinds and (tasks["12"].id, "import_change") not in kinds
        table_id = tasks["1"].table_id
        assert await unassigned_numbers(session, table_id) == [str(no) for no in range(10, 19)]
    # The rest through a second round: the table is then fully assigned, and a fresh template has nothing coloured.
    await _upload(talk, POINTS.replace(".txt", ".xlsx"), _fill(await _template(talk), ZJ_PLAN))
    async with core.db.session() as session:
        assert await unassigned_numbers(session, table_id) == []
        assert await session.scalar(select(func.count()).select_from(TaskTable)) == 1
    sheet = load_workbook(io.BytesIO(await _template(talk))).active
    assert not any(c.fill.fgColor.rgb.endswith(EMPTY_FILL) for r in sheet.iter_rows(min_row=4) for c in r)
    assert "#3" in await talk.text(ADMIN, "/leader 李康民", now=LATER)
