"""Keeping secrets out of logs: a logging filter that masks the bot token (and proxy URL) wherever they appear.

Bot API URLs carry the token (``…/bot<token>/getUpdates``, ``…/file/bot<token>/…``), so it can show up in
library log lines and in the text of network errors. The filter sits on handlers, not loggers, because a
logger's filters do not see records that propagate from its children.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

MASK = "[REDACTED]"


class TokenRedactor(logging.Filter):
    """Replaces each secret (and its URL-encoded form) in a record's message, traceback and stack."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        variants: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            variants.update({secret, quote(secret, safe="")})
            _, colon, tail = secret.partition(":")
            if colon and len(tail) >= 16:  # a bot token's secret half, however the id before it is written
                variants.add(tail)
        self.secrets = tuple(sorted(variants, key=len, reverse=True))

    def redact(self, text: str) -> str:
        """``text`` with every secret masked."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place (so every later handler sees it masked) and let it through."""
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave the formatting error to the handler
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install_redactor(secrets: Iterable[str | None], handlers: Iterable[logging.Handler] | None = None) -> TokenRedactor:
    """Put a redactor on ``handlers`` (default: the root logger's), once per handler and set of secrets."""
    redactor = TokenRedactor(secrets)
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        already = any(isinstance(f, TokenRedactor) and f.secrets == redactor.secrets for f in handler.filters)
        if not already:
            handler.addFilter(redactor)
    return redactor
