"""``绑定 CODE`` binds like ``/start CODE`` on every channel; words that merely start with 绑定/bind are not codes."""

from __future__ import annotations

import re

import pytest

from handlers.router import Route, route_text
from tests.conversation.conftest import ADMIN, Talk


@pytest.mark.parametrize("who", ["console:newcomer", "telegram:6060", "wecom:newcomer"])
async def test_the_binding_phrase_binds_on_every_channel(talk: Talk, who: str) -> None:
    made = await talk.text(ADMIN, "/invite 李康民")
    code = re.search(r"<code>([^<]+)</code>", made).group(1)  # type: ignore[union-attr]
    assert "绑定成功：你是 李康民" in await talk.text(who, f"绑定 {code}")
    assert "李康民" in await talk.text(who, "/whoami")


def test_the_binding_phrase_routes_to_start() -> None:
    assert route_text("绑定 tKN0My96sE_y") == Route("start", "tKN0My96sE_y")
    assert route_text("绑定tKN0My96sE_y") == Route("start", "tKN0My96sE_y")
    assert route_text("bind tKN0My96sE_y") == Route("start", "tKN0My96sE_y")
    assert route_text("bindings") is None and route_text("绑定") is None
    assert route_text("绑定 这个账号") is None  # not a code
