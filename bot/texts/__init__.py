"""All user-facing texts, one package per language; ``t()`` looks a message up and fills it in.

Each language package has one module per area (imports, calendar, conversation, notices), each defining
``MESSAGES: dict[str, str]``. Keys are shared across languages; zh-CN is the default and the fallback.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

DEFAULT_LANGUAGE = "zh"
LANGUAGES = ("zh", "en")


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """Every message of one language, merged from its area modules."""
    package = importlib.import_module(f"bot.texts.{lang}")
    merged: dict[str, str] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"bot.texts.{lang}.{info.name}")
        merged.update(getattr(module, "MESSAGES", {}))
    return merged


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """The message ``key`` in ``lang`` (falling back to zh-CN), formatted with ``params``."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    template = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key)
    if template is None:
        raise KeyError(f"no message {key!r}")
    return template.format(**params) if params else template
