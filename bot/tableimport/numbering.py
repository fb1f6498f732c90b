"""Two-level numbering in the 序号 column: sub-items under a task, and group rows over numbered tasks.

Bureaus number sub-items again under each task ("1 …", "（1）…", "（2）…", "2 …", "（1）…"), so the bare numbers
repeat; under their task they read as 1-1, 1-2, 2-1 (rows numbered only （1）, （2）… keep their numbers). And a
numbered row that names nobody and nothing due, with its tasks numbered under it ("1 医疗服务能力提升", "1.1 …",
"1.2 …"), is a group of tasks, not a task: its text is the category of the rows under it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.tableimport.model import ParsedRow, RowWarning

_SUB = re.compile(r"[(（](\d{1,2})[)）]|([\u2460-\u2473])")  # （1） (1) ①


def qualify_sub_numbers(rows: list[ParsedRow], warnings: list[RowWarning]) -> list[ParsedRow]:
    """Sub-items (（1）, ①) under a numbered task numbered N-k (#1-2 finds them; bare, they repeat per task); a
    sub-item whose leader, section, units or deadline cells are empty has the task's, as if the cells were merged."""
    subs = [_SUB.fullmatch(row.no) for row in rows]
    if not any(subs):
        return rows
    taken = {row.no for row in rows}
    out: list[ParsedRow] = []
    parent: ParsedRow | None = None
    for row, sub in zip(rows, subs, strict=True):
        if sub is None:
            parent = row
        elif parent is not None:
            k = sub.group(1) or str(ord(sub.group(2)) - 0x245F)
            no = f"{parent.no}-{k}" if f"{parent.no}-{k}" not in taken else f"{parent.no}({k})"
            if not (row.leaders or row.sections) and (parent.leaders or parent.sections):
                warnings[:] = [w for w in warnings if w.line != row.line]  # no longer missing anyone
            row = with_cells_of(row, parent, no=no)
        out.append(row)
    return out


def with_cells_of(row: ParsedRow, above: ParsedRow, *, no: str) -> ParsedRow:
    """``row`` numbered ``no``, its empty leader, section, units and deadline cells taken from ``above`` (merged)."""
    return replace(row, no=no, leaders=row.leaders or above.leaders, sections=row.sections or above.sections,
                   units=row.units or above.units, deadline=row.deadline or above.deadline)


def fold_group_rows(rows: list[ParsedRow], warnings: list[RowWarning]) -> list[ParsedRow]:
    """Group rows (N with nobody and nothing due, then N.1, N.2 … or its sub-items N-1, N-2 …) become the
    category of their tasks."""
    out: list[ParsedRow] = []
    group: ParsedRow | None = None
    for index, row in enumerate(rows):
        after = rows[index + 1] if index + 1 < len(rows) else None
        if after is not None and _under(after.no, row.no) and _names_nothing(row):
            group = row
            warnings[:] = [w for w in warnings if w.line != row.line]  # its missing leader is no problem
            continue
        if group is not None and _under(row.no, group.no):
            level = group.content if not group.category else f"{group.category} / {group.content}"
            row = replace(row, category=level if not row.category or row.category == group.category else
                          f"{level} / {row.category}")
        else:
            group = None
        out.append(row)
    return out


def _under(no: str, parent: str) -> bool:
    """Whether ``no`` numbers an item under ``parent`` (1.2 or 1-2 under 1)."""
    return no.startswith((f"{parent}.", f"{parent}-"))


def _names_nothing(row: ParsedRow) -> bool:
    return not (row.leaders or row.sections or row.units or row.deadline)
