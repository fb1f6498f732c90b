"""Rewriting Office zips for the bad-input tests: swapped members, added members, lying sizes."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable


def rewrite(data: bytes, edit: dict[str, Callable[[bytes], bytes]] | None = None,
            add: dict[str, bytes] | None = None) -> bytes:
    """A copy of the zip ``data`` with members edited or added (all deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if edit and info.filename in edit:
                body = edit[info.filename](body)
            dst.writestr(info.filename, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def streamed_member(data: bytes, name: str, piece: bytes, repeat: int) -> bytes:
    """The zip ``data`` plus a member made of ``piece`` repeated, written in a stream (no big buffer)."""
    out = io.BytesIO(data)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as dst, dst.open(name, "w", force_zip64=True) as member:
        block = piece * 4096
        for _ in range(repeat // 4096):
            member.write(block)
    return out.getvalue()


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with ``name``'s uncompressed size in the central directory replaced by ``size``."""
    buf = bytearray(data)
    at = 0
    while True:
        at = buf.find(b"PK\x01\x02", at)
        if at < 0:
            raise ValueError(name)
        name_len = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46:at + 46 + name_len]) == name.encode():
            struct.pack_into("<I", buf, at + 24, size)
            return bytes(buf)
        at += 4
