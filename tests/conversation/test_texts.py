"""The conversation's texts: every key in both languages, with the same placeholders, and valid markup."""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.texts import catalog
from bot.texts.en.conversation import MESSAGES as EN
from bot.texts.zh.conversation import MESSAGES as ZH

ALLOWED_TAGS = {"b", "i", "code", "a"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys() -> None:
    assert set(ZH) == set(EN)


@pytest.mark.parametrize("key", sorted(ZH))
def test_same_placeholders_in_both_languages(key: str) -> None:
    assert _fields(ZH[key]) == _fields(EN[key]), key


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag)
        self.seen.add(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag


@pytest.mark.parametrize("template", [*ZH.values(), *EN.values()])
def test_markup_uses_the_safe_subset_and_is_balanced(template: str) -> None:
    parser = _Tags()
    parser.feed(template)
    assert not parser.open and parser.seen <= ALLOWED_TAGS
    # A bare & or < would be read as markup by Telegram; the texts write none.
    assert not re.search(r"&(?![a-z]+;|#\d+;)", template)


def test_every_key_the_handlers_use_exists() -> None:
    root = Path(__file__).resolve().parents[2]
    files = [
        *(root / "handlers").glob("*.py"),
        root / "bot/services/progress.py",
        root / "bot/services/people.py",
        root / "bot/channels/console.py",
    ]
    source = "".join(p.read_text("utf-8") for p in files)
    used = set(re.findall(r'"(conv\.[a-z_]+)"', source))
    assert used <= set(ZH), used - set(ZH)


def _keys_used_in_code() -> set[str]:
    """Every quoted ``area.name`` literal in the code whose area is one the catalogues define."""
    root = Path(__file__).resolve().parents[2]
    areas = {key.split(".")[0] for lang in ("zh", "en") for key in catalog(lang)}
    pattern = re.compile(r'"((?:%s)\.[a-z_][a-z0-9_]*)"' % "|".join(sorted(areas)))
    files = [f for d in ("bot", "handlers", "scheduler") for f in (root / d).rglob("*.py") if "texts" not in f.parts]
    return {key for f in files for key in pattern.findall(f.read_text("utf-8"))}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_key_used_anywhere_in_code_exists_in_both_languages(lang: str) -> None:
    used = _keys_used_in_code()
    assert {"import.bad_year", "conv.left_done", "cli.error"} <= used
    assert used <= set(catalog(lang)), sorted(used - set(catalog(lang)))
