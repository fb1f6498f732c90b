"""Document meta from the text around a table: title, issuing body, signed date, document year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.tableimport.cells import is_cjk

_TITLE_WORDS = re.compile(
    r"(表|清单|清單|要点|要點|计划|計劃|方案|台账|臺賬|任务|任務|分工|分解|安排|目标|目標|一览|一覽|措施|举措|事项)"
    r"(?:[(（][^()（）]{0,12}[)）])?$"
)
_TITLE_INSIDE = re.compile(r"(分解表|责任表|任务表|清单|清單|要点|要點|工作计划|工作計劃|台账|臺賬)")
_NOT_TITLE = re.compile(r"(印发|印發|通知|[:：,，;；。])")
_QUOTED = re.compile(r"《([^《》]{4,80})》")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_NUM = r"[0-9０-９]{1,4}|[〇○零一二三四五六七八九十]{1,4}"
_DATE = re.compile(rf"({_NUM})\s*年\s*({_NUM})\s*月\s*({_NUM})\s*日")
_DATE_LINE = re.compile(rf"^\s*(?:{_DATE.pattern})\s*$")
_LABELLED_DATE = re.compile(
    rf"(?:成文日期|发文日期|發文日期|印发日期|发布日期|發布日期|日期)\s*[:：]\s*"
    rf"(?:(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}})|{_DATE.pattern})"
)
_ORG_END = re.compile(r"(局|委员会|委員會|委|厅|廳|政府|办公室|辦公室|中心|院|办|辦|部|会|會|处|處|站|所)$")
_LABELLED_ORG = re.compile(r"(?:发布机构|發布機構|发文机关|發文機關|发文单位|發文單位)\s*[:：]\s*([^\s:：]+)")
# A year before 年, also the first of a span ("2024—2025年": the plan starts in 2024) and in Chinese numerals (二〇二四年).
_YEAR = re.compile(r"((?:19|20)\d{2})(?:\s*[-—–~～至到]\s*(?:19|20)?\d{2})?\s*年")
_CN_YEAR = re.compile(r"([一二][〇○零O0一二三四五六七八九]{3})(?:\s*[-—–~～至到]\s*[一二]?[〇○零O0一二三四五六七八九]{1,3})?\s*年")
# 发文字号 such as 沅卫发〔2023〕12号, 卫办[2024]3号, (2022)第5号.
_DOC_NUMBER = re.compile(r"[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*(?:第\s*)?\d{1,4}\s*号")
_CITED = re.compile(r"《[^《》]*》")
HEADING_LINES = 8


@dataclass(frozen=True)
class DocMeta:
    """What the text around a table says about the document."""

    title: str | None = None
    issuer: str | None = None
    issued: date | None = None
    year: int | None = None
    year_source: str | None = None
    year_evidence: str | None = None


def _squeeze(text: str) -> str:
    # Web pages break titles with stray spaces ("重点工作 责任分解表"); spaces between Han characters go.
    text = re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()
    return text.replace(" ", "") if _all_cjk_gaps(text) else text


def _all_cjk_gaps(text: str) -> bool:
    return all(
        is_cjk(text[i - 1]) or is_cjk(text[i + 1])
        for i, ch in enumerate(text)
        if ch == " " and 0 < i < len(text) - 1
    )


def _number(text: str) -> int:
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdecimal():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _CN_DIGITS.get(ch, 0)
    return value


def _date(y: str, m: str, d: str) -> date | None:
    try:
        year = _number(y)
        if not 1990 <= year <= 2100:
            return None
        return date(year, _number(m), _number(d))
    except ValueError:
        return None


def find_title(lines: list[str]) -> str | None:
    """The nearest title-like line above the table, else the 《name》 in the notice that issued it."""
    cleaned = [_squeeze(line) for line in lines]
    for line in reversed(cleaned):
        if 4 <= len(line) <= 80 and _TITLE_WORDS.search(line) and not _NOT_TITLE.search(line):
            return line
    for line in cleaned:
        if _TITLE_INSIDE.search(line) and 4 <= len(line) <= 60 and not _NOT_TITLE.search(line):
            return line
    for line in cleaned:
        quoted = _QUOTED.search(line)
        if quoted:
            return _squeeze(quoted.group(1))
    return None


def is_signature_line(text: str) -> bool:
    """True for a line that signs a document: a date alone, or a short body name (沅江市卫生健康局)."""
    line = re.sub(r"\s+", "", text)
    if _DATE_LINE.match(line):
        return True
    return 4 <= len(line) <= 30 and bool(_ORG_END.search(line)) and not re.search(r"[，,。；;：:、]", line)


def find_signature(lines: list[str]) -> tuple[str | None, date | None]:
    """The issuer and date signed under a notice (a body's name, then a date line); else labelled values."""
    cleaned = [re.sub(r"\s+", " ", line).strip() for line in lines]
    first_date: date | None = None
    for k, line in enumerate(cleaned):
        match = _DATE_LINE.match(line)
        if not match:
            continue
        when = _date(*match.groups())
        if when is None:
            continue
        first_date = first_date or when
        above = next((cleaned[j] for j in range(k - 1, max(-1, k - 4), -1) if cleaned[j]), "")
        if above and len(above) <= 40 and _ORG_END.search(above) and not _NOT_TITLE.search(above):
            return above, when
    issuer = None
    labelled: date | None = None
    for line in cleaned:
        org = _LABELLED_ORG.search(line)
        if org and issuer is None:
            issuer = org.group(1)
        found = _LABELLED_DATE.search(line)
        if found and labelled is None:
            groups = found.groups()
            labelled = _date(*groups[:3]) if groups[0] else _date(*groups[3:])
    return issuer, first_date or labelled


def _year_in(text: str) -> int | None:
    """The first year written in ``text`` (2024年, 2024—2025年, 二〇二四年), or None."""
    found = _YEAR.search(text)
    if found:
        return int(found.group(1))
    chinese = _CN_YEAR.search(text)
    if chinese:
        year = int("".join(str(_CN_DIGITS.get(ch, 0)) for ch in chinese.group(1)))
        return year if 1990 <= year <= 2099 else None
    return None


def find_year(title: str | None, lines: list[str], issued: date | None) -> tuple[int | None, str | None, str | None]:
    """The document year, where it was read (title, doc_number, issued, heading) and the words it came from."""
    year = _year_in(_CITED.sub("", title or ""))
    if year:
        return year, "title", title
    cleaned = [_squeeze(line) for line in lines if line.strip()]
    for line in cleaned:
        number = _DOC_NUMBER.search(line)
        if number:
            return int(number.group(1)), "doc_number", number.group(0)
    if issued:
        return issued.year, "issued", issued.isoformat()
    # A short line just above the table ("2024年度", "附件：2024年任务清单") names its year too.
    for line in reversed(cleaned[-HEADING_LINES:]):
        year = _year_in(_CITED.sub("", line))
        if year and len(line) <= 60 and not _NOT_TITLE.search(line.rstrip("。")):
            return year, "heading", line
    return None, None, None


def read_meta(before: list[str], after: list[str], title_lines: list[str] | None = None) -> DocMeta:
    """Title from the lines just above the table; issuer and signed date from anywhere around it; the year."""
    title = find_title(title_lines if title_lines is not None else before)
    if title is None and title_lines is not None:
        title = find_title(before)
    issuer, issued = find_signature([*before, *after])
    year, source, evidence = find_year(title, [*before, *(title_lines or [])], issued)
    return DocMeta(title=title, issuer=issuer, issued=issued, year=year, year_source=source,
                   year_evidence=evidence)
