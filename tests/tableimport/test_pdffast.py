"""The fast content-stream reader gives exactly what pdfminer's own reader gives (pdfminer is the oracle)."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pdfplumber
import pytest
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTContainer
from pdfminer.cmapdb import CMapParser, FileUnicodeMap
from pdfminer.pdfinterp import PDFContentParser, PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdftypes import PDFStream, dict_value, resolve1, stream_value
from pdfminer.psparser import PSEOF, PSBaseParser, PSKeyword, PSLiteral
from pdfplumber.page import Page

from bot.tableimport.pdffast import (
    FastCMapParser,
    FastInterpreter,
    FastType1FontHeaderParser,
    operations,
    page_tokens,
    tokens,
)
from bot.tableimport.pdfguard import GuardedPage, budget
from tests.tableimport.pdfcraft import pdf_bytes, stream

ROOT = Path(__file__).resolve().parents[2]
PDFMINER_TYPE1 = FastType1FontHeaderParser.__bases__[-1]  # pdfminer's own (pdfminer.pdffont's name is now ours)
PDFS = sorted([*(ROOT / "tests" / "fixtures").glob("*.pdf"), *(ROOT / "tests" / "corpus").glob("*/*.pdf")])

# Pieces of content streams, the awkward ones included: escapes and octal codes in strings, nested and
# unclosed parentheses, names with #xx codes, odd hex strings, stray closers, comments, NUL, signs and dots.
_PIECES = [
    b"(", b")", b"\\", b"\\0", b"\\12", b"\\377", b"\\400", b"\\n", b"\\q", b"\\\r\n", b"\\\r", b"<", b">", b"<<",
    b">>", b"[", b"]", b"{", b"}", b"/", b"#", b"#4", b"#41", b"#4G", b"1", b"-", b"+", b".", b"5", b"12.5", b"a",
    b"Tj", b"true", b"false", b"ID", b"EI", b" ", b"\n", b"\r", b"\r\n", b"%", b"% c", b"\x00", b"'", b'"', b"\xff",
    b"AB", b"T*", b"f0", b"<AB>", b"<a b c>", b"(x)", b"[1 2]", b"<</A 1>>", b"/F1", b"(plain text)", b"()", b"<>",
    b"/A#41", b"% (in a comment\n",
]


def _plain(value: object) -> object:
    """A value comparable by type too (True is not 1, a name is not a keyword)."""
    if isinstance(value, list):
        return ["L", [_plain(v) for v in value]]
    if isinstance(value, dict):
        return ["D", sorted((k, _plain(v)) for k, v in value.items())]
    if isinstance(value, (PSLiteral, PSKeyword)):
        return [type(value).__name__, value.name]
    return [type(value).__name__, value]


def _pdfminer(streams: list[bytes]) -> tuple[list, bool]:
    """What pdfminer's reader yields for ``streams``, and whether it raised."""
    parts = []
    for objid, data in enumerate(streams, start=1):
        parts.append(PDFStream({}, data))
        parts[-1].objid = objid
    got: list = []
    try:
        parser = PDFContentParser(parts)
        while True:
            got.append(_plain(parser.nextobject()[1]))
    except PSEOF:
        return got, False
    except Exception:  # noqa: BLE001 - any refusal: the page fails either way
        return got, True


def _fast(streams: list[bytes]) -> tuple[list, bool] | None:
    got: list = []
    try:
        read = page_tokens(streams)
        if read is None:
            return None
        for operands, operator in operations(read):
            got += [_plain(obj) for obj in operands]
            if operator is not None:
                got.append(_plain(operator))
    except Exception:  # noqa: BLE001
        return got, True
    return got, False


def _same(streams: list[bytes]) -> bool | None:
    """None when the fast reader hands the page to pdfminer's; else whether both read the same."""
    fast = _fast(streams)
    if fast is None:
        return None
    reference = _pdfminer(streams)
    if fast[1] and reference[1]:
        return True  # both refuse the page (pdfminer after running what came before)
    return fast == reference


@pytest.mark.parametrize("data", [
    b"BT /F1 12 Tf 72 712 Td (Hello \\(world\\) \\101\\12 \\q x\\\r\ny) Tj [(a) -250 <0041 42>] TJ ET",
    b"q 1 0 0 1 0 0 cm /Name#20with#2Fcodes gs .5 -.5 +3 1. 0.25 w [3 1] 0 d Q",
    b"<< /A 1 /B [1 2 (x)] /C << /D /E >> >> BDC EMC /Tag <</MCID 3>> BDC EMC",
    b"(unclosed (nested) still",  # pdfminer drops the open string at the end
    b"] >> } 1 2 m",  # stray closers are ignored
    b"[ 1 2 ( ] 3 ) re",  # an array left open swallows the rest
    b"% a comment (not a string\n1 0 0 RG\x00 0 0 m 5 5 l S % last",
    b"<4142 43> Tj <414> Tj < > Tj <41",
    b"/F1 Tf /#41 /A#",
    b"<< /A >>",  # an odd dictionary: both refuse
    b"(\\400)",  # an octal code above 255: both refuse
    b"true false null 'x' \" 1 2 (a) '",
])
def test_tokens_read_as_pdfminer_reads_them(data: bytes) -> None:
    assert _same([data]) is True


def test_an_escaped_line_break_across_pdfminers_buffer_reads_as_there() -> None:
    # pdfminer reads 4,096 bytes at a time and skips an escaped \r\n only when both are in one buffer.
    for before in (4092, 4093, 4094):
        data = b"(" + b"x" * before + b"\\\r\ny) Tj"
        assert _same([data]) is True
    assert next(operations(page_tokens([b"(" + b"x" * 4093 + b"\\\r\ny) Tj"])))[0][0].endswith(b"x\ny")


def test_a_large_stream_is_read_token_by_token_alike() -> None:
    # Over a megabyte, tokens are scanned one by one rather than listed all at once (memory stays flat).
    data = b"0 0 m 612.5 792 l S /F1 11 Tf <0041> Tj (x) Tj\n" * 30_000
    assert len(data) > 1 << 20
    assert list(tokens(data)) == list(tokens(data[:len(data) // 30_000])) * 30_000


def test_a_page_split_into_streams_reads_as_one() -> None:
    # A token ended by a stream's end is ended there; a string running on or an opening byte at the end of
    # a stream sends the page to pdfminer's reader.
    assert _same([b"BT /F1 12 Tf 72 712 Td\n", b"(x) Tj ET\n", b"0 0 m 1 1 l S"]) is True
    assert _same([b"1 2\n", b"(a) Tj"]) is True
    assert page_tokens([b"(runs on \n", b"to here) Tj"]) is None
    assert page_tokens([b"1 0 0 RG /", b"Name gs"]) is None
    assert page_tokens([b"q BI /W 1 /H 1 ID \x00 EI Q"]) is None


def _pdfminer_tokens(data: bytes) -> tuple[list, bool]:
    parser = PSBaseParser(io.BytesIO(data))
    got: list = []
    try:
        while True:
            got.append(_plain(parser.nexttoken()[1]))
    except PSEOF:
        return got, False
    except Exception:  # noqa: BLE001
        return got, True


def _fast_tokens(data: bytes) -> tuple[list, bool]:
    got: list = []
    try:
        for token in tokens(data):
            got.append(_plain(token))
    except Exception:  # noqa: BLE001
        return got, True
    return got, False


def test_random_streams_read_as_pdfminer_reads_them() -> None:
    rng = random.Random(20261206)
    compared = 0
    for _ in range(4000):
        pieces = [rng.choice(_PIECES) if rng.random() < 0.9 else bytes([rng.randrange(256)])
                  for _ in range(rng.randint(0, 25))]
        data = b"".join(pieces)
        streams = [data]
        if rng.random() < 0.4:
            cut = rng.randint(0, len(data))
            streams = [data[:cut], data[cut:]]
        same = _same(streams)
        assert same is not False, streams
        compared += same is True
        # Token by token too, as pdfminer's fonts and CMaps are read.
        fast, reference = _fast_tokens(data), _pdfminer_tokens(data)
        assert fast == reference or (fast[1] and reference[1]), data
    assert compared > 2000  # most cases are read by the fast reader, not handed back


def _layout(data: bytes, interpreter: type[PDFPageInterpreter]) -> list:
    """Every object pdfminer lays out on every page of ``data``, as plain values."""
    document = PDFDocument(PDFParser(io.BytesIO(data)))
    manager = PDFResourceManager()
    pages = []
    for page in PDFPage.create_pages(document):
        device = PDFPageAggregator(manager)
        interpreter(manager, device).process_page(page)
        pages.append(_flat(device.get_result()))
    return pages


def _flat(item: object) -> list:
    # An inline image is named after its id() in memory: the one value that differs from run to run.
    values = sorted((k, repr(v)) for k, v in vars(item).items() if k != "_objs" and not (k == "name" and v.isdigit()))
    found = [type(item).__name__, values]
    if isinstance(item, LTContainer):
        found.append([_flat(child) for child in item])
    return found


def _streams_pdf() -> bytes:
    """Pages with an inline image, with content split into streams between tokens, and inside a string."""
    def page(contents: bytes) -> bytes:
        return (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                b"/Contents %s >>" % contents)
    return pdf_bytes([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 3 /Kids [4 0 R 5 0 R 6 0 R] >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        page(b"7 0 R"), page(b"[8 0 R 9 0 R]"), page(b"[10 0 R 11 0 R]"),
        stream(b"BT /F1 12 Tf 72 700 Td (Before) Tj ET q 20 0 0 20 100 100 cm BI /W 2 /H 2 /BPC 8 /CS /G ID "
               b"\x00\xff\xff\x00 EI Q BT /F1 12 Tf 72 600 Td (After) Tj ET"),
        stream(b"BT /F1 12 Tf 72 700 Td (First stream) Tj\n"), stream(b"(Second stream) Tj ET\n"),
        stream(b"BT /F1 12 Tf 72 700 Td (Split in"), stream(b"side a string) Tj ET"),
    ])


@pytest.mark.parametrize("name", [*(p.name for p in PDFS), "streams"])
def test_pages_lay_out_exactly_as_with_pdfminers_reader(name: str) -> None:
    data = _streams_pdf() if name == "streams" else next(p for p in PDFS if p.name == name).read_bytes()
    ours = _layout(data, FastInterpreter)
    assert ours == _layout(data, PDFPageInterpreter)
    if name == "streams":
        assert [len(page[2]) for page in ours] == [12, 25, 22]  # glyphs (and the image); "Split in\nside a string"


def _odd_pages_pdf() -> bytes:
    """A page off the origin with rotated, scaled, raised Helvetica text and a vertical CID font (no ToUnicode)."""
    content = (b"BT /F1 12 Tf 1 0 0 1 72 700 Tm (Plain text) Tj 0.8 0.6 0.6 -0.8 100 600 Tm 150 Tz 3 Ts (Turned) Tj "
               b"ET BT /F2 10 Tf 1 0 0 1 300 500 Tm <00010002 0003> Tj ET "
               b"q 1 0 0 1 50 50 cm /X1 Do Q")
    form = b"BT /F1 9 Tf -1 0 0 -1 200 200 Tm [(In) 120 (a form)] TJ ET"
    vertical = (b"<< /Type /Font /Subtype /Type0 /BaseFont /Vert /Encoding /Identity-V /DescendantFonts [7 0 R] >>")
    cid_font = (b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /Vert /CIDSystemInfo << /Registry (Adobe) "
                b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 1000 /W2 [2 [-1000 400 880]] >>")
    descriptor = (b"<< /Type /FontDescriptor /FontName /Vert /Flags 4 /FontBBox [0 -200 1000 800] /ItalicAngle 0 "
                  b"/Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>")
    return pdf_bytes([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [4 0 R] >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [10 20 622 812] /Resources << /Font << /F1 3 0 R /F2 6 0 R >> "
        b"/XObject << /X1 9 0 R >> >> /Contents 5 0 R >>",
        stream(content),
        vertical,
        cid_font,
        descriptor,
        stream(form, b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"),
    ])


def _chars(pdf: pdfplumber.PDF, page_class: type[Page]) -> list[list[dict]]:
    pages, doctop = [], 0.0
    for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        page = page_class(pdf, page_obj, page_number=number, initial_doctop=doctop)
        doctop += page.height
        pages.append(page.chars)
    return pages


@pytest.mark.parametrize("name", [*(p.name for p in PDFS), "odd-pages"])
def test_glyphs_hold_what_pdfplumber_would_give_them(name: str) -> None:
    # pdfplumber's own page is the oracle: each glyph dict is the same as its, on the keys the reader keeps.
    data = _odd_pages_pdf() if name == "odd-pages" else next(p for p in PDFS if p.name == name).read_bytes()
    with budget(name):
        ours = _chars(pdfplumber.open(io.BytesIO(data)), GuardedPage)
    theirs = _chars(pdfplumber.open(io.BytesIO(data)), Page)
    assert [len(page) for page in ours] == [len(page) for page in theirs]
    assert sum(len(page) for page in ours) > 0
    for mine, want in zip((c for page in ours for c in page), (c for page in theirs for c in page)):
        assert mine == {key: want[key] for key in mine}
    if name == "odd-pages":
        texts = "".join(c["text"] for c in ours[0])
        assert "Plain text" in texts and "Turned" in texts and "(cid:2)" in texts and "a form" in texts
        assert {c["upright"] for c in ours[0]} == {True, False}


def _font_programs(path: Path) -> tuple[list[bytes], list[bytes]]:
    """The ToUnicode maps and the clear-text headers of Type 1 fonts that the pages of ``path`` use."""
    maps, headers = [], []
    with path.open("rb") as handle:
        document = PDFDocument(PDFParser(handle))
        for page in PDFPage.create_pages(document):
            fonts = dict_value(dict_value(page.resources).get("Font", {}))
            for spec in map(dict_value, fonts.values()):
                if "ToUnicode" in spec and isinstance(resolve1(spec["ToUnicode"]), PDFStream):
                    maps.append(stream_value(spec["ToUnicode"]).get_data())
                descriptor = dict_value(spec.get("FontDescriptor", {}))
                if "FontFile" in descriptor:
                    program = stream_value(descriptor["FontFile"])
                    headers.append(program.get_data()[:resolve1(program["Length1"])])
    return maps, headers


def test_fonts_load_as_with_pdfminers_parsers() -> None:
    maps, headers = [], []
    for path in PDFS:
        found = _font_programs(path)
        maps += found[0]
        headers += found[1]
    assert maps and headers  # the fixtures hold both kinds
    for data in maps:
        ours, theirs = FileUnicodeMap(), FileUnicodeMap()
        FastCMapParser(ours, io.BytesIO(data)).run()
        CMapParser(theirs, io.BytesIO(data)).run()
        assert ours.cid2unichr == theirs.cid2unichr and ours.attrs == theirs.attrs and ours.cid2unichr
    # The fixtures' Type 1 headers name their glyphs outside Adobe's list (their encodings come out empty):
    # their tokens are compared too, and a header with known names is added.
    headers.append(b"/Encoding 256 array 0 1 255 {1 index exch /.notdef put} for dup 65 /A put dup 233 /eacute put "
                   b"readonly def currentdict end currentfile eexec \x8f\x00")
    for data in headers:
        assert _fast_tokens(data) == _pdfminer_tokens(data)
        reference = PDFMINER_TYPE1(io.BytesIO(data)).get_encoding()
        assert FastType1FontHeaderParser(io.BytesIO(data)).get_encoding() == reference
    assert reference == {65: "A", 233: "é"}
