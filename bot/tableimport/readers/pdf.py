"""PDFs with a text layer through pdfplumber: ruled tables (joined across pages) as Grids, else the page text."""

from __future__ import annotations

import bisect
import io
import itertools
import re
from dataclasses import dataclass, field

import pdfplumber
from pdfplumber.utils import chars_to_textmap
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import resolve1

from bot.tableimport.cells import is_cjk
from bot.tableimport.errors import must_propagate
from bot.tableimport.grid import Grid, GridRow
from bot.tableimport.headers import find_header, match_header, normalize_header
from bot.tableimport.limits import refuse
from bot.tableimport.model import ImportLimits
from bot.tableimport.pdfguard import MAX_PAGES, GuardedPage, budget

# A 序号 column holds few words a page: two aligned ones make a column.
TEXT_STRATEGY = {"vertical_strategy": "text", "horizontal_strategy": "text", "min_words_vertical": 2}
BREAK, RUNS_ON = "\f", "\f+"  # page breaks in the text: after a paragraph that ended, or one that runs on
# A numbered item opens a line (1. / 1、 / 一、 / （1）); "1.3月底前…" is item 1 with a month, not the decimal 1.3.
_NUMBERED = re.compile(r"^\s*(?:\d{1,3}[.．、](?!\d)|\d{1,2}[.．](?=\d{1,2}月)|[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十\d]{1,3}[)）])")
_CLOSING = set("，。、；：？！）》」』”’,.;:?!)")


@dataclass
class PdfDocument:
    """The tables found (continuations joined) and the whole text, one paragraph a line."""

    tables: list[Grid] = field(default_factory=list)
    text: str = ""


@dataclass
class _Piece:
    """A table on one page, or the text between tables."""

    rows: list[list[str]] | None = None
    text: list[str] = field(default_factory=list)


def read_pdf(data: bytes, file: str, limits: ImportLimits) -> PdfDocument:
    """The ruled tables of a PDF (or, when it has none, tables found by text alignment) and its text."""
    with budget(file) as spent:
        pdf = _open(data, file)
        try:
            pages = list(_pages(pdf, file))
            pieces, chars = _pieces(pages, spent, None)
            if chars == 0:
                raise refuse("import.pdf_scan", file)
            tables = _join(pieces, limits, file) or _unruled(pages, spent, limits, file)
            text = "\n".join(_page_text(pieces))
            return PdfDocument(tables, text)
        except BaseException as exc:
            raise _unwrapped(exc, file) from None
        finally:
            # Not pdf.close(): it builds a page object for every page in the tree, however many it holds.
            pdf.flush_cache()


def _unwrapped(exc: BaseException, file: str) -> BaseException:
    # pdfplumber wraps pdfminer's errors (and our budget's refusals raised inside pdfminer) in its own.
    seen = exc
    for _ in range(5):
        if must_propagate(seen):
            return seen
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else seen.__cause__
        if inner is None:
            break
        seen = inner
    if type(seen).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"):
        return refuse("import.encrypted", file)
    if isinstance(seen, MemoryError):
        return refuse("import.pdf_bomb", file)
    return refuse("import.corrupt_file", file)


def _open(data: bytes, file: str) -> pdfplumber.PDF:
    try:
        return pdfplumber.open(io.BytesIO(data))
    except BaseException as exc:
        raise _unwrapped(exc, file) from None


def _pages(pdf: pdfplumber.PDF, file: str):  # type: ignore[no-untyped-def]
    # The page tree is walked lazily: a file claiming (or holding) thousands of pages is refused first.
    tree = resolve1(pdf.doc.catalog.get("Pages"))
    declared = resolve1(tree.get("Count")) if isinstance(tree, dict) else None
    if isinstance(declared, int) and declared > MAX_PAGES:
        raise refuse("import.pdf_too_many_pages", file, pages=declared, limit=MAX_PAGES)
    doctop = 0.0
    for number, page_obj in enumerate(itertools.islice(PDFPage.create_pages(pdf.doc), MAX_PAGES + 1), start=1):
        if number > MAX_PAGES:
            raise refuse("import.pdf_too_many_pages", file, pages=f"{MAX_PAGES}+", limit=MAX_PAGES)
        page = GuardedPage(pdf, page_obj, page_number=number, initial_doctop=doctop)
        doctop += page.height
        yield page


def _unruled(pages: list, spent, limits: ImportLimits, file: str) -> list[Grid]:  # type: ignore[no-untyped-def]
    """Tables without ruling lines: columns where the header's words align, kept on every page; rows by 序号."""
    for page in pages:
        spent.tick()
        for table in page.find_tables(TEXT_STRATEGY):
            header = find_header([GridRow(i + 1, [c or "" for c in r]) for i, r in enumerate(table.extract())])
            if header is not None:
                edges = sorted({round(x, 1) for cell in table.cells for x in (cell[0], cell[2])})
                page.close()
                settings = {**TEXT_STRATEGY, "vertical_strategy": "explicit", "explicit_vertical_lines": edges}
                found, _ = _pieces(pages, spent, settings)
                grids = map(_logical_rows, _join(found, limits, file))
                return [g for g in grids if find_header(g.rows) is not None]
        page.close()
    return []


def _pieces(pages: list, spent, settings: dict | None) -> tuple[list[_Piece], int]:  # type: ignore[no-untyped-def]
    pieces: list[_Piece] = [_Piece()]
    chars = 0
    for page in pages:
        spent.tick()
        glyphs = _Glyphs(page.chars)
        chars += len(glyphs.chars)
        if settings and glyphs.chars and "explicit_vertical_lines" in settings:
            # Columns fixed by the header: the table runs from the first line to the last, even on a page
            # holding only the end of one long cell (text alignment alone would find no table there).
            band = [min(c["top"] for c in glyphs.chars) - 1, max(c["bottom"] for c in glyphs.chars) + 1]
            tables = page.find_tables({**settings, "explicit_horizontal_lines": band})
        else:
            tables = page.find_tables(settings)
        top = page.bbox[1]
        for table in sorted(tables, key=lambda t: t.bbox[1]):
            pieces[-1].text += _text(glyphs, (page.bbox[0], top, page.bbox[2], table.bbox[1]))
            pieces.append(_Piece(rows=_rows(glyphs, table)))
            pieces.append(_Piece())
            top = table.bbox[3]
        tail, running_on = _band(glyphs, (page.bbox[0], top, page.bbox[2], page.bbox[3]))
        # A page break: tables on either side may continue each other, and so may a paragraph.
        pieces[-1].text += [*tail, RUNS_ON if running_on else BREAK]
        page.close()
    return pieces, chars


class _Glyphs:
    """A page's characters by their centres, sorted top to bottom: a cell's are found by bisection, not a scan."""

    def __init__(self, chars: list[dict]) -> None:
        self.chars = chars
        centred = sorted(((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, i) for i, c in enumerate(chars))
        self._middles = [m[0] for m in centred]
        self._centred = centred

    def inside(self, bbox) -> list[dict]:  # type: ignore[no-untyped-def]
        """The characters centred inside ``bbox``, in the order the page draws them."""
        x0, top, x1, bottom = bbox
        start, end = bisect.bisect_left(self._middles, top), bisect.bisect_left(self._middles, bottom)
        found = sorted(i for _, middle, i in self._centred[start:end] if x0 <= middle < x1)
        return [self.chars[i] for i in found]


def _text(glyphs: _Glyphs, bbox) -> list[str]:  # type: ignore[no-untyped-def]
    """The paragraphs of the characters centred inside ``bbox`` (a cell, or a band of the page)."""
    return _band(glyphs, bbox)[0]


def _band(glyphs: _Glyphs, bbox) -> tuple[list[str], bool]:  # type: ignore[no-untyped-def]
    """The paragraphs inside ``bbox``, and whether the last one runs to the right edge (it may go on below)."""
    x0, _, x1, _ = bbox
    inside = glyphs.inside(bbox)
    if not inside:
        return [], False
    lines = chars_to_textmap(inside).extract_text_lines(strip=True, return_chars=True)
    # A line wraps only where it reached the cell's right edge (padded like its left edge): short lines of
    # names ("陆 明" over "俞 悦") are lines of their own even when they are all as short.
    padding = max(0.0, min((line["x0"] for line in lines), default=x0) - x0)
    right = max(x1 - padding, max((line["x1"] for line in lines), default=0))
    last = lines[-1]
    return _paragraphs(lines, right), right - last["x1"] <= 1.5 * max(last["bottom"] - last["top"], 1.0)


class _Cells(list):
    """A table row's cells, with the columns whose text was carried down from a cell merged over it."""

    spanned: frozenset[int] = frozenset()


def _copy(row: list[str]) -> _Cells:
    out = _Cells(row)
    out.spanned = getattr(row, "spanned", frozenset())
    return out


def _rows(glyphs: _Glyphs, table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    rows: list[list[str]] = []
    open_cells: dict[int, tuple[float, str]] = {}  # column → (bottom, text) of a cell spanning rows
    for row in table.rows:
        boxes = [bbox for bbox in row.cells if bbox is not None]
        if not boxes:
            continue
        # The row's own extent: pdfplumber's row.bbox also covers a cell merged down from it over later rows.
        top, bottom = min(b[1] for b in boxes), min(b[3] for b in boxes)
        cells = _Cells()
        carried: set[int] = set()
        for col, bbox in enumerate(row.cells):
            if bbox is None:
                spanning = open_cells.get(col)
                if spanning and spanning[0] > top + 1:
                    cells.append(spanning[1])
                    carried.add(col)
                else:
                    cells.append("")
                continue
            text = "\n".join(_text(glyphs, bbox))
            cells.append(text)
            if bbox[3] > bottom + 1:
                open_cells[col] = (bbox[3], text)
            else:
                open_cells.pop(col, None)
        cells.spanned = frozenset(carried)
        rows.append(cells)
    return rows


def _token_width(chars: list[dict]) -> float:
    # The first word of a line (a Latin word, or a Han character with the punctuation kept with it).
    if not chars:
        return 0.0
    end = 1
    if is_cjk(chars[0]["text"]):
        while end < len(chars) and chars[end]["text"] in _CLOSING:
            end += 1
    else:
        while end < len(chars) and not is_cjk(chars[end]["text"]) and chars[end]["text"].strip():
            end += 1
    return chars[end - 1]["x1"] - chars[0]["x0"]


def _paragraphs(lines: list[dict], right: float) -> list[str]:
    """Visual lines joined where they only wrap: a line ends a paragraph if the next one's first word fit."""
    out: list[str] = []
    previous = None
    for line in lines:
        text = line["text"]
        if previous is None or not out:
            out.append(text)
        else:
            size = max(previous["bottom"] - previous["top"], 1.0)
            room = right - previous["x1"]
            if room > _token_width(line.get("chars", [])) + 1.5 * size or _NUMBERED.match(text):
                out.append(text)
            else:
                last = out[-1]
                glue = "" if (last and is_cjk(last[-1])) or is_cjk(text[0]) else " "
                out[-1] = last + glue + text
        previous = line
    return out


def _logical_rows(grid: Grid) -> Grid:
    """A table found by text alignment has a row per printed line: lines without a 序号 go on the row above."""
    header = find_header(grid.rows)
    number = header.field_columns("no") if header is not None else []
    if header is None or not number:
        return grid
    col = number[0]
    rows = [list(r.cells) for r in grid.rows]
    merged = rows[:header.index + 1]
    for cells in rows[header.index + 1:]:  # lines before the first 序号 finish the header's labels
        if col < len(cells) and cells[col].strip():
            merged.append(cells)
        else:
            _extend(merged[-1], cells)
    return Grid(rows=[GridRow(i + 1, r) for i, r in enumerate(merged)], before=grid.before, after=grid.after,
                name=grid.name)


def _extend(row: list[str], cells: list[str]) -> None:
    # Names stand on lines of their own ("李康民" over "胡立军"); any other text only wrapped.
    for c, text in enumerate(cells):
        if c >= len(row) or not text.strip():
            continue
        last = row[c]
        names = all(2 <= len(t) <= 4 and all(is_cjk(ch) for ch in t) for t in (last.split("\n")[-1], text))
        glue = "\n" if names else "" if (last and is_cjk(last[-1])) or is_cjk(text[0]) else " "
        row[c] = last + glue + text if last else text


def _page_text(pieces: list[_Piece]) -> list[str]:
    """The paragraphs of the text outside tables; one running on over a page break is joined with its rest."""
    out: list[str] = []
    glue = False
    for line in (line for piece in pieces if piece.rows is None for line in piece.text):
        if line in (BREAK, RUNS_ON):
            glue = line == RUNS_ON
        elif glue and out:
            out[-1] += ("" if is_cjk(out[-1][-1]) or is_cjk(line[0]) else " ") + line
            glue = False
        else:
            out.append(line)
    return out


def _join(pieces: list[_Piece], limits: ImportLimits, file: str) -> list[Grid]:
    """Tables continued on the next page (same columns, nothing but a page break between) become one Grid."""
    grids: list[Grid] = []
    before: list[str] = []
    current: list[list[str]] | None = None
    header = None
    broken = False
    cells = 0
    since: list[str] = []  # the text since the last table: a part heading ("二、…") or a 续表 line
    for piece in pieces:
        if piece.rows is None:
            lines = [line for line in piece.text if line not in (BREAK, RUNS_ON)]
            if grids:
                grids[-1].after += lines
            before += lines
            since += lines
            broken = BREAK in piece.text or RUNS_ON in piece.text  # only a page break (and its running header or footer) between
            continue
        rows = piece.rows
        cells += sum(len(r) for r in rows)
        if cells > limits.max_cells:
            raise refuse("import.too_many_cells", file, cells=cells, limit=limits.max_cells)
        width = max((len(r) for r in rows), default=0)
        if current is not None and broken and width == max(len(r) for r in current) and not _other_header(rows, header):
            _continue(current, rows, header)
        else:
            current = [_copy(r) for r in rows]
            header = find_header([GridRow(i + 1, r) for i, r in enumerate(current)])
            gap = (lambda between=list(since): between) if grids else None
            grids.append(Grid(rows=[], before=list(before), name=str(len(grids) + 1), gap=gap))
        grids[-1].rows = [GridRow(i + 1, r, getattr(r, "spanned", frozenset())) for i, r in enumerate(current)]
        if len(grids[-1].rows) > limits.max_rows:
            raise refuse("import.too_many_rows", file, rows=len(grids[-1].rows), limit=limits.max_rows)
        broken = False
        since = []
    _refuse_column_slices(grids, file)
    return grids


def _refuse_column_slices(grids: list[Grid], file: str) -> None:
    """A wide sheet printed without "fit to page width" comes out a few columns per page: tables with headers
    naming other columns, each over the same rows. Read apart they would be wrong tasks; say how to print it."""
    if len(grids) < 2:
        return
    labels = [frozenset(_named_labels(grid.rows[0].cells)) for grid in grids if grid.rows]
    # Over the same rows: as many, give or take a cell whose text wrapped onto a row of its own.
    sizes = [len(grid.rows) for grid in grids]
    if len(labels) == len(grids) and min(sizes) >= 3 and max(sizes) <= 1.5 * min(sizes) \
            and all(len(found) >= 2 for found in labels) and not frozenset.intersection(*labels):
        raise refuse("import.pdf_columns_split", file, tables=len(grids))


def _other_header(rows: list[list[str]], header) -> bool:  # type: ignore[no-untyped-def]
    """Whether a page's table opens with a header naming other columns: a wide sheet printed a few columns per
    page (序号 工作类别 工作任务 on one page, 具体措施 责任领导 on the next) is not one table going on."""
    if header is None or not rows:
        return False
    named = _named_labels(rows[0])
    return len(named) >= 2 and not set(named) & set(header.texts.values())


def _named_labels(cells: list[str]) -> list[str]:
    """The cells of a row that name a column (序号, 责任领导 …), as headers are compared."""
    return [normalize_header(cell) for cell in cells if cell.strip() and match_header(cell)[0]]


def _continue(current: list[list[str]], rows: list[list[str]], header) -> None:  # type: ignore[no-untyped-def]
    rows = list(rows)
    if header is not None and rows:
        again = find_header([GridRow(i + 1, r) for i, r in enumerate(rows[:header.index + 2])])
        if again is not None and again.texts == header.texts:
            rows = rows[again.index + 1:]
    number = header.field_columns("no") if header is not None else []
    if rows and current and number:
        first = rows[0]
        col = number[0]
        if col < len(first) and not first[col].strip() and any(c.strip() for c in first):
            # The last row of the page goes on at the top of the next one: glue the halves cell by cell.
            last = current[-1]
            for c, text in enumerate(first):
                if c < len(last) and text.strip():
                    glue = "" if (last[c] and is_cjk(last[c][-1])) or is_cjk(text[0]) else " "
                    last[c] = (last[c] + glue + text) if last[c] else text
            rows = rows[1:]
    current.extend(_copy(r) for r in rows)
