"""/assign in chat: admins only, names checked (did you mean…), audited; the 张家港 work points become a full table."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.core import Core
from bot.db.models import Person, Section, Task, TaskEvent
from bot.services.assign import unassigned_numbers
from handlers.assign import parse_assign
from tests.conversation.conftest import ADMIN, NOW, STRANGER, WANG, Talk

POINTS = "zhangjiagang-2024-primary-care-points.txt"
ZJ_NOW = NOW.replace(year=2024, month=4, day=1)


async def _task(core: Core, no: str) -> Task:
    async with core.db.session() as session:
        task = await session.scalar(select(Task).where(Task.no == no))
        assert task is not None
        session.expunge(task)
        return task


async def _roles(core: Core, no: str) -> tuple[list[str], list[str], list[str]]:
    task = await _task(core, no)
    return [x.person.name for x in task.leaders], [x.section.name for x in task.sections], list(task.units)


async def _events(core: Core, kind: str = "assign") -> list[TaskEvent]:
    async with core.db.session() as session:
        return list((await session.scalars(select(TaskEvent).where(TaskEvent.kind == kind).order_by(TaskEvent.id))).all())


def test_the_words_are_split_into_task_names_units_and_the_create_mark() -> None:
    assert parse_assign("4 李康民 医政医管股") == ("4", ["李康民", "医政医管股"], None, False)
    assert parse_assign("#4 李康民 [配合 市人民医院、中医医院] +新") == (
        "#4", ["李康民"], ["市人民医院、中医医院"], True)
    assert parse_assign("4 with 市人民医院 +new") == ("4", [], ["市人民医院"], True)
    assert parse_assign("") == ("", [], None, False)


async def test_only_admins_may_assign(talk: Talk) -> None:
    before = await _roles(talk.core, "11")
    assert "只有管理员" in await talk.text(WANG, "/assign 11 李康民 疾控股")
    assert "只有管理员" in await talk.text(WANG, "指派 11 李康民 疾控股")
    assert "绑定" in await talk.text(STRANGER, "/assign 11 李康民 疾控股")
    assert await _roles(talk.core, "11") == before
    assert await _events(talk.core) == []


async def test_assign_sets_leaders_sections_units_and_writes_the_audit_trail(talk: Talk) -> None:
    reply = await talk.text(ADMIN, "/assign 11 李康民 疾控股、应急办 配合 市人民医院")
    assert "已指派 #11：牵头领导 李康民；牵头股室 疾控股、应急办；相关责任单位 市人民医院" in reply
    assert "全部任务均已指派" in reply
    assert await _roles(talk.core, "11") == (["李康民"], ["疾控股", "应急办"], ["市人民医院"])
    [event] = await _events(talk.core)
    assert (event.actor, event.channel, event.created_at) == (ADMIN, "telegram", NOW)
    assert event.data["old"] == {"leaders": ["王卫健"], "sections": ["医政医管股"], "units": ["人民医院", "各相关医疗卫生单位"]}
    assert event.data["new"] == {"leaders": ["李康民"], "sections": ["疾控股", "应急办"], "units": ["市人民医院"]}
    assert "指派" in await talk.text(ADMIN, "#11")  # in the task's history
    # Only the section given: the leaders and units stay; the same again changes nothing and logs nothing.
    await talk(ADMIN, "/assign 11 医政医管股", now=NOW + timedelta(minutes=1))
    assert await _roles(talk.core, "11") == (["李康民"], ["医政医管股"], ["市人民医院"])
    assert "没有变化" in await talk.text(ADMIN, "指派 11 医政医管股")
    assert len(await _events(talk.core)) == 2


async def test_near_misses_get_a_suggestion_and_unknown_names_need_the_create_mark(talk: Talk) -> None:
    assert "没有找到人员「李康明」，是不是「李康民」？" in await talk.text(ADMIN, "/assign 11 李康明 医政医管股")
    assert "没有找到股室「医政股」，是不是「医政医管股」？" in await talk.text(ADMIN, "/assign 11 王卫健 医政股")
    assert "是不是「疾控股」" in await talk.text(ADMIN, "/assign 11 疾控")  # no office ending, but a near miss of one
    unknown = await talk.text(ADMIN, "/assign 11 欧阳修 督查科")
    assert "没有找到人员「欧阳修」" in unknown and "+新" in unknown
    assert await _events(talk.core) == []
    created = await talk.text(ADMIN, "/assign 11 欧阳修 督查科 +新")
    assert "已新增：欧阳修、督查科" in created
    assert await _roles(talk.core, "11") == (["欧阳修"], ["督查科"], ["人民医院", "各相关医疗卫生单位"])
    [event] = await _events(talk.core)
    assert event.data["created"] == ["欧阳修", "督查科"]


async def test_unknown_task_and_missing_words(talk: Talk) -> None:
    assert "没有找到你可查看的任务 #999" in await talk.text(ADMIN, "/assign 999 李康民")
    assert "用法：/assign" in await talk.text(ADMIN, "/assign")
    assert "用法：/assign" in await talk.text(ADMIN, "/assign 11")


async def test_english_form(talk: Talk) -> None:
    await talk(ADMIN, "/lang en")
    reply = await talk.text(ADMIN, "assign 11 李康民 疾控股 with 市人民医院")
    assert "Assigned #11: leaders 李康民; sections 疾控股; related units 市人民医院" in reply
    assert 'Did you mean "李康民"?' in await talk.text(ADMIN, "/assign 11 李康明")


async def _import_points(core: Core, fixtures_dir: Path) -> None:
    from bot.services.imports import apply_import, prepare_import

    async with core.db.session() as session:
        data = (fixtures_dir / POINTS).read_bytes()
        preview = await prepare_import(session, data, POINTS, now=ZJ_NOW)
        await apply_import(session, preview, now=ZJ_NOW, actor=ADMIN, channel="telegram")


# Who leads what in the 2024 primary care points (an example split between two leaders and three sections).
ZJ_PLAN = {no: ("李康民" if no <= 9 else "王卫健", "基层卫生股" if no <= 6 else ("医政医管股" if no <= 12 else "疾控科"))
           for no in range(1, 19)}


async def test_the_zhangjiagang_points_become_a_fully_assigned_table_by_chat(core: Core, fixtures_dir: Path) -> None:
    await _import_points(core, fixtures_dir)
    talk = Talk(core)
    for name, section in (("李康民", "基层卫生股"), ("王卫健", "医政医管股")):
        assert "已新增" in await talk.text(ADMIN, f"/person add {name}", now=ZJ_NOW)
        async with core.db.session() as session:
            if await session.scalar(select(Section).where(Section.name == section)) is None:
                session.add(Section(name=section, created_at=ZJ_NOW))
    first = await talk.text(ADMIN, "/assign 1 李康民 基层卫生股", now=ZJ_NOW)
    assert "还有 17 项任务尚未指派：#2、#3、#4" in first and "等" in first
    # 疾控科 is new: refused first, then added explicitly.
    assert "没有找到股室「疾控科」" in await talk.text(ADMIN, "/assign 13 王卫健 疾控科", now=ZJ_NOW)
    assert "已新增：疾控科" in await talk.text(ADMIN, "/assign 13 王卫健 疾控科 +新", now=ZJ_NOW)
    last = ""
    for no, (leader, section) in ZJ_PLAN.items():
        last = await talk.text(ADMIN, f"/assign {no} {leader} {section}", now=ZJ_NOW)
    assert "全部任务均已指派" in last
    async with core.db.session() as session:
        table_id = await session.scalar(select(Task.table_id).limit(1))
        assert await unassigned_numbers(session, table_id) == []
        assert await session.scalar(select(Person.id).where(Person.name == "李康明")) is None
    assert await _roles(core, "18") == (["王卫健"], ["疾控科"], [])
    assert len(await _events(core)) == 18  # #1 and #13 again with the same names: no second event
