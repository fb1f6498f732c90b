"""Word documents: every table of the body as a Grid (vMerge filled down, gridSpan kept in its first column)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import docx
from docx.oxml.ns import qn

from bot.tableimport.errors import must_propagate
from bot.tableimport.grid import Grid, GridRow
from bot.tableimport.limits import WordTableScanner, open_checked_zip, refuse
from bot.tableimport.model import ImportLimits
from bot.tableimport.readers.wordnumbers import ListNumbers

MAX_COLUMNS = 256
_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TR, _TC, _TC_PR, _TR_PR = qn("w:tr"), qn("w:tc"), qn("w:tcPr"), qn("w:trPr")
_GRID_SPAN, _GRID_BEFORE, _V_MERGE, _VAL = qn("w:gridSpan"), qn("w:gridBefore"), qn("w:vMerge"), qn("w:val")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")


@dataclass
class WordDocument:
    """The tables of a document, and its paragraphs outside tables (for meta, or for numbered points)."""

    tables: list[Grid] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


def read_docx(data: bytes, file: str, limits: ImportLimits) -> WordDocument:
    """Read the body of a .docx: its tables in order (also those in a frame), and the paragraphs around them."""
    open_checked_zip(
        data, file, limits, lambda name: WordTableScanner(file, limits) if name.lower().endswith(".xml") else None
    )
    try:
        document = docx.Document(io.BytesIO(data))
        return _walk(document.element.body, limits, file, ListNumbers(_numbering(document)))
    except BaseException as exc:
        if must_propagate(exc):
            raise
        raise refuse("import.unreadable", file, detail=type(exc).__name__) from None


def _blocks(parent):  # type: ignore[no-untyped-def]
    for child in parent.iterchildren():
        if child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)
        elif child.tag in (_P, _TBL):
            yield child


MAX_FRAMES = 4  # frames inside frames read through; deeper nesting is read as it stands


def _body_blocks(parent, depth: int = 0):  # type: ignore[no-untyped-def]
    # A one-column table wrapping tables ("附件1" and the task table in one framed cell) is a frame: what its
    # cells hold is read as the body, so the table inside is a table of the document and the words its title.
    for block in _blocks(parent):
        if block.tag == _TBL and depth < MAX_FRAMES and _is_frame(block):
            for tr in block.iterchildren(_TR):
                for tc in _cells(tr):
                    yield from _body_blocks(tc, depth + 1)
        else:
            yield block


def _is_frame(tbl) -> bool:  # type: ignore[no-untyped-def]
    rows = list(tbl.iterchildren(_TR))
    single = all(len(list(_cells(tr))) == 1 for tr in rows)
    return bool(rows) and single and any(tc.find(_TBL) is not None for tr in rows for tc in _cells(tr))


def _numbering(document):  # type: ignore[no-untyped-def]
    try:
        return document.part.numbering_part.element
    except (KeyError, NotImplementedError):  # a document without any list
        return None


def _walk(  # type: ignore[no-untyped-def]
    body, limits: ImportLimits, file: str, numbers: ListNumbers
) -> WordDocument:
    doc = WordDocument()
    pending: list[str] = []  # paragraphs seen since the last table
    for block in _body_blocks(body):
        if block.tag == _P:
            text = numbers.label(block) + paragraph_text(block)
            doc.paragraphs.append(text)
            pending.append(text)
            continue
        grid = _table(block, len(doc.tables) + 1)
        grid.before = list(doc.paragraphs)
        if doc.tables:
            doc.tables[-1].after = list(pending)
            grid.gap = lambda lines=list(pending): lines  # the paragraphs since the table before
        doc.tables.append(grid)
        pending = []
    if doc.tables:
        doc.tables[-1].after = list(pending)
    return doc


def paragraph_text(p) -> str:  # type: ignore[no-untyped-def]
    """A paragraph's text (runs, hyperlinks, insertions; tabs and breaks kept), without python-docx's XPath."""
    parts = []
    for el in p.iter(_T, _TAB, _BR, _CR):
        parts.append((el.text or "") if el.tag == _T else ("\t" if el.tag == _TAB else "\n"))
    return "".join(parts)


def _cell_text(tc, depth: int = 0) -> str:  # type: ignore[no-untyped-def]
    # A small table inside a cell (the units one per row) is part of the cell: each of its cells is a line.
    lines = []
    for block in _blocks(tc):
        if block.tag == _P:
            lines.append(paragraph_text(block))
        elif depth < MAX_FRAMES:
            lines += [text for tr in block.iterchildren(_TR) for inner in _cells(tr)
                      if (text := _cell_text(inner, depth + 1)).strip()]
    return "\n".join(lines)


def _int_val(parent, tag: str, default: int) -> int:  # type: ignore[no-untyped-def]
    el = parent.find(tag) if parent is not None else None
    try:
        return int(el.get(_VAL)) if el is not None else default
    except (TypeError, ValueError):
        return default


def _cells(tr):  # type: ignore[no-untyped-def]
    for child in tr.iterchildren(_TC, _SDT):
        if child.tag == _TC:
            yield child
        else:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from content.iterchildren(_TC)


def _table(tbl, index: int) -> Grid:  # type: ignore[no-untyped-def]
    rows: list[list[str]] = []
    spans: list[frozenset[int]] = []
    for tr in tbl.iterchildren(_TR):
        before = _int_val(tr.find(_TR_PR), _GRID_BEFORE, 0)
        cells: list[str] = [""] * max(0, min(before, MAX_COLUMNS))
        spanned: set[int] = set()
        for tc in _cells(tr):
            col = len(cells)
            if col >= MAX_COLUMNS:
                break
            props = tc.find(_TC_PR)
            span = max(1, min(_int_val(props, _GRID_SPAN, 1), MAX_COLUMNS - col))
            merge = props.find(_V_MERGE) if props is not None else None
            if merge is not None and merge.get(_VAL, "continue") == "continue":
                above = rows[-1] if rows else []
                text = above[col] if col < len(above) else ""
                spanned.add(col)
            else:
                text = _cell_text(tc)
            cells.append(text)
            cells.extend([""] * (span - 1))
        rows.append(cells)
        spans.append(frozenset(spanned))
    return Grid(rows=[GridRow(i + 1, cells, spans[i]) for i, cells in enumerate(rows)], name=str(index),
                letters=False)
