"""Reading a bureau's responsibility breakdown table (责任分解表) from xlsx, docx, csv, html or text.

``read_table(data, filename)`` returns a validated, database-free ``ParsedTable`` or raises
``ImportFailure`` listing every problem found (all or nothing).
"""

from bot.tableimport.errors import ImportFailure
from bot.tableimport.model import (
    FIELDS,
    ColumnMap,
    ImportLimits,
    ParsedRow,
    ParsedTable,
    Problem,
    RowWarning,
)


def __getattr__(name: str) -> object:
    """``read_table`` loads the readers (python-docx, lxml, calamine: about 0.15 s) on first use."""
    if name == "read_table":
        from bot.tableimport.parse import read_table

        globals()["read_table"] = read_table
        return read_table
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "FIELDS",
    "ColumnMap",
    "ImportFailure",
    "ImportLimits",
    "ParsedRow",
    "ParsedTable",
    "Problem",
    "RowWarning",
    "read_table",
]
