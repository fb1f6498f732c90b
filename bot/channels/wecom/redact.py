"""Keeping WeCom secrets out of logs: httpx logs every request URL, and WeCom puts secrets in the query.

``corpsecret`` (gettoken), ``access_token`` (every app call) and ``key`` (the group robot's webhook) are
masked in the records of the ``httpx`` logger, which emits those lines on itself.
"""

from __future__ import annotations

import logging
import re

MASK = "[REDACTED]"
_SECRET_PARAM = re.compile(r"(?<![A-Za-z_])((?:access_token|corpsecret|key)=)[^&\s\"'#]+")


def redact_query(text: str) -> str:
    """``text`` with the values of secret query parameters masked."""
    return _SECRET_PARAM.sub(lambda m: m.group(1) + MASK, text)


class QueryRedactor(logging.Filter):
    """Masks secret query parameters in a record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place when it carries a secret, and let it through."""
        try:
            message = record.getMessage()
        except Exception:
            return True
        clean = redact_query(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install(logger_names: tuple[str, ...] = ("httpx", "httpcore")) -> None:
    """Put one QueryRedactor on each named logger (idempotent)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, QueryRedactor) for f in logger.filters):
            logger.addFilter(QueryRedactor())
