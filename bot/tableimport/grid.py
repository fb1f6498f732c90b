"""The common shape every reader produces: rows of cell strings, merged cells expanded, with source lines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple


class GridRow(NamedTuple):
    """One source row: where the user finds it, and its cells as text."""

    line: int
    cells: list[str]
    # Columns whose text was carried down from a merged cell above (a number over an item's sub-rows).
    spanned: frozenset[int] = frozenset()


@dataclass
class Grid:
    """A table read from a file, plus the text around it (where the title, issuer and date are)."""

    rows: list[GridRow]
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    name: str = ""
    unit: str = "row"  # how render() names ``line``: a spreadsheet "row" or a text "line"
    letters: bool = True  # columns are named A, B, … (spreadsheets, CSV) rather than 1, 2, …
    around: Callable[[], tuple[list[str], list[str]]] | None = None  # text around it, computed on demand
    # The lines between the document's table before this one and this one, computed on demand; it returns None
    # when the two are no neighbours (this table sits inside the one before).
    gap: Callable[[], list[str] | None] | None = None
    # Sheets read as one table: each joined line's sheet and its row there, so that a message names the place
    # the admin finds ("医政股 sheet, row 3"), not the row counted on through the sheets.
    places: dict[int, tuple[str, int]] = field(default_factory=dict)

    def context(self) -> tuple[list[str], list[str]]:
        """The text before and after the table."""
        if self.around is not None:
            self.before, self.after = self.around()
            self.around = None
        return self.before, self.after

    def lead_in(self) -> list[str] | None:
        """The text between the previous table of the document and this one; None when unknown or not neighbours."""
        return self.gap() if self.gap is not None else None


def fill_down(rows: list[list[str]], ranges: list[tuple[int, int, int, int]], budget: int,
              spanned: list[set[int]] | None = None) -> int:
    """Copy each merged range's value down its first column; return the budget left.

    ``spanned`` (one set per row), when given, receives the columns each row got from a range above.

    Horizontal spans stay in their first column so a title or a wide cell is never duplicated into
    columns that mean something else.
    """
    height = len(rows)
    for r0, c0, r1, _c1 in ranges:
        if r0 >= height or r1 <= r0:
            continue
        source = rows[r0]
        if c0 >= len(source):
            continue
        value = source[c0]
        last = min(r1, height - 1)
        budget -= last - r0
        if budget < 0:
            return budget
        for r in range(r0 + 1, last + 1):
            target = rows[r]
            if c0 < len(target) and not target[c0]:
                target[c0] = value
                if spanned is not None:
                    spanned[r].add(c0)
    return budget
