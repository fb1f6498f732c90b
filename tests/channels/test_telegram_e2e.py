"""Duban on Telegram, end to end through HTTP: the real application polls the fake Bot API on 127.0.0.1.

The settings come from the environment (DUBAN_TELEGRAM_TOKEN, DUBAN_TELEGRAM_BASE_URL, …) pointing at the
fake; the database (SQLite, and PostgreSQL when reachable) holds the real 2023 table, imported with the
importer the CLI uses. The clock starts on Friday 2023-10-27 09:00 (Asia/Shanghai): #11 (王卫健, 医政医管股)
is due 2023-10-31, two working days later, and three working days overdue on 2023-11-03.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.core import Core
from bot.db.models import Milestone, Task, TaskEvent, TaskTable
from config import Settings
from tests.channels.forward_proxy import ForwardProxy
from tests.channels.telegram_harness import Clock, Duban, running_duban
from tests.fakes.telegram_api import FakeTelegram, fake_telegram  # noqa: F401 - fixture
from tests.fakes.telegram_html import parse_html

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN, WANG, LI, ZHANG, STRANGER = 1000, 2001, 2002, 2003, 4040
GROUP = -100500
XLSX = "yuanjiang-2023-tasks.xlsx"


def at(day: str, hour: int = 9) -> datetime:
    """Local (Asia/Shanghai) wall-clock time as an aware UTC instant."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=timezone(timedelta(hours=8))).astimezone(timezone.utc)


NOW = at("2023-10-27")


@pytest.fixture
def settings(fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> Settings:  # noqa: F811
    """Settings read from the environment, as `duban run` reads them, pointed at the fake."""
    for name, value in {
        "DUBAN_TELEGRAM_TOKEN": fake_telegram.token,
        "DUBAN_TELEGRAM_BASE_URL": fake_telegram.base_url,
        "DUBAN_TELEGRAM_BASE_FILE_URL": fake_telegram.base_file_url,
        "DUBAN_ADMINS": "console:admin,telegram:1000",
        "DUBAN_LANGUAGE": "zh",
    }.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


async def _import_table(core: Core, data: bytes, name: str = XLSX) -> None:
    from bot.services.imports import apply_import, prepare_import

    async with core.db.session() as session:
        preview = await prepare_import(session, data, name, now=NOW - timedelta(days=30))
        await apply_import(session, preview, now=NOW - timedelta(days=30), actor="console:admin")


@pytest.fixture
async def world(core: Core, fake_telegram: FakeTelegram, fixtures_dir: Path) -> FakeTelegram:  # noqa: F811
    """The 2023 table loaded; the admin, three officials, a stranger and a group known to the fake."""
    await _import_table(core, (fixtures_dir / XLSX).read_bytes())
    for user, name in ((ADMIN, "管理员"), (WANG, "王卫健"), (LI, "李康民"), (ZHANG, "张三"), (STRANGER, "路人")):
        fake_telegram.add_user(user, name)
    fake_telegram.add_group(GROUP, "督办群")
    return fake_telegram


@pytest.fixture
async def duban(core: Core, world: FakeTelegram) -> AsyncIterator[Duban]:
    """Duban running against the fake, with 王卫健, 李康民 and 张三 (医政医管股) bound."""
    async with running_duban(core, world, Clock(NOW)) as running:
        await running.bind(WANG, "王卫健")
        await running.bind(LI, "李康民")
        await running.bind(ZHANG, "张三", section="医政医管股")
        yield running


def _html_ok(turn_texts: list[str | None]) -> None:
    for raw in turn_texts:
        parse_html(raw or "")


async def _snapshot(core: Core) -> tuple[int, int, list[str]]:
    async with core.db.session() as session:
        tables = await session.scalar(select(func.count()).select_from(TaskTable))
        contents = list((await session.scalars(select(Task.content).order_by(Task.id))).all())
    return tables or 0, len(contents), contents


# ---- start-up ----------------------------------------------------------------------------------------------


async def test_startup_gets_me_deletes_the_webhook_registers_commands_in_zh_and_en_and_polls(
    core: Core, world: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx logs every URL, token included, at INFO
    async with running_duban(core, world, Clock(NOW)) as running:
        await world.wait_until(lambda: bool(world.commands_for("en")), 5, "commands in en")
        assert world.commands_for("")[0] == {"command": "mytasks", "description": "我的任务"}
        assert world.commands_for("en")[0] == {"command": "mytasks", "description": "My tasks"}
        methods = [r.method for r in world.requests]
        assert methods[:2] == ["getMe", "deleteWebhook"]
        assert methods.index("getUpdates") > 1
        polls = world.calls("getUpdates")
        assert polls[0]["timeout"] == "10"
        assert set(json.loads(polls[0]["allowed_updates"])) == {"message", "callback_query"}
        turn = await running.send(STRANGER, "/start")
        assert "还没有绑定" in turn.text
    secret = world.token.split(":")[1]
    assert "getUpdates" in caplog.text  # the URLs were logged ...
    assert secret not in caplog.text  # ... without the token


async def test_with_a_proxy_set_every_bot_api_call_goes_through_it(
    core: Core, world: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with ForwardProxy() as proxy:
        core.settings.telegram.proxy = SecretStr(proxy.url("duban:pr0xy-s3cret-pass"))
        async with running_duban(core, world, Clock(NOW)) as running:
            await running.send(STRANGER, "/start")
    methods = {url.rsplit("/", 1)[1] for _, url, _ in proxy.seen}
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage"} <= methods
    assert all(auth and auth.startswith("Basic ") for _, _, auth in proxy.seen)
    assert "pr0xy-s3cret-pass" not in caplog.text


# ---- identity ----------------------------------------------------------------------------------------------


async def test_admin_invites_the_official_binds_by_deep_link_code_and_whoami_shows_it(duban: Duban) -> None:
    turn = await duban.send(ADMIN, "/invite 李康民")
    link = re.search(r"https://t\.me/duban_test_bot\?start=(\S+)", turn.text)
    assert link is not None, turn.text
    code = link.group(1)
    assert f"<code>{code}</code>" in turn.sent[0].raw_text  # type: ignore[operator]

    newcomer = 3001
    duban.fake.add_user(newcomer, "李康民")
    assert "还没有绑定" in (await duban.send(newcomer, "我的任务")).text
    assert "绑定成功：你是 李康民" in (await duban.send(newcomer, f"/start {code}")).text
    whoami = (await duban.send(newcomer, "/whoami")).text
    assert "telegram:3001" in whoami and "李康民" in whoami
    assert "#1" in (await duban.send(newcomer, "我的任务")).text
    assert "已经用过" in (await duban.send(STRANGER, f"/start {code}")).text


# ---- queries -----------------------------------------------------------------------------------------------


async def test_queries_in_a_private_chat(duban: Duban) -> None:
    turn = await duban.send(WANG, "我的任务")
    assert "#11" in turn.text and "2023-10-31 剩 2 个工作日" in turn.text
    assert any(e["type"] == "bold" for e in turn.sent[0].entities)  # sent as HTML
    assert turn.sent[0].parse_mode == "HTML"

    duban.clock.now = at("2023-11-03")
    assert "🔴 #11" in (await duban.send(WANG, "逾期")).text
    assert "逾期 3 个工作日" in (await duban.send(WANG, "/overdue")).text

    duban.clock.now = at("2023-10-30")
    assert "#11" in (await duban.send(ZHANG, "本周到期")).text

    detail = await duban.send(WANG, "#11")
    assert "胸痛中心" in detail.text and "原文：「10月底前」" in detail.text
    assert set(detail.buttons()) == {"签收", "更新进度", "办结", "申请延期"}
    assert "没有找到你可查看的任务 #11" in (await duban.send(LI, "#11")).text


async def test_a_group_answers_only_for_its_subscribed_sections(duban: Duban) -> None:
    duban.clock.now = at("2023-11-03")
    assert "还没有订阅任何股室" in (await duban.send(WANG, "/overdue", GROUP)).text
    assert "本群已订阅：疾控股" in (await duban.send(ADMIN, "/subscribe 疾控股", GROUP)).text
    assert "#11" not in (await duban.send(WANG, "/overdue", GROUP)).text
    await duban.send(ADMIN, "/subscribe 医政医管股", GROUP)
    listing = await duban.send(LI, "/overdue@duban_test_bot", GROUP)
    assert "🔴 #11" in listing.text
    # Privacy mode: a phrase reaches the bot in a group only as a reply to the bot's own message.
    assert "🔴 #11" in (await duban.send(LI, "逾期", GROUP, reply_to=listing.sent[0])).text
    duban.clock.now = at("2023-10-30")
    assert "#11" in (await duban.send(ZHANG, "/week", GROUP)).text
    assert "胸痛中心" in (await duban.send(LI, "/task 11", GROUP)).text
    assert "#11" in (await duban.send(WANG, "/mytasks", GROUP)).text


# ---- progress --------------------------------------------------------------------------------------------


async def _events(core: Core, actor: str) -> list[str]:
    async with core.db.session() as session:
        return list((await session.scalars(select(TaskEvent.kind).where(TaskEvent.actor == actor))).all())


async def test_progress_actions_by_the_responsible_and_refusals_for_an_unrelated_official(duban: Duban) -> None:
    core = duban.core
    await duban.send(ADMIN, "/subscribe 医政医管股", GROUP)
    # 李康民 may see #11 in the group, but it is not his to change.
    for text in ("/ack 11", "/progress 11 50% 代报", "/done 11", "/extend 11 2023-11-30 代申"):
        assert "不是你负责的任务" in (await duban.send(LI, text, GROUP)).text
    assert "没有找到你可查看的任务 #11" in (await duban.send(LI, "签收 11")).text
    assert await _events(core, "telegram:2002") == []

    detail = await duban.send(WANG, "#11")
    ack = await duban.press(WANG, detail.sent[-1], detail.buttons()["签收"])
    assert ack.answer and "已签收 #11" in ack.answer["text"]
    assert "已签收 #11" in ack.text

    turn = await duban.send(WANG, "进度 11 60% 已完成选址")
    assert "已记录 #11 的进度：60%，已完成选址" in turn.text

    turn = await duban.send(ZHANG, "/extend 11 2023-11-30 设备未到货")
    assert "已提交 #11 的延期申请" in turn.text
    assert await duban.deliver_outbox() >= 2  # 王卫健 and the admin
    notice = duban.fake.messages(WANG)[-1]
    approve = next(b["callback_data"] for row in notice.reply_markup["inline_keyboard"] for b in row  # type: ignore[index]
                   if b["text"].startswith("批准延期"))
    request_id = approve.split(":")[1]
    assert "只有 #11 的牵头领导或管理员可以审批延期" in (await duban.send(LI, f"/approve {request_id}")).text
    decided = await duban.press(WANG, notice, approve)
    assert "已批准 #11 延期：2023-10-31 → 2023-11-30" in duban.current(notice).text  # type: ignore[operator]
    assert decided.answer and "已批准" in decided.answer["text"]
    assert "inline_keyboard" not in (duban.current(notice).json.get("reply_markup") or {})
    async with core.db.session() as session:
        dues = (await session.scalars(select(Milestone.due).join(Task).where(Task.no == "11"))).all()
    assert list(dues) == [datetime(2023, 11, 30).date()]
    await duban.deliver_outbox()
    assert "2023-11-30" in (duban.fake.messages(ZHANG)[-1].text or "")

    detail = await duban.send(WANG, "#11")
    asked = await duban.press(WANG, detail.sent[-1], detail.buttons()["办结"])
    prompt = asked.sent[-1]
    done = await duban.press(WANG, prompt, next(d for label, d in asked.buttons().items() if label == "确认办结"))
    assert "已办结" in (duban.current(prompt).text or "") and done.answer is not None
    assert "状态：已办结" in (await duban.send(WANG, "#11")).text.replace(":", "：")
    assert "#11 已办结。如需重新打开" in (await duban.send(WANG, "完成 11 再次")).text
    kinds = await _events(core, "telegram:2001")
    assert {"ack", "progress", "done"} <= set(kinds)


# ---- import ----------------------------------------------------------------------------------------------


def _revised(source: bytes) -> bytes:
    """The 2023 table with #11's content changed, as an admin would send a revision."""
    book = openpyxl.load_workbook(io.BytesIO(source))
    sheet = book.active
    for row in sheet.iter_rows():
        if str(row[0].value).strip() == "11":
            row[2].value = str(row[2].value) + "（已修订）"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_import_by_document_with_cancel_and_confirm(duban: Duban, fixtures_dir: Path) -> None:
    revised = _revised((fixtures_dir / XLSX).read_bytes())
    before = await _snapshot(duban.core)

    preview = await duban.send(ADMIN, document=("2023-修订.xlsx", revised), caption="/import")
    assert "导入预览" in preview.text
    assert set(preview.buttons()) == {"确认导入", "取消"}
    cancelled = await duban.press(ADMIN, preview.sent[-1], preview.buttons()["取消"])
    assert "已取消导入" in (duban.current(preview.sent[-1]).text or "") and cancelled.sent == []
    assert await _snapshot(duban.core) == before

    # The other way: the file first, then /import as a reply to it.
    hint = await duban.send(ADMIN, document=("2023-修订.xlsx", revised))
    assert "/import" in hint.text
    assert "document" in hint.said
    preview = await duban.send(ADMIN, "/import", reply_to=hint.said)
    assert "导入预览" in preview.text
    confirmed = await duban.press(ADMIN, preview.sent[-1], preview.buttons()["确认导入"])
    assert confirmed.answer and confirmed.answer["text"] == "导入完成"
    assert "变更 1" in (duban.current(preview.sent[-1]).text or "")
    tables, tasks, contents = await _snapshot(duban.core)
    assert (tables, tasks) == before[:2]
    assert sum("（已修订）" in c for c in contents) == 1
    assert len(duban.fake.downloads) == 2  # once per /import; the bare document and the presses fetch nothing


async def test_a_too_large_file_is_refused_before_download_and_a_bad_file_changes_nothing(duban: Duban) -> None:
    duban.core.settings.imports.max_bytes = 100_000
    before = await _snapshot(duban.core)
    turn = await duban.send(ADMIN, document=("big.xlsx", b"\0" * 150_000), caption="/import")
    assert "超过上限" in turn.text and "未下载" in turn.text
    assert duban.fake.calls("getFile") == [] and duban.fake.downloads == []

    png = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(png, "PNG")
    turn = await duban.send(ADMIN, document=("任务表.xlsx", png.getvalue()), caption="/import")
    assert "导入失败，数据未做任何改动" in turn.text
    assert set(turn.buttons()) == set()
    assert len(duban.fake.calls("getFile")) == 1
    assert await _snapshot(duban.core) == before
    assert "管理员" in (await duban.send(WANG, document=("x.xlsx", b"x"), caption="/import")).text


# ---- files out ---------------------------------------------------------------------------------------------


async def test_export_sends_a_valid_xlsx_and_stats_a_valid_png(duban: Duban) -> None:
    pytest.importorskip("bot.exports")
    turn = await duban.send(ADMIN, "/export")
    document = turn.sent[-1].document
    assert document is not None and document.filename and document.filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(document.data))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
    assert any("胸痛中心" in c for c in cells)
    assert "督办台账" in (turn.sent[-1].caption or "")

    turn = await duban.send(ADMIN, "/stats")
    photo = next(m.photo for m in turn.sent if m.photo is not None)
    assert photo.data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.format == "PNG" and image.size[0] > 100
    assert "没有找到" not in turn.text and turn.sent[0].text


# ---- rendering -------------------------------------------------------------------------------------------


async def test_a_long_reply_is_split_into_messages_within_4096_without_cutting_a_line(duban: Duban) -> None:
    lines = [f"第{i}条：推进胸痛中心 & <质控> 建设，落实到人（{i}）" for i in range(1, 301)]
    async with duban.core.db.session() as session:
        table = await session.scalar(select(TaskTable))
        assert table is not None
        session.add(Task(table_id=table.id, no="99", seq=99, title="超长任务", content="\n".join(lines), units=[],
                         status="open", created_at=NOW, updated_at=NOW))
    turn = await duban.send(ADMIN, "#99")
    assert len(turn.sent) >= 3
    assert all(len(m.raw_text or "") <= 4096 for m in turn.sent)
    texts = [m.text or "" for m in turn.sent]
    for line in lines:
        assert sum(line in text.split("\n") for text in texts) == 1, line
    assert [bool(m.reply_markup) for m in turn.sent] == [False] * (len(turn.sent) - 1) + [True]
    _html_ok([m.raw_text for m in turn.sent])


@pytest.mark.parametrize(
    ("user", "text", "echoed"),
    [
        (LI, "/search <b>粗</b> & co", "没有找到包含「<b>粗</b> & co」的任务"),
        (WANG, "进度 11 30% 招标<b>完成</b> & 验收 <i>", "招标<b>完成</b> & 验收 <i>"),
        (ADMIN, "/invite <a href='x'>张</a>&amp;", "没有找到人员「<a href='x'>张</a>&amp;」"),
    ],
)
async def test_user_text_arrives_escaped(duban: Duban, user: int, text: str, echoed: str) -> None:
    turn = await duban.send(user, text)
    assert len(turn.sent) == 1
    assert echoed in turn.text  # the fake refuses bad HTML with 400, so this also proves it was escaped
    assert "错误编号" not in turn.text


# ---- failures ---------------------------------------------------------------------------------------------


async def test_a_blocked_user_does_not_stop_the_bot(duban: Duban, caplog: pytest.LogCaptureFixture) -> None:
    duban.fake.inject("sendMessage", 403, chat_id=WANG)  # blocked between asking and the answer
    turn = await duban.send(WANG, "我的任务")
    assert turn.sent == []
    assert "unreachable" in caplog.text and "Traceback" not in caplog.text
    assert "#11" in (await duban.send(ZHANG, "我的任务")).text
    assert "#11" in (await duban.send(WANG, "我的任务")).text


async def test_an_unexpected_failure_is_logged_with_an_id_and_apologised_for(
    duban: Duban, caplog: pytest.LogCaptureFixture
) -> None:
    duban.fake.inject("sendMessage", 400, chat_id=WANG, description="Bad Request: can't parse entities: injected")
    turn = await duban.send(WANG, "我的任务")
    assert len(turn.sent) == 1 and "错误编号" in turn.text
    error_id = re.search(r"错误编号 (\w+)", turn.text)
    assert error_id is not None and f"error {error_id.group(1)}" in caplog.text
    assert duban.fake.token.split(":")[1] not in caplog.text


async def test_a_stale_button_is_answered_with_the_refusal_as_a_toast(duban: Duban) -> None:
    detail = await duban.send(WANG, "#11")
    first = await duban.press(WANG, detail.sent[-1], detail.buttons()["办结"])
    second = await duban.press(WANG, detail.sent[-1], detail.buttons()["办结"])  # two prompts, both live
    await duban.press(WANG, first.sent[-1], first.buttons()["确认办结"])
    stale = await duban.press(WANG, second.sent[-1], second.buttons()["确认办结"])
    assert stale.answer is not None and stale.answer["text"] == "#11 已办结。如需重新打开，请联系管理员。"
    assert "#11 已办结。如需重新打开" in stale.text


async def test_a_press_whose_answer_fails_is_still_handled(duban: Duban) -> None:
    detail = await duban.send(WANG, "#11")
    duban.fake.inject("answerCallbackQuery", 400, description="Bad Request: query is too old and response timeout expired")
    await duban.fake.press_button(WANG, detail.sent[-1], detail.buttons()["签收"])
    duban.expected += 1
    await duban.settle()
    assert "已签收 #11" in (duban.fake.messages(WANG)[-1].text or "")
    assert "#11" in (await duban.send(WANG, "我的任务")).text
