"""Time nodes as bureaus write them in deadline cells and task text (the phrasings a probe found misread)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.services.import_plan import plan_milestones
from bot.tableimport import ParsedRow
from bot.timenodes import extract

Y = 2024


def _read(text: str) -> list[tuple[str | None, str]]:
    return [(m.due.isoformat() if m.due else None, m.kind) for m in extract(text, Y).milestones]


def _plan(deadline: str, content: str) -> list[tuple[str | None, str]]:
    milestones, _ = plan_milestones(ParsedRow(1, "1", None, None, content, deadline=deadline), Y)
    return [(m.due.isoformat() if m.due else None, m.kind) for m in milestones]


@pytest.mark.parametrize("text,due", [
    ("6.30前", "2024-06-30"),
    ("6.30", "2024-06-30"),  # alone in the cell
    ("12.20之前", "2024-12-20"),
    ("4.1-4.30", "2024-04-30"),  # a range is due at its end
    ("4.1-30", "2024-04-30"),
])
def test_month_dot_day_alone_or_with_qian_is_a_date(text: str, due: str) -> None:
    assert _read(text) == [(due, "dated")]


@pytest.mark.parametrize("text", ["服务2.5万人次", "上线3.0版本", "增长6.5%", "提高到12.5万元", "3.15消费者权益日宣传", "升级至V2.1版"])
def test_decimals_and_versions_in_task_text_are_not_dates(text: str) -> None:
    assert _read(text) == [("2024-12-31", "default")]


def test_a_deadline_column_of_month_dot_day_wins_over_task_text() -> None:
    assert _plan("6.30前", "完成3个月的培训") == [("2024-06-30", "dated")]


@pytest.mark.parametrize("text,due", [
    ("2024.3-6", "2024-06-30"),  # one separator inside a date: March to June, not 6 March
    ("2024.3-2024.6", "2024-06-30"),
    ("2024/3/1-2024/6/30", "2024-06-30"),
    ("2024-6-30", "2024-06-30"),
    ("2024.6.30", "2024-06-30"),
])
def test_numeric_dates_and_their_ranges(text: str, due: str) -> None:
    assert _read(text) == [(due, "dated")]


def test_a_numeric_month_range_running_into_the_next_year_is_an_estimate() -> None:
    (m,) = extract("2024.11-2", Y).milestones
    assert (m.due.isoformat(), m.estimate) == ("2025-02-28", True)


@pytest.mark.parametrize("text,due", [
    ("2024年3月—2024年6月", "2024-06-30"),
    ("2024年6月-2025年6月", "2025-06-30"),
    ("2024年10月至2025年3月", "2025-03-31"),
    ("10月-次年3月", "2025-03-31"),
    ("11月至次年2月", "2025-02-28"),
    ("二季度至三季度", "2024-09-30"),
    ("5月下旬至6月上旬", "2024-06-10"),
    ("2024年3月至2024年12月31日", "2024-12-31"),
])
def test_a_range_written_as_two_dates_is_due_at_its_end_only(text: str, due: str) -> None:
    assert _read(text) == [(due, "dated")]


def test_a_range_quotes_both_ends() -> None:
    assert [m.text for m in extract("完成时间：2024年10月至2025年3月", Y).milestones] == ["2024年10月至2025年3月"]


@pytest.mark.parametrize("text,dues", [
    ("6、12月", ["2024-06-30", "2024-12-31"]),
    ("3、6、9、12月底前", ["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]),
    ("二、三季度", ["2024-06-30", "2024-09-30"]),
    ("一和四季度各开展一次", ["2024-03-31", "2024-12-31"]),
    ("2025年6、12月", ["2025-06-30", "2025-12-31"]),
    ("1-3月、4-6月", ["2024-03-31", "2024-06-30"]),  # two ranges in a list stay two nodes
])
def test_a_list_sharing_one_unit_gives_a_node_per_item(text: str, dues: list[str]) -> None:
    assert _read(text) == [(d, "dated") for d in dues]


def test_an_outline_number_is_not_a_list_item() -> None:
    # "一、" numbers the paragraph; only 6月底前 is a node.
    assert _read("一、6月底前完成方案") == [("2024-06-30", "dated")]


def test_the_month_items_of_a_list_are_exact_month_ends() -> None:
    assert not any(m.estimate for m in extract("2、6、9月", Y).milestones)


@pytest.mark.parametrize("text,due,kind", [
    ("2024年", "2024-12-31", "dated"),
    ("2024年度", "2024-12-31", "dated"),
    ("2025年", "2025-12-31", "target"),
])
def test_a_bare_year_alone_in_the_cell_is_its_year_end(text: str, due: str, kind: str) -> None:
    assert _read(text) == [(due, kind)]


def test_a_bare_year_in_running_text_without_a_goal_word_is_still_no_node() -> None:
    assert _read("2024年全市GDP增长情况分析") == [("2024-12-31", "default")]


@pytest.mark.parametrize("text,period", [
    ("月度", "month"), ("季度", "quarter"), ("季度末", "quarter"), ("季末", "quarter"), ("半年度", "half"),
])
def test_a_period_word_alone_in_the_cell_is_recurring(text: str, period: str) -> None:
    (m,) = extract(text, Y).milestones
    assert (m.kind, m.period) == ("recurring", period)


def test_a_period_word_in_running_text_is_a_noun() -> None:
    assert _read("完善季度考核办法") == [("2024-12-31", "default")]


@pytest.mark.parametrize("text,period", [("每两个月", "month"), ("每隔两个月", "month"), ("每两周", "week")])
def test_every_n_periods_is_recurring_and_an_estimate(text: str, period: str) -> None:
    (m,) = extract(text, Y).milestones
    assert (m.kind, m.period, m.estimate) == ("recurring", period, True)


@pytest.mark.parametrize("text", ["持续抓好", "持续加强", "长期跟进", "常态化做好"])
def test_more_ongoing_verbs_as_a_clause_of_their_own(text: str) -> None:
    assert _read(text) == [(None, "ongoing")]


def test_an_ongoing_verb_with_an_object_is_still_no_node() -> None:
    assert _read("持续加强基层医疗队伍建设") == [("2024-12-31", "default")]


def test_yi_nian_yi_ge_yang_is_a_slogan_not_a_yearly_task() -> None:
    assert _read("实现城乡面貌一年一个样") == [("2024-12-31", "default")]


def test_a_start_month_gives_way_to_the_recurrence_it_starts() -> None:
    # 自3月起: the work starts in March; the deadline is each month's, not 31 March.
    assert _read("自3月起每月开展一次") == [("2024-12-31", "recurring")]


def test_a_start_month_alone_is_still_read() -> None:
    assert _read("2024年4月起") == [("2024-04-30", "dated")]


def test_extract_is_the_function_whichever_module_is_imported_first() -> None:
    code = (
        "from bot.timenodes.extract import extract as f\n"
        "from bot.timenodes import extract\n"
        "from bot.services.import_plan import plan_milestones\n"
        "from bot.tableimport import ParsedRow\n"
        "assert extract is f\n"
        "print(plan_milestones(ParsedRow(1, '1', None, None, 'x', deadline='6月底前'), 2024)[0][0].due)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "2024-06-30"


@pytest.mark.parametrize("text,due", [
    ("截至2024年底", "2024-12-31"),  # a cell that is only 截至…: a deadline, not an as-of fact
    ("截止2024年6月30日前", "2024-06-30"),
    ("截至9月底", "2024-09-30"),
])
def test_jiezhi_alone_in_the_cell_is_a_deadline(text: str, due: str) -> None:
    assert _read(text) == [(due, "dated")]


@pytest.mark.parametrize("text", ["截至6月底，已完成80%", "截至6月底完成率达80%"])
def test_jiezhi_before_a_fact_is_still_no_node(text: str) -> None:
    assert _read(text) == [("2024-12-31", "default")]


@pytest.mark.parametrize("text,due", [("十四五末", "2025-12-31"), ("到“十四五”期末基本建成", "2025-12-31"), ("十五五收官", "2030-12-31")])
def test_the_end_of_a_five_year_plan_is_its_last_year_end(text: str, due: str) -> None:
    assert _read(text) == [(due, "target")]


@pytest.mark.parametrize("text", ["“十四五”期间", "落实“十四五”规划", "编制十五五规划"])
def test_a_five_year_plan_named_without_its_end_is_no_node(text: str) -> None:
    assert _read(text) == [("2024-12-31", "default")]


@pytest.mark.parametrize("text,due", [("6/30前", "2024-06-30"), ("6/30", "2024-06-30"), ("4/1-4/30", "2024-04-30")])
def test_month_slash_day_alone_or_with_qian_is_a_date(text: str, due: str) -> None:
    assert _read(text) == [(due, "dated")]


def test_a_fraction_in_task_text_is_not_a_date() -> None:
    assert _read("完成1/3工程量") == [("2024-12-31", "default")]


@pytest.mark.parametrize("text", ["立即", "立行立改", "即知即改"])
def test_immediately_is_vague_not_a_date(text: str) -> None:
    e = extract(text, Y)
    assert [m.kind for m in e.milestones] == ["default"] and [w.code for w in e.warnings] == ["vague"]


def test_a_chinese_year_with_a_typed_zero() -> None:
    assert _read("二0二五年六月底前") == [("2025-06-30", "dated")]


def test_a_duration_alone_in_the_cell_counts_from_the_table_year() -> None:
    (m,) = extract("3年内", Y).milestones
    assert (m.due.isoformat(), m.kind, m.estimate) == ("2026-12-31", "target", True)


def test_every_year_by_year_end_is_one_node() -> None:
    assert _read("每年年底前") == [("2024-12-31", "dated")]


def test_a_date_followed_by_hou_gives_way_to_another_date() -> None:
    # 7月1日后 starts the work; the deadline is 9月底前.
    assert _read("7月1日后启动，9月底前完成") == [("2024-09-30", "dated")]


@pytest.mark.parametrize("text,due", [("2023年12月至2024年6月", "2024-06-30"), ("2023年10月-2024年3月底前", "2024-03-31")])
def test_a_range_begun_last_year_is_due_at_its_end_without_a_past_warning(text: str, due: str) -> None:
    e = extract(text, Y)
    assert [(m.due.isoformat(), m.kind, m.text) for m in e.milestones] == [(due, "dated", text)]
    assert e.warnings == ()


def test_a_date_of_last_year_on_its_own_still_warns() -> None:
    assert [w.code for w in extract("2023年底前完成", Y).warnings] == ["past"]


@pytest.mark.parametrize("text,dues", [
    ("1、6月底前完成方案；2、12月底前完成", ["2024-06-30", "2024-12-31"]),  # 1、 2、 number the steps
    ("工作安排：1、6月底前完成方案 2、12月底前完成验收", ["2024-06-30", "2024-12-31"]),
    ("1、3月完成摸底；2、6月完成", ["2024-03-31", "2024-06-30"]),
    ("一、二季度完成方案；二、四季度完成验收", ["2024-06-30", "2024-12-31"]),
    ("1.6月底前完成方案；2.12月底前完成", ["2024-06-30", "2024-12-31"]),
    ("2.6月底前完成", ["2024-06-30"]),
])
def test_list_numbers_before_a_month_are_not_months(text: str, dues: list[str]) -> None:
    assert _read(text) == [(d, "dated") for d in dues]


def test_a_plain_list_of_months_from_one_is_still_a_list() -> None:
    assert _read("1、2、3月") == [("2024-01-31", "dated"), ("2024-02-29", "dated"), ("2024-03-31", "dated")]


@pytest.mark.parametrize("text", ["历时1.5个月", "增长1.5月均"])
def test_a_decimal_before_month_words_is_still_no_date(text: str) -> None:
    assert _read(text) == [("2024-12-31", "default")]


@pytest.mark.parametrize("text", ["于2024.6.30完成", "2024/6/30完工", "2024-6-30 竣工"])
def test_a_numeric_date_before_a_completion_verb_is_a_deadline(text: str) -> None:
    assert _read(text) == [("2024-06-30", "dated")]


@pytest.mark.parametrize("text", ["填报日期：2024-06-30", "2024-06-30 完成情况", "2024.6.30完成率"])
def test_a_numeric_date_as_metadata_is_still_no_node(text: str) -> None:
    assert _read(text) == [("2024-12-31", "default")]


@pytest.mark.parametrize("text,period", [
    ("一年两次", "half"), ("每年至少开展2次", "half"), ("每年组织4次", "quarter"), ("每年12次", "month"),
    ("每年至少更新一次", "year"),
])
def test_so_many_times_a_year_is_that_period(text: str, period: str) -> None:
    (m,) = extract(text, Y).milestones
    assert (m.kind, m.period) == ("recurring", period)


@pytest.mark.parametrize("text", ["6-12月龄儿童健康管理", "0-6月龄婴儿纯母乳喂养率达50%", "3月龄婴儿", "6、12月龄随访"])
def test_an_age_in_months_is_not_a_month(text: str) -> None:
    assert _read(text) == [("2024-12-31", "default")]


@pytest.mark.parametrize("text,period", [("月报", "month"), ("季报", "quarter"), ("半年报", "half"), ("周报", "week"), ("年报", "year")])
def test_a_report_frequency_alone_in_the_cell_is_recurring(text: str, period: str) -> None:
    (m,) = extract(text, Y).milestones
    assert (m.kind, m.period) == ("recurring", period)


def test_a_report_word_in_running_text_is_no_node() -> None:
    assert _read("督促企业按时完成年报公示") == [("2024-12-31", "default")]


@pytest.mark.parametrize("text,dues", [
    ("2025年3月底前、6月底前", ["2025-03-31", "2025-06-30"]),  # one year named for the whole list
    ("2025年3月底前完成招标，6月底前完工", ["2025-03-31", "2025-06-30"]),
    ("次年3月、6月", ["2025-03-31", "2025-06-30"]),
    ("2025年一季度、二季度", ["2025-03-31", "2025-06-30"]),
    ("2025年6月、9、12月", ["2025-06-30", "2025-09-30", "2025-12-31"]),
    ("2025年3月底前完成招标，年底前完工", ["2025-03-31", "2025-12-31"]),
])
def test_a_later_year_named_once_carries_to_the_bare_months_after_it(text: str, dues: list[str]) -> None:
    assert [d for d, _ in _read(text)] == dues


@pytest.mark.parametrize("text,dues", [
    ("2025年6月完成；9月底前报送", ["2024-09-30", "2025-06-30"]),  # a new sentence: the table's year again
    ("2025年6月、3月", ["2024-03-31", "2025-06-30"]),  # an earlier month cannot follow in 2025
    ("2023年12月完成摸底，6月底前完成", ["2024-06-30"]),  # a past year carries nothing
    ("到2025年实现全覆盖，6月底前完成方案", ["2024-06-30", "2025-12-31"]),  # a bare goal year carries nothing
])
def test_the_year_carries_no_further(text: str, dues: list[str]) -> None:
    assert [d for d, _ in _read(text)] == dues


@pytest.mark.parametrize("text,got", [
    ("长期（每月报送）", [("2024-12-31", "recurring"), (None, "ongoing")]),  # a bracketed note closes the clause
    ("持续推进（年底前见成效）", [("2024-12-31", "dated"), (None, "ongoing")]),
    ("常年", [(None, "ongoing")]),
    ("常态长效", [(None, "ongoing")]),
])
def test_ongoing_words_before_a_note_and_their_variants(text: str, got: list) -> None:
    assert _read(text) == got


@pytest.mark.parametrize("text", ["持续推进“中医药服务基层惠民行动”", "常年开展义诊"])
def test_ongoing_words_with_an_object_are_still_verbs(text: str) -> None:
    assert _read(text) == [("2024-12-31", "default")]


@pytest.mark.parametrize("text", ["上、下半年各开展一次", "上下半年"])
def test_both_halves_are_two_nodes(text: str) -> None:
    assert _read(text) == [("2024-06-30", "dated"), ("2024-12-31", "dated")]


@pytest.mark.parametrize("text,due", [("翌年3月", "2025-03-31"), ("来年一季度", "2025-03-31")])
def test_yinian_and_lainian_are_next_year(text: str, due: str) -> None:
    assert _read(text) == [(due, "dated")]


@pytest.mark.parametrize("text", ["编制未来年度预算", "改革开放以来年均增长达到8%"])
def test_lai_nian_inside_weilai_or_yilai_is_not_next_year(text: str) -> None:
    assert _read(text) == [("2024-12-31", "default")]


@pytest.mark.parametrize("text,dues", [
    ("2024年6月底前（已延期至9月底）", ["2024-09-30"]),  # a revised table: the new deadline replaces the old
    ("6月底前完成，经批准顺延至10月底", ["2024-10-31"]),
    ("6月底前完成招标，9月底前完工", ["2024-06-30", "2024-09-30"]),  # no extension: both stay
])
def test_an_extended_deadline_replaces_the_one_before_it(text: str, dues: list[str]) -> None:
    assert [str(m.due) for m in extract(text, 2024).milestones] == dues


@pytest.mark.parametrize("text,dues", [
    ("国庆节前完成", ["2024-09-30"]), ("五一前", ["2024-04-30"]), ("劳动节前完成", ["2024-04-30"]),
    ("元旦前完成验收", ["2024-12-31"]),
    ("国庆期间加强值守", ["2024-12-31"]),  # during the holiday: no deadline (the year-end default)
    ("春节前", ["2024-12-31"]),  # moves with the lunar calendar: not guessed
])
def test_before_a_fixed_public_holiday(text: str, dues: list[str]) -> None:
    assert [str(m.due) for m in extract(text, 2024).milestones] == dues
