"""Milestones of a row with a deadline column: the column's dates, plus other dates the task text names."""

from __future__ import annotations

import pytest

from bot.services.import_plan import plan_milestones
from bot.tableimport import ParsedRow


def _dates(content: str, deadline: str | None) -> list[tuple[str, str]]:
    milestones, _warnings = plan_milestones(ParsedRow(1, "1", None, None, content, deadline=deadline), 2019)
    return [(m.due.isoformat() if m.due else "", m.kind) for m in milestones]


@pytest.mark.parametrize("content", [
    "全年举办大型文旅活动3场次,全年接待游客140万人次,旅游综合收入6.8亿元。",  # 略阳 2019, row 16
    "全年新增城镇就业1200人。",
    "力争全年度完成招商引资5亿元。",
])
def test_a_yearly_total_adds_no_year_end_beside_a_dated_deadline_column(content: str) -> None:
    assert _dates(content, "5月底前") == [("2019-05-31", "dated")]


def test_without_a_deadline_column_a_yearly_total_is_due_at_year_end() -> None:
    assert _dates("全年接待游客140万人次。", None) == [("2019-12-31", "dated")]


def test_a_deadline_column_without_a_date_leaves_the_yearly_total_its_year_end() -> None:
    got = _dates("全年接待游客140万人次。", "长期坚持")
    assert ("2019-12-31", "dated") in got


@pytest.mark.parametrize("content,extra", [
    ("6月底前完成方案，年底前完成验收。", "2019-12-31"),
    ("9月底前完成全年目标任务。", "2019-09-30"),
    ("到2020年实现全覆盖，全年培训1000人次。", "2020-12-31"),
])
def test_other_dates_in_the_text_still_join_the_column(content: str, extra: str) -> None:
    dates = [d for d, _ in _dates(content, "5月底前")]
    assert "2019-05-31" in dates and extra in dates


def test_a_recurring_deadline_column_leaves_the_yearly_total_its_year_end() -> None:
    # 华山 2017: "全年空气质量优良天数不少于300天" beside "2017年不少于292天。持续推进,逐年增加。"
    got = _dates("全年空气质量优良天数不少于300天。", "2017年不少于292天。持续推进,逐年增加。")
    assert ("2019-12-31", "dated") in got
