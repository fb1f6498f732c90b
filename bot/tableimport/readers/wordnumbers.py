"""Word's automatic list numbers: the "一、" or "（二）" Word shows in front of a paragraph but keeps out of its text.

A part heading numbered by Word ("一、医疗服务能力提升" made with a list style) would otherwise read as "医疗服务能力提升",
and a table per part could not be told apart from a table after some other words.
"""

from __future__ import annotations

import re

from docx.oxml.ns import qn

_VAL = qn("w:val")
_CN = "一二三四五六七八九十"
_HEAVENLY = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
LEVELS = 9


def _chinese(n: int) -> str:
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN[tens - 1] + "十")
    return head + (_CN[ones - 1] if ones else "")


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out += numeral * count
    return out


_FORMATS = {
    "decimal": str,
    "chineseCounting": _chinese,
    "chineseCountingThousand": _chinese,
    "japaneseCounting": _chinese,
    "taiwaneseCounting": _chinese,
    "ideographTraditional": lambda n: _HEAVENLY[n - 1] if 0 < n <= 10 else str(n),
    "decimalEnclosedCircle": lambda n: _CIRCLED[n - 1] if 0 < n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: _CIRCLED[n - 1] if 0 < n <= 20 else str(n),
    "upperLetter": _letters,
    "lowerLetter": lambda n: _letters(n).lower(),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
}


def _int(el, default: int) -> int:  # type: ignore[no-untyped-def]
    try:
        return int(el.get(_VAL)) if el is not None else default
    except (TypeError, ValueError):
        return default


class ListNumbers:
    """Counts the numbered paragraphs of a document in order and gives each the label Word shows."""

    def __init__(self, numbering) -> None:  # type: ignore[no-untyped-def]
        # (abstract list, level) → (format, label template, start); list id → abstract list
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.lists: dict[str, str] = {}
        self.counts: dict[str, list[int]] = {}
        if numbering is None:
            return
        for abstract in numbering.iterchildren(qn("w:abstractNum")):
            key = abstract.get(qn("w:abstractNumId"), "")
            for lvl in abstract.iterchildren(qn("w:lvl")):
                fmt, text = lvl.find(qn("w:numFmt")), lvl.find(qn("w:lvlText"))
                ilvl = lvl.get(qn("w:ilvl"), "0")
                self.levels[(key, int(ilvl) if ilvl.isdecimal() else 0)] = (
                    fmt.get(_VAL, "decimal") if fmt is not None else "decimal",
                    text.get(_VAL, "") if text is not None else "",
                    _int(lvl.find(qn("w:start")), 1),
                )
        for num in numbering.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                self.lists[num.get(qn("w:numId"), "")] = ref.get(_VAL, "")

    def label(self, p) -> str:  # type: ignore[no-untyped-def]
        """The number Word shows before paragraph ``p`` ("二、"), or "" when it has none; counts it."""
        props = p.find(qn("w:pPr"))
        num_pr = props.find(qn("w:numPr")) if props is not None else None
        if num_pr is None:
            return ""
        ref = num_pr.find(qn("w:numId"))
        list_id = ref.get(_VAL, "") if ref is not None else ""
        level = min(max(_int(num_pr.find(qn("w:ilvl")), 0), 0), LEVELS - 1)
        abstract = self.lists.get(list_id)
        if abstract is None or (abstract, level) not in self.levels:
            return ""
        counts = self.counts.setdefault(list_id, [0] * LEVELS)
        counts[level] += 1
        for deeper in range(level + 1, LEVELS):
            counts[deeper] = 0

        def number(match: re.Match[str]) -> str:
            at = int(match.group(1)) - 1
            fmt, _text, start = self.levels.get((abstract, at), ("decimal", "", 1))
            return _FORMATS.get(fmt, str)(start + max(counts[at], 1) - 1)

        fmt, text, _start = self.levels[(abstract, level)]
        if fmt in ("bullet", "none"):
            return ""
        return re.sub(r"%([1-9])", number, text)
