"""The DingTalk channel end to end over HTTP: the callback under uvicorn, a faithful fake DingTalk on 127.0.0.1.

The fake checks what DingTalk checks (tokens, signs, robotCode, 1 to 20 userIds, msgParam as a JSON string,
session webhook expiry, custom robots' 20 a minute) and plays DingTalk calling the callback with real signs.
Times: NOW is Friday 2023-10-27 09:00 in Asia/Shanghai; the real 2023 table is imported where storage matters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta, timezone

import pytest
import pytest_asyncio
import uvicorn
from sqlalchemy import select

from bot.channels.dingtalk import Delivery, build_dingtalk_app, build_dingtalk_delivery, build_dingtalk_notifier
from bot.channels.dingtalk.api import DingTalkApi, DingTalkConfigError
from bot.channels.dingtalk.crypto import SignatureError, check_callback, sign
from bot.channels.dingtalk.messages import BadMessage, parse_message
from bot.channels.dingtalk.render import (
    choices,
    markdown_title,
    message_text,
    plain_text,
    split_utf8,
    to_markdown,
    truncate_utf8,
)
from bot.channels.dingtalk.robot import DingTalkRobots, split_target
from bot.core import Core
from bot.redact import Redactor
from bot.db.models import Account, ChatSubscription, HandledMessage, Person, Task
from bot.services.accounts import bind, create_invite
from config import Settings
from config.settings import DingTalkSettings
from bot.contracts import Button, Reply, Request
from bot.contracts import Rejected, RetryLater, Target, Unreachable
from tests.fakes.dingtalk_api import FakeDingTalk

NOW = datetime(2023, 10, 27, 1, 0, tzinfo=timezone.utc)  # 09:00 in Asia/Shanghai
WANG = "wangwj"  # DingTalk userid (senderStaffId) bound to 王卫健, lead leader of #11
ADMIN = "admin1"
GROUP = "cidGroup001=="
MINUTE_MS = 60_000

Handle = Callable[[Core, Request], Awaitable[list[Reply]]]


# ---- fixtures ----------------------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDingTalk]:
    """A running fake DingTalk with Duban's members and one group the app robot is in."""
    async with FakeDingTalk(users=("zhangsan", "lisi", WANG, ADMIN), groups=(GROUP,)) as server:
        yield server


@pytest.fixture
def settings(fake: FakeDingTalk) -> Settings:
    """Settings pointing the DingTalk channel at the fake (overrides the shared fixture)."""
    dingtalk = DingTalkSettings(app_key=fake.app_key, app_secret=fake.app_secret, api_base=fake.base_url,
                                oapi_base=fake.base_url)
    return Settings(_env_file=None, admins=["console:admin", f"dingtalk:{ADMIN}"], dingtalk=dingtalk)  # type: ignore[call-arg]


class Server:
    """The callback app served by uvicorn: its URL and inbox."""

    def __init__(self, url: str, app: object) -> None:
        self.url = url
        self.app = app

    @property
    def inbox(self):  # type: ignore[no-untyped-def]
        return self.app.state.inbox  # type: ignore[attr-defined]


@pytest_asyncio.fixture
async def serve(core: Core) -> AsyncIterator[Callable[..., Awaitable[Server]]]:
    """Start the callback under uvicorn on a free port with a given ``handle`` (stopped after the test)."""
    running: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start(handle: Handle, *, delivery: Delivery | None = None, on: Core | None = None) -> Server:
        app = build_dingtalk_app(on or core, handle, clock=lambda: NOW, delivery=delivery)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False))
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
        task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        running.append((server, task))
        return Server(f"http://127.0.0.1:{sock.getsockname()[1]}/dingtalk/callback", app)

    yield start
    for server, task in running:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


class Recorder:
    """A tiny local conversation: echoes each text and records every request it got."""

    def __init__(self, before: Callable[[], None] | None = None) -> None:
        self.requests: list[Request] = []
        self.before = before

    async def __call__(self, core: Core, request: Request) -> list[Reply]:
        self.requests.append(request)
        if self.before is not None:
            self.before()
        return [Reply(f"收到 <b>{request.text or request.callback}</b>")]


async def load_2023(core: Core, fixtures_dir, *, bind_wang: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Import the real 2023 table and (by default) bind WANG's DingTalk account to 王卫健."""
    from bot.services.imports import apply_import, prepare_import

    data = (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()
    async with core.db.session() as session:
        preview = await prepare_import(session, data, "yuanjiang-2023-tasks.xlsx", now=NOW - timedelta(days=30))
        await apply_import(session, preview, now=NOW - timedelta(days=30), actor="console:admin")
    if bind_wang:
        async with core.db.session() as session:
            person = await session.scalar(select(Person).where(Person.name == "王卫健"))
            assert person is not None
            await bind(session, "dingtalk", WANG, person, now=NOW)


# ---- signs, bodies, markdown -------------------------------------------------------------------------------


def test_the_callback_sign_is_checked_and_an_hour_is_the_limit() -> None:
    secret, now = "app-secret-xyz", 1_700_000_000_000
    good = str(now - 59 * MINUTE_MS)
    check_callback(secret, good, sign(secret, good), now_ms=now)
    for stamp, signature in [(good, sign("another", good)), (good, ""), ("", sign(secret, "")),
                             (str(now - 61 * MINUTE_MS), sign(secret, str(now - 61 * MINUTE_MS))),
                             (str(now + 61 * MINUTE_MS), sign(secret, str(now + 61 * MINUTE_MS))),
                             ("12ab", sign(secret, "12ab"))]:
        with pytest.raises(SignatureError):
            check_callback(secret, stamp, signature, now_ms=now)


@pytest.mark.parametrize("raw", [b"not json", b"[1]", b'{"msgId":"m1"}', b'{"msgId":"m1","senderStaffId":"u",'
                                 b'"conversationId":"c","conversationType":"3"}', b"{" + b" " * 70_000 + b"}"])
def test_unreadable_bodies_are_refused(raw: bytes) -> None:
    with pytest.raises(BadMessage):
        parse_message(raw)


def test_user_text_is_inert_in_dingtalk_markdown() -> None:
    markdown = to_markdown("<b>今日督办</b>\n# 不是标题 *星* _斜_ [链](x) &lt;font&gt;\n- 非列表\n"
                           '<a href="https://example.org/?a=1&amp;b=2">看_这</a>')
    lines = markdown.split("  \n")
    assert lines[0] == "**今日督办**"
    assert lines[1] == "＃ 不是标题 ＊星＊ ＿斜＿ ［链］(x) ＜font＞"
    assert lines[2] == "－ 非列表"
    assert lines[3] == "[看＿这](https://example.org/?a=1&b=2)"
    assert markdown_title(markdown) == "今日督办"


def test_buttons_become_what_the_router_reads_or_remembered_numbers() -> None:
    from handlers.router import button_data, page_data, route_text

    rows = [[Button("签收", button_data("ack", 7)), Button("明天再提醒", "snooze:7"), Button("已办结", "done:8")],
            [Button("重新打开", button_data("reopen", 7)), Button("批准", button_data("approve", 5)),
             Button("确认导入", button_data("import_confirm", "a_b-C"))],
            [Button("◀", page_data("mytasks", 0)), Button("2/3", page_data("mytasks", 1)),
             Button("▶", page_data("mytasks", 2)), Button("取消", "no"), Button("伪造", "zz:1")]]
    items = choices(rows, {7: "11", 8: "3/2"}, "zh")
    typed = [(c.label, c.command, c.number) for c in items]
    assert typed == [("签收", "签收 11", None), ("明天再提醒", "明天再提醒 11", None), ("已办结", "办结 3/2", None),
                     ("重新打开", "/reopen 11", None), ("批准", "/approve 5", None),
                     ("确认导入", "/import_confirm a_b-C", None), ("上一页", None, 1), ("下一页", None, 2)]
    for _, command, _ in typed[:6]:  # every command is one the router understands as written
        assert route_text(command) is not None, command  # type: ignore[arg-type]
    assert message_text("<b>#11</b> 到期", items[:1], "zh") == "#11 到期\n\n可回复：\n▸ 签收：回复 签收 11"


def test_plain_text_and_parts() -> None:
    assert plain_text('<b>a&lt;b&gt;</b> <a href="https://x.y/?a=1&amp;b=2">看</a> <a href="u">u</a>') == \
        "a<b> 看 (https://x.y/?a=1&b=2) u"
    parts = split_utf8("第一行\n" + "长" * 50 + "\n\n末行", 30)
    assert all(len(p.encode()) <= 30 for p in parts) and parts[0] == "第一行" and parts[-1] == "末行"
    assert parts[1].endswith("…") and truncate_utf8("长长", 4) == "长"


def test_a_robot_target_is_a_webhook_url_or_a_bare_token() -> None:
    token = "ab" * 32
    assert split_target(f"https://oapi.dingtalk.com/robot/send?access_token={token}", "https://x") == \
        ("https://oapi.dingtalk.com/robot/send", token)
    assert split_target(token, "http://127.0.0.1:9/") == ("http://127.0.0.1:9/robot/send", token)
    for bad in ("https://oapi.dingtalk.com/robot/send", "a b", ""):
        with pytest.raises(Rejected):
            split_target(bad, "https://x")


# ---- the callback ------------------------------------------------------------------------------------------


async def test_a_forged_sign_is_refused_and_nothing_is_handled(fake: FakeDingTalk, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)
    player = fake.player(server.url)
    assert await player.post(player.message("zhangsan", "我的任务"), player.headers(secret="not-the-secret")) == 403
    assert await player.post(player.message("zhangsan", "我的任务"), {"timestamp": str(fake.wall_ms())}) == 403
    await server.inbox.drain()
    assert recorder.requests == [] and fake.sent == []


async def test_a_stale_or_future_timestamp_is_refused(fake: FakeDingTalk, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)
    player = fake.player(server.url)
    now = int(time.time() * 1000)
    for at in (now - 61 * MINUTE_MS, now + 61 * MINUTE_MS, now - 30 * 24 * 60 * MINUTE_MS):
        assert await player.post(player.message("zhangsan", "进度 11 10%"), player.headers(at_ms=at)) == 403
    assert await player.post(player.message("zhangsan", "我的任务"), player.headers(at_ms=now - 50 * MINUTE_MS)) == 200
    await server.inbox.drain()
    assert [r.text for r in recorder.requests] == ["我的任务"]


async def test_a_request_carries_dingtalks_capabilities(fake: FakeDingTalk, serve) -> None:  # type: ignore[no-untyped-def]
    from bot.channels.dingtalk.capabilities import CAPABILITIES

    recorder = Recorder()
    server = await serve(recorder)
    player = fake.player(server.url)
    assert await player.post(player.message("zhangsan", "帮助"), player.headers()) == 200
    await server.inbox.drain()
    [request] = recorder.requests
    assert request.caps == CAPABILITIES and not request.caps.buttons and not request.caps.deep_links  # typed wording


async def test_an_answer_is_immediate_and_goes_back_by_the_session_webhook(fake: FakeDingTalk, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)
    assert await fake.player(server.url).say("zhangsan", "我的任务", nick="张三") == 200
    await server.inbox.drain()
    (request,) = recorder.requests
    assert (request.sender.key, request.sender.display_name, request.chat.kind, request.chat.id, request.now) == \
        ("dingtalk:zhangsan", "张三", "private", "zhangsan", NOW)
    (sent,) = fake.sent
    assert (sent.via, sent.to, sent.kind, sent.text) == ("session", "cidSinglezhangsan==", "text", "收到 我的任务")


async def test_the_callback_is_answered_before_the_work_is_done(fake: FakeDingTalk, serve) -> None:  # type: ignore[no-untyped-def]
    async def slow(core: Core, request: Request) -> list[Reply]:
        await asyncio.sleep(1.5)
        return [Reply("好了")]

    server = await serve(slow)
    started = time.monotonic()
    assert await fake.player(server.url).say("zhangsan", "我的任务") == 200
    answered = time.monotonic() - started
    assert answered < 1.0 and fake.sent == []  # DingTalk got its 200 while the work was still going on
    await server.inbox.drain()
    assert fake.to("cidSinglezhangsan==") == ["好了"]


async def test_a_replay_is_answered_once_also_after_a_restart(core: Core, fake: FakeDingTalk, serve) -> None:  # type: ignore[no-untyped-def]
    before = Recorder()
    server = await serve(before)
    player = fake.player(server.url)
    message = player.message("zhangsan", "进度 11 10%", msg_id="msgReplay001")
    assert [await player.post(message) for _ in range(3)] == [200, 200, 200]  # DingTalk retried
    await server.inbox.drain()
    assert [r.text for r in before.requests] == ["进度 11 10%"] and server.inbox.duplicates == 2

    after = Recorder()
    # As after a restart: a new core and app on the same database, remembering nothing in memory.
    restarted = await serve(after, on=Core(settings=core.settings, db=core.db))
    replayer = fake.player(restarted.url)
    assert await replayer.post(message) == 200
    await replayer.say("zhangsan", "我的任务", msg_id="msgReplay002")
    await restarted.inbox.drain()
    assert [r.text for r in after.requests] == ["我的任务"] and restarted.inbox.duplicates == 1
    async with core.db.session() as session:
        assert len(list(await session.scalars(select(HandledMessage)))) == 2
    assert fake.to("cidSinglezhangsan==") == ["收到 进度 11 10%", "收到 我的任务"]


async def test_in_a_group_only_mentions_are_answered_and_in_the_group(fake: FakeDingTalk, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    server = await serve(recorder)
    player = fake.player(server.url)
    assert await player.say("lisi", "大家好", group=GROUP, at_robot=False) == 200
    assert await player.say("lisi", "我的任务", group=GROUP) == 200
    await server.inbox.drain()
    (request,) = recorder.requests
    assert (request.text, request.chat.kind, request.chat.id, request.chat.title, request.sender.key) == \
        ("我的任务", "group", GROUP, "疾控股工作群", "dingtalk:lisi")
    assert [(s.via, s.to, s.text) for s in fake.sent] == [("session", GROUP, "收到 我的任务")]

    fake.end_sessions()  # the group's session is gone: the answer goes by the API into the same group
    await player.post(player.message("lisi", "#11", group=GROUP) | {"sessionWebhook": fake.base_url +
                                                                      "/robot/sendBySession?session=gone"})
    await server.inbox.drain()
    assert [(s.via, s.to, s.kind, s.text) for s in fake.sent[1:]] == [("group", GROUP, "sampleText", "收到 #11")]


async def test_an_expired_session_webhook_falls_back_to_batch_send(fake: FakeDingTalk, serve) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder(before=fake.end_sessions)  # DingTalk drops the session while Duban is still working
    server = await serve(recorder)
    player = fake.player(server.url)
    await player.say("zhangsan", "我的任务")  # announced as valid, refused with 300001
    await player.say("zhangsan", "#11", session_ms=-1000)  # announced as expired: not even tried
    await server.inbox.drain()
    assert [(s.via, s.to, s.kind, s.text) for s in fake.sent] == [
        ("oto", "zhangsan", "sampleText", "收到 我的任务"), ("oto", "zhangsan", "sampleText", "收到 #11")]
    assert [path for path, _ in fake.refused] == ["/robot/sendBySession"]
    assert fake.batch_calls == [["zhangsan"], ["zhangsan"]] and fake.token_fetches == 1


async def test_a_session_webhook_elsewhere_than_dingtalk_is_never_called(fake: FakeDingTalk, serve) -> None:  # type: ignore[no-untyped-def]
    from aiohttp import web

    called: list[str] = []

    async def trap(request: web.Request) -> web.Response:
        called.append(request.path)
        return web.json_response({"errcode": 0})

    app = web.Application()
    app.router.add_post("/{tail:.*}", trap)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    elsewhere = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/robot/sendBySession?session=x"  # type: ignore[union-attr]
    try:
        server = await serve(Recorder())
        player = fake.player(server.url)
        assert await player.post(player.message("zhangsan", "我的任务") | {"sessionWebhook": elsewhere}) == 200
        await server.inbox.drain()
    finally:
        await runner.cleanup()
    assert called == [] and [(s.via, s.text) for s in fake.sent] == [("oto", "收到 我的任务")]


# ---- the real conversation ---------------------------------------------------------------------------------


async def test_bind_by_invite_then_my_tasks(core: Core, fake: FakeDingTalk, serve, fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    from handlers.app import handle

    await load_2023(core, fixtures_dir, bind_wang=False)
    async with core.db.session() as session:
        person = await session.scalar(select(Person).where(Person.name == "王卫健"))
        code = (await create_invite(session, person, created_by="console:admin", now=NOW)).code  # type: ignore[arg-type]
    server = await serve(handle)
    player = fake.player(server.url)
    await player.say(WANG, "我的任务")
    await server.inbox.drain()
    assert "绑定" in fake.to(f"cidSingle{WANG}==")[-1]  # not bound yet: told how

    await player.say(WANG, f"/start {code}")
    await server.inbox.drain()
    assert "绑定成功：你是 王卫健" in fake.to(f"cidSingle{WANG}==")[-1]
    async with core.db.session() as session:
        account = await session.scalar(select(Account).where(Account.channel == "dingtalk"))
        assert account is not None and account.external_id == WANG and account.person_id == person.id  # type: ignore[union-attr]

    await player.say(WANG, "我的任务")
    await server.inbox.drain()
    listing = fake.to(f"cidSingle{WANG}==")[-1]
    assert "#11" in listing and "<b>" not in listing and "&lt;" not in listing
    assert listing.endswith("可回复：\n▸ 下一页：回复 1")
    await player.say(WANG, "1")  # the ▶ button, pressed by number
    await server.inbox.drain()
    assert "第 2/2 页" in fake.to(f"cidSingle{WANG}==")[-1]
    assert all(s.via == "session" for s in fake.sent)


async def test_an_admins_file_is_previewed_as_an_import_and_a_members_is_not_read(core: Core, fake: FakeDingTalk, serve,
                                                                                  fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    from handlers.app import handle

    data = (fixtures_dir / "yuanjiang-2023-tasks.xlsx").read_bytes()
    server = await serve(handle)
    player = fake.player(server.url)
    await player.post(player.file_message("zhangsan", "任务表.xlsx", data))
    await server.inbox.drain()
    assert fake.to("cidSinglezhangsan==") == ["收到文件 任务表.xlsx。只有管理员发来的任务表会被导入。"]
    await player.post(player.file_message(ADMIN, "yuanjiang-2023-tasks.xlsx", data))
    await server.inbox.drain()
    preview = "\n".join(fake.to(f"cidSingle{ADMIN}=="))
    assert "2023" in preview and "/import_confirm " in preview, preview  # the preview, confirmed by typing
    confirm = next(line for line in preview.split("\n") if "/import_confirm " in line).split("回复 ", 1)[1]
    await player.say(ADMIN, confirm)
    await server.inbox.drain()
    async with core.db.session() as session:
        assert len(list(await session.scalars(select(Task)))) == 45  # the 2023 table, imported from DingTalk
    assert [path for path, _ in fake.refused] == []


async def test_export_comes_back_as_a_file_and_stats_as_a_picture(core: Core, fake: FakeDingTalk, serve,
                                                                   fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    from handlers.app import handle

    await load_2023(core, fixtures_dir, bind_wang=False)
    server = await serve(handle)
    player = fake.player(server.url)
    for command in ("/export", "/stats"):
        await player.say(ADMIN, command)
        await server.inbox.drain()
    files = [s for s in fake.sent if s.kind in ("sampleFile", "sampleImageMsg")]
    assert [(s.via, s.to, s.kind) for s in files] == [("oto", ADMIN, "sampleFile"), ("oto", ADMIN, "sampleImageMsg")]
    kind, name, data = fake.media[files[0].param["mediaId"]]
    assert kind == "file" and name == files[0].param["fileName"] and data[:2] == b"PK"  # an xlsx
    assert fake.media[files[1].param["photoURL"]][0] == "image"
    assert [path for path, _ in fake.refused] == []


async def test_a_reminder_goes_out_by_batch_send_and_a_digest_into_the_group(core: Core, fake: FakeDingTalk,
                                                                             serve) -> None:  # type: ignore[no-untyped-def]
    from handlers.app import handle
    from scheduler.outbox import drain
    from tests.scheduler.conftest import at, pass_at
    from tests.scheduler.seed import add_task, dated, seed_bureau

    bureau = await seed_bureau(core)
    async with core.db.session() as session:  # 周七 of 疾控股 binds on DingTalk
        person = await session.get(Person, bureau.people["周七"])
        await bind(session, "dingtalk", WANG, person, now=at("2025-10-01T09:00"))  # type: ignore[arg-type]
    server = await serve(handle)  # the admin subscribes the group the app robot is in, @-mentioning it there
    await fake.player(server.url).say(ADMIN, "/subscribe 疾控股", group=GROUP)
    await server.inbox.drain()
    async with core.db.session() as session:
        subscribed = await session.scalar(select(ChatSubscription).where(ChatSubscription.channel == "dingtalk"))
        assert subscribed is not None and subscribed.chat_id == GROUP, fake.to(GROUP)
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 14))])
    result = await pass_at(core, "2025-10-13T09:00")
    ours = [m.target.chat_id for m in result.messages if m.target and m.target.channel == "dingtalk"]
    assert set(ours) == {WANG, GROUP, ADMIN}  # the member, the group, and the admin's daily line
    notifier = build_dingtalk_notifier(core, clock=lambda: at("2025-10-13T09:00"))
    try:
        done = await drain(core, {"dingtalk": notifier}, lambda: at("2025-10-13T09:00"), timeout=30)
    finally:
        await notifier.delivery.aclose()
    (reminder,) = fake.to(WANG, via="oto")
    assert "任务1" in reminder and "▸ 签收 1：回复 签收 1" in reminder and "<b>" not in reminder  # buttons: commands
    (digest,) = [s for s in fake.sent if s.via == "group"]
    assert (digest.to, digest.kind) == (GROUP, "sampleMarkdown") and "  \n" in digest.param["text"]
    assert done.sent == len(ours) and fake.token_fetches == 1
    assert sorted({call[0] for call in fake.batch_calls}) == [ADMIN, WANG] and {len(c) for c in fake.batch_calls} == {1}


# ---- notices -----------------------------------------------------------------------------------------------


async def test_flow_control_is_retry_later_and_an_unknown_member_unreachable(core: Core, fake: FakeDingTalk) -> None:
    notifier = build_dingtalk_notifier(core, clock=lambda: NOW)
    try:
        fake.flow_control.add("zhangsan")
        with pytest.raises(RetryLater):
            await notifier.send(Target("dingtalk", "zhangsan"), "提醒", [])
        fake.flow_control.clear()
        await notifier.send(Target("dingtalk", "zhangsan"), "<b>#11</b> 将于 2023-10-31 到期",
                            [[Button("签收 #11", "ack:999"), Button("明天再提醒", "snooze:999")]])
        assert fake.to("zhangsan", via="oto") == [
            "#11 将于 2023-10-31 到期\n\n可回复：\n▸ 签收 #11：回复 签收 @999\n▸ 明天再提醒：回复 明天再提醒 @999"]
        with pytest.raises(Unreachable):
            await notifier.send(Target("dingtalk", "left-the-bureau"), "提醒", [])
        with pytest.raises(Rejected):
            await notifier.send(Target("telegram", "1"), "x", [])
        await notifier.send(Target("dingtalk", GROUP, "group"), "<b>今日督办</b>\n#11 *加急*", [])
        (group,) = [s for s in fake.sent if s.via == "group"]
        assert (group.kind, group.param["title"], group.param["text"]) == \
            ("sampleMarkdown", "今日督办", "**今日督办**  \n＃11 ＊加急＊")  # no heading, no italics
        assert await notifier.start_link() is None
    finally:
        await notifier.delivery.aclose()


async def test_a_flow_controlled_notice_is_retried_by_the_outbox(core: Core, fake: FakeDingTalk, fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    from scheduler.jobs import run_pass
    from scheduler.outbox import DeliveryPolicy, drain

    await load_2023(core, fixtures_dir)
    await run_pass(core, NOW)
    fake.flow_control.add(WANG)
    notifier = build_dingtalk_notifier(core, clock=lambda: NOW)
    clock = [NOW]
    try:
        first = await drain(core, {"dingtalk": notifier}, lambda: clock[0], timeout=2)
        assert fake.to(WANG) == [] and first.rate_limited == 1  # DingTalk flow-controlled WANG: not sent
        fake.flow_control.clear()
        clock[0] = NOW + timedelta(minutes=5)
        policy = DeliveryPolicy.from_settings(core.settings.reminders)
        second = await drain(core, {"dingtalk": notifier}, lambda: clock[0], timeout=10, policy=policy)
    finally:
        await notifier.delivery.aclose()
    assert second.sent == 1 and len(fake.to(WANG, via="oto")) == 1  # sent once, later


async def test_batch_send_takes_at_most_20_members_a_call(core: Core, fake: FakeDingTalk) -> None:
    users = [f"user{n:02d}" for n in range(45)]
    for user in users:
        fake.users.add(user)
    delivery = build_dingtalk_delivery(core)
    try:
        results = await delivery.text_to_users(users + ["nobody"], "本周例会改到周四")
        assert [len(call) for call in fake.batch_calls] == [20, 20, 6]
        assert [r.invalid for r in results] == [(), (), ("nobody",)]
        assert sorted(fake.to(u)[0] for u in users) == ["本周例会改到周四"] * 45
        with pytest.raises(ValueError):
            await delivery.app_api().batch_send(users[:21], "sampleText", {"content": "x"})
    finally:
        await delivery.aclose()


async def test_an_expired_token_is_fetched_again_and_bad_credentials_are_a_config_error(fake: FakeDingTalk) -> None:
    api = DingTalkApi(api_base=fake.base_url, app_key=fake.app_key, app_secret=fake.app_secret,
                      robot_code=fake.robot_code)
    wrong = DingTalkApi(api_base=fake.base_url, app_key=fake.app_key, app_secret="wrong-secret-000",
                        robot_code=fake.robot_code)
    try:
        await api.batch_send(["zhangsan"], "sampleText", {"content": "一"})
        fake.expire_tokens()
        await api.batch_send(["zhangsan"], "sampleMarkdown", {"title": "二", "text": "**二**"})
        assert fake.token_fetches == 2 and [p for p, _ in fake.refused] == ["/v1.0/robot/oToMessages/batchSend"]
        assert fake.to("zhangsan") == ["一", "**二**"]
        with pytest.raises(DingTalkConfigError):
            await wrong.batch_send(["zhangsan"], "sampleText", {"content": "x"})
        assert fake.app_secret not in repr(api)
        assert Redactor.from_settings(Settings(_env_file=None, dingtalk=DingTalkSettings(  # type: ignore[call-arg]
            app_key="k", app_secret=fake.app_secret))).redact(f"x {fake.app_secret} y") == "x [REDACTED] y"
    finally:
        await api.aclose()
        await wrong.aclose()


async def test_the_token_is_cached_until_shortly_before_it_expires(fake: FakeDingTalk) -> None:
    fake.expire_in = 600
    now = [0.0]
    api = DingTalkApi(api_base=fake.base_url, app_key=fake.app_key, app_secret=fake.app_secret,
                      robot_code=fake.robot_code, monotonic=lambda: now[0])
    try:
        first = await api.access_token()
        now[0] = 299.0  # half the lifetime at most is trusted: 600 s - min(300, 300)
        assert await api.access_token() == first and fake.token_fetches == 1
        now[0] = 300.0
        assert await api.access_token() != first and fake.token_fetches == 2
    finally:
        await api.aclose()


# ---- custom group robots -----------------------------------------------------------------------------------


async def test_a_digest_reaches_a_signed_custom_robot_within_its_cap(fake: FakeDingTalk) -> None:
    fake.robot_window = 1.0  # DingTalk's 20 a minute, scaled to a second to keep the test fast
    robot = fake.add_robot("cidRobotGroup==", secret="SEC" + "f" * 61)
    webhook = f"{fake.base_url}/robot/send?access_token={robot.token}"
    unlimited = DingTalkRobots(oapi_base=fake.base_url, cap=1000, window=1.0)
    robots = DingTalkRobots(oapi_base=fake.base_url, cap=20, window=1.0)
    try:
        with pytest.raises(RetryLater) as throttled:  # without Duban's own limit DingTalk throttles the 21st
            for n in range(21):
                await unlimited.send(webhook, robot.secret, f"第 {n} 条")
        assert throttled.value.seconds == 600  # for ten minutes
        assert len(fake.to("cidRobotGroup==")) == 20 and fake.refused[-1] == ("/robot/send", "410100")
        await asyncio.sleep(1.05)
        fake.sent.clear()
        started = time.monotonic()
        for n in range(25):
            await robots.send(robot.token, robot.secret, f"**督办** 第 {n} 条", markdown=True)
        assert len(fake.to("cidRobotGroup==")) == 25 and fake.refused[-1] == ("/robot/send", "410100")
        assert all(s.kind == "markdown" and s.param["title"] == "督办 第 %d 条" % n for n, s in enumerate(fake.sent))
        assert time.monotonic() - started < 5
        with pytest.raises(Rejected):  # a wrong secret: DingTalk says 310000
            await robots.send(robot.token, "SEC" + "0" * 61, "x")
        with pytest.raises(Unreachable):  # the robot was removed: 300005
            await robots.send("cd" * 32, None, "x")
    finally:
        await unlimited.aclose()
        await robots.aclose()


async def test_secrets_never_reach_the_logs(core: Core, fake: FakeDingTalk, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    robot = fake.add_robot("cidRobotGroup==", secret="SEC" + "a" * 61)
    delivery = build_dingtalk_delivery(core)
    try:
        await delivery.text_to_users(["zhangsan"], "你好")
        await delivery.robots.send(robot.token, robot.secret, "大家好")  # type: ignore[union-attr]
        webhook, _ = fake.open_session("cidX")
        await delivery.app_api().session_send(webhook, {"msgtype": "text", "text": {"content": "在"}})
        assert "batchSend" in caplog.text and "robot/send" in caplog.text  # httpx did log the requests
        session_key = webhook.rsplit("=", 1)[1]
        for secret in (fake.app_secret, robot.token, session_key, *fake.tokens):
            assert secret not in caplog.text
    finally:
        await delivery.aclose()


async def test_an_admin_registers_a_custom_robot_in_chat_and_its_digest_is_signed_and_posted(
        core: Core, fake: FakeDingTalk, serve) -> None:  # type: ignore[no-untyped-def]
    from handlers.app import handle
    from scheduler.outbox import drain
    from tests.scheduler.conftest import at, pass_at
    from tests.scheduler.seed import add_task, dated, seed_bureau

    bureau = await seed_bureau(core)
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 9))])  # overdue by the 13th: in the digest
    robot = fake.add_robot("cid疾控股群==", secret="SEC" + "9" * 61)
    server = await serve(handle)
    await fake.player(server.url).say(
        ADMIN, f"/group add dingtalk 疾控股 {fake.base_url}/robot/send?access_token={robot.token} {robot.secret}")
    await server.inbox.drain()
    added = fake.to(f"cidSingle{ADMIN}==")[-1]
    assert "已登记群机器人 1" in added and robot.token not in added and robot.secret not in added  # masked

    result = await pass_at(core, "2025-10-13T09:00")
    assert Target("dingtalk", "robot:1", "group") in {m.target for m in result.messages}
    notifier = build_dingtalk_notifier(core, clock=lambda: at("2025-10-13T09:00"))
    try:
        await drain(core, {"dingtalk": notifier}, lambda: at("2025-10-13T09:00"), timeout=30)
    finally:
        await notifier.delivery.aclose()
    (digest,) = [s for s in fake.sent if s.via == "robot"]
    assert digest.to == "cid疾控股群==" and digest.kind == "markdown" and "任务1" in digest.param["text"]
    assert not [why for path, why in fake.refused if path == "/robot/send"]  # signed, in time, within the cap


async def test_the_callback_is_served_by_the_one_http_server_of_duban_run(core: Core, fake: FakeDingTalk) -> None:
    from bot.app import _notifiers, build_http
    from bot.http import serve
    from handlers.app import handle

    from bot.channels.dingtalk import routes

    notifiers, _ = _notifiers(core)
    assert "dingtalk" in notifiers  # the app's settings are present: the channel is registered
    (route,) = routes(core, handle, lambda: NOW)  # the bare route, for a server that takes route lists
    assert (route.path, route.methods) == ("/dingtalk/callback", {"POST"})
    app = build_http(core, handle, None, None)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.get_running_loop().create_task(serve(app, host="127.0.0.1", port=0, stop=stop, sock=sock,
                                                        ready=ready))
    try:
        await asyncio.wait_for(ready.wait(), 5)
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        player = fake.player(f"{base}/dingtalk/callback")
        assert await player.post(player.message("zhangsan", "帮助"), player.headers(secret="forged")) == 403
        assert await player.say("zhangsan", "帮助") == 200
        for _ in range(100):  # handled in the background
            if fake.to("cidSinglezhangsan=="):
                break
            await asyncio.sleep(0.05)
        assert fake.to("cidSinglezhangsan==") and fake.sent[0].via == "session"
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_bound_on_wecom_and_dingtalk_the_reminder_comes_once_where_the_person_prefers(
        core: Core, fake: FakeDingTalk, serve) -> None:  # type: ignore[no-untyped-def]
    from bot.channels.wecom import WeComNotifier
    from bot.channels.wecom import Delivery as WeComDelivery
    from bot.channels.wecom.api import WeComApi
    from handlers.app import handle
    from scheduler.outbox import drain
    from tests.fakes.wecom_api import FakeWeCom
    from tests.scheduler.conftest import at, pass_at
    from tests.scheduler.seed import add_task, dated, seed_bureau

    bureau = await seed_bureau(core)  # 张三 of 疾控股 is bound on Telegram since T0
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 14))])
    async with core.db.session() as session:
        zhang = await session.get(Person, bureau.people["张三"])
        await bind(session, "dingtalk", "zhangsan", zhang, now=at("2025-10-01T09:00"))  # type: ignore[arg-type]
        await bind(session, "wecom", "zhangsan", zhang, now=at("2025-10-02T09:00"))  # type: ignore[arg-type]
    server = await serve(handle)
    await fake.player(server.url).say("zhangsan", "/prefer dingtalk")  # WeCom was bound last; 张三 prefers DingTalk
    await server.inbox.drain()
    assert "dingtalk" in fake.to("cidSinglezhangsan==")[-1]

    await pass_at(core, "2025-10-13T09:00")
    async with FakeWeCom(users=("zhangsan",)) as wecom_fake:
        wecom = WeComDelivery(core, WeComApi(base_url=wecom_fake.base_url, corp_id=wecom_fake.corp_id,
                                             secret=wecom_fake.secret, agent_id=wecom_fake.agent_id), None)
        dingtalk = build_dingtalk_notifier(core, clock=lambda: at("2025-10-13T09:00"))
        try:
            await drain(core, {"wecom": WeComNotifier(wecom), "dingtalk": dingtalk}, lambda: at("2025-10-13T09:00"),
                        timeout=30)
        finally:
            await wecom.aclose()
            await dingtalk.delivery.aclose()
        assert wecom_fake.texts_to("zhangsan") == []
    (reminder,) = fake.to("zhangsan", via="oto")
    assert "任务1" in reminder


async def test_a_member_dingtalk_does_not_know_is_marked_unreachable_and_the_admins_told(core: Core,
                                                                                      fake: FakeDingTalk) -> None:
    from scheduler.outbox import drain
    from tests.scheduler.conftest import at, pass_at
    from tests.scheduler.seed import add_task, dated, seed_bureau

    bureau = await seed_bureau(core)
    async with core.db.session() as session:  # 周七 bound a userid that has since left the DingTalk organisation
        person = await session.get(Person, bureau.people["周七"])
        await bind(session, "dingtalk", "left-the-bureau", person, now=at("2025-10-01T09:00"))  # type: ignore[arg-type]
    await add_task(core, bureau, "1", milestones=[dated(date(2025, 10, 14))])
    await pass_at(core, "2025-10-13T09:00")
    notifier = build_dingtalk_notifier(core, clock=lambda: at("2025-10-13T09:00"))
    try:
        done = await drain(core, {"dingtalk": notifier}, lambda: at("2025-10-13T09:00"), timeout=30)
    finally:
        await notifier.delivery.aclose()
    assert done.unreachable == 1
    async with core.db.session() as session:
        account = await session.scalar(select(Account).where(Account.external_id == "left-the-bureau"))
        assert account is not None and account.unreachable
    assert any("周七" in text for text in fake.to(ADMIN, via="oto"))  # the admin is told, on DingTalk
