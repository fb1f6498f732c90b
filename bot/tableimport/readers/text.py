"""Plain text copied from a web page: a table as one cell per paragraph, or numbered work points."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.tableimport.cells import looks_like_no
from bot.tableimport.grid import Grid, GridRow
from bot.tableimport.headers import HEADER_CHARS, TEXT_FIELDS, match_header
from bot.tableimport.readers.textcells import align_row

_JUNK = re.compile(
    r"^[【\[]?\s*(扫一扫|打印|关闭|關閉|分享|回到顶部|返回顶部|TOP\b|上一篇|下一篇|相关链接|相關鏈接|网站地图|版权所有|"
    r"版權所有|主办单位|主辦單位|备案|ICP|点击收藏|字号|字體|字体|来源[:：]|瀏覽次數|浏览次数|.*公网安备|.*公網安備)",
    re.IGNORECASE,
)


# A notice's closing after its last point (公示时间…, 特此公告, 如有异议…, 联系人…, 附件…): not a point's paragraph.
_CLOSING = re.compile(r"^(公示(时间|期)|特此|[如若]有异议|联系人|联系电话|监督(电话|方式)|地\s*址[:：]|附件[:：])")


def is_closing(text: str) -> bool:
    """Whether a paragraph closes a notice (公示时间, 特此公告, 如有异议, 联系人, 附件 …) rather than continuing a point."""
    return bool(_CLOSING.match(text))


def is_junk(text: str) -> bool:
    """A web page's furniture after the content (扫一扫, 打印本页, 关闭窗口, 备案号 …); short lines only."""
    return len(text) <= 30 and bool(_JUNK.match(text))


MAX_TEXT_COLUMNS = 40
HEADER_SCAN_PARAS = 3000


@dataclass
class Para:
    """One paragraph of the text: its line number, its text ("" for an explicitly empty cell), blank lines before it."""

    line: int
    text: str
    gap: int = 0


@dataclass
class Point:
    """A numbered work point: 1. …, (一) …, with the heading it sits under and its paragraphs."""

    line: int
    number: int
    category: str | None
    parts: list[str]
    labels: list[str] = field(default_factory=list)  # "牵头单位：…" lines under the point

    @property
    def body(self) -> str:
        """The point's text without its number, paragraphs separated by line breaks."""
        return "\n".join(self.parts)


@dataclass
class PointList:
    """The numbered points of a document and the text before and after them."""

    points: list[Point] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


def paragraphs(text: str) -> list[Para]:
    """Paragraphs of the text; in double-spaced text a whitespace-only line is an empty table cell."""
    raw = text.splitlines()
    filled = [i for i, line in enumerate(raw) if line.strip()]
    followed = sum(1 for i in filled if i + 1 < len(raw) and raw[i + 1] == "")
    double = bool(filled) and followed >= 0.6 * len(filled)
    paras: list[Para] = []
    gap = 0
    for i, line in enumerate(raw):
        stripped = line.replace("\xa0", " ").replace("\u3000", " ").strip()
        if stripped:
            paras.append(Para(i + 1, stripped, gap))
            gap = 0
        elif double and line != "":
            paras.append(Para(i + 1, "", gap))
            gap = 0
        else:
            gap += 1
    return paras


# ---------------------------------------------------------------- a table, one cell per paragraph


def _header_cell(paras: list[Para], j: int) -> tuple[int, str] | None:
    # A header cell may be broken over paragraphs ("牵头" / "领导"): try joins that make an exact name first.
    for k in (3, 2):
        parts = paras[j:j + k]
        if (len(parts) == k and all(p.text and len(p.text) <= 12 and HEADER_CHARS.intersection(p.text) for p in parts)
                and all(p.gap <= 1 for p in parts[1:])):
            joined = "".join(p.text for p in parts)
            fld, exact = match_header(joined)
            if fld and exact:
                return k, joined
    text = paras[j].text
    if text and len(text) <= 16 and match_header(text)[0]:
        return 1, text
    return None


def find_header_run(paras: list[Para]) -> tuple[int, int, list[tuple[str, int]]] | None:
    """(first, end, [(header, para index)…]) of the first run of paragraphs that reads as a header row.

    Only the first paragraphs are searched: a header stands after the notice, not deep in the page.
    """
    cells: dict[int, tuple[int, str] | None] = {}  # runs overlap: each paragraph is tried once
    for i, para in enumerate(paras[:HEADER_SCAN_PARAS]):
        if not para.text or len(para.text) > 16 or not HEADER_CHARS.intersection(para.text):
            continue
        cols: list[tuple[str, int]] = []
        j = i
        while j < len(paras) and len(cols) < MAX_TEXT_COLUMNS:
            if j not in cells:
                cells[j] = _header_cell(paras, j)
            step = cells[j]
            if step is None:
                break
            cols.append((step[1], j))
            j += step[0]
        j = _unread_labels(paras, j, cols)
        fields = {match_header(label)[0] for label, _ in cols}
        follows_number = j < len(paras) and looks_like_no(paras[j].text)
        if len(fields) >= 2 and fields & set(TEXT_FIELDS) and (len(cols) >= 3 or follows_number):
            return i, j, cols
    return None


# A column the reader does not know (进展情况, 完成情况, 工作成效) may end the header: a short label of Han characters.
_LABEL = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
MAX_UNREAD_LABELS = 2


def _unread_labels(paras: list[Para], j: int, cols: list[tuple[str, int]]) -> int:
    """Past the labels read, up to two unknown labels when a 序号 follows them; the new end of the header."""
    if not cols:
        return j
    for extra in range(1, MAX_UNREAD_LABELS + 1):
        labels = paras[j:j + extra]
        after = j + extra
        if len(labels) < extra or not all(_LABEL.match(p.text) and p.gap <= 1 for p in labels):
            return j
        if after < len(paras) and looks_like_no(paras[after].text):
            cols.extend((p.text, j + k) for k, p in enumerate(labels))
            return after
    return j


_HEADING = re.compile(r"^(?:[(（][一二三四五六七八九十百]+[)）]|[一二三四五六七八九十百]+[、.．]|第[一二三四五六七八九十百]+[部分章节项类])")


def _number(text: str) -> int | None:
    value = text.strip().rstrip(".、．").translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return int(value) if value.isdecimal() and len(value) <= 6 else None


def _align(cells: list[str], rest: list[str]) -> list[str]:
    # Cells after the 序号, mapped onto the remaining columns; the category cell appears only on the
    # first row of its group, an empty trailing cell may be missing, a long content may span paragraphs.
    cells = list(cells)
    if rest and rest[0] == "category":
        present = bool(cells) and (bool(_HEADING.match(cells[0])) or len(cells) >= len(rest))
        if not present:
            cells.insert(0, "")
    while len(cells) > len(rest) and cells[-1] == "":
        cells.pop()
    if len(cells) > len(rest) and "content" in rest:
        k = rest.index("content")
        extra = len(cells) - len(rest)
        cells[k:k + extra + 1] = ["\n".join(c for c in cells[k:k + extra + 1] if c)]
    cells += [""] * (len(rest) - len(cells))
    return cells[:len(rest)]


def read_text_table(paras: list[Para]) -> Grid | None:
    """The table in a text where every cell is a paragraph; rows start at the next 序号."""
    run = find_header_run(paras)
    if run is None:
        return None
    first, end, cols = run
    labels = [label for label, _ in cols]
    fields = [match_header(label)[0] or "" for label in labels]
    rows = [GridRow(paras[first].line, labels)]
    width = len(cols)
    if fields[0] == "no":
        body, stop = _rows_by_number(paras, end, labels, fields)
    else:
        body, stop = _rows_by_width(paras, end, width)
    rows += body
    before = [p.text for p in paras[:first]]
    after = [p.text for p in paras[stop:]]
    return Grid(rows=rows, before=before, after=after, unit="line", letters=False)


def read_records(paras: list[Para]) -> Grid | None:
    """Tasks written as label and value paragraphs ("具体任务" / text / "责任单位" / units …), one record each.

    A record ends where its first label comes again; at least two labels, one of them the task text.
    """
    items = [p for p in paras if p.text]
    best: tuple[int, int, list[tuple[Para, str, str]]] | None = None
    i = 0
    while i < len(items) - 1:
        run: list[tuple[Para, str, str]] = []
        j = i
        while j < len(items) - 1 and _record_label(items[j].text) and not _record_label(items[j + 1].text):
            run.append((items[j], items[j].text, items[j + 1].text))
            j += 2
        if len(run) >= 2 and (best is None or len(run) > len(best[2])):
            best = (i, j, run)
        i = max(j, i + 1)
    if best is None:
        return None
    start, stop, run = best
    labels = list(dict.fromkeys(label for _, label, _ in run))
    if not any(match_header(label)[0] in TEXT_FIELDS for label in labels):
        return None
    rows = [GridRow(run[0][0].line, labels)]
    record: dict[str, str] = {}
    line = run[0][0].line
    for para, label, value in run:
        if label in record:
            rows.append(GridRow(line, [record.get(name, "") for name in labels]))
            record, line = {}, para.line
        record[label] = value
    rows.append(GridRow(line, [record.get(name, "") for name in labels]))
    return Grid(rows=rows, before=[p.text for p in items[:start]], after=[p.text for p in items[stop:]],
                unit="line", letters=False)


def _record_label(text: str) -> bool:
    return len(text) <= 12 and match_header(text)[1]


def _repeat_length(paras: list[Para], i: int, joined: str) -> int:
    # The header repeated (a page break in the source): how many paragraphs it takes, 0 if it is not one.
    text = ""
    k = i
    while k < len(paras) and len(text) < len(joined):
        text += paras[k].text
        if not paras[k].text or not joined.startswith(text):
            return 0
        k += 1
    return k - i if text == joined else 0


def _rows_by_number(paras: list[Para], start: int, labels: list[str], fields: list[str]) -> tuple[list[GridRow], int]:
    rest = fields[1:]
    need = max(1, len(rest) - 2)
    rows: list[GridRow] = []
    current: tuple[Para, list[str]] | None = None
    previous: int | None = None
    joined = "".join(labels)
    i = start
    while i < len(paras):
        para = paras[i]
        if is_junk(para.text):
            break
        repeat = _repeat_length(paras, i, joined)
        if repeat:
            i += repeat
            continue
        number = _number(para.text)
        # The next 序号 is larger; a smaller one starts a row only once the current row is complete (a
        # numbering that restarts per group then surfaces as duplicate numbers, as in other formats).
        starts_row = number is not None and (
            previous is None or number > previous or (current is not None and len(current[1]) >= len(rest) - 1)
        )
        # A row whose merged cells the copy shows only once is short: the very next number still starts a row.
        follows = number is not None and previous is not None and number == previous + 1
        if starts_row and (current is None or len(current[1]) >= need or (follows and current[1])):
            if current is not None:
                rows += _numbered_rows(current[0], current[1], rest, rows[-1] if rows else None)
            current = (para, [])
            previous = number
        elif current is None:
            break
        elif para.gap >= 2 and para.text and len(current[1]) >= len(rest) - 1:
            break  # a wide gap after a complete row: the page goes on with something else
        else:
            current[1].append(para.text)
        i += 1
    if current is not None:
        rows += _numbered_rows(current[0], current[1], rest, rows[-1] if rows else None)
    return rows, i


# Columns a merged cell commonly spans in a responsibility table: one leader, unit or deadline over a block.
_CARRIED_FIELDS = ("leaders", "sections", "units", "deadline")


def _numbered_rows(number: Para, lines: list[str], rest: list[str], above: GridRow | None) -> list[GridRow]:
    # Sub-rows after the first share the number, and carry the cells merged over them, as a merged cell does.
    # A row shorter than the header, in a copy that marks no empty cell, lost its merged cells the same way when
    # two or more of its leader, unit and deadline cells are missing (a block's leader and deadline are merged
    # together; one missing trailing cell is more likely empty): those are the row above's, and rows.py warns.
    out: list[GridRow] = []
    short = len(lines) < len(rest) and "" not in lines
    for k, sub in enumerate(align_row(lines, rest, _align)):
        cells, carried = list(sub.cells), {c + 1 for c in sub.carried}
        if k == 0 and short and above is not None:
            lost = [col for col, fld in enumerate(rest) if fld in _CARRIED_FIELDS and not cells[col]
                    and col + 1 < len(above.cells) and above.cells[col + 1]]
            for col in lost if len(lost) >= 2 else ():
                cells[col] = above.cells[col + 1]
                carried.add(col + 1)
        spanned = frozenset({0, *carried}) if k else frozenset(carried)
        out.append(GridRow(number.line, [number.text, *cells], spanned))
    return out


def _rows_by_width(paras: list[Para], start: int, width: int) -> tuple[list[GridRow], int]:
    rows: list[GridRow] = []
    i = start
    while i + width <= len(paras) and not any(is_junk(p.text) for p in paras[i:i + width]):
        rows.append(GridRow(paras[i].line, [p.text for p in paras[i:i + width]]))
        i += width
    return rows, i


# ---------------------------------------------------------------- numbered work points

_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "〇": 0, "零": 0}
_LEVELS = (
    re.compile(r"^([一二三四五六七八九十百]{1,4})\s*[、.．]\s*(.+)$"),
    re.compile(r"^[(（]\s*([一二三四五六七八九十百]{1,4})\s*[)）]\s*[、.．]?\s*(.+)$"),
    re.compile(r"^(\d{1,3})\s*[.．、](?![\d])\s*(.+)$"),
    re.compile(r"^[(（]\s*(\d{1,3})\s*[)）]\s*(.+)$"),
    re.compile(r"^(\d{1,3})\s*[)）]\s*(.+)$"),
)
_DATE_ONLY = re.compile(r"^\s*[0-9〇○零一二三四五六七八九十]{2,4}\s*年.{1,4}月.{1,4}日\s*$")
_NOT_HEADING = re.compile(r"^(?:附件|附表)\s*\d*\s*$|^[(（]|[。;；!！?？:：,，、]$|。")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def cn_number(text: str) -> int:
    """一 → 1, 十一 → 11, 二十 → 20, 12 → 12."""
    if text.isdecimal():
        return int(text)
    if "百" in text:
        hundreds, _, rest = text.partition("百")
        return _CN.get(hundreds, 1) * 100 + (cn_number(rest.lstrip("零〇")) if rest else 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN.get(tens, 1) if tens else 1) * 10 + (_CN.get(ones, 0) if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _CN.get(ch, 0)
    return value


def _level(text: str) -> tuple[int, int, str] | None:
    for level, pattern in enumerate(_LEVELS):
        match = pattern.match(text)
        if match:
            return level, cn_number(match.group(1)), match.group(2).strip()
    return None


# "牵头领导：王先柱", "主要协作单位：…", "完成时限：…": who and when, written as labelled lines under a point.
ROLE_LABEL = re.compile(
    r"^[(（]?\s*((?:主要)?(?:牵头|责任|分管|主体|主办|配合|协作|协办|参与|相关|协同)(?:责任)?"
    r"(?:领导|单位|部门|科室|股室|处室|股站|人)|完成(?:时限|时间)|时间节点|时限要求|时限)\s*[:：]\s*"
)


def is_role_label(text: str) -> bool:
    """True for a line such as "牵头单位：区环保局" that names who does a point, or by when."""
    return bool(ROLE_LABEL.match(text))


def _heading_like(text: str) -> bool:
    return (
        2 <= len(text) <= 50
        and bool(_HAN.search(text))
        and not _NOT_HEADING.search(text)
        and not _DATE_ONLY.match(text)
        and not is_junk(text)
    )


def _annex_start(paras: list[Para], levels: list) -> int:  # type: ignore[type-arg]
    """Where the points begin: after a notice's signed date when numbered points follow it, else at the top.

    A 通知 numbers its own instructions (一、请各单位…) above its signature; the table it issues comes after.
    """
    for index, para in enumerate(paras):
        if _DATE_ONLY.match(para.text) and sum(1 for found in levels[index + 1:] if found) >= 2:
            return index + 1
    return 0


def read_points(paras: list[Para]) -> PointList | None:
    """Numbered points under 一、/(一) headings (or under an unnumbered list title); None if there are none."""
    levels = [_level(p.text) if p.text else None for p in paras]
    start = _annex_start(paras, levels)
    counts: dict[int, int] = {}
    for found in levels[start:]:
        if found:
            counts[found[0]] = counts.get(found[0], 0) + 1
    if not counts:
        return None
    point_level = max(counts, key=lambda lv: (counts[lv], lv))
    if counts[point_level] < 2:
        return None
    result = PointList()
    heading: str | None = None
    current: Point | None = None
    first = last = None
    for index, (para, found) in enumerate(zip(paras, levels)):
        if index < start or not para.text:
            continue
        if is_junk(para.text) or (current is not None and not found and is_closing(para.text)):
            if current is not None:
                break
            continue
        if found and found[0] == point_level:
            current = Point(para.line, found[1], heading, [found[2]])
            result.points.append(current)
            first = index if first is None else first
            last = index
        elif found and found[0] < point_level:
            heading, current = para.text, None
        elif found and current is not None:
            current.parts.append(para.text)
            last = index
        elif current is not None and is_role_label(para.text):
            current.labels.append(para.text)
            last = index
        elif not found and _heading_like(para.text):
            heading, current = para.text, None
        elif not found and current is not None and re.search(r"[。;；!！?？”\"]$", para.text):
            current.parts.append(para.text)
            last = index
    if first is None or last is None:
        return None
    result.before = [p.text for p in paras[:first]]
    result.after = [p.text for p in paras[last + 1:]]
    return result
