"""Which reader an upload needs, decided by its bytes first and its file name second; text decoding."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import PurePath

from bot.tableimport.limits import MAX_ZIP_MEMBERS, declared_entries, refuse
from bot.tableimport.ole import OLE_MAGIC, WPS_EXTENSIONS, ole_kind

# Magic bytes of files an admin may upload by mistake, with the problem code that explains each.
_FOREIGN = (
    (b"\x89PNG", "import.image"),
    (b"\xff\xd8\xff", "import.image"),
    (b"GIF8", "import.image"),
    (b"{\\rtf", "import.unsupported_format"),
    (b"Rar!", "import.unsupported_format"),
    (b"7z\xbc\xaf", "import.unsupported_format"),
    (b"\x1f\x8b", "import.unsupported_format"),
)

_HTML = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta|div|p|title)\b", re.I | re.S)
_TABLE_TAG = re.compile(r"<table\b", re.I)


def sniff_format(data: bytes, filename: str) -> tuple[str, str | None]:
    """The format (xlsx, xls, docx, pdf, csv, html, text) and, for text formats, the decoded text.

    Raises ImportFailure for images, Word 97 and WPS files, password-protected files and other things that
    are no table.
    """
    ext = PurePath(filename).suffix.lower().lstrip(".")
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_kind(data, filename), None
    if data.startswith(OLE_MAGIC):
        return ole_kind(data, filename), None
    if data[:1024].lstrip().startswith(b"%PDF-") or (ext == "pdf" and b"%PDF-" in data[:1024]):
        return "pdf", None  # readers accept junk before the header of a .pdf, and so do we
    for magic, code in _FOREIGN:
        if data.startswith(magic):
            raise refuse(code, filename)
    if ext in WPS_EXTENSIONS:
        raise refuse("import.wps", filename)
    text = decode_text(data, filename)
    head = text[:4096]
    if _HTML.match(head) or (ext in ("html", "htm", "xhtml") and _TABLE_TAG.search(text)):
        return "html", text
    if ext in ("csv", "tsv") or _looks_delimited(text):
        return "csv", text
    return "text", text


def _zip_kind(data: bytes, filename: str) -> str:
    entries = declared_entries(data)
    if entries is None or entries > MAX_ZIP_MEMBERS:
        code = "import.corrupt_zip" if entries is None else "import.zip_bomb"
        raise refuse(code, filename, reason=f"{entries} members")
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except Exception:  # any damage here is reported the same way: not a readable zip
        raise refuse("import.corrupt_zip", filename) from None
    lowered = {n.lower() for n in names}
    if "xl/workbook.xml" in lowered or any(n.endswith("workbook.xml") for n in lowered):
        return "xlsx"
    if "word/document.xml" in lowered or any(n.endswith("document.xml") for n in lowered):
        return "docx"
    if "content.xml" in lowered:
        raise refuse("import.opendocument", filename)
    raise refuse("import.unsupported_format", filename)


_QUOTED_CELL = re.compile(r'(?<![^\t\n])"(?:[^"]|"")*"(?=[\t\r\n]|$)')


def _looks_delimited(text: str) -> bool:
    # Text copied out of a spreadsheet is tab separated: several lines with the same number of tabs.
    # A quoted cell ("李康民\n胡立军") holds line breaks of its own: count records, not physical lines.
    lines = [line for line in _QUOTED_CELL.sub("", text[:20_000]).splitlines() if line.strip()][:40]
    tabbed = [line.count("\t") for line in lines if line.count("\t") >= 2]
    return len(tabbed) >= 2 and len(tabbed) >= len(lines) // 2


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACKS = ("utf-8", "gb18030", "big5")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_text(data: bytes, filename: str) -> str:
    """Decode without asking: BOM, then a declared HTML charset, then UTF-8, GB18030 (GBK), Big5."""
    candidates: list[str] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            candidates.append(encoding)
            break
    if candidates == []:
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            name = declared.group(1).decode("ascii", "replace").lower()
            candidates.append("gb18030" if name in ("gb2312", "gbk", "x-gbk", "gb_2312-80") else name)
    candidates += _FALLBACKS
    for encoding in candidates:
        try:
            codec = codecs.lookup(encoding)
        except LookupError:
            continue
        try:
            text = data.decode(codec.name)
        except (UnicodeDecodeError, ValueError):
            continue
        if codec.name.startswith("utf-8") and text.startswith("\ufeff"):
            text = text[1:]
        if _binary(text):
            break
        return text
    raise refuse("import.not_text", filename)


def _binary(text: str) -> bool:
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    return controls > max(2, len(sample) // 100)
