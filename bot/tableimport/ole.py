"""OLE2 compound files (old Office, WPS, password-protected Office) told apart by their streams, via olefile."""

from __future__ import annotations

import io
from pathlib import PurePath

import olefile

from bot.tableimport.errors import must_propagate
from bot.tableimport.limits import refuse

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WPS_EXTENSIONS = ("wps", "wpt", "et", "ett", "dps", "dpt")
MAX_ENTRIES = 4096  # a workbook or document has a dozen streams; a directory this long is damage or a trick
_WORKBOOK = ("workbook", "book")


def open_ole(data: bytes, file: str) -> tuple[olefile.OleFileIO, set[str]]:
    """The compound file and the lower-cased names of its top-level streams; a damaged one is refused."""
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        entries = ole.listdir(streams=True, storages=True)
    except BaseException as exc:  # olefile raises OSError, ValueError, IndexError … on damaged sector tables
        if must_propagate(exc):
            raise
        raise refuse("import.corrupt_file", file) from None
    if len(entries) > MAX_ENTRIES:
        raise refuse("import.corrupt_file", file)
    return ole, {"/".join(entry).lower() for entry in entries}


def ole_kind(data: bytes, file: str) -> str:
    """"xls" for a legacy workbook; any other compound file is refused with the line that explains it."""
    ext = PurePath(file).suffix.lower().lstrip(".")
    _, names = open_ole(data, file)
    if "encryptedpackage" in names or "encryptioninfo" in names:
        raise refuse("import.encrypted", file)
    if ext in WPS_EXTENSIONS:
        raise refuse("import.wps", file)
    if "worddocument" in names:
        raise refuse("import.word_doc", file)
    if any(name in names for name in _WORKBOOK):
        return "xls"
    raise refuse("import.legacy_office", file)


def workbook_stream(data: bytes, file: str) -> bytes:
    """The BIFF records of a legacy workbook (its "Workbook" or, in Excel 5, its "Book" stream)."""
    ole, names = open_ole(data, file)
    name = next(n for n in _WORKBOOK if n in names)
    try:
        return ole.openstream(name).read()
    except BaseException as exc:
        if must_propagate(exc):
            raise
        raise refuse("import.corrupt_file", file) from None
