"""CSV (and tab-separated text) in any encoding Excel writes; the delimiter is sniffed, never asked."""

from __future__ import annotations

import csv
import io
import itertools

from bot.tableimport.grid import Grid, GridRow
from bot.tableimport.limits import refuse
from bot.tableimport.model import ImportLimits

DELIMITERS = ",\t;|"


def sniff_delimiter(text: str) -> str:
    """The delimiter under which the first records (quotes respected) have the most consistent width."""
    sample = text[:64_000]
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        try:
            widths = [len(r) for r in itertools.islice(csv.reader(io.StringIO(sample, newline=""), delimiter=delim), 50)]
        except csv.Error:
            continue
        widths = [w for w in widths if w > 1]
        if not widths:
            continue
        mode = max(set(widths), key=lambda w: (widths.count(w), w))
        score = (widths.count(mode) * mode, mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv(text: str, file: str, limits: ImportLimits) -> Grid:
    """Rows of the CSV; ``line`` is the line a record starts on (a quoted cell may span lines)."""
    delimiter = sniff_delimiter(text)
    rows: list[GridRow] = []
    cells = 0
    start = 1
    try:
        # csv's own field size limit (128 KiB) stays in force: a longer cell is no task text.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for record in reader:
            rows.append(GridRow(start, record))
            cells += len(record)
            start = reader.line_num + 1
            if len(rows) > limits.max_rows:
                raise refuse("import.too_many_rows", file, rows=len(rows), limit=limits.max_rows)
            if cells > limits.max_cells:
                raise refuse("import.too_many_cells", file, cells=cells, limit=limits.max_cells)
    except csv.Error as exc:
        raise refuse("import.unreadable", file, detail=f"CSV: {exc}", line=start, unit="line") from None
    return Grid(rows=rows, unit="line")
