"""Keeping the bot token (and proxy URL) out of logs: the core's redactor for just those secrets (see bot.redact).

Bot API URLs carry the token (``…/bot<token>/getUpdates``, ``…/file/bot<token>/…``), so it can show up in
library log lines and in the text of network errors. The filter sits on handlers, not loggers, because a
logger's filters do not see records that propagate from its children.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.redact import MASK, Redactor

TokenRedactor = Redactor
__all__ = ["MASK", "TokenRedactor", "install_redactor"]


def install_redactor(secrets: Iterable[str | None], handlers: Iterable[logging.Handler] | None = None) -> Redactor:
    """Put a redactor for ``secrets`` on ``handlers`` (default: the root logger's), once per handler and set of secrets."""
    from bot.redact import install_redactor as install

    return install(Redactor(secrets), handlers)
