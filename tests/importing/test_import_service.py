"""The import service on a real database: the 2023 table in every format, revisions, all or nothing."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.models import Milestone, Person, Section, Task, TaskEvent, TaskTable
from bot.services.imports import apply_import, prepare_import, render_preview
from bot.tableimport import ImportFailure
from tests.tableimport.test_fixtures import fixture_path

NOW = datetime(2023, 5, 10, 2, 0, tzinfo=timezone.utc)
FORMATS = ["yuanjiang-2023-tasks.xlsx", "yuanjiang-2023-tasks.docx", "yuanjiang-2023-tasks.csv",
           "yuanjiang-2023-tasks.gbk.csv", "yuanjiang-2023-tasks.txt", "yuanjiang-2023-tasks.xls",
           "yuanjiang-2023-tasks.pdf"]


async def _import(db, path: Path, *, year=None, data=None, name=None):
    async with db.session() as session:
        preview = await prepare_import(session, data if data is not None else path.read_bytes(),
                                       name or path.name, now=NOW, year=year)
        table = await apply_import(session, preview, now=NOW, actor="test")
    return preview, table


async def _snapshot(db) -> list[tuple]:
    async with db.session() as session:
        tasks = (await session.scalars(select(Task).order_by(Task.table_id, Task.seq))).all()
        return [
            (t.table_id, t.no, t.status, t.content, [l.person.name for l in t.leaders],
             [s.section.name for s in t.sections], [(m.due, m.kind, m.text) for m in t.milestones])
            for t in tasks
        ]


@pytest.mark.parametrize("name", FORMATS)
async def test_2023_table_stores_expected_leaders_sections_units_from_every_format(db, fixtures_dir, name):
    expected = json.loads((fixtures_dir / "yuanjiang-2023-tasks.expected.json").read_text("utf-8"))
    preview, table = await _import(db, fixture_path(fixtures_dir, name))
    assert table.year == 2023 and preview.year == 2023
    async with db.session() as session:
        tasks = (await session.scalars(select(Task).where(Task.table_id == table.id).order_by(Task.seq))).all()
        got = [
            {
                "no": int(t.no),
                "category": t.category,
                "content": t.content,
                "leaders": [l.person.name for l in t.leaders],
                "sections": [s.section.name for s in t.sections],
                "units": t.units,
            }
            for t in tasks
        ]
    want = [{k: row[k] for k in ("no", "category", "content", "leaders", "sections", "units")} for row in expected["tasks"]]
    assert len(got) == 45
    for g, w in zip(got, want):
        assert g == w, f"row #{w['no']} differs"


async def test_2023_milestones_row_11_october_and_row_2_target(db, fixtures_dir):
    preview, table = await _import(db, fixtures_dir / "yuanjiang-2023-tasks.xlsx")
    assert preview.default_only == 39
    async with db.session() as session:
        by_no = {t.no: t for t in await session.scalars(select(Task).where(Task.table_id == table.id))}
        assert [m.due for m in by_no["11"].milestones if m.kind == "dated"] == [date(2023, 10, 31)]
        kinds = {(m.kind, m.due) for m in by_no["2"].milestones}
        assert ("target", date(2025, 12, 31)) in kinds
        assert ("dated", date(2023, 12, 31)) in kinds
        default = by_no["1"].milestones
        assert [(m.kind, m.due) for m in default] == [("default", date(2023, 12, 31))]
        # The xlsx carries no issue date, so the window opens on the import day.
        assert default[0].window_start == date(2023, 5, 10)


async def test_window_opens_on_the_signed_issue_date_when_the_file_has_one(db, fixtures_dir):
    _, table = await _import(db, fixtures_dir / "yuanjiang-2023-tasks.txt")
    assert table.issued == date(2023, 5, 6) and table.issuer == "沅江市卫生健康局"
    async with db.session() as session:
        starts = set((await session.scalars(select(Milestone.window_start))).all())
    assert starts == {date(2023, 5, 6)}


async def test_people_and_sections_are_shared_across_tables(db, fixtures_dir):
    await _import(db, fixtures_dir / "yuanjiang-2023-tasks.xlsx")
    await _import(db, fixtures_dir / "zhangjiagang-2024-primary-care-points.txt")
    async with db.session() as session:
        names = (await session.scalars(select(Person.name))).all()
        assert len(names) == len(set(names)) and "李康民" in names
        assert await session.scalar(select(func.count()).select_from(Section)) > 10
        assert await session.scalar(select(func.count()).select_from(TaskTable)) == 2


async def test_unassigned_points_import_and_preview_flags_them(db, fixtures_dir):
    preview, table = await _import(db, fixtures_dir / "zhangjiagang-2024-primary-care-points.txt")
    assert preview.unassigned == len(preview.tasks) > 0
    assert table.year == 2024
    text = "\n".join(render_preview(preview, "zh"))
    assert "没有牵头领导和牵头股室" in text
    assert "no lead leader" not in text
    assert "neither a lead leader nor a lead section" in "\n".join(render_preview(preview, "en"))


async def test_preview_names_columns_counts_and_row_warnings(db, fixtures_dir):
    async with db.session() as session:
        preview = await prepare_import(session, (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes(),
                                       "yuanjiang-2023-tasks.xlsx", now=NOW)
        await session.rollback()
    text = "\n".join(render_preview(preview, "zh"))
    assert "任务 45 项" in text
    assert "牵头领导" in text and "牵头股室" in text
    assert "“序号”" in text
    # 定期 in row text is read as recurring without a period and flagged.
    assert "定期" in text


def _revise(csv_text: str) -> str:
    lines = csv_text.splitlines()
    header, rows = lines[0], lines[1:]
    rows = [r for r in rows if not r.startswith("3,")]  # row 3 dropped
    rows = [r.replace("疾控股、基层卫生健康股、应急办", "疾控股、应急办") if r.startswith("1,") else r for r in rows]
    rows.append('46,"新增类别","新增任务。9月底前完成。",胡立军,血防股,各血防(控)单位')
    return "\n".join([header, *rows]) + "\n"


async def test_revised_table_is_matched_by_number_and_keeps_status_and_history(db, fixtures_dir):
    csv_path = fixtures_dir / "yuanjiang-2023-tasks.csv"
    _, table = await _import(db, csv_path)
    async with db.session() as session:
        task1 = await session.scalar(select(Task).where(Task.table_id == table.id, Task.no == "1"))
        task1.status = "done"
        session.add(TaskEvent(task_id=task1.id, actor="telegram:1", channel="telegram", kind="done", created_at=NOW))
    revised = _revise(csv_path.read_text("utf-8-sig")).encode("utf-8")
    async with db.session() as session:
        preview = await prepare_import(session, revised, "revised.csv", now=NOW)
        assert preview.diff is not None
        assert preview.diff.added == ("46",)
        assert preview.diff.removed == ("3",)
        assert "1" in preview.diff.changed
        text = "\n".join(render_preview(preview, "zh"))
        assert "新增 #46" in text and "删除 #3" in text
        again = await apply_import(session, preview, now=NOW, actor="test")
    assert again.id == table.id
    async with db.session() as session:
        tasks = {t.no: t for t in await session.scalars(select(Task).where(Task.table_id == table.id))}
        assert tasks["1"].status == "done"
        assert [s.section.name for s in tasks["1"].sections] == ["疾控股", "应急办"]
        assert tasks["3"].status == "removed"
        assert [m.due for m in tasks["46"].milestones] == [date(2023, 9, 30)]
        kinds = (await session.scalars(select(TaskEvent.kind).where(TaskEvent.task_id == tasks["1"].id))).all()
        assert "done" in kinds and "import_change" in kinds


BAD_INPUTS = {
    "empty.xlsx": b"",
    "corrupt.xlsx": b"PK\x03\x04 this is not really a zip",
    "picture.xlsx": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "nothing.csv": "姓名,年龄\n张三,30\n".encode("utf-8"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
async def test_bad_file_leaves_previous_table_intact(db, fixtures_dir, name):
    await _import(db, fixtures_dir / "yuanjiang-2023-tasks.xlsx")
    before = await _snapshot(db)
    with pytest.raises(ImportFailure) as info:
        await _import(db, Path(name), data=BAD_INPUTS[name], name=name)
    lines = info.value.render("zh")
    assert lines and all(name in line for line in lines), lines
    assert await _snapshot(db) == before


async def test_duplicate_numbers_refused_with_both_rows_named(db):
    data = "序号,具体内容,牵头领导,牵头股室\n1,甲任务。,张三,办公室\n1,乙任务。,李四,财务股\n".encode("utf-8")
    with pytest.raises(ImportFailure) as info:
        await _import(db, Path("dup.csv"), data=data, name="dup.csv")
    text = "\n".join(info.value.render("zh"))
    assert "dup.csv" in text and "2" in text and "3" in text
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Task)) == 0


async def test_explicit_deadline_column_wins_and_content_adds_other_dates(db):
    data = ("序号,重点工作任务,责任领导,责任处室,完成时限\n"
            "1,完善制度。6月底前出台方案。,张三、李四,办公室,2024年9月30日前\n"
            "2,推进建设。,王五,财务股,年底前\n").encode("utf-8")
    preview, table = await _import(db, Path("t.csv"), data=data, name="2024年重点工作任务分解表.csv", year=2024)
    async with db.session() as session:
        tasks = {t.no: t for t in await session.scalars(select(Task).where(Task.table_id == table.id))}
        assert [l.person.name for l in tasks["1"].leaders] == ["张三", "李四"]
        assert [m.due for m in tasks["1"].milestones] == [date(2024, 6, 30), date(2024, 9, 30)]
        assert [m.due for m in tasks["2"].milestones] == [date(2024, 12, 31)]
        assert await session.scalar(select(func.count()).select_from(Milestone)) == 3
