"""Roles written in words inside one unit cell: "X牵头，Y配合", "牵头：X；配合：Y", "X（牵头）、Y" …

split_roles() reads such a cell into lead and related units. A cell that states no role gives None, so
the caller splits it as a plain list (cells.split_sections / split_units), exactly as before.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.tableimport.cells import split_units

# Traditional spellings too: bureaus in Jiangsu and Guangdong still publish in traditional script.
# Longer words first, so "牵头负责" is one role and never "牵头" plus a unit named "负责".
_LEAD_WORDS = ("牵头负责", "牽頭負責", "负责牵头", "負責牽頭", "具体负责", "牵头", "牽頭", "主办", "主辦", "主责", "主責", "主抓",
               "负责", "負責")
# "X负责，Y具体实施" / "Y督导": the units that carry the work out beside the lead (a bare 落实 or 实施 is how
# a lead does it: "X牵头负责组织实施").
_RELATED_WORDS = ("配合", "参与", "參與", "协办", "協辦", "协助", "協助", "协同", "協同", "具体实施", "具体落实", "督导")
_ROLE = "|".join(_LEAD_WORDS + _RELATED_WORDS)
_UNIT_WORD = r"(?:单位|部门|科室|股室|單位|部門)"
# "市卫健委为责任单位", "责任单位：X": words that name a role only together with 单位/部门.
_NAMED = f"{_ROLE}|责任|責任|成员|成員"
_DOING = r"(?:落实|实施|推进|落實|實施|推進)?"  # "X负责落实，Y配合实施"

# Clause separators; 、 separates units inside a clause, except right after a role word ("X主办、Y协办").
_CLAUSE = re.compile(r"[，,；;。\n\r]+")
_ROLE_THEN_DUN = re.compile(rf"({_ROLE})、")
# "牵头单位：X 配合单位：Y" on one line: a label starts a clause even after a mere space.
_LABEL_START = re.compile(rf"\s+(?=(?:{_NAMED}){_UNIT_WORD}?[:：])")
# "X （牵头）" or a marker wrapped onto the next line still belongs to X.
_SPACE_BEFORE_PAREN = re.compile(r"\s+(?=[（(])")
# "X（牵头）Y（配合）": a role marker ends its unit even with no 、 after it.
_MARKER_THEN_UNIT = re.compile(rf"([（(](?:{_ROLE}){_UNIT_WORD}?[)）])(?=[^、，,；;。\s])")

# Clause shapes, tried in this order (each with fullmatch). The duty formula comes before the suffix form:
# "X、Y按职责分工负责" also ends in 负责, but X and Y are the units, not "X、Y按职责分工".
_LABEL = re.compile(rf"(?P<role>{_NAMED}){_UNIT_WORD}?\s*[:：]\s*(?P<units>.*)", re.S)
_AS = re.compile(rf"(?P<units>.+?)(?:为|為|是)(?P<role>{_NAMED}){_UNIT_WORD}", re.S)
_DUTY = re.compile(
    r"(?P<units>.+?)[（(]?(?:按照?|根据|依据|根據|依據)?(?:各自)?(?:职责|职能|職責|職能)(?:分工)?(?:分别|分別)?"
    r"(?:负责|落实|实施|推进|負責|落實|實施|推進)?[)）]?",
    re.S,
)
_SUFFIX = re.compile(rf"(?P<units>.+?)(?:分别|分別)?(?P<role>{_ROLE}){_DOING}", re.S)
_INLINE = re.compile(rf"(?P<unit>.+?)[（(](?P<role>{_ROLE}){_UNIT_WORD}?[)）]", re.S)
# What a unit name never ends with: "Y等单位", "各镇等", a role word left by a label ("配合：Y配合").
_TAIL = re.compile(rf"(?:等(?:有关|相关|有關|相關)?{_UNIT_WORD}?)?(?:{_ROLE})?$")

# "X会同Y" (X leads jointly with Y), and its clipped form "X会Y" ("宣传处会办公室"), between two office names.
# The clipped form only after 处/科/股/局/室, so that 委员会, 管委会办公室 or 红十字会 are never split.
_UNIT_END = r"(?:处|科|股|局|室|委|办|中心|院|站|所|队|镇|街道)"
_JOINTLY = re.compile(
    rf"(?P<a>[^，,；;。、\s]{{1,20}}?(?:{_UNIT_END}会同|[处科股局室]会))(?P<b>[^，,；;。\s]{{1,60}}?{_UNIT_END})"
    rf"(?=$|[，,；;。\s])"
)

_LEAD, _RELATED, _REST = "lead", "related", "rest"  # rest: lead when the cell names no lead, else related


def _kind(role: str) -> str:
    return _LEAD if role in _LEAD_WORDS or role in ("责任", "責任") else _RELATED


def _clean(item: str) -> str:
    if item.startswith("由") and len(item) > 1:  # "由X牵头"
        item = item[1:]
    return _TAIL.sub("", item, count=1).strip()


def _read_clause(clause: str) -> tuple[str | None, str, bool]:
    """(role kind or None, the units' text, whether the role came before the units as a label)."""
    if m := _LABEL.fullmatch(clause):
        return _kind(m["role"]), m["units"], True
    if m := _AS.fullmatch(clause):
        return _kind(m["role"]), m["units"], False
    if m := _DUTY.fullmatch(clause):
        return _REST, m["units"], False
    if m := _SUFFIX.fullmatch(clause):
        return _kind(m["role"]), m["units"], False
    return None, clause, False


def _jointly(m: re.Match[str]) -> str:
    lead = m["a"].removesuffix("会同").removesuffix("会")
    return f"{lead}牵头，{m['b']}配合"


_STARRED = re.compile(r"\s*[★☆▲△※*＊]\s*(?=$|[、，,；;\s])")
# "牵头单位：X 责任单位：Y" in one cell: beside a named lead, 责任单位 lists the units that carry it out.
_LEAD_LABEL = re.compile(r"牵头(?:单位|部门|科室|股室)?\s*[:：]")
_DUTY_LABEL = re.compile(r"责任(单位|部门|科室|股室)\s*(?=[:：])")


def _starred(text: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A list whose lead units carry a mark (县委组织部★、县人社局, with a note "带★的为牵头单位")."""
    if not _STARRED.search(text):
        return None
    items = [item.strip() for item in re.split(r"[、，,；;\n]+", text) if item.strip()]
    lead = tuple(_STARRED.sub("", item) for item in items if _STARRED.search(item))
    related = tuple(item for item in items if not _STARRED.search(item))
    return (lead, related) if lead else None


@lru_cache(maxsize=4096)
def split_roles(text: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(lead units, related units) of a cell stating roles in words; None when it states none."""
    starred = _starred(text.strip())
    if starred is not None:
        return starred
    if _LEAD_LABEL.search(text):
        text = _DUTY_LABEL.sub(r"配合\1", text)
    text = _JOINTLY.sub(_jointly, text.strip())
    text = _MARKER_THEN_UNIT.sub(r"\1、", _SPACE_BEFORE_PAREN.sub("", text))
    text = _ROLE_THEN_DUN.sub(r"\1；", _LABEL_START.sub("；", text))
    placed: dict[str, list[str]] = {_LEAD: [], _RELATED: [], _REST: []}
    pending: list[str] = []  # units with no role yet: the next role after them claims them ("X，Y配合")
    label: str | None = None  # "牵头：X，Y": a label's role runs on over the clauses after it
    stated = False
    for clause in _CLAUSE.split(text):
        if not (clause := clause.strip()):
            continue
        role, units, is_label = _read_clause(clause)
        if is_label:
            label = role
        elif role is None:
            role = label
        elif pending:
            placed[role] += pending
            pending = []
        stated = stated or role is not None
        for item in split_units(units):
            if m := _INLINE.fullmatch(item):
                placed[_kind(m["role"])].append(m["unit"])
                stated = True
            elif role is None:
                pending.append(item)
            else:
                placed[role].append(item)
    if not stated:
        return None
    placed[_REST] += pending
    placed[_RELATED if placed[_LEAD] else _LEAD] += placed[_REST]
    lead = tuple(dict.fromkeys(u for u in map(_clean, placed[_LEAD]) if u))
    related = tuple(dict.fromkeys(u for u in map(_clean, placed[_RELATED]) if u and u not in lead))
    return (lead, related) if lead or related else None
