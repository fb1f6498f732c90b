"""DingTalk's one signature: Base64(HMAC-SHA256(key = secret, message = timestamp + "\\n" + secret)).

The same construction signs both directions: DingTalk signs each callback to the app robot with the app's
AppSecret (headers ``timestamp`` and ``sign``), and Duban signs each custom group robot message with the
robot's ``SEC…`` secret (query parameters ``timestamp`` and ``sign``, the sign URL-encoded by the query).
Timestamps are milliseconds since the epoch; DingTalk refuses, and Duban refuses, one more than an hour away.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

# DingTalk's window for signed timestamps, both ways, in milliseconds.
TIMESTAMP_WINDOW_MS = 60 * 60 * 1000


class SignatureError(ValueError):
    """A callback whose sign or timestamp does not hold."""


def sign(secret: str, timestamp: str) -> str:
    """The Base64 HMAC-SHA256 of ``timestamp + "\\n" + secret`` keyed by ``secret``."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def check_callback(secret: str, timestamp: str | None, signature: str | None, *, now_ms: int) -> None:
    """Raise SignatureError unless ``signature`` signs ``timestamp`` with ``secret`` and it is within the hour."""
    if not timestamp or not signature or not timestamp.isdecimal() or len(timestamp) > 16:
        raise SignatureError("timestamp and sign headers are required")
    if not hmac.compare_digest(sign(secret, timestamp).encode("ascii"), signature.encode("utf-8", "replace")):
        raise SignatureError("bad sign")
    if abs(now_ms - int(timestamp)) > TIMESTAMP_WINDOW_MS:
        raise SignatureError("timestamp more than an hour away")
