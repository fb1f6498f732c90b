"""Which text column is the task, which the category and which a short name: decided by what they hold.

Header words alone cannot tell: bureaus call the task 工作任务 in one table and the category above it
工作任务 in the next. A column merged down over many rows (few distinct values, or filled only on the first
row of each group) is a category; the column with the most distinct text per row is the task itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.tableimport.grid import GridRow
from bot.tableimport.headers import Header

TEXT_ROLES = ("category", "title", "content")
SAMPLE_ROWS = 400
LABEL_PREFERENCE = 0.6  # a column labelled as content wins unless another holds much more text per row
EXTRA_CONTENT = 0.3
MIN_EVIDENCE = 3  # fewer data rows than this say nothing about repeats  # a second content-labelled column this rich is read together with the first


@dataclass(frozen=True)
class ColumnStats:
    """What one column holds over the data rows."""

    filled: int
    distinct: int
    per_row: float  # characters of distinct text per data row

    def repeated(self, rows: int) -> bool:
        """True for a category-like column: merged or written once per group, so values repeat or are missing."""
        if self.filled == 0:
            return False
        return self.distinct < 0.7 * self.filled or self.filled < 0.6 * rows

    def one_per_row(self, rows: int) -> bool:
        """True when (nearly) every row has a value of its own, as a task column does."""
        return self.filled >= 0.9 * rows and self.distinct >= 0.9 * self.filled


def column_stats(rows: list[GridRow], columns: list[int]) -> tuple[int, dict[int, ColumnStats]]:
    """The number of non-empty data rows and each column's statistics over them."""
    sample = [r.cells for r in rows[:SAMPLE_ROWS] if any(c.strip() for c in r.cells)]
    stats = {}
    for col in columns:
        values = [cells[col].strip() for cells in sample if col < len(cells) and cells[col].strip()]
        distinct = set(values)
        per_row = sum(len(v) for v in distinct) / len(sample) if sample else 0.0
        stats[col] = ColumnStats(len(values), len(distinct), per_row)
    return len(sample), stats


def choose_text_columns(header: Header, data: list[GridRow]) -> None:
    """Give the header's text columns their roles: one content (or several read together), a category, a title."""
    cols = [c for c in sorted(header.fields) if header.fields[c] in TEXT_ROLES]
    if not cols:
        return
    count, stats = column_stats(data, cols)
    richest = max(cols, key=lambda c: (stats[c].per_row, -c))
    labelled = [c for c in cols if header.fields[c] == "content"]
    top = stats[richest].per_row
    preferred = [c for c in labelled if stats[c].per_row >= LABEL_PREFERENCE * top and not stats[c].repeated(count)]
    main = preferred[0] if preferred else richest
    roles = {main: "content"}
    for c in labelled:
        if c not in roles and stats[c].per_row >= EXTRA_CONTENT * top and not stats[c].repeated(count):
            roles[c] = "content"
    rest = [c for c in cols if c not in roles]

    def grouped(c: int) -> bool:
        # A column headed as a category stays one unless every row (of enough rows to tell) has its own value.
        if header.fields[c] == "category":
            return count < MIN_EVIDENCE or not stats[c].one_per_row(count)
        return stats[c].repeated(count)

    # Every grouped column is a level of the category ("一、…" over "（一）…"); the rest name or add to the task.
    for c in rest:
        if grouped(c):
            roles[c] = "category"
        elif "title" not in roles.values():
            roles[c] = "title"
        else:
            roles[c] = "content"
    header.fields.update(roles)
