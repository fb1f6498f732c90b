"""An admin's correction of the column guess: ``--columns "B=类别,C=任务,D=牵头单位"``.

The role names are the ones the preview prints (``role.*`` texts, in every language); a header
synonym such as 牵头股室 or 配合单位 is understood too, and ``忽略``/``skip`` leaves a column unread.
"""

from __future__ import annotations

import re

from bot.tableimport.errors import ImportFailure
from bot.tableimport.headers import Header, match_header, normalize_header
from bot.tableimport.model import FIELDS, Problem
from bot.texts import t

IGNORE = "skip"
ROLES = (*FIELDS, IGNORE)
# Words an admin naturally writes for a role, beyond the preview's own names and the header synonyms.
_ALIASES = {
    "任务": "content", "任务内容": "content", "内容": "content", "工作任务": "content", "正文": "content",
    "TASK": "content", "CONTENT": "content", "TEXT": "content",
    "类别": "category", "分类": "category", "类型": "category", "CATEGORY": "category",
    "名称": "title", "标题": "title", "TITLE": "title", "NAME": "title",
    "序号": "no", "编号": "no", "NO": "no", "NUMBER": "no",
    "领导": "leaders", "LEADER": "leaders", "LEADERS": "leaders",
    "牵头": "sections", "股室": "sections", "LEAD": "sections", "SECTION": "sections", "SECTIONS": "sections",
    "配合": "units", "相关": "units", "RELATED": "units", "UNITS": "units",
    "时限": "deadline", "DEADLINE": "deadline", "备注": "remarks", "REMARKS": "remarks",
    "忽略": IGNORE, "不读": IGNORE, "跳过": IGNORE, "SKIP": IGNORE, "IGNORE": IGNORE, "-": IGNORE,
}
_ITEM = re.compile(r"^\s*([A-Za-z]{1,3}|\d{1,3})\s*[=＝:：]\s*(.+?)\s*$")
_SPLIT = re.compile(r"[,，;；、\s]+(?=[A-Za-z]{1,3}\s*[=＝:：]|\d{1,3}\s*[=＝:：])")


def _column_index(ref: str) -> int:
    if ref.isdecimal():
        return int(ref) - 1
    index = 0
    for ch in ref.upper():
        index = index * 26 + ord(ch) - ord("A") + 1
    return index - 1


def _role(word: str) -> str | None:
    key = normalize_header(word) or word.strip()
    if key in _ALIASES:
        return _ALIASES[key]
    for lang in ("zh", "en"):
        for role in ROLES:
            if normalize_header(t(f"role.{role}", lang)) == key:
                return role
    return match_header(word)[0]


def parse_columns(spec: str, source: str = "--columns") -> dict[int, str]:
    """``"B=类别,C=任务"`` → {1: "category", 2: "content"}; raises ImportFailure naming the bad item."""
    mapping: dict[int, str] = {}
    items = [item for item in _SPLIT.split(spec.strip()) if item.strip()]
    for item in items:
        item = item.strip().strip(",，;；、")
        match = _ITEM.match(item)
        role = _role(match.group(2)) if match else None
        if match is None or role is None:
            names = "、".join(t(f"role.{r}", "zh") for r in ROLES)
            raise ImportFailure((Problem("import.bad_columns", {"file": source, "item": item[:40], "roles": names}),))
        col = _column_index(match.group(1))
        if col < 0 or col >= 200:
            raise ImportFailure((Problem("import.bad_columns", {"file": source, "item": item[:40],
                                                                "roles": "A–GR"}),))
        mapping[col] = role
    if not mapping:
        raise ImportFailure((Problem("import.bad_columns", {"file": source, "item": spec[:40], "roles": ""}),))
    return mapping


def apply_columns(header: Header, mapping: dict[int, str], header_cells: list[str]) -> None:
    """Make the admin's mapping final: named columns take their roles, and a field they claim is theirs alone."""
    claimed = {role for role in mapping.values() if role != IGNORE}
    for col in list(header.fields):
        if col in mapping or header.fields[col] in claimed:
            del header.fields[col]
    for col, role in mapping.items():
        if role == IGNORE:
            header.labels.pop(col, None)
            header.skipped.add(col)
            continue
        header.fields[col] = role
        written = header_cells[col].strip() if col < len(header_cells) else ""
        header.labels[col] = header.labels.get(col) or written or t(f"role.{role}", "zh")
