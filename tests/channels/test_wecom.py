"""The WeCom channel against the official crypto samples and a faithful fake WeCom, end to end over HTTP.

The callback runs under uvicorn on 127.0.0.1 in the test's loop; the fake WeCom plays both sides WeCom
plays: it calls the callback with encrypted member messages and receives the app's and robot's messages.
Times: NOW is Friday 2023-10-27 09:00 in Asia/Shanghai; the real 2023 table is imported where storage matters.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.channels.wecom import Delivery, Limits, WeComNotifier, build_wecom_app, build_wecom_notifier
from bot.http import serve as serve_http
from bot.channels.wecom.api import WeComApi, WeComConfigError
from bot.channels.wecom.crypto import WeComCrypto, WeComCryptoError, pad, signature, unpad
from bot.channels.wecom.messages import BadMessage, parse_message
from bot.channels.wecom.render import choices, plain_text, split_utf8, to_markdown, truncate_utf8
from bot.channels.wecom.robot import WeComRobot
from bot.core import Core
from bot.db.models import Person, Task, TaskEvent, TaskTable
from bot.services.accounts import bind
from config import Settings
from config.settings import WeComSettings
from bot.contracts import Button, OutFile, Reply, Request
from bot.contracts import Rejected, RetryLater, Target, Transient, Unreachable
from tests.fakes.wecom_api import FakeWeCom, WeComPlayer

NOW = datetime(2023, 10, 27, 1, 0, tzinfo=timezone.utc)  # 09:00 in Asia/Shanghai
WANG = "wangwj"  # WeCom userid bound to 王卫健, lead leader of #11
ADMIN = "admin1"  # WeCom userid listed in DUBAN_ADMINS

# The official sample values (WXBizMsgCrypt, as in wechatpy's tests).
TOKEN = "123456"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
CORP_ID = "wx49f0ab532d5d035a"


# ---- fixtures ----------------------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeWeCom]:
    """A running fake WeCom with Duban's members."""
    async with FakeWeCom(users=("zhangsan", "lisi", WANG, ADMIN)) as server:
        yield server


@pytest.fixture
def settings(fake: FakeWeCom) -> Settings:
    """Settings pointing the WeCom channel at the fake (overrides the shared fixture)."""
    wecom = WeComSettings(
        base_url=fake.base_url, corp_id=fake.corp_id, agent_id=fake.agent_id, secret=fake.secret,
        token=fake.token, encoding_aes_key=fake.encoding_aes_key, robot_key=fake.robot_key,
    )
    return Settings(_env_file=None, admins=["console:admin", f"wecom:{ADMIN}"], wecom=wecom)  # type: ignore[call-arg]


Handle = Callable[[Core, Request], Awaitable[list[Reply]]]


class Server:
    """The callback app served by uvicorn; ``url`` and the app's inbox."""

    def __init__(self, url: str, app: object) -> None:
        self.url = url
        self.app = app

    @property
    def inbox(self):  # type: ignore[no-untyped-def]
        return self.app.state.inbox  # type: ignore[attr-defined]


@pytest_asyncio.fixture
async def serve(core: Core) -> AsyncIterator[Callable[..., Awaitable[Server]]]:
    """Start the callback under uvicorn on a free port with a given ``handle`` (stopped after the test)."""
    stops: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    async def start(handle: Handle, *, delivery: Delivery | None = None) -> Server:
        app = build_wecom_app(core, handle, clock=lambda: NOW, delivery=delivery)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        stop, ready = asyncio.Event(), asyncio.Event()
        task = asyncio.get_running_loop().create_task(
            serve_http(app, host="127.0.0.1", port=0, stop=stop, sock=sock, ready=ready))
        await asyncio.wait_for(ready.wait(), 5)
        stops.append((stop, task))
        return Server(f"http://127.0.0.1:{sock.getsockname()[1]}/wecom/callback", app)

    yield start
    for stop, task in stops:
        stop.set()
        await asyncio.wait_for(task, 10)


class Recorder:
    """A tiny local conversation: echoes each text and records every request it got."""

    def __init__(self, delay: float = 0.0) -> None:
        self.requests: list[Request] = []
        self.delay = delay

    async def __call__(self, core: Core, request: Request) -> list[Reply]:
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        return [Reply(f"收到 <b>{request.text or request.callback}</b>")]


async def load_2023(core: Core, fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    """Import the real 2023 table and bind WANG's WeCom account to 王卫健."""
    from bot.services.imports import apply_import, prepare_import

    data = (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()
    async with core.db.session() as session:
        preview = await prepare_import(session, data, "yuanjiang-2023-tasks.xlsx", now=NOW - timedelta(days=30))
        await apply_import(session, preview, now=NOW - timedelta(days=30), actor="console:admin")
    async with core.db.session() as session:
        person = await session.scalar(select(Person).where(Person.name == "王卫健"))
        assert person is not None
        await bind(session, "wecom", WANG, person, now=NOW)


def delivery_for(core: Core, fake: FakeWeCom, limits: Limits | None = None) -> Delivery:
    """A Delivery on the fake with explicit limits (tests shrink the windows to keep fast)."""
    api = WeComApi(base_url=fake.base_url, corp_id=fake.corp_id, secret=fake.secret, agent_id=fake.agent_id)
    robot = WeComRobot(base_url=fake.base_url, key=fake.robot_key)
    return Delivery(core, api, robot, limits=limits)


# ---- crypto ------------------------------------------------------------------------------------------------


def test_signature_and_url_check_match_the_official_sample() -> None:
    echostr = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
    assert signature(TOKEN, "1411443780", "437374425", echostr) == "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    assert crypto.verify_url("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", "1411443780", "437374425", echostr) \
        == "5927782489442352469"
    with pytest.raises(WeComCryptoError):  # the sample's "should fail" case: another nonce
        crypto.verify_url("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", "1411443780", "437374424", echostr)


def test_encryption_with_a_fixed_prefix_reproduces_the_official_ciphertext() -> None:
    reply = ("<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
             "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n"
             "<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>")
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    encrypted = crypto.encrypt(reply, random=b"1234567890123456")
    assert encrypted.startswith("9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk")
    assert encrypted.endswith("FxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3")
    assert crypto.sign("1411525903", "461056294", encrypted) == "407518b7649e86ef23978113f92d27afa9296533"
    assert crypto.decrypt(encrypted) == reply


def test_the_official_encrypted_message_decrypts_to_a_text_from_messense() -> None:
    encrypt = ("RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGy"
               "mzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4h"
               "IiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWY"
               "EvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=")
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    message = parse_message(crypto.open("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294", encrypt))
    assert (message.msg_type, message.user_id, message.content, message.msg_id, message.agent_id) == \
        ("text", "messense", "test", "4363689963896700987", "1")
    with pytest.raises(WeComCryptoError):  # the same ciphertext is not for another corp
        WeComCrypto(TOKEN, AES_KEY, "ww-another-corp").decrypt(encrypt)


@pytest.mark.parametrize("text", ["", "a", "x" * 11, "x" * 12, "x" * 13, "我的任务", "#11", "进度 11 50% 已完成" * 40])
def test_round_trip_across_padding_boundaries(text: str) -> None:
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    encrypted = crypto.encrypt(text)
    assert crypto.decrypt(encrypted) == text
    assert crypto.open(crypto.sign("1", "2", encrypted), "1", "2", encrypted) == text


@pytest.mark.parametrize("data", [b"", b"abc\x00", b"abc\x21", b"a" * 29 + b"\x02\x03\x03", b"\x05" * 4])
def test_malformed_padding_is_refused(data: bytes) -> None:
    with pytest.raises(WeComCryptoError):
        unpad(data)


def test_padding_always_fills_to_32_bytes() -> None:
    assert [len(pad(b"x" * n)) for n in (0, 1, 31, 32, 33)] == [32, 32, 32, 64, 64]
    assert all(unpad(pad(b"x" * n)) == b"x" * n for n in range(70))


@pytest.mark.parametrize("tamper", ["not base64 !", "QUJD", "A" * 44, "flip"])
def test_tampered_ciphertext_is_refused_without_leaking(tamper: str) -> None:
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    good = crypto.encrypt("<xml><Content>secret words</Content></xml>", random=b"0123456789abcdef")
    # CBC without a MAC is malleable (the signature guards integrity); a flip in the last block spoils the
    # padding and the receive id, which decryption checks.
    bad = good[:-8] + ("B" if good[-8] == "A" else "A") + good[-7:] if tamper == "flip" else tamper
    with pytest.raises(WeComCryptoError) as raised:
        crypto.decrypt(bad)
    assert "secret" not in str(raised.value) and AES_KEY not in str(raised.value)


@pytest.mark.parametrize("key", ["short", AES_KEY + "A", "!" * 43])
def test_bad_encoding_aes_keys_are_refused(key: str) -> None:
    with pytest.raises(WeComCryptoError):
        WeComCrypto(TOKEN, key, CORP_ID)


@pytest.mark.parametrize("xml", [
    '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><xml><FromUserName>&b;</FromUserName>'
    "<MsgType>text</MsgType></xml>",
    '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://example.com/evil.dtd"><xml><MsgType>text</MsgType></xml>',
    "<xml><FromUserName>u</FromUserName>",
    "<notxml><FromUserName>u</FromUserName><MsgType>text</MsgType></notxml>",
    "<xml><MsgType>text</MsgType></xml>",
])
def test_unsafe_or_foreign_xml_is_refused(xml: str) -> None:
    with pytest.raises(BadMessage):
        parse_message(xml)


def test_a_file_message_carries_its_media_id_and_name() -> None:
    xml = ("<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>"
           "<CreateTime>1698368400</CreateTime><MsgType><![CDATA[file]]></MsgType><MediaId><![CDATA[M1]]></MediaId>"
           "<FileName><![CDATA[任务表.xlsx]]></FileName><MsgId>42</MsgId><AgentID>1000002</AgentID></xml>")
    message = parse_message(xml)
    assert (message.msg_type, message.media_id, message.file_name, message.dedup_key) == \
        ("file", "M1", "任务表.xlsx", "msg:42")


# ---- rendering ---------------------------------------------------------------------------------------------


def test_safe_markup_becomes_plain_text_and_inert_markdown() -> None:
    markup = '<b>#11 方案</b> &lt;@all&gt; *重点* <i>斜体</i> <code>签收 11</code> <a href="https://x.cn/a(1)">文件</a>'
    assert plain_text(markup) == "#11 方案 <@all> *重点* 斜体 签收 11 文件 (https://x.cn/a(1))"
    assert to_markdown(markup) == "**#11 方案** ＜@all＞ ＊重点＊ 斜体 `签收 11` [文件](https://x.cn/a%281%29)"
    assert to_markdown("# 不是标题\n> 不是引用") == "＃ 不是标题\n＞ 不是引用"


def test_buttons_become_commands_the_router_understands() -> None:
    from handlers.router import route_text

    rows = [[Button("签收", "ack:42"), Button("更新进度", "pr:42")], [Button("办结", "dn:42"), Button("申请延期", "ex:42")],
            [Button("批准延期 #7", "xa:7"), Button("查看任务", "t:43"), Button("取消", "no"), Button("明天再提醒", "sz:42")],
            [Button("◀", "pg:my:0"), Button("2/3", "pg:my:1"), Button("▶", "pg:my:2")]]
    items = choices(rows, {42: "11", 43: "3/5"}, "zh")
    commands = {c.label: c.command for c in items}
    assert commands == {"签收": "签收 11", "更新进度": "进度 11", "办结": "办结 11", "申请延期": "延期 11",
                        "批准延期 #7": "/approve 7", "查看任务": "#3/5", "明天再提醒": "明天再提醒 11", "上一页": None,
                        "下一页": None}
    assert [(c.label, c.number, c.data) for c in items if c.number] == [("上一页", 1, "pg:my:0"), ("下一页", 2, "pg:my:2")]
    routed = {c.label: route_text(c.command) for c in items if c.command}
    assert {label: (r.name, r.args.split()[0]) for label, r in routed.items() if r} == {
        "签收": ("ack", "11"), "更新进度": ("progress_ask", "11"), "办结": ("done", "11"), "申请延期": ("extend_ask", "11"),
        "批准延期 #7": ("approve", "7"), "查看任务": ("task", "3/5"), "明天再提醒": ("snooze", "11"),
    }


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("abc", 3, "abc"), ("abcd", 3, "abc"), ("任务", 3, "任"), ("任务", 5, "任"), ("任务", 6, "任务"), ("a任", 2, "a"),
])
def test_truncation_never_splits_a_character(text: str, limit: int, expected: str) -> None:
    assert truncate_utf8(text, limit) == expected


def test_long_texts_split_between_lines_within_the_byte_limit() -> None:
    lines = [f"🔴 #{n} 推进紧密型县域医共体建设 剩 3 个工作日" for n in range(200)] + ["长" * 1000]
    parts = split_utf8("\n".join(lines), 2048)
    assert all(len(p.encode("utf-8")) <= 2048 for p in parts)
    assert "\n".join(parts[:-1]).split("\n") == lines[:-1]
    assert parts[-1].endswith("…")


# ---- the callback URL --------------------------------------------------------------------------------------


async def test_url_check_answers_the_plaintext_only_with_a_good_signature(fake: FakeWeCom, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)
    player = fake.player(server.url)
    assert await player.verify_url("5927782489442352469") == (200, "5927782489442352469")
    # An unescaped "+" in echostr arrives as a space; the check still succeeds.
    assert await player.verify_url("1616140317555161061", encode_plus=False) == (200, "1616140317555161061")
    status, body = await player.verify_url("5927782489442352469", tamper=True)
    assert status == 403 and "5927782489442352469" not in body
    assert recorder.requests == []


async def test_a_badly_signed_post_is_refused_and_nothing_is_handled(fake: FakeWeCom, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)
    deliveries = await fake.player(server.url).send_text("zhangsan", "我的任务", tamper=True)
    assert [d.status for d in deliveries] == [403, 403, 403]  # WeCom retries a refusal, up to three times
    await server.inbox.drain()
    assert recorder.requests == [] and fake.delivered == []


async def test_a_post_under_another_corps_key_is_refused(fake: FakeWeCom, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)
    stranger = WeComPlayer(server.url, crypto=WeComCrypto("someone-else", fake.encoding_aes_key, fake.corp_id),
                           corp_id=fake.corp_id, agent_id=fake.agent_id)
    assert [d.status for d in await stranger.send_text("zhangsan", "我的任务")] == [403, 403, 403]
    await server.inbox.drain()
    assert recorder.requests == []


async def test_a_notices_numbered_choice_is_pressed_through_the_callback(core: Core, fake: FakeWeCom, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)  # the app and the notifier share one Delivery for this core
    notifier = build_wecom_notifier(core, clock=lambda: NOW)
    assert server.inbox.delivery is notifier.delivery
    await notifier.send(Target("wecom", "lisi"), "逾期任务 12 项", [[Button("▶", "pg:od:1")]])
    assert fake.texts_to("lisi")[-1].endswith("▸ 下一页：回复 1")
    await fake.player(server.url).send_text("lisi", "1")
    await server.inbox.drain()
    assert [r.callback for r in recorder.requests] == ["pg:od:1"]


async def test_answer_is_immediate_and_work_happens_after(fake: FakeWeCom, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder(delay=1.0)  # slower than the player's patience below
    server = await serve(recorder)
    player = fake.player(server.url, retry_after=0.5)
    deliveries = await player.send_text("zhangsan", "我的任务")
    assert [d.status for d in deliveries] == [200] and deliveries[0].seconds < 0.5
    assert deliveries[0].body == b""  # an empty 200: no passive reply
    await server.inbox.drain()
    assert [r.text for r in recorder.requests] == ["我的任务"]
    assert fake.texts_to("zhangsan") == ["收到 我的任务"]


async def test_a_retried_delivery_is_handled_once(fake: FakeWeCom, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)
    player = fake.player(server.url)
    deliveries = await player.send_text("zhangsan", "#11", msg_id="1234567890123456", deliveries=3)
    assert [d.status for d in deliveries] == [200, 200, 200]
    await player.send_text("zhangsan", "#12", msg_id="1234567890123457")
    await server.inbox.drain()
    assert [r.text for r in recorder.requests] == ["#11", "#12"]
    assert server.inbox.duplicates == 2
    assert fake.texts_to("zhangsan") == ["收到 #11", "收到 #12"]


async def test_requests_are_private_wecom_chats_at_the_clock(fake: FakeWeCom, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)
    await fake.player(server.url).send_text("lisi", "  帮助 ")
    await server.inbox.drain()
    (request,) = recorder.requests
    assert (request.sender.key, request.chat.kind, request.chat.id, request.now, request.text) == \
        ("wecom:lisi", "private", "lisi", NOW, "帮助")


# ---- end to end with the real conversation -----------------------------------------------------------------


async def test_my_tasks_and_task_detail_end_to_end(core: Core, fake: FakeWeCom, serve, fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    from handlers.app import handle

    await load_2023(core, fixtures_dir)
    server = await serve(handle)
    player = fake.player(server.url)
    await player.send_text(WANG, "我的任务")
    await server.inbox.drain()
    listing = fake.texts_to(WANG)[-1]
    assert "第 1/2 页" in listing and "#11" in listing and "<b>" not in listing and "&lt;" not in listing
    assert listing.endswith("可回复：\n▸ 下一页：回复 1")

    await player.send_text(WANG, "1")  # the ▶ button, pressed by number
    await server.inbox.drain()
    assert "第 2/2 页" in fake.texts_to(WANG)[-1]

    await player.send_text(WANG, "#11")
    await server.inbox.drain()
    detail = fake.texts_to(WANG)[-1]
    assert "#11" in detail and "回复 签收 11" in detail and "回复 办结 11" in detail

    await player.send_text(WANG, "签收 11")  # exactly what the hint says
    await server.inbox.drain()
    assert "已签收 #11" in fake.texts_to(WANG)[-1]
    async with core.db.session() as session:
        events = list(await session.scalars(select(TaskEvent).where(TaskEvent.kind == "ack")))
    assert [(e.actor, e.channel) for e in events] == [(f"wecom:{WANG}", "wecom")]
    assert all(m.msgtype in ("text", "template_card") and not m.oversize for m in fake.delivered)


async def test_an_unbound_member_is_told_how_to_bind(core: Core, fake: FakeWeCom, serve) -> None:  # type: ignore[no-untyped-def]
    from handlers.app import handle

    server = await serve(handle)
    await fake.player(server.url).send_text("zhangsan", "我的任务")
    await server.inbox.drain()
    (answer,) = fake.texts_to("zhangsan")
    assert answer.strip() and "<" not in answer


async def test_numbered_choices_press_the_remembered_button(fake: FakeWeCom, serve) -> None:  # type: ignore[no-untyped-def]
    seen: list[Request] = []

    async def pager(core: Core, request: Request) -> list[Reply]:
        seen.append(request)
        return [Reply(f"第 {len(seen)} 页", buttons=[[Button("下一页", "pg:my:2"), Button("取消", "no")]])]

    server = await serve(pager)
    player = fake.player(server.url)
    await player.send_text("zhangsan", "我的任务")
    await server.inbox.drain()
    assert fake.texts_to("zhangsan")[-1].endswith("▸ 下一页：回复 1")
    await player.send_text("zhangsan", "1")
    await player.send_text("zhangsan", "7")
    await server.inbox.drain()
    assert [(r.text, r.callback) for r in seen] == [("我的任务", None), ("", "pg:my:2")]
    assert "没有编号为 7 的选项" in fake.texts_to("zhangsan")[-1]


async def test_import_by_file_then_command_end_to_end(core: Core, fake: FakeWeCom, serve, fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    from handlers.app import handle

    server = await serve(handle)
    player = fake.player(server.url)
    data = (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()
    media_id = fake.add_media(data, "沅江2023任务表.xlsx",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    await player.send_file(ADMIN, media_id, "沅江2023任务表.xlsx")
    await server.inbox.drain()
    # An admin's file is previewed at once (a WeCom file has no caption to say /import) …
    assert any("/import_confirm" in text for text in fake.texts_to(ADMIN))

    await player.send_text(ADMIN, "/import")  # … and kept, so "/import 2023" can preview it again
    await server.inbox.drain()
    preview = fake.texts_to(ADMIN)[-1]
    confirm = next(line for line in preview.split("\n") if "/import_confirm" in line)
    command = confirm.split("回复 ", 1)[1]
    await player.send_text(ADMIN, command)
    await server.inbox.drain()
    async with core.db.session() as session:
        tables = list(await session.scalars(select(TaskTable)))
        count = len(list(await session.scalars(select(Task))))
    assert len(tables) == 1 and count == 45

    await player.send_text(ADMIN, "/import")  # the file was used up
    await server.inbox.drain()
    assert "没有可导入的文件" in fake.texts_to(ADMIN)[-1]


# ---- the app API -------------------------------------------------------------------------------------------


async def test_an_expired_token_is_fetched_again_and_the_send_retried(fake: FakeWeCom) -> None:
    api = WeComApi(base_url=fake.base_url, corp_id=fake.corp_id, secret=fake.secret, agent_id=fake.agent_id)
    try:
        await api.send_text("zhangsan", "一")
        await api.send_text("zhangsan", "二")
        assert fake.token_fetches == 1  # cached
        fake.expire_tokens()
        await api.send_text("zhangsan", "三")
        assert fake.token_fetches == 2
        assert ("/cgi-bin/message/send", 42001) in fake.calls
        assert fake.texts_to("zhangsan") == ["一", "二", "三"]
    finally:
        await api.aclose()


async def test_a_token_close_to_expiry_is_refreshed_before_use(fake: FakeWeCom) -> None:
    fake.expires_in = 100
    clock = [1000.0]
    api = WeComApi(base_url=fake.base_url, corp_id=fake.corp_id, secret=fake.secret, agent_id=fake.agent_id,
                   refresh_margin=30, monotonic=lambda: clock[0])
    try:
        await api.send_text("zhangsan", "一")
        clock[0] += 69
        await api.send_text("zhangsan", "二")
        clock[0] += 2  # 71 s: within 30 s of expiry
        await api.send_text("zhangsan", "三")
        assert fake.token_fetches == 2
        assert not any(code in (40014, 42001) for _, code in fake.calls)
    finally:
        await api.aclose()


@pytest.mark.parametrize(("errcode", "raised"), [
    (45009, RetryLater), (-1, Transient), (44004, Rejected), (60020, WeComConfigError), (12345, Transient),
])
async def test_errcodes_become_neutral_delivery_errors(fake: FakeWeCom, errcode: int, raised: type) -> None:
    api = WeComApi(base_url=fake.base_url, corp_id=fake.corp_id, secret=fake.secret, agent_id=fake.agent_id)
    try:
        fake.fail_next("/cgi-bin/message/send", errcode)
        with pytest.raises(raised) as error:
            await api.send_text("zhangsan", "你好")
        if errcode == 45009:
            assert error.value.seconds == 60
        await api.send_text("zhangsan", "再试一次")
        assert fake.texts_to("zhangsan") == ["再试一次"]
    finally:
        await api.aclose()


async def test_every_recipient_invalid_is_unreachable_and_a_bad_secret_a_config_error(fake: FakeWeCom) -> None:
    api = WeComApi(base_url=fake.base_url, corp_id=fake.corp_id, secret=fake.secret, agent_id=fake.agent_id)
    bad = WeComApi(base_url=fake.base_url, corp_id=fake.corp_id, secret="wrong-secret", agent_id=fake.agent_id)
    try:
        with pytest.raises(Unreachable):
            await api.send_text("nobody", "你好")
        with pytest.raises(WeComConfigError) as error:
            await bad.send_text("zhangsan", "你好")
        assert "wrong-secret" not in str(error.value)
    finally:
        await api.aclose()
        await bad.aclose()


async def test_long_text_is_cut_to_2048_bytes_on_a_character_boundary(fake: FakeWeCom) -> None:
    api = WeComApi(base_url=fake.base_url, corp_id=fake.corp_id, secret=fake.secret, agent_id=fake.agent_id)
    try:
        await api.send_text("zhangsan", "任" * 1000)  # 3000 bytes
        (message,) = fake.messages_to("zhangsan")
        assert not message.oversize and message.content == "任" * 682
    finally:
        await api.aclose()


async def test_media_get_returns_the_file_and_its_name(fake: FakeWeCom) -> None:
    api = WeComApi(base_url=fake.base_url, corp_id=fake.corp_id, secret=fake.secret, agent_id=fake.agent_id)
    try:
        media_id = fake.add_media(b"a,b\n1,2\n", "任务表.csv", "text/csv")
        media = await api.get_media(media_id)
        assert (media.name, media.mime, media.data) == ("任务表.csv", "text/csv", b"a,b\n1,2\n")
        with pytest.raises(Rejected):
            await api.get_media("no-such-media")
    finally:
        await api.aclose()


async def test_a_reply_with_a_file_is_uploaded_and_sent(core: Core, fake: FakeWeCom) -> None:
    delivery = delivery_for(core, fake)
    try:
        reply = Reply("导出完成", file=OutFile("ledger.xlsx", b"PK\x03\x04 fake xlsx", "application/octet-stream"))
        await delivery.replies_to_user("zhangsan", [reply], now=NOW)
        text, file = fake.messages_to("zhangsan")
        assert (text.msgtype, text.content, file.msgtype) == ("text", "导出完成", "file")
        assert fake.media[file.content].data == b"PK\x03\x04 fake xlsx"
    finally:
        await delivery.aclose()


# ---- the group robot ---------------------------------------------------------------------------------------


async def test_robot_digest_goes_out_as_markdown_with_commands(core: Core, fake: FakeWeCom) -> None:
    delivery = delivery_for(core, fake)
    try:
        digest = "<b>今日督办</b>\n🔴 #11 推进&lt;医共体&gt;建设 逾期 3 个工作日\n🟡 #12 公立医院改革 剩 2 个工作日"
        await WeComNotifier(delivery).send(Target("wecom", "robot", "group"), digest, [[Button("查看任务", "t:999")]])
        (message,) = fake.robot_messages
        assert message.msgtype == "markdown" and not message.oversize
        assert message.content.startswith("**今日督办**\n🔴 #11 推进＜医共体＞建设")
        assert "▸ 查看任务：回复 `#@999`" in message.content  # an unknown task falls back to its id
    finally:
        await delivery.aclose()


async def test_robot_text_mentions_files_and_errors(fake: FakeWeCom) -> None:
    robot = WeComRobot(base_url=fake.base_url, key=fake.robot_key)
    wrong = WeComRobot(base_url=fake.base_url, key="not-the-key")
    try:
        await robot.send_text("请各股室及时填报进度", mentioned_list=["zhangsan", "@all"])
        await robot.send_markdown("**周报**", mentions=["lisi"])
        media_id = await robot.upload_media("stats.csv", b"a,b\n1,2\n", "text/csv")
        await robot.send_file(media_id)
        text, markdown, file = fake.robot_messages
        assert (text.msgtype, text.mentioned_list) == ("text", ["zhangsan", "@all"])
        assert markdown.content == "**周报**\n<@lisi>"
        assert file.msgtype == "file" and fake.media[file.content].data == b"a,b\n1,2\n"
        with pytest.raises(Unreachable):
            await wrong.send_text("你好")
        await robot.send_markdown("长" * 2000)  # 6000 bytes
        assert not fake.robot_messages[-1].oversize
    finally:
        await robot.aclose()
        await wrong.aclose()


async def test_robot_over_its_cap_is_refused_with_45009_and_the_notifier_stays_within(core: Core) -> None:
    async with FakeWeCom(robot_cap=20, robot_window=1.0) as fake:
        robot = WeComRobot(base_url=fake.base_url, key=fake.robot_key)
        try:
            with pytest.raises(RetryLater):
                for n in range(21):
                    await robot.send_text(f"第 {n} 条")
            assert len(fake.robot_messages) == 20 and fake.robot_refused == 1
        finally:
            await robot.aclose()
        await asyncio.sleep(1.05)
        fake.robot_messages.clear()
        delivery = delivery_for(core, fake, Limits(robot=20, robot_window=1.0))
        try:
            notifier = WeComNotifier(delivery)
            for n in range(25):
                await notifier.send(Target("wecom", "robot", "group"), f"第 {n} 条", [])
            assert len(fake.robot_messages) == 25 and fake.robot_refused == 1
        finally:
            await delivery.aclose()


# ---- the notifier's limits ---------------------------------------------------------------------------------


async def test_35_notices_to_one_member_all_arrive_none_dropped(core: Core) -> None:
    # The fake keeps WeCom's cap of 30 per window, scaled from a minute to a second to keep the test fast.
    async with FakeWeCom(users=["zhangsan"], per_user_cap=30, per_user_window=1.0) as fake:
        delivery = delivery_for(core, fake, Limits(per_user=30, per_user_window=1.0))
        try:
            notifier = WeComNotifier(delivery)
            started = time.monotonic()
            for n in range(35):
                await notifier.send(Target("wecom", "zhangsan"), f"提醒 {n}", [])
            assert fake.dropped == []
            assert fake.texts_to("zhangsan") == [f"提醒 {n}" for n in range(35)]
            assert time.monotonic() - started < 5
        finally:
            await delivery.aclose()


async def test_without_the_limiter_the_fake_drops_the_excess_silently(core: Core) -> None:
    async with FakeWeCom(users=["zhangsan"], per_user_cap=30, per_user_window=60.0) as fake:
        api = WeComApi(base_url=fake.base_url, corp_id=fake.corp_id, secret=fake.secret, agent_id=fake.agent_id)
        try:
            for n in range(35):
                await api.send_text("zhangsan", f"提醒 {n}")  # no error: WeCom says nothing
            assert len(fake.texts_to("zhangsan")) == 30 and len(fake.dropped) == 5
        finally:
            await api.aclose()


async def test_notices_to_unknown_members_are_unreachable_and_notices_carry_commands(core: Core, fake: FakeWeCom,
                                                                                    fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    await load_2023(core, fixtures_dir)
    async with core.db.session() as session:
        task_id = await session.scalar(select(Task.id).where(Task.no == "11"))
    notifier = build_wecom_notifier(core, clock=lambda: NOW)
    assert build_wecom_notifier(core).delivery is notifier.delivery  # one shared limiter and token per core
    try:
        with pytest.raises(Unreachable):
            await notifier.send(Target("wecom", "left-the-bureau"), "提醒", [])
        await notifier.send(Target("wecom", WANG), "<b>#11</b> 将于 2023-10-31 到期",
                            [[Button("签收 #11", f"ack:{task_id}"), Button("明天再提醒", f"snooze:{task_id}"),
                              Button("已办结", f"done:{task_id}")]])
        (text,) = fake.texts_to(WANG)
        assert text == ("#11 将于 2023-10-31 到期\n\n可回复：\n▸ 签收 #11：回复 签收 11\n▸ 明天再提醒：回复 明天再提醒 11\n"
                        "▸ 已办结：回复 办结 11")
        assert await notifier.start_link() is None
        with pytest.raises(Rejected):
            await notifier.send(Target("telegram", "1"), "x", [])
    finally:
        await notifier.delivery.aclose()


async def test_secrets_never_reach_the_logs(fake: FakeWeCom, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    api = WeComApi(base_url=fake.base_url, corp_id=fake.corp_id, secret=fake.secret, agent_id=fake.agent_id)
    robot = WeComRobot(base_url=fake.base_url, key=fake.robot_key)
    try:
        await api.send_text("zhangsan", "你好")
        await robot.send_text("大家好")
        assert "gettoken" in caplog.text and "webhook/send" in caplog.text  # httpx did log the requests
        tokens = list(fake.tokens)
        for secret in (fake.secret, fake.robot_key, *tokens):
            assert secret not in caplog.text
        assert fake.secret not in repr(api) and fake.robot_key not in repr(robot)
    finally:
        await api.aclose()
        await robot.aclose()
