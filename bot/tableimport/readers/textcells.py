"""One numbered row of a table copied from a web page, one cell per line, put back into its columns.

A cell holding several lines (units one per line, a text in two paragraphs) gives more lines than columns, and a
number merged over an item's sub-rows shows once before both rows' cells. Each line goes to the column whose kind
of text it reads as (a unit name, a time phrase, a person's name, a sentence), in column order; a task text after
the row's later columns starts a sub-row under the same number, whose missing cells were merged from above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_UNIT_END = re.compile(
    r"(局|委|办|中心|股|科|室|处|队|所|院|站|会|街道|镇|乡|公司|部|馆|厅|组|团|社|单位|部门|政府|集团|银行|医院|学校|分局|"
    r"指挥部|管委会|有限公司|小组)$"
)
_INSTITUTION = re.compile(r"(医院|卫生院|中心|所|站|学校|公司)$")
_SENTENCE = re.compile(r"[。；;！!？?]")
_CLAUSE = re.compile(r"[，,：:]")
_TIME = re.compile(
    r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月|(?:19|20)\d\d\s*年|年底|年末|年内|年终|季度|上半年|下半年|"
    r"[0-9]{4}[-/.][0-9]{1,2}"
)
# Words of a deadline cell that are also common in task texts ("全年接待游客…"): a deadline only when short.
_TIME_WORD = re.compile(r"^(?:全年|长期|持续|常态|每[年月季周天日])")
_HAN = re.compile(r"^[\u4e00-\u9fff·]+$")
# A group heading written in the category cell: "（一）聚焦…", "二、…".
_GROUP = re.compile(r"^(?:[(（][一二三四五六七八九十百]+[)）]|[一二三四五六七八九十百]+[、.．])")
_SKIP, _RESTART = 0.5, 1.5
_MARGIN = 3.0  # how much better a placement must read than the simple rule's for a short row
# Placing lines costs lines × columns²: past this many lines in one row, the reader's simple rule is used.
MAX_PLACED_LINES = 60
_TEXT = ("content", "title")
_OWN = ("deadline", "leaders", "sections", "units")  # what a sub-row of its own must have one of
# A column that a second line may continue (a list of units, a long text, two leaders); a deadline rarely.
_CONTINUES = {"content": 0.0, "title": 0.0, "category": -1.0, "sections": 0.0, "units": 0.0, "leaders": 0.0,
              "deadline": -1.0, "remarks": 0.0}


def _units(text: str) -> bool:
    parts = [p.removesuffix("等") for p in re.split(r"[、,，;；\s]+", text.rstrip("。")) if p]
    return bool(parts) and len(text) <= 80 and "。" not in text.rstrip("。") and all(
        _UNIT_END.search(p) or p.startswith(("各", "有关", "相关")) for p in parts)


def _names(text: str) -> bool:
    # "张三", "王广部 王鹏伟", "周 斐" (a two-character name padded with a space): people, not units.
    names: list[str] = []
    run = ""
    for token in [t for t in re.split(r"[、,，\s]+", text) if t] + [""]:
        if len(token) == 1:
            run += token
            continue
        if run:
            names.append(run)
            run = ""
        if token:
            names.append(token)
    # Four characters read as a phrase (文化产业) far more often than as a name.
    return bool(names) and all(2 <= len(n) <= 3 and _HAN.match(n) for n in names)


@dataclass(frozen=True)
class _Line:
    """What one line reads as, worked out once per distinct text."""

    length: int
    sentence: bool  # has 。；! ? (a task text or a report)
    clause: bool  # has ，: (more than a bare phrase)
    dates: int  # time phrases with a month or year
    timed: bool  # reads as a deadline cell
    units: bool  # unit names only
    names: bool  # people's names only
    heading: bool  # starts like a group heading (（一）, 二、)
    institution: bool = False  # a hospital, centre or station rather than a section of the bureau


@lru_cache(maxsize=4096)
def _line(text: str) -> _Line:
    # "三亚路…11月底前具备通车条件;大连路…12月底前…": a deadline cell may be clauses with a date each.
    dates = len(_TIME.findall(text))
    timed = bool(dates and len(text) <= 40 * dates) or (bool(_TIME_WORD.match(text)) and len(text) <= 8)
    units = _units(text)
    return _Line(len(text), bool(_SENTENCE.search(text)), bool(_CLAUSE.search(text)), dates, timed, units,
                 not units and _names(text), bool(_GROUP.match(text)), units and bool(_INSTITUTION.search(text)))


def _fit(fld: str, line: _Line) -> float:
    """How well a line reads as a cell of the field ``fld`` (higher is better)."""
    short = line.length <= 12
    if fld in _TEXT:
        if line.sentence or line.length >= 15:
            return 2.0 if line.dates >= 2 else 3.0
        return -1.0 if (line.timed or line.units or line.names) and short else 1.0
    if fld == "category":
        if line.heading:
            return 3.5  # a heading in front of the task text is the group's, however long
        return 1.0 if line.length <= 25 and not line.sentence else -1.0
    if fld == "leaders":
        return 3.0 if line.names else -3.0
    if fld in ("sections", "units"):
        if line.units:
            # A bureau's own sections (医政股, 办公室) lead; institutions (县人民医院, 疾控中心) are more often related:
            # with a unit per line, this decides where the lead column's lines end.
            if line.institution:
                return 3.0 if fld == "units" else 2.0
            return 3.0
        return 0.0 if line.length <= 20 and not line.sentence and not line.timed else -3.0
    if fld == "deadline":
        if line.timed:
            return 3.0
        return 0.0 if short and not line.clause and not line.units and not line.names else -2.0
    if fld == "no":
        return -5.0
    # A column nobody reads (进展情况 …) holds reports in sentences; 备注 seldom does.
    sentence = line.sentence or line.length >= 15
    if fld == "remarks":
        return 1.0 if sentence else 0.0
    return 2.0 if sentence else 0.0


def _kinds(fields: list[str]) -> list[str] | None:
    # Before the text columns are settled, a task column may still be called a category: the last category
    # column then holds the text. None when no column can hold it.
    if any(f in _TEXT for f in fields):
        return fields
    if "category" not in fields:
        return None
    last = len(fields) - 1 - fields[::-1].index("category")
    return [*fields[:last], "content", *fields[last + 1:]]


@dataclass(frozen=True)
class SubRow:
    """One row's cells (after the 序号) and the columns whose text was carried from the sub-row above."""

    cells: list[str]
    carried: frozenset[int]


def _best_path(lines: list[str], fields: list[str]) -> tuple[float, list[tuple[int, bool]]]:
    """The placement of ``lines`` (see _placement); rows of the same shape share one computation."""
    best, path = _placement(tuple(_line(text) for text in lines), tuple(fields))
    return best, list(path)


@lru_cache(maxsize=1024)
def _placement(lines: tuple[_Line, ...], fields: tuple[str, ...]) -> tuple[float, tuple[tuple[int, bool], ...]]:
    """For each line its column and whether it starts a sub-row: the highest-scoring monotonic assignment
    (sub-rows only when there are more lines than columns), with its score.

    A sub-row must reach a deadline, leader or unit column after its text: a report in several paragraphs
    under a column nobody reads is not a run of sub-tasks. The state is (column, sub-row still open).
    """
    n, m = len(lines), len(fields)
    restarts = n > m
    fit = [[_fit(f, line) for f in fields] for line in lines]
    # skip[a][b]: the cost of leaving columns a..b-1 empty.
    costs = [0.0 if f == "category" else _SKIP for f in fields]
    skip = [[sum(costs[a:b]) for b in range(m + 1)] for a in range(m + 1)]
    cont = [_CONTINUES.get(f, 0.0) for f in fields]
    own = [f in _OWN for f in fields]
    text = [restarts and f in _TEXT for f in fields]
    low = float("-inf")
    score = [[[low, low] for _ in range(m)] for _ in range(n)]
    back: list[list[list[tuple[int, int, bool]]]] = [[[(-1, 0, False)] * 2 for _ in range(m)] for _ in range(n)]
    for j in range(m):
        score[0][j][0] = fit[0][j] - skip[0][j]
    for i in range(1, n):
        prev, here, row_fit = score[i - 1], score[i], fit[i]
        for j in range(m):
            ks = range(m) if text[j] else range(j + 1)
            for k in ks:
                for was_open in (0, 1):
                    before = prev[k][was_open]
                    if before == low:
                        continue
                    if k == j:
                        value, restart, is_open = cont[j], False, was_open
                    elif k < j:
                        value, restart, is_open = -skip[k + 1][j], False, 0 if own[j] else was_open
                    else:
                        value, restart, is_open = -_RESTART, True, 1
                    total = before + value + row_fit[j]
                    if total > here[j][is_open]:
                        here[j][is_open], back[i][j][is_open] = total, (k, was_open, restart)
    j = max(range(m), key=lambda c: score[n - 1][c][0] - skip[c + 1][m])
    best = score[n - 1][j][0] - skip[j + 1][m]
    path: list[tuple[int, bool]] = []
    state = 0
    for i in range(n - 1, -1, -1):
        k, was_open, restart = back[i][j][state]
        path.append((j, restart))
        j, state = k, was_open
    return best, tuple(path[::-1])


def _in_order_score(lines: list[str], fields: list[str], cells: list[str]) -> float:
    """The score of the simple rule's cells, to compare with the best placement."""
    total, at = 0.0, 0
    for col, text in enumerate(cells):
        if not text:
            total -= _SKIP if fields[col] != "category" else 0.0
            continue
        parts = [line for line in lines[at:] if line and line in text][:1] or [text]
        total += _fit(fields[col], _line(parts[0]))
        at += 1
    return total


def align_row(lines: list[str], fields: list[str], simple: object) -> list[SubRow]:
    """The row's cells per column; more or fewer lines than columns are placed by what they read as.

    ``simple`` aligns a row with exactly one line per column (the reader's own, older rule).
    """
    kinds = _kinds(fields)
    if len(lines) == len(fields) or len(lines) > MAX_PLACED_LINES or not lines or kinds is None:
        return [SubRow(simple(lines, fields), frozenset())]  # type: ignore[operator]
    best, path = _best_path(lines, kinds)
    if len(lines) < len(fields):
        # Fewer lines than columns (empty or merged cells): keep the simple rule unless it reads clearly worse.
        plain = simple(lines, fields)  # type: ignore[operator]
        if _in_order_score(lines, kinds, plain) >= best - _MARGIN:
            return [SubRow(plain, frozenset())]
    rows: list[list[list[str]]] = []
    for text, (col, restart) in zip(lines, path):
        if not rows or restart:
            rows.append([[] for _ in fields])
        rows[-1][col].append(text)
    out: list[SubRow] = []
    for parts in rows:
        cells = ["\n".join(p) for p in parts]
        carried: set[int] = set()
        if out:
            for col, text in enumerate(cells):
                if not text and out[-1].cells[col]:
                    cells[col], carried = out[-1].cells[col], carried | {col}
        out.append(SubRow(cells, frozenset(carried)))
    return out
