"""Names in an imported table checked like /assign checks them: a near miss of a known person or section is
shown in the preview with the row and the suggestion, and imported as written (a new person is legitimate)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.core import Core
from bot.contracts import Attachment
from bot.db.models import Person, Section, Task, TaskEvent, TaskTable
from bot.services.import_names import NameHint, name_hints
from bot.services.imports import apply_import, prepare_import, render_preview
from tests.cli.test_assign_cli import POINTS
from tests.cli.test_cli import duban
from tests.conversation.conftest import ADMIN, Talk
from tests.conversation.test_assign import ZJ_NOW, _import_points

LATER = ZJ_NOW + timedelta(days=20)


def _fill(data: bytes, plan: dict[int, tuple[str, str]]) -> bytes:
    """Leaders and sections written into the template's rows by 序号, as an admin does in Excel."""
    book = load_workbook(io.BytesIO(data))
    for row in book.active.iter_rows(min_row=4):
        if row[0].value in plan:
            row[3].value, row[4].value = plan[row[0].value]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_typo_in_the_filled_template_is_shown_with_its_row_and_suggestion(core: Core, fixtures_dir: Path) -> None:
    await _import_points(core, fixtures_dir)
    talk = Talk(core)
    await talk(ADMIN, "/assign 1 李康民 基层卫生股 +新", now=ZJ_NOW)
    await talk(ADMIN, "进度 3 30% 已完成调研", now=ZJ_NOW + timedelta(days=1))
    await talk(ADMIN, "完成 5", now=ZJ_NOW + timedelta(days=2))
    [template] = [r.file for r in await talk(ADMIN, "/export 模板", now=LATER) if r.file]
    assert template is not None
    # #3 has the leader mistyped (李康明), #4 the section (基层卫生科), #6 a new person no one resembles.
    plan = {2: ("李康民", "基层卫生股"), 3: ("李康明", "基层卫生股"), 4: ("李康民", "基层卫生科"), 5: ("李康民", "基层卫生股"),
            6: ("周晓燕", "基层卫生股")}
    filled = _fill(template.data, plan)
    async with core.db.session() as session:
        preview = await prepare_import(session, filled, "张家港-模板.xlsx", now=LATER)
        hints = await name_hints(session, preview)
        by_no = {task.no: task.line for task in preview.tasks}
        assert hints == (NameHint(by_no["3"], "3", "person", "李康明", "李康民"),
                         NameHint(by_no["4"], "4", "section", "基层卫生科", "基层卫生股"))
        lines = render_preview(preview, "zh", names=hints)
        assert f"  第 {by_no['3']} 行（#3）：牵头领导「李康明」不是已知人员，是不是「李康民」？如确是新人员可直接导入，否则请改正后重新上传。" in lines
        assert any("牵头股室「基层卫生科」不是已知股室，是不是「基层卫生股」？" in line for line in lines)
        assert not any("周晓燕" in line for line in lines if "是不是" in line)
        english = "\n".join(render_preview(preview, "en", names=hints))
        assert 'leader "李康明" is not a known person. Did you mean "李康民"?' in english
        # Not blocking: the names go in as written, and the table is revised in place.
        await apply_import(session, preview, now=LATER, actor=ADMIN, channel="cli")
    async with core.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(TaskTable)) == 1
        assert {p for p in await session.scalars(select(Person.name))} == {"李康民", "李康明", "周晓燕"}
        assert "基层卫生科" in set(await session.scalars(select(Section.name)))
        tasks = {t.no: t for t in await session.scalars(select(Task))}
        assert [x.person.name for x in tasks["3"].leaders] == ["李康明"]
        assert (tasks["3"].progress_percent, tasks["3"].progress_text) == (30, "已完成调研")
        assert tasks["5"].status == "done"
        kinds = {(e.task_id, e.kind) for e in await session.scalars(select(TaskEvent))}
        assert {(tasks["3"].id, "progress"), (tasks["5"].id, "done"), (tasks["1"].id, "assign")} <= kinds


async def test_no_hints_when_every_name_is_known_or_unlike_any(core: Core, fixtures_dir: Path) -> None:
    await _import_points(core, fixtures_dir)
    async with core.db.session() as session:
        preview = await prepare_import(session, (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes(),
                                       "yuanjiang-2023-tasks.xlsx", now=LATER)
        assert preview.new_people and await name_hints(session, preview) == ()  # a fresh set of names: nothing to suggest


def test_the_command_line_round_trip_warns_of_a_mistyped_leader(tmp_path, fixtures_dir):
    assert duban(tmp_path, "import", str(fixtures_dir / POINTS)).returncode == 0
    made = duban(tmp_path, "assign", "1", "--leader", "李康民", "--section", "基层卫生股", "--create")
    assert made.returncode == 0, made.stderr
    assert duban(tmp_path, "export", "--format", "xlsx", "--template", "-o", "template.xlsx").returncode == 0
    filled = _fill((tmp_path / "template.xlsx").read_bytes(), {no: ("李康民" if no != 7 else "李康明", "基层卫生股")
                                                               for no in range(1, 19)})
    (tmp_path / "filled.xlsx").write_bytes(filled)
    back = duban(tmp_path, "import", str(tmp_path / "filled.xlsx"))
    assert back.returncode == 0, back.stderr
    [warning] = [line for line in back.stdout.splitlines() if "是不是" in line]
    assert "（#7）：牵头领导「李康明」不是已知人员，是不是「李康民」？" in warning
    assert "已更新" in back.stdout


async def test_a_chat_upload_of_the_filled_template_shows_the_near_miss(core: Core, fixtures_dir: Path) -> None:
    await _import_points(core, fixtures_dir)
    talk = Talk(core)
    await talk(ADMIN, "/assign 1 李康民 基层卫生股 +新", now=ZJ_NOW)
    [template] = [r.file for r in await talk(ADMIN, "/export 模板", now=LATER) if r.file]
    assert template is not None
    filled = _fill(template.data, {2: ("李康明", "基层卫生股")})

    async def fetch() -> bytes:
        return filled

    replies = await talk(ADMIN, "/import", attachment=Attachment("张家港-模板.xlsx", len(filled), None, fetch), now=LATER)
    text = "\n".join(r.text for r in replies)
    assert "（#2）：牵头领导「李康明」不是已知人员，是不是「李康民」？" in text
    assert any(r.buttons for r in replies)  # not blocking: the confirm button is there
