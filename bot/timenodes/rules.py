"""From one regex match to milestones and warnings; one handler per rule of patterns.RULES."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bot.timenodes.model import MilestoneDraft, MilestoneKind, Period, TimeWarning
from bot.timenodes.normalize import cn_number
from bot.timenodes.patterns import (
    ASOF_HEAD,
    CLAUSE_START,
    DATE,
    DONE,
    RANGE_GAP,
    SENTENCE_END,
    START_WORD,
    YEAR_NOUN,
)
from bot.timenodes.recurrence import PERIOD_WORDS, last_occurrence
from bot.timenodes.years import is_relative_this_year, named_year, near_goal

_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
_TAIL_DAY = {"上旬": 10, "初": 10, "中": 15, "中旬": 20}


@dataclass(slots=True)
class Found:
    """What the handlers collect for one text, in source order."""

    source: str
    folded: str
    doc_year: int
    milestones: list[MilestoneDraft] = field(default_factory=list)
    warnings: list[TimeWarning] = field(default_factory=list)
    # Year ends read from 全年任务/全年目标…: kept only when the text dates the task in no other way.
    fallback: list[MilestoneDraft] = field(default_factory=list)
    # Where the last 每年 ended and which milestone it made, so 每年6月底前 becomes one dated node.
    yearly_end: int = -1
    yearly_index: int = -1
    # Where the last dated node ended and its index, so that "3月至次年2月" keeps only the range's end.
    dated_end: int = -1
    dated_index: int = -1
    # A later year named with a month ("2025年3月底前") and where: later bare months of the sentence are in it.
    carry: tuple[int, int, int] | None = None
    # Where the last date before the document year stood, so "2023年12月至2024年6月" is one range, no warning.
    past_span: tuple[int, int] = (-1, -1)

    def phrase(self, m: re.Match[str]) -> str:
        """The source text of a match."""
        return self.source[m.start() : m.end()]

    def add(
        self, due: date | None, m: re.Match[str], kind: MilestoneKind, *, period: Period | None = None,
        estimate: bool = False, weak: bool = False,
    ) -> None:
        """Record a milestone quoting the match (``weak``: only if nothing else dates the text)."""
        draft = MilestoneDraft(due, self.phrase(m), kind, period, estimate)
        if weak:
            self.fallback.append(draft)
            return
        if kind in ("dated", "target") and self.past_span[1] >= 0 and RANGE_GAP.fullmatch(self.folded, self.past_span[1], m.start()):
            # The range began before the document year: its start was history, its end is this node.
            self.warnings.remove(TimeWarning("past", self.source[self.past_span[0] : self.past_span[1]]))
            draft = MilestoneDraft(due, self.source[self.past_span[0] : m.end()], kind, period, estimate)
        self.past_span = (-1, -1)
        if kind in ("dated", "target") and self.dated_end >= 0 and RANGE_GAP.fullmatch(self.folded, self.dated_end, m.start()):
            # 2024年10月至2025年3月, 二季度至三季度, 5月下旬至6月上旬: a range is due at its end.
            start = self.dated_end - len(self.milestones[self.dated_index].text)
            self.milestones[self.dated_index] = MilestoneDraft(due, self.source[start : m.end()], kind, period, estimate)
        else:
            self.milestones.append(draft)
            self.dated_index = len(self.milestones) - 1
        self.dated_end = m.end() if kind in ("dated", "target") else -1

    def carried(self, m: re.Match[str]) -> tuple[int, int] | None:
        """The later year (and its month) a bare month inherits: named earlier in the same sentence."""
        if self.carry is None or SENTENCE_END.search(self.folded, self.carry[2], m.start()):
            return None
        self.carry = (self.carry[0], self.carry[1], m.start())  # searched up to here: the next search starts here
        return self.carry[0], self.carry[1]

    def alone(self, m: re.Match[str]) -> bool:
        """Whether the match is all the text holds (a deadline cell of its own)."""
        return self.alone_from(m.start(), m)

    def alone_from(self, start: int, m: re.Match[str]) -> bool:
        """Whether nothing but blanks stands before ``start`` or after the match."""
        return self.folded[:start].strip() == "" and self.folded[m.end() :].strip() == ""

    def warn(self, code: str, m: re.Match[str]) -> None:
        """Record a warning quoting the match."""
        self.warnings.append(TimeWarning(code, self.phrase(m)))

    def past(self, m: re.Match[str]) -> None:
        """A date before the document year: history (a ``past`` warning), unless a range goes on from it."""
        self.warn("past", m)
        self.past_span = (m.start(), m.end())


def _safe_date(year: int, month: int, day: int) -> tuple[date, bool] | None:
    """The date, clamped to the month's last day (then flagged as an estimate); None if impossible."""
    if not (1 <= year <= 9999 and 1 <= month <= 12 and day >= 1):
        return None
    last = calendar.monthrange(year, month)[1]
    return (date(year, month, last), True) if day > last else (date(year, month, day), False)


def _num(m: re.Match[str], digit: str, chinese: str) -> int | None:
    value = m.group(digit)
    if value is None:
        value = m.group(chinese)
    return cn_number(value) if value is not None else None


def _is_placeholder(m: re.Match[str]) -> bool:
    return any(m.group(g) is not None for g in ("yp", "mp", "mp2", "mp3", "dp", "dp2"))


def _year_level(found: Found, m: re.Match[str], year: int, weak: bool = False) -> None:
    """A year end (年底, 2025年底, a span's end): dated this year, a target later, history before."""
    if year > found.doc_year:
        found.add(date(year, 12, 31), m, "target", weak=weak)
    elif year == found.doc_year:
        if not weak and _after_yearly(found, m, date(year, 12, 31), False):
            return
        found.add(date(year, 12, 31), m, "dated", weak=weak)
    else:
        found.past(m)


def _after_yearly(found: Found, m: re.Match[str], due: date, estimate: bool) -> bool:
    """每年6月底前 / 每年年底前: the date right after 每年 replaces its node as the real deadline."""
    if found.yearly_end < 0 or found.folded[found.yearly_end : m.start()].strip() != "":
        return False
    old = found.milestones[found.yearly_index]
    text = found.source[found.yearly_end - len(old.text) : m.end()]
    found.milestones[found.yearly_index] = MilestoneDraft(due, text, "dated", None, estimate)
    found.yearly_end = -1
    return True


def _dated(found: Found, m: re.Match[str], due: date | None, estimate: bool) -> None:
    """A date finer than a year: dated, unless it lies before the document year (then history)."""
    if due is None:
        return
    if due.year < found.doc_year:
        found.past(m)
        return
    if _after_yearly(found, m, due, estimate):
        return
    # 自3月起每月开展一次, 从4月开始: a start, the deadline only when nothing else dates the task.
    weak = m.group(0)[-1] != "前" and START_WORD.match(found.folded, m.end()) is not None
    found.add(due, m, "dated", estimate=estimate, weak=weak)


def _month_date(m: re.Match[str], year: int) -> tuple[date, bool, bool] | None:
    """The date of a month body: (due, estimate, read as M月前)."""
    month = _num(m, "m", "mc")
    if month is None:
        return None
    month2 = _num(m, "m2", "mc2")
    if month2 is not None:  # 1—6月, 3至5月: the end of the last month; 11-2月 runs into the next year
        got = _safe_date(year + 1, month2, 31) if month2 < month else _safe_date(year, month2, 31)
        return (got[0], month2 < month, False) if got else None
    day = _num(m, "d", "dc")
    if day is not None:
        day2 = _num(m, "d2", "dc2")
        month3 = _num(m, "m3", "mc3")
        got = _safe_date(year, month3 or month, day2 if day2 is not None else day)
        return (got[0], got[1], False) if got else None
    tail = m.group("tail")
    if tail is not None:
        got = _safe_date(year, month, _TAIL_DAY.get(tail, 31))
        return (got[0], False, False) if got else None
    if m.group("pre") is not None:  # 10月前: before October begins, so the end of September
        if month == 1:
            got = _safe_date(year - 1, 12, 31)
        else:
            got = _safe_date(year, month - 1, 31)
        return (got[0], True, True) if got else None
    got = _safe_date(year, month, 31)
    return (got[0], False, False) if got else None


def _fine_date(m: re.Match[str], year: int) -> tuple[date, bool, bool] | None:
    """The date of a month, half or quarter in ``year``: (due, estimate, read as M月前); None otherwise."""
    if m.group("m") is not None or m.group("mc") is not None:
        return _month_date(m, year)
    if (half := m.group("half")) is not None:
        return (date(year, 12, 31) if half.startswith("下") else date(year, 6, 30)), False, False
    if (q := m.group("q")) is not None:
        month, day = _QUARTER_END[cn_number(q) or 4]
        return date(year, month, day), False, False
    return None


def on_date(found: Found, m: re.Match[str]) -> None:
    """A calendar expression: months, days, halves, quarters, year ends, or a bare year."""
    if _is_placeholder(m):
        found.warn("placeholder", m)
        return
    doc = found.doc_year
    named = named_year(m, doc) if m.group("yg") else None
    year = named if named is not None else doc
    if not 1 <= year <= 9999:
        return
    fine = _fine_date(m, year)
    if fine is not None:
        if named is None and (carried := found.carried(m)) is not None:
            later = _fine_date(m, carried[0])
            if later is not None and later[0].month >= carried[1]:  # 2025年3月底前、6月底前: 2025年6月
                fine = later
        due, estimate, before = fine
        if before:
            found.warn("month_before", m)
        if named is not None:
            found.carry = (named, due.month, m.end()) if named > doc else None
        _dated(found, m, due, estimate)
    elif m.group("m") is not None or m.group("mc") is not None or m.group("half") or m.group("q"):
        return
    elif (whole := m.group("yea") or m.group("yeb")) is not None:
        # "6月底前完成全年任务的50%": 全年任务 is the year's workload, the deadline is 6月底前.
        weak = whole == "全年" and m.group("pre") is None and YEAR_NOUN.match(found.folded, m.end()) is not None
        if named is None and whole != "全年" and (carried := found.carried(m)) is not None:
            year = carried[0]  # 2025年3月底前完成招标，年底前完工: the end of 2025
        _year_level(found, m, year, weak)
    elif m.group("pre") is not None:  # 2025年前: before 2025 begins
        found.warn("year_before", m)
        if year - 1 >= doc:
            _year_level(found, m, year - 1)
            last = found.milestones[-1]
            found.milestones[-1] = MilestoneDraft(last.due, last.text, last.kind, None, True)
    elif is_relative_this_year(m):
        found.add(date(doc, 12, 31), m, "dated")
    elif year >= doc and near_goal(found.folded, m.start(), m.end()):
        found.add(date(year, 12, 31), m, "dated" if year == doc else "target")
    elif found.alone(m):  # a deadline cell reading just "2024年" / "2025年度": that year's end
        _year_level(found, m, year)


def on_iso(found: Found, m: re.Match[str]) -> None:
    """2023-10-31: a date only alone in the cell, with 前 or before 完成… (not page-header metadata)."""
    if not (found.alone(m) or m.group("ipre") or DONE.match(found.folded, m.end())):
        return
    year, month = int(m.group("iy")), int(m.group("im"))
    day = m.group("id")
    estimate = False
    if (month2 := m.group("im2")) is not None:  # a range: due at its end
        year2 = int(m.group("iy2") or year)
        if m.group("iy2") is None and int(month2) < month:  # 2024.11-2: into the next year
            year2, estimate = year + 1, True
        year, month, day = year2, int(month2), m.group("id2")
    got = _safe_date(year, month, int(day) if day else 31)
    if got is not None:
        _dated(found, m, got[0], got[1] or estimate)


def on_md(found: Found, m: re.Match[str]) -> None:
    """6.30前, 4.1-4.30: month.day in the document year, only alone in the cell or with 前."""
    if not (found.alone(m) or m.group("dpre")):
        return
    month = int(m.group("dm2") or m.group("dm"))
    got = _safe_date(found.doc_year, month, int(m.group("dd2") or m.group("dd")))
    if got is not None:
        _dated(found, m, got[0], got[1])


def on_enum(found: Found, m: re.Match[str]) -> None:
    """6、12月 / 二、三季度底前: one node per listed month or quarter."""
    year = int(m.group("ly")) if m.group("ly") else found.doc_year
    quarter = m.group("lunit") == "季度"
    if not m.group("ly") and (carried := found.carried(m)) is not None:
        year = carried[0]  # 2025年3月、6、9月: the list goes on in 2025
    bare_before = m.group("lpre") is not None and m.group("ltail") is None and not quarter
    items = re.split(r"\s?[、和及]\s?", m.group("litems"))
    if _numbered(found, m, items[0]):
        items = items[1:]
    for item in items:
        n = cn_number(item)
        if n is None or (quarter and not 1 <= n <= 4):
            continue
        month, day = _QUARTER_END[n] if quarter else (n, 31)
        if bare_before:  # 6、10月前: each before its month begins, as for 10月前
            got = _safe_date(year, n - 1, 31) if n > 1 else _safe_date(year - 1, 12, 31)
            found.warn("month_before", m)
        else:
            got = _safe_date(year, month, day)
        if got is not None:  # day 31 stands for the month's end, so a clamp is no estimate here
            _dated(found, m, got[0], bare_before)
        found.dated_end = -1  # the items are a list, not a range


_CN_ITEM = "〇一二三四五六七八九十"
_STEP_REACH = 200


def _numbered(found: Found, m: re.Match[str], first: str) -> bool:
    """Whether the first item is a list number ("1、6月底前完成方案；2、12月底前完成"): it opens a clause, and
    the next number opens a clause after it or the one before opens a clause before it."""
    if m.group("ly") or (m.start() > 0 and found.folded[m.start() - 1] not in CLAUSE_START):
        return False
    n = cn_number(first)
    if n is None or n >= 10:
        return False
    def opens(k: int, text: str) -> bool:
        number = str(k) if first.isdecimal() else _CN_ITEM[k]
        return re.search(rf"(?:^|[\s;。；:：]){number}、", text) is not None

    # Within a few lines either way (a cell's steps), so a long text is not searched once per list.
    after, before = found.folded[m.end() : m.end() + _STEP_REACH], found.folded[max(0, m.start() - _STEP_REACH) : m.start()]
    return opens(n + 1, after) or (n > 1 and opens(n - 1, before))


_TIMES_A_YEAR = {"两": "半年", "二": "半年", "2": "半年", "四": "季度", "4": "季度", "十二": "月", "12": "月"}


def on_times_a_year(found: Found, m: re.Match[str]) -> None:
    """每年两次: half-yearly; 每年四次: quarterly; 每年12次: monthly."""
    _recurring(found, m, _TIMES_A_YEAR[m.group("tn")])


def on_both_halves(found: Found, m: re.Match[str]) -> None:
    """上、下半年: a node at the end of each half."""
    year = carried[0] if (carried := found.carried(m)) is not None else found.doc_year
    for month, day in ((6, 30), (12, 31)):
        _dated(found, m, date(year, month, day), False)
        found.dated_end = -1  # two halves, not a range


def on_every_n(found: Found, m: re.Match[str]) -> None:
    """每两个月, 每两周: reminded every period, flagged as an estimate."""
    _recurring(found, m, m.group("p6"), estimate=True)


def on_period_word(found: Found, m: re.Match[str]) -> None:
    """月度 / 季度 / 季度末 / 半年度 / 月报 as the whole cell: recurring; in running text a noun, no node."""
    if found.alone(m):
        word = m.group("p5")
        _recurring(found, m, "半年" if word.startswith("半") else {"月": "月", "周": "周", "年": "年"}.get(word[0], "季度"))


def on_span(found: Found, m: re.Match[str]) -> None:
    """2023-2025年: the plan period's last year end."""
    _year_level(found, m, max(int(m.group("sy1")), int(m.group("sy2"))))


def on_duration(found: Found, m: re.Match[str]) -> None:
    """用三年时间完成 / 三年内实现: counted from the document year, so its (N−1)th following year end."""
    n = cn_number(m.group("dn") or m.group("dn2") or "")
    if n is None or not 1 <= n <= 20 or not (near_goal(found.folded, m.end(), m.end()) or found.alone(m)):
        return
    year = found.doc_year + n - 1
    kind: MilestoneKind = "dated" if year == found.doc_year else "target"
    found.add(date(year, 12, 31), m, kind, estimate=True)
    found.warn("duration", m)


def _recurring(found: Found, m: re.Match[str], word: str, estimate: bool = False) -> None:
    period = PERIOD_WORDS[word]
    found.add(last_occurrence(period, found.doc_year), m, "recurring", period=period, estimate=estimate)
    if period == "year":
        found.yearly_end, found.yearly_index = m.end(), len(found.milestones) - 1


def on_every(found: Found, m: re.Match[str]) -> None:
    """每月, 每季度, 每年…; 每月10日前 is read as monthly and flagged, as reminders fall on period ends."""
    _recurring(found, m, m.group("p2"), estimate=m.group("rqd") is not None)


def on_one_per(found: Found, m: re.Match[str]) -> None:
    """一月一课, 一年一度: once per period."""
    _recurring(found, m, m.group("p1"))


def on_by_period(found: Found, m: re.Match[str]) -> None:
    """按月报送, 按季度通报."""
    _recurring(found, m, m.group("p3"))


def on_yearly(found: Found, m: re.Match[str]) -> None:
    """逐年, 逐月."""
    _recurring(found, m, m.group("p4"))


def on_periodic(found: Found, m: re.Match[str]) -> None:
    """定期: recurring, but the period is not said."""
    found.add(None, m, "recurring", estimate=True)
    found.warn("undated_recurring", m)


def on_ongoing(found: Found, m: re.Match[str]) -> None:
    """长期 / 持续推进 / 常态化 standing as a clause of their own: no due date."""
    found.add(None, m, "ongoing")


def on_vague(found: Found, m: re.Match[str]) -> None:
    """尽快, 适时, 按序时, 如期: no date to remind of."""
    found.warn("vague", m)


_HOLIDAY_EVE = {"国庆": (9, 30), "五一": (4, 30), "劳动节": (4, 30), "元旦": (12, 31)}


def on_holiday(found: Found, m: re.Match[str]) -> None:
    """国庆节前: the day before a fixed public holiday in the document's year (元旦前: its last day)."""
    month, day = _HOLIDAY_EVE[m.group("hol")]
    _dated(found, m, date(found.doc_year, month, day), False)


def on_plan_end(found: Found, m: re.Match[str]) -> None:
    """十四五末: the five-year plan's last year end (十一五 ended 2010)."""
    n = cn_number(m.group("fy"))
    if n is not None:
        _year_level(found, m, 1955 + 5 * (10 + n))


def on_asof(found: Found, m: re.Match[str]) -> None:
    """截至6月底，已完成…: an as-of fact; but a cell that is only "截至2024年底(前)" is a deadline."""
    if found.folded[m.end() :].strip() not in ("", "前", "之前", "以前"):
        return
    date_match = DATE.match(found.folded, ASOF_HEAD.match(found.folded, m.start()).end())  # type: ignore[union-attr]
    if date_match is not None and date_match.end() > date_match.start() and found.alone_from(m.start(), date_match):
        on_date(found, date_match)


def _ignore(found: Found, m: re.Match[str]) -> None:
    """Cited titles, document numbers, section numbers, as-of facts, baselines: consumed, never deadlines."""


HANDLERS: dict[str, Callable[[Found, re.Match[str]], None]] = {
    "k_title": _ignore,
    "k_docno": _ignore,
    "k_section": _ignore,
    "k_label": _ignore,
    "k_asof_pre": on_asof,
    "k_baseline": _ignore,
    "k_not_recurring": _ignore,
    "k_asof_suffix": _ignore,
    "k_holiday": on_holiday,
    "k_plan_end": on_plan_end,
    "k_iso": on_iso,
    "k_md": on_md,
    "k_enum": on_enum,
    "k_every_n": on_every_n,
    "k_both_halves": on_both_halves,
    "k_times_a_year": on_times_a_year,
    "k_period_word": on_period_word,
    "k_span": on_span,
    "k_duration": on_duration,
    "k_one_per": on_one_per,
    "k_every": on_every,
    "k_by_period": on_by_period,
    "k_yearly": on_yearly,
    "k_periodic": on_periodic,
    "k_vague": on_vague,
    "k_ongoing": on_ongoing,
    "k_date": on_date,
}
