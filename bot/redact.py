"""Keeping secrets in: one redactor that knows every configured secret, for logs, CLI output and stored errors.

Secrets travel inside URLs (a Bot API URL carries the token, a proxy or database URL its password, WeCom puts
``access_token``, ``corpsecret`` and ``key`` in the query, DingTalk ``access_token``, ``sign`` and ``session``)
and so reach exception texts, library log lines and whatever Duban stores or prints from them. The composition
root builds one ``Redactor`` from the settings; it masks each secret, its URL-encoded forms, and the values of
secret query parameters it cannot know in advance
(WeCom access tokens are fetched at run time).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote, urlsplit

from pydantic import BaseModel, SecretStr

MASK = "[REDACTED]"
# Shorter values would mask ordinary words and numbers; no real secret is this short.
MIN_SECRET = 6
# DingTalk puts a custom robot's access_token and sign, and a conversation's session, in the query too.
_SECRET_PARAM = re.compile(r"(?<![A-Za-z_])((?:access_token|corpsecret|key|session|sign)=)[^&\s\"'#]+")


def _variants(secret: str) -> set[str]:
    """The forms in which ``secret`` can appear in text: as is, URL-encoded, and its parts that are secret alone."""
    found = {secret, quote(secret, safe=""), quote_plus(secret)}
    _, colon, tail = secret.partition(":")
    if colon and len(tail) >= 16 and "//" not in secret:  # a bot token's secret half, however its id is written
        found.add(tail)
    if "://" in secret:  # a URL: its password is a secret by itself
        try:
            password = urlsplit(secret).password
        except ValueError:
            password = None
        if password:
            found.update({password, unquote(password)})
    return {v for v in found if len(v) >= MIN_SECRET}


class Redactor(logging.Filter):
    """Masks every known secret in text; as a logging filter, in a record's message, traceback and stack."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        variants: set[str] = set()
        for secret in secrets:
            if secret:
                variants |= _variants(secret)
        self.secrets = tuple(sorted(variants, key=len, reverse=True))

    @classmethod
    def from_settings(cls, settings: BaseModel) -> Redactor:
        """A redactor for every secret in ``settings``: each SecretStr field, and the password of each URL."""
        return cls(configured_secrets(settings))

    def redact(self, text: str) -> str:
        """``text`` with every secret masked."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return _SECRET_PARAM.sub(lambda m: m.group(1) + MASK, text)

    __call__ = redact

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place (so every later handler sees it masked) and let it through."""
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


def configured_secrets(model: BaseModel) -> list[str]:
    """Every secret value in a settings model, nested models included: SecretStr fields and URL passwords."""
    found: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            found += configured_secrets(value)
        elif isinstance(value, str) and "://" in value and "@" in value:
            found += [v for v in _variants(value) if "://" not in v]  # the password, not the whole URL
    return found


def install_redactor(redactor: Redactor, handlers: Iterable[logging.Handler] | None = None) -> Redactor:
    """Put ``redactor`` on ``handlers`` (default: the root logger's), once per handler and set of secrets."""
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        already = any(isinstance(f, Redactor) and f.secrets == redactor.secrets for f in handler.filters)
        if not already:
            handler.addFilter(redactor)
    return redactor
