"""Whatever the bytes, read_table either returns a table or raises ImportFailure; nothing else escapes."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.tableimport import ImportFailure, ParsedTable, read_table
from tests.conftest import FIXTURES

NAMES = st.sampled_from(["x.xlsx", "x.docx", "x.csv", "x.html", "x.txt"])
FUZZ = settings(derandomize=True, deadline=None, max_examples=120,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _only_import_failure(data: bytes, name: str) -> None:
    try:
        result = read_table(data, name)
    except ImportFailure as failure:
        assert failure.problems
        assert all(name in line for line in failure.render("zh"))
        assert len(failure.render("en")) == len(failure.problems)
    else:
        assert isinstance(result, ParsedTable)


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@FUZZ
@given(data=st.binary(max_size=4096), name=NAMES)
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    _only_import_failure(data, name)


@FUZZ
@given(prefix=st.sampled_from([b"PK\x03\x04", b"PK\x05\x06", b"<html><table>", b"\xef\xbb\xbf", b"\xff\xfe"]),
       data=st.binary(max_size=2048), name=NAMES)
def test_arbitrary_bytes_behind_a_plausible_start(prefix: bytes, data: bytes, name: str) -> None:
    _only_import_failure(prefix + data, name)


@FUZZ
@given(source=st.sampled_from(["yuanjiang-2023-tasks.xlsx", "yuanjiang-2023-tasks.docx"]),
       flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.floats(0, 1)), name=NAMES)
def test_mutated_office_files(source: str, flips: list[tuple[float, int]], cut: float | None, name: str) -> None:
    data = bytearray(_fixture(source))
    for where, mask in flips:
        data[int(where * len(data))] ^= mask
    if cut is not None:
        data = data[: int(cut * len(data))]
    _only_import_failure(bytes(data), name if name.endswith(("xlsx", "docx")) else source)


def _rezip(data: bytes, member: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, body if info.filename == member else src.read(info.filename))
    return out.getvalue()


@FUZZ
@given(source=st.sampled_from([("yuanjiang-2023-tasks.xlsx", "xl/worksheets/sheet1.xml"),
                               ("yuanjiang-2023-tasks.xlsx", "xl/sharedStrings.xml"),
                               ("yuanjiang-2023-tasks.docx", "word/document.xml")]),
       start=st.floats(0, 1), length=st.integers(0, 400), insert=st.binary(max_size=64))
def test_damaged_xml_inside_a_valid_zip(source: tuple[str, str], start: float, length: int, insert: bytes) -> None:
    name, member = source
    data = _fixture(name)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if member not in zf.namelist():
            return
        xml = zf.read(member)
    at = int(start * len(xml))
    _only_import_failure(_rezip(data, member, xml[:at] + insert + xml[at + length:]), name)


@FUZZ
@given(source=st.sampled_from(["yuanjiang-2023-tasks.txt", "yuanjiang-2023-tasks.csv",
                               "zhangjiagang-2024-primary-care-points.txt", "zhangjiagang-2024-duty-lists.txt"]),
       start=st.floats(0, 1), length=st.integers(0, 2000), insert=st.text(max_size=40))
def test_damaged_text(source: str, start: float, length: int, insert: str) -> None:
    text = _fixture(source).decode("utf-8-sig")
    at = int(start * len(text))
    _only_import_failure((text[:at] + insert + text[at + length:]).encode(), source)
