"""The extractor on whole fixture documents: the 2023 seed table's counts and every phrase of the seed list."""

from __future__ import annotations

import csv
import os
import re
from datetime import date
from pathlib import Path

import pytest

from bot.timenodes import MilestoneDraft, extract

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
if not FIXTURES.is_dir():
    FIXTURES = Path(os.environ.get("DUBAN_FIXTURES", "/work/shared/fixtures"))


def _seed_rows() -> list[dict[str, str]]:
    with open(FIXTURES / "yuanjiang-2023-tasks.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _short(milestones: tuple[MilestoneDraft, ...]) -> list[tuple[str | None, str, str | None, str]]:
    return [(m.due.isoformat() if m.due else None, m.kind, m.period, m.text) for m in milestones]


def test_seed_table_has_39_default_only_rows_and_these_six_time_nodes() -> None:
    rows = _seed_rows()
    assert len(rows) == 45
    readings = {row["序号"]: extract(row["具体内容及时间节点"], 2023) for row in rows}
    default_only = [no for no, e in readings.items() if all(m.kind == "default" for m in e.milestones)]
    assert len(default_only) == 39
    for no in default_only:
        assert readings[no].milestones == (MilestoneDraft(date(2023, 12, 31), "", "default", None, False),)
    others = {no: _short(e.milestones) for no, e in readings.items() if no not in default_only}
    assert others == {
        "2": [("2023-12-31", "dated", None, "2023年"), ("2025-12-31", "target", None, "2025年")],
        "8": [("2023-12-31", "dated", None, "年终")],  # 年终 and 今年: one year-end node
        "11": [("2023-10-31", "dated", None, "10月底前")],
        "15": [("2023-12-31", "recurring", "year", "每年")],
        "37": [("2023-12-31", "recurring", "month", "一月一")],
        "45": [(None, "recurring", None, "定期")],
    }
    assert [(w.code, w.phrase) for w in readings["9"].warnings] == [
        ("vague", "按序时"), ("vague", "尽快"), ("vague", "适时"),
    ]
    assert [(w.code, w.phrase) for w in readings["45"].warnings] == [("undated_recurring", "定期")]


def test_zhangjiagang_points_read_year_end_and_quarterly_nodes() -> None:
    text = (FIXTURES / "zhangjiagang-2024-primary-care-points.txt").read_text(encoding="utf-8")
    points = [line.strip() for line in text.splitlines() if re.match(r"\d{1,2}\.\D", line.strip())]
    assert len(points) == 18
    found = {p.split(".")[0]: _short(extract(p, 2024).milestones) for p in points}
    non_default = {no: ms for no, ms in found.items() if ms[0][1] != "default"}
    assert non_default == {
        "2": [("2024-12-31", "dated", None, "年内")],
        "4": [("2024-12-31", "recurring", "quarter", "每季度")],
        "6": [("2024-12-31", "dated", None, "年内")],
        "7": [("2024-12-31", "dated", None, "年内")],
        "11": [("2024-12-31", "recurring", "quarter", "每季度")],
        "13": [("2024-12-31", "recurring", "quarter", "每个季度"), ("2024-12-31", "dated", None, "全年")],
    }


# --- every phrase of time-phrases-from-seeds.tsv, read in the paragraph it comes from ---

_SOURCES = {
    "yuanjiang-2023": (2023, ["yuanjiang-2023-tasks.txt"]),
    "zhangjiagang-2024": (2024, ["zhangjiagang-2024-primary-care-points.txt", "zhangjiagang-2024-duty-lists.txt"]),
    "work-plans-2023": (2023, ["health-work-plans-2023.txt", "community-health-plan.txt"]),
}

# phrase → what its paragraph must yield for it:
#   ("milestone", kind, period, text)  a milestone of that kind quoting `text` (the phrase unless deduplicated)
#   ("warning", code)                  a warning quoting the phrase
#   ("none",)                          nothing quoting the phrase: not a time node
_EXPECT: dict[str, tuple] = {
    "2024-03-27": ("milestone", "dated", None, "2024-03-27"),
    "2023-05-10": ("none",),  # inside a page header line, not alone
    "定期": ("milestone", "recurring", None, "定期"),
    "每季度": ("milestone", "recurring", "quarter", "每季度"),
    "每年": ("milestone", "recurring", "year", "每年"),
    "每月": ("milestone", "recurring", "month", "每月"),
    "季度": ("none",),  # 季度巡查率: a rate, no 每
    "一月一": ("milestone", "recurring", "month", "一月一"),
    "月": ("none",),  # 月综合考评成绩
    "本月": ("none",),
    "每个季度": ("milestone", "recurring", "quarter", "每个季度"),
    "每半年": ("milestone", "recurring", "half", "每半年"),
    "每天": ("milestone", "recurring", "day", "每日"),  # 每日 comes first in the same sentence
    "每年度": ("milestone", "recurring", "year", "每年度"),
    "每日": ("milestone", "recurring", "day", "每日"),
    "逐年": ("milestone", "recurring", "year", "逐年"),
    "截止6月30日": ("none",),
    "10月止": ("none",),
    "12月止": ("none",),
    "截止10月": ("none",),
    "截止3月30日": ("none",),
    "至12月止": ("none",),
    "20xx年1—6月份": ("warning", "placeholder"),
    "10月下旬": ("milestone", "dated", None, "10月下旬"),
    "10月底前": ("milestone", "dated", None, "10月底前"),
    "2023年5月6日": ("milestone", "dated", None, "2023年5月6日"),
    "2024年3月27日": ("milestone", "dated", None, "2024年3月27日"),
    "20x年6月": ("warning", "placeholder"),
    "今年7月": ("milestone", "dated", None, "今年7月"),
    "今年以来": ("none",),
    "至今": ("none",),
    "上半年": ("milestone", "dated", None, "上半年"),
    "下半年": ("milestone", "dated", None, "下半年"),
    "半年": ("none",),  # 半年检查
    "年内": ("milestone", "dated", None, "年内"),
    "年底": ("milestone", "dated", None, "年底"),
    "年底前": ("milestone", "dated", None, "年底前"),
    "年终": ("milestone", "dated", None, "年终"),
    "2025年": ("milestone", "target", None, "2025年"),
    "20xx年": ("warning", "placeholder"),
    "全年": ("milestone", "dated", None, "全年"),
    "2023年": ("none",),  # in the notice's title
    "年度": ("none",),
    "2024年": ("none",),
    "20xx年度": ("warning", "placeholder"),
    "20x年": ("warning", "placeholder"),
    "今年": ("milestone", "dated", None, "年终"),  # same node as 年终 earlier in the row
    "__年": ("warning", "placeholder"),
    "201x年度": ("warning", "placeholder"),
    "2024 年": ("none",),
    "20__年": ("warning", "placeholder"),
    "上年度": ("none",),
    "去年同期": ("none",),
    "一年": ("none",),
    "三年": ("none",),  # 三年专项行动: a campaign's name
    "满5年": ("none",),
    "用三年时间": ("milestone", "target", None, "用三年时间"),
    "2023": ("none",),
    "目前": ("none",),
    "现在": ("none",),
    "今天": ("none",),
    "如期": ("warning", "vague"),
    "尽快": ("warning", "vague"),
    "按序时": ("warning", "vague"),
    "期间": ("none",),
    "适时": ("warning", "vague"),
    "元旦": ("none",),
    "冬春季": ("none",),
    "国家法定节日": ("none",),
    "春节": ("none",),
}


def _phrase_rows() -> list[dict[str, str]]:
    with open(FIXTURES / "time-phrases-from-seeds.tsv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _paragraph(example: str) -> tuple[str, int]:
    """The whole paragraph (one cell) an example sentence of the seed list comes from, and its year."""
    doc, _, start = example.partition(": ")
    year, names = _SOURCES[doc]
    for name in names:
        text = (FIXTURES / name).read_text(encoding="utf-8")
        at = text.find(start)
        if at >= 0:
            end = text.find("\n", at)
            return text[text.rfind("\n", 0, at) + 1 : end if end >= 0 else len(text)], year
    raise AssertionError(f"example not found in {names}: {start}")


def test_every_seed_phrase_has_an_expectation() -> None:
    assert {row["phrase"] for row in _phrase_rows()} == set(_EXPECT)


@pytest.mark.parametrize("row", _phrase_rows(), ids=lambda row: f"{row['category']}:{row['phrase']}")
def test_seed_phrase_in_its_paragraph(row: dict[str, str]) -> None:
    phrase = row["phrase"]
    paragraph, year = _paragraph(row["example"])
    assert phrase in paragraph
    got = extract(paragraph, year)
    expect = _EXPECT[phrase]
    if expect[0] == "milestone":
        _, kind, period, text = expect
        assert any((m.kind, m.period, m.text) == (kind, period, text) for m in got.milestones), got
    elif expect[0] == "warning":
        assert any(w.code == expect[1] and w.phrase == phrase for w in got.warnings), got
    else:
        assert not any(m.text and (phrase in m.text or m.text in phrase) for m in got.milestones), got
        assert not any(phrase in w.phrase for w in got.warnings), got
