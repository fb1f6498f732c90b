"""Legacy Office, WPS, password-protected, scanned and bomb uploads: one clear line naming the file, nothing stored."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import olefile
import pytest
import xlwt

from bot.tableimport import ImportFailure, read_table
from tests.importing.test_import_service import _import, _snapshot
from tests.tableimport import pdfcraft

OWN = Path(__file__).resolve().parent.parent / "fixtures"
XLS = OWN / "yuanjiang-2023-tasks.xls"
ROOT = Path(__file__).resolve().parents[2]


def _corrupt_sector_table(data: bytes) -> bytes:
    # Every entry of the first FAT sector points far past the end of the file.
    out = bytearray(data)
    first_fat = struct.unpack_from("<I", out, 0x4C)[0]
    start = 512 * (first_fat + 1)
    out[start:start + 512] = b"\xfe\xff\xff\x7f" * 128
    return bytes(out)


def _with_filepass(data: bytes) -> bytes:
    # Turn the workbook's WRITEACCESS record into FILEPASS, as Excel writes for a password-protected book.
    book = bytearray(olefile.OleFileIO(io.BytesIO(data)).openstream("Workbook").read())
    pos = 0
    while struct.unpack_from("<H", book, pos)[0] != 0x5C:
        pos += 4 + struct.unpack_from("<H", book, pos + 2)[0]
    struct.pack_into("<H", book, pos, 0x2F)
    out = io.BytesIO(data)
    writer = olefile.OleFileIO(out, write_mode=True)
    writer.write_stream("Workbook", bytes(book))
    writer.close()
    return out.getvalue()


def _xls(cells: list[tuple[int, int, str]]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("任务")
    for row, col, text in cells:
        sheet.write(row, col, text)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CHARS = b"BT /F1 1 Tf " + (b"(" + b"a" * 100 + b") Tj ") * 20_000 + b"ET"
FORM = b"/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /Font << /F1 3 0 R >> >>"

BOMBS: dict[str, Callable[[], bytes]] = {
    "pages.pdf": lambda: pdfcraft.pages_pdf(5000),
    "pages-lying.pdf": lambda: pdfcraft.pages_pdf(5000, declared=1),
    "deflate.pdf": lambda: pdfcraft.one_page_pdf(b" " * (1 << 20), deflate_repeat=100),
    "glyphs.pdf": lambda: pdfcraft.one_page_pdf(CHARS, deflate_repeat=1),
    "forms.pdf": lambda: pdfcraft.one_page_pdf(b"/X1 Do " * 200_000, xobjects=b"/XObject << /X1 6 0 R >>",
                                               extra=[pdfcraft.stream(b"BT /F1 12 Tf (abcdefghij) Tj ET", FORM)]),
}
BOMB_CODES = {"pages.pdf": "import.pdf_too_many_pages", "pages-lying.pdf": "import.pdf_too_many_pages"}

CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "corrupt.xls": (lambda: _corrupt_sector_table(XLS.read_bytes()), "import.corrupt_file"),
    "truncated.xls": (lambda: XLS.read_bytes()[:5000], "import.corrupt_file"),
    "encrypted.xls": (lambda: _with_filepass(XLS.read_bytes()), "import.encrypted"),
    "encrypted.xlsx": (lambda: (OWN / "bad" / "encrypted.xlsx").read_bytes(), "import.encrypted"),
    "encrypted.pdf": (lambda: (OWN / "bad" / "encrypted.pdf").read_bytes(), "import.encrypted"),
    "scanned.pdf": (pdfcraft.scanned_pdf, "import.pdf_scan"),
    "tasks.doc": (lambda: (OWN / "bad" / "word97.doc").read_bytes(), "import.word_doc"),
    "tasks.wps": (lambda: (OWN / "bad" / "word97.doc").read_bytes(), "import.wps"),
    "tasks.et": (XLS.read_bytes, "import.wps"),
    "truncated.pdf": (lambda: (OWN / "yuanjiang-2023-tasks.pdf").read_bytes()[:100_000], "import.corrupt_file"),
    "far.xls": (lambda: _xls([(0, 0, "序号"), (60_000, 1, "任务。")]), "import.too_many_rows"),
    "wide.xls": (lambda: _xls([(0, 0, "序号"), (20_000, 200, "任务。")]), "import.too_many_cells"),
    **{name: (make, BOMB_CODES.get(name, "import.pdf_bomb")) for name, make in BOMBS.items()},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_with_one_line_naming_the_file(name: str) -> None:
    make, code = CASES[name]
    with pytest.raises(ImportFailure) as info:
        read_table(make(), name)
    assert [p.code for p in info.value.problems] == [code]
    for lang in ("zh", "en"):
        lines = info.value.render(lang)
        assert len(lines) == 1 and name in lines[0] and "{" not in lines[0], lines


@pytest.mark.parametrize("name", ["encrypted.xlsx", "tasks.doc", "scanned.pdf", "deflate.pdf", "corrupt.xls"])
async def test_bad_file_through_the_service_leaves_the_database_unchanged(db, fixtures_dir, name) -> None:  # type: ignore[no-untyped-def]
    await _import(db, fixtures_dir / "yuanjiang-2023-tasks.xlsx")
    before = await _snapshot(db)
    with pytest.raises(ImportFailure) as info:
        await _import(db, Path(name), data=CASES[name][0](), name=name)
    assert len(info.value.render("zh")) == 1 and name in info.value.render("zh")[0]
    assert await _snapshot(db) == before


_CHILD = r"""
import json, resource, sys
from tests.tableimport.test_bad_formats import BOMBS
from bot.tableimport import ImportFailure, read_table


def peak_mb():
    # VmHWM belongs to this process's own memory; ru_maxrss would carry over the peak of the pytest parent.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


data = BOMBS[sys.argv[1]]()
try:
    read_table(data, sys.argv[1])
    code = None
except ImportFailure as exc:
    code = exc.problems[0].code
print(json.dumps({"code": code, "peak_mb": peak_mb()}))
"""


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bombs_are_refused_under_300_mb_peak_rss(name: str) -> None:
    out = subprocess.run([sys.executable, "-c", _CHILD, name], cwd=ROOT, check=True, capture_output=True, text=True,
                         timeout=120)
    result = json.loads(out.stdout)
    assert result["code"] is not None
    assert result["peak_mb"] < 300, result


@pytest.mark.parametrize("name,copies", [("yuanjiang-2023-tasks.xls", 25), ("generated-12-rows-unruled.pdf", 6)])
def test_damaged_copies_read_or_are_refused_in_one_line(name: str, copies: int) -> None:
    # Bytes changed at random (a fixed seed): read_table either reads a table or refuses with lines naming the file.
    import random

    rng = random.Random(2024)
    base = (OWN / name).read_bytes()
    for _ in range(copies):
        data = bytearray(base)
        for _ in range(rng.choice((1, 4, 16, 64))):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            read_table(bytes(data), name)
        except ImportFailure as exc:
            assert exc.problems and all(name in line for line in exc.render("en"))


def test_pdfminer_inflates_through_the_bounded_decoder() -> None:
    # The guard replaces pdfminer's decoders; a pdfminer upgrade that moved them would bypass it silently.
    import zlib

    from pdfminer.psparser import LIT
    from pdfminer.pdftypes import PDFStream

    from bot.tableimport.pdfguard import STREAM_BYTES, budget

    stream = PDFStream({"Filter": LIT("FlateDecode")}, zlib.compress(b" " * (STREAM_BYTES + 1)))
    with budget("big.pdf"), pytest.raises(ImportFailure) as info:
        stream.get_data()
    assert [p.code for p in info.value.problems] == ["import.pdf_bomb"]
