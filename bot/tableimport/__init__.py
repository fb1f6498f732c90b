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
from bot.tableimport.parse import read_table

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
