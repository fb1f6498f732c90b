"""The Telegram adapter's pure parts: splitting at 4096, inline keyboards, toasts, the command menu, redaction."""

from __future__ import annotations

import html
import io
import logging
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.telegram_redact import MASK, TokenRedactor, install_redactor
from bot.channels.telegram_render import (
    CALLBACK_DATA_LIMIT,
    MENU_COMMANDS,
    TEXT_LIMIT,
    bot_commands,
    keyboard,
    plain_text,
    split_html,
    toast_text,
)
from bot.contracts import Button
from tests.fakes.telegram_html import parse_html

TOKEN = "7000000001:AAF-fake-token-for-duban-tests_0123456"


def _plain(part: str) -> str:
    return parse_html(part)[0]  # raises on markup Telegram would refuse


# ---- splitting ------------------------------------------------------------------------------------------


def test_a_short_reply_is_one_part_unchanged() -> None:
    text = "<b>我的任务</b>（共 2 项）\n🔴 <b>#11</b> 胸痛中心 2023-10-31 逾期 3 个工作日\n🟢 <b>#2</b> 血吸虫病"
    assert split_html(text) == [text]


def test_a_long_list_is_cut_between_lines_into_parts_within_the_limit() -> None:
    lines = [f"🔵 <b>#{n}</b> 批量任务{n} &amp; 其他 2023-12-31 剩 {n % 40} 个工作日" for n in range(1, 400)]
    text = "\n".join(lines)
    parts = split_html(text)
    assert len(parts) > 1
    assert all(len(part) <= TEXT_LIMIT for part in parts)
    assert [line for part in parts for line in part.split("\n")] == lines  # every line whole, in order
    for part in parts:
        _plain(part)
    # Parts are packed: each but the last could not take the next line.
    for part, following in zip(parts, parts[1:]):
        assert len(part) + 1 + len(following.split("\n")[0]) > TEXT_LIMIT


@pytest.mark.parametrize(
    ("line", "limit"),
    [
        ("<b>" + "长" * 50 + "</b>", 20),  # cut inside a bold run: closed and reopened
        ("前言<b>粗<i>" + "斜" * 40 + "</i>体</b>后记", 25),  # nested tags
        ("&amp;" * 30, 12),  # never inside an entity
        ('<a href="https://t.me/duban_test_bot?start=abc">' + "链" * 30 + "</a>", 70),  # long opening tag
        ("x" * 10_000, TEXT_LIMIT),
        ("&lt;b&gt;" + "字" * 5000, TEXT_LIMIT),
    ],
)
def test_a_single_over_long_line_is_cut_hard_with_tags_balanced(line: str, limit: int) -> None:
    parts = split_html(line, limit)
    assert len(parts) > 1
    assert all(len(part) <= limit for part in parts)
    assert "".join(_plain(part) for part in parts) == _plain(line)


def test_blank_parts_are_dropped() -> None:
    assert split_html("") == []
    assert split_html("\n\n  \n") == []
    assert split_html("a\n\n\nb") == ["a\n\n\nb"]


def test_a_reply_whose_lines_exactly_fill_the_limit_stays_whole() -> None:
    text = "a" * 2000 + "\n" + "b" * 2095
    assert len(text) == TEXT_LIMIT
    assert split_html(text) == [text]
    assert split_html(text + "c") == ["a" * 2000, "b" * 2095 + "c"]


_WORD = st.text(alphabet=st.sampled_from(list("ab 中文&<>\"'")), min_size=1, max_size=12).map(html.escape)
_RUN = st.tuples(st.sampled_from(["", "b", "i", "code"]), _WORD).map(
    lambda pair: f"<{pair[0]}>{pair[1]}</{pair[0]}>" if pair[0] else pair[1]
)
_LINE = st.lists(_RUN, min_size=0, max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(_LINE, min_size=1, max_size=20), limit=st.integers(min_value=24, max_value=120))
def test_any_self_contained_lines_split_into_valid_parts_that_keep_the_text(lines: list[str], limit: int) -> None:
    text = "\n".join(lines)
    parts = split_html(text, limit)
    assert all(len(part) <= limit for part in parts)
    visible = "".join(_plain(part) for part in parts)
    assert re.sub(r"\s", "", visible) == re.sub(r"\s", "", _plain(text))
    short_lines = [line for line in lines if len(line) <= limit and plain_text(line).strip()]
    joined = "\n".join(parts)
    for line in short_lines:  # lines that fit are never cut
        assert line in joined.split("\n")


# ---- keyboards, toasts, menu -------------------------------------------------------------------------------


def test_keyboard_keeps_rows_and_drops_buttons_telegram_would_refuse(caplog: pytest.LogCaptureFixture) -> None:
    rows = [
        [Button("签收", "ack:42"), Button("办结", "dn:42")],
        [Button("x", "d" * (CALLBACK_DATA_LIMIT + 1)), Button("  ", "no")],
        [Button("确认导入", "io:" + "汉" * 20)],  # 63 bytes: fits
    ]
    markup = keyboard(rows)
    assert markup is not None
    got = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert got == [[("签收", "ack:42"), ("办结", "dn:42")], [("确认导入", "io:" + "汉" * 20)]]
    assert "dropped a button" in caplog.text
    assert keyboard([]) is None
    assert keyboard([[Button("", "x")]]) is None


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("已签收 <b>#11</b>", "已签收 #11"),
        ("A &amp; B &lt;b&gt;", "A & B <b>"),
        ("第一行\n第二行", "第一行 第二行"),
        ("长" * 300, "长" * 199 + "…"),
    ],
)
def test_toast_is_plain_text_within_200_characters(markup: str, expected: str) -> None:
    assert toast_text(markup) == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_command_menu_is_valid_for_set_my_commands_and_routed(lang: str) -> None:
    from handlers.router import commands

    menu = bot_commands(lang)
    assert [c.command for c in menu] == list(MENU_COMMANDS)
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", c.command) for c in menu)
    assert all(1 <= len(c.description) <= 256 for c in menu)
    assert set(MENU_COMMANDS) <= set(commands())  # every menu entry reaches a handler
    assert len({c.description for c in menu}) == len(menu)


def test_every_menu_entry_has_its_own_description_in_each_language() -> None:
    from bot.texts.en.telegram import MESSAGES as EN
    from bot.texts.zh.telegram import MESSAGES as ZH

    keys = {f"telegram.cmd_{name}" for name in MENU_COMMANDS}
    assert set(ZH) == set(EN) == keys
    assert all(ZH[key] != EN[key] for key in keys)


# ---- redaction ---------------------------------------------------------------------------------------------


def _capture() -> tuple[logging.Logger, io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    logger = logging.getLogger(f"test.redact.{id(stream)}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return logger, stream, handler


@pytest.mark.parametrize(
    "emit",
    [
        lambda log: log.info("POST https://api.telegram.org/bot%s/getUpdates", TOKEN),
        lambda log: log.info(f"GET http://127.0.0.1/file/bot{TOKEN}/documents/file_1.xlsx"),
        lambda log: log.warning("url %s", TOKEN.replace(":", "%3A")),
        lambda log: log.error("secret half %r", TOKEN.split(":")[1]),
        lambda log: log.debug("%(url)s", {"url": "bot" + TOKEN}),
    ],
)
def test_the_token_never_reaches_the_log(emit) -> None:  # type: ignore[no-untyped-def]
    logger, stream, handler = _capture()
    install_redactor([TOKEN], [handler])
    emit(logger)
    out = stream.getvalue()
    assert MASK in out
    assert TOKEN.split(":")[1] not in out
    assert "AAF-fake" not in out


def test_the_token_is_masked_in_tracebacks_too() -> None:
    logger, stream, handler = _capture()
    install_redactor([TOKEN], [handler])
    try:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
    except ConnectionError:
        logger.exception("network trouble")
    out = stream.getvalue()
    assert "Traceback" in out and "ConnectionError" in out and MASK in out
    assert TOKEN.split(":")[1] not in out


def test_redaction_without_the_token_present_leaves_records_alone_and_installs_once() -> None:
    logger, stream, handler = _capture()
    install_redactor([TOKEN, None], [handler])
    install_redactor([TOKEN], [handler])
    assert sum(isinstance(f, TokenRedactor) for f in handler.filters) == 1
    logger.info("plain %s line %d", "text", 3)
    assert stream.getvalue() == f"{logger.name} plain text line 3\n"


def test_install_redactor_defaults_to_the_root_handlers() -> None:
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    try:
        install_redactor(["http://user:pa55w0rd-proxy-secret@proxy:8080"])
        logging.getLogger("httpx").warning("proxy http://user:pa55w0rd-proxy-secret@proxy:8080 refused")
    finally:
        root.removeHandler(handler)
    assert "pa55w0rd" not in stream.getvalue() and MASK in stream.getvalue()
