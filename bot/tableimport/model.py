"""The parsed, validated table that the import service builds on; no database, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

FIELDS = ("no", "category", "title", "content", "leaders", "sections", "units", "deadline", "remarks")

Format = Literal["xlsx", "xls", "docx", "pdf", "csv", "html", "text"]


@dataclass(frozen=True)
class ImportLimits:
    """Upper bounds on what one upload may hold; anything larger is refused before it is parsed."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 50_000
    max_cells: int = 2_000_000


def column_letter(index: int) -> str:
    """The spreadsheet name of a 0-based column: 0 → "A", 25 → "Z", 26 → "AA"."""
    letters = ""
    n = index + 1
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class ColumnMap:
    """Which column of the source was read as which field, and the header it carried."""

    field: str
    header: str
    column: int
    rows: int = 0  # for a column nobody reads: how many rows have text in it

    @property
    def label(self) -> str:
        """The column as a spreadsheet shows it ("A", "B", … "AA")."""
        return column_letter(self.column)


@dataclass(frozen=True)
class ParsedRow:
    """One task as the table states it; names are split, boilerplate stripped, nothing interpreted."""

    line: int
    no: str
    category: str | None
    title: str | None
    content: str
    leaders: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    deadline: str | None = None
    remarks: str | None = None


@dataclass(frozen=True)
class RowWarning:
    """A non-fatal oddity, rendered with ``t(f"import.{code}", lang, line=line, **params)``."""

    line: int
    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedTable:
    """A whole table read from one upload, with its document meta and the columns it was read from."""

    source_name: str
    format: Format
    title: str | None
    issuer: str | None
    issued: date | None
    year: int | None
    columns: tuple[ColumnMap, ...]
    rows: tuple[ParsedRow, ...]
    warnings: tuple[RowWarning, ...]
    unassigned: bool
    year_source: str | None = None  # where the year was read: title, doc_number, issued, heading
    year_evidence: str | None = None  # the words it was read from, shown in the preview
    sheet: str | None = None  # the worksheet read, when the workbook has several
    other_sheets: tuple[str, ...] = ()
    unmapped: tuple[ColumnMap, ...] = ()  # non-empty columns nobody reads (field "")


@dataclass(frozen=True)
class Problem:
    """One reason an upload is refused; ``code`` is a message key, ``params`` name file, line, column …"""

    code: str
    params: dict = field(default_factory=dict)
