"""A seeded database for the export tests: two live tables and a retired one, with every standing colour.

On TODAY (Friday 2023-10-27; 10-07 and 10-08 were make-up working days) the live tasks stand as:

table A (original headers, incl. 完成时限 and 备注)   table B (no headers kept)
  #1 red: due 10-20, 5 working days overdue            #1 green, 基层卫生股
  #2 blue: due 10-31, 2 working days left              #2 red: due 10-10 (has its own title)
  #3 yellow: 10% done at 70% of its window
  #4 done
  #5 green, no section (unassigned)
  #6 removed (never exported)
  #7 green: ongoing, no date
  #8 blue: recurring monthly, May…September reported, October's period ends 10-31 (reported 2 days ago, so not stale)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest

from bot.core import Core
from bot.db.models import Milestone, Occurrence, Person, Section, Task, TaskEvent, TaskLeader, TaskSection, TaskTable

TODAY = date(2023, 10, 27)
NOW = datetime(2023, 10, 27, 1, 0, tzinfo=timezone.utc)
ISSUED = date(2023, 5, 6)
A_TITLE = "2023年全市卫生健康重点工作责任分解表"
A_COLUMNS = ["序号", "工作任务", "具体内容及时间节点", "牵头领导", "牵头股室（站）", "相关责任单位", "完成时限", "备注"]
B_TITLE = "2023年基层卫生工作要点"


@dataclass(frozen=True)
class Seeded:
    """Ids of the seeded tables."""

    a: int
    b: int
    retired: int


def _milestone(due: date | None, text: str, kind: str = "dated", *, period: str | None = None,
               start: date | None = None, estimate: bool = False, position: int = 0) -> Milestone:
    return Milestone(due=due, original_due=due, text=text, kind=kind, period=period, estimate=estimate,
                     window_start=start, position=position)


def _task(no: str, seq: int, content: str, *, category: str | None = None, title: str | None = None,
          status: str = "open", units: list[str] | None = None, milestones: list[Milestone],
          leaders: list[Person] = (), sections: list[Section] = (), **extra: object) -> Task:
    from bot.services.import_plan import derive_title

    return Task(
        no=no, seq=seq, category=category, title=title or derive_title(content), content=content,
        units=units or [], status=status, created_at=NOW, updated_at=NOW, milestones=milestones,
        leaders=[TaskLeader(person=p, position=i) for i, p in enumerate(leaders)],
        sections=[TaskSection(section=s, position=i) for i, s in enumerate(sections)],
        **extra,
    )


def _table(title: str, columns: list[str], *, active: bool = True, issuer: str | None = None,
           issued: date | None = None) -> TaskTable:
    return TaskTable(title=title, issuer=issuer, year=2023, issued=issued, source_name=f"{title}.xlsx",
                     source_hash="0" * 64, source_format="xlsx", columns=columns, active=active,
                     imported_at=NOW, updated_at=NOW)


@pytest.fixture
async def seeded(core: Core) -> Seeded:
    """The tables described in the module docstring."""
    async with core.db.session() as s:
        li, hu = Person(name="李康民", created_at=NOW), Person(name="胡立军", created_at=NOW)
        jk, yz, gh, jc = (Section(name=n, created_at=NOW) for n in ("疾控股", "医政医管股", "规划发展与信息化股", "基层卫生股"))
        cat1, cat2 = "(一)聚焦疾病防控", "(二)深化医改"
        a = _table(A_TITLE, A_COLUMNS, issuer="沅江市卫生健康局", issued=ISSUED)
        # Inserted out of 序号 order on purpose: exports follow seq, not insertion.
        a.tasks = [
            _task("8", 8, "每月开展一次院感督查。", category=cat2, leaders=[hu], sections=[yz],
                  milestones=[_milestone(date(2023, 12, 31), "每月", "recurring", period="month", start=ISSUED)],
                  progress_text="10月已督查", progress_at=datetime(2023, 10, 25, 7, 0, tzinfo=timezone.utc)),
            _task("1", 1, "做好传染病防控。10月20日前完成专项督查。", category=cat1, leaders=[li], sections=[jk],
                  units=["各医疗卫生单位", "市疾控中心"], deadline_text="10月20日前",
                  milestones=[_milestone(date(2023, 10, 20), "10月20日前", start=ISSUED)],
                  progress_percent=80, progress_text="已完成督查方案",
                  progress_at=datetime(2023, 10, 26, 2, 30, tzinfo=timezone.utc)),
            _task("2", 2, "完成胸痛中心验收。10月底前完成。", category=cat1, leaders=[li], sections=[yz],
                  milestones=[_milestone(date(2023, 10, 31), "10月底前")]),
            _task("3", 3, "推进慢病管理。", category=cat1, leaders=[li, hu], sections=[jk, yz], remarks="重点督办",
                  milestones=[_milestone(date(2023, 12, 31), "", "default", start=ISSUED)],
                  progress_percent=10, progress_text="启动", progress_at=datetime(2023, 10, 20, 8, 0, tzinfo=timezone.utc)),
            _task("4", 4, "编制卫生规划。9月底前完成。", category=cat2, leaders=[hu], sections=[gh], status="done",
                  milestones=[_milestone(date(2023, 9, 30), "9月底前", start=ISSUED)],
                  done_at=datetime(2023, 9, 28, 8, 0, tzinfo=timezone.utc)),
            _task("5", 5, "开展健康教育。", category=cat2, units=["各乡镇卫生院"],
                  milestones=[_milestone(date(2023, 12, 31), "", "default")]),
            _task("6", 6, "已删除的任务。", category=cat2, status="removed", sections=[jk],
                  milestones=[_milestone(date(2023, 6, 30), "上半年")]),
            _task("7", 7, "常态化开展爱国卫生运动。", category=cat2, sections=[jk],
                  milestones=[_milestone(None, "常态化", "ongoing")]),
        ]
        b = _table(B_TITLE, [])
        b.tasks = [
            _task("1", 1, "年内完成村卫生室标准化建设。", sections=[jc],
                  milestones=[_milestone(date(2023, 12, 31), "年内", start=date(2023, 10, 20))]),
            _task("2", 2, "建成胸痛救治单元并通过省级验收。", title="胸痛救治单元", sections=[jk],
                  milestones=[_milestone(date(2023, 10, 10), "10月10日前", estimate=True)]),
        ]
        retired = _table("2022年旧表", ["序号", "工作任务"], active=False)
        retired.tasks = [_task("1", 1, "旧任务。", sections=[jk], milestones=[_milestone(date(2022, 12, 31), "年底")])]
        s.add_all([a, b, retired])
        await s.flush()
        # #8's monthly reports, each filed for its month (issue 9: each period is its own deadline).
        eight = next(task for task in a.tasks if task.no == "8")
        for month in range(5, 10):
            at = datetime(2023, month, 25, 2, 0, tzinfo=timezone.utc)
            report = TaskEvent(task_id=eight.id, actor="telegram:1", channel="telegram", kind="progress",
                               text=f"{month}月已督查", data={"period": f"2023-{month:02d}"}, created_at=at)
            s.add(report)
            await s.flush()
            s.add(Occurrence(task_id=eight.id, milestone_id=eight.milestones[0].id, period_key=f"2023-{month:02d}",
                             due=date(2023, month, 28), state="reported", report_event_id=report.id, reported_at=at,
                             created_at=at))
        await s.flush()
        return Seeded(a.id, b.id, retired.id)
