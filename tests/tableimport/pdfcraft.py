"""Hand-made PDFs for the bad-input tests: bombs and image-only pages, written object by object."""

from __future__ import annotations

import io
import zlib

from PIL import Image


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF whose object n (1-based) is ``objects[n - 1]``; object 1 must be the catalog."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    """A stream object body holding ``data`` as given (already encoded)."""
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _font() -> bytes:
    return b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pages_pdf(count: int, declared: int | None = None) -> bytes:
    """``count`` one-line pages; the page tree may declare another ``Count``."""
    content = stream(b"BT /F1 12 Tf 72 720 Td (page) Tj ET")
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>" % (count if declared is None else declared, kids),
        _font(),
        content,
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> " \
           b"/Contents 4 0 R >>"
    return pdf_bytes(objects + [page] * count)


def _deflated(unit: bytes, repeat: int) -> bytes:
    packer = zlib.compressobj(9)
    parts = [packer.compress(unit) for _ in range(repeat)]
    return b"".join(parts) + packer.flush()


def one_page_pdf(content: bytes, *, deflate_repeat: int = 0, xobjects: bytes = b"", extra: list[bytes] = ()) -> bytes:
    """One page drawing ``content`` (deflated ``deflate_repeat`` times over when > 0), with extra objects from 5."""
    if deflate_repeat:
        body = stream(_deflated(content, deflate_repeat), b"/Filter /FlateDecode")
    else:
        body = stream(content)
    resources = b"<< /Font << /F1 3 0 R >> %s >>" % xobjects
    return pdf_bytes([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [4 0 R] >>",
        _font(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s /Contents 5 0 R >>" % resources,
        body,
        *extra,
    ])


def scanned_pdf() -> bytes:
    """An image-only PDF, as a scanner writes one (PIL's PDF writer, one picture per page)."""
    picture = Image.new("RGB", (400, 300), "white")
    for x in range(40, 360):
        picture.putpixel((x, 150), (0, 0, 0))
    out = io.BytesIO()
    picture.save(out, format="PDF", resolution=72)
    return out.getvalue()
