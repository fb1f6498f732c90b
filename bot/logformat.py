"""Log lines as text or, on request (DUBAN_LOG_FORMAT=json), one JSON object per line; each carries the id of
the update being handled, so an update's replies, retries and errors can be found together.

The id lives in a context variable: a channel sets it when an update arrives (``handling``), and every log
line written while that update is handled, in the same task or in tasks it starts, carries it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import IO

UPDATE_ID: ContextVar[str | None] = ContextVar("duban_update_id", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def handling(update_id: str) -> Iterator[None]:
    """Tag every log line written inside the block with ``update_id`` (``telegram:500000001``)."""
    token = UPDATE_ID.set(update_id)
    try:
        yield
    finally:
        UPDATE_ID.reset(token)


def tag_update(update_id: str) -> None:
    """Tag the rest of the current task's log lines with ``update_id`` (for callbacks that cannot wrap a block)."""
    UPDATE_ID.set(update_id)


class UpdateIdFilter(logging.Filter):
    """Puts the current update id (or None) on each record as ``update_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the attribute; never drops a record."""
        record.update_id = UPDATE_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, update_id, and exc when any."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (non-ASCII kept readable)."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "update_id": getattr(record, "update_id", UPDATE_ID.get()),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def log_handler(stream: IO[str] | None, fmt: str = "text") -> logging.Handler:
    """A stream handler writing ``fmt`` ("text" or "json") lines, with the update id on every record."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(UpdateIdFilter())
    return handler
