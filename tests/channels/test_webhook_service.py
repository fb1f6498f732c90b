"""The service endpoints of ``duban run``'s one HTTP server, over HTTP on 127.0.0.1: ``/healthz`` stays alive,
``/readyz`` follows the database, its schema and the scheduler's heartbeat (and turns ready again by itself),
``/metrics`` counts updates, sends, flood refusals, passes and the outbox; JSON log lines carry the update id."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, text

from bot.app import build_http
from bot.core import Core
from bot.db import Database
from bot.db.migrate import HEAD_REVISION
from bot.db.models import OutboxMessage
from bot.http import Readiness, build_http_app, serve
from bot.http.health import Heartbeat
from bot.logformat import log_handler
from bot.redact import MASK, install_redactor
from handlers.app import handle
from scheduler.jobs import build_scheduler
from scheduler.metered import MeteredNotifier
from bot.contracts import RetryLater, Target, Unreachable
from tests.channels.webhook_harness import NOW, USER, bound_socket, replica, second_database
from tests.fakes.telegram_api import FakeTelegram, fake_telegram  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]


async def _stamp(db: Database, revision: str = HEAD_REVISION) -> None:
    """Mark the test database (made from the models) as migrated to ``revision``, as Alembic would."""
    async with db.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        await conn.execute(text("DELETE FROM alembic_version"))
        await conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": revision})


class Served:
    """An app served on a free port, with a client for it."""

    def __init__(self, url: str, client: httpx.AsyncClient) -> None:
        self.url, self.client = url, client

    async def get(self, path: str) -> httpx.Response:
        """GET ``path`` on the server."""
        return await self.client.get(self.url + path)


async def _served(app) -> AsyncIterator[Served]:  # type: ignore[no-untyped-def]
    sock = bound_socket()
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(app, host="127.0.0.1", port=0, stop=stop, sock=sock, ready=ready))
    await asyncio.wait_for(ready.wait(), 5)
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            yield Served(f"http://127.0.0.1:{sock.getsockname()[1]}", client)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def _until(served: Served, path: str, status: int, timeout: float = 10.0) -> httpx.Response:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await served.get(path)
        if response.status_code == status or asyncio.get_running_loop().time() > deadline:
            return response
        await asyncio.sleep(0.05)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text exposition, keyed by (name, sorted labels)."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


# ---- health and readiness ---------------------------------------------------------------------------------


async def test_ready_only_once_the_scheduler_ticks_and_the_schema_is_at_head(core: Core) -> None:
    await _stamp(core.db)
    scheduler = build_scheduler(core, {}, lambda: NOW)
    app = build_http(core, handle, None, scheduler)
    async for served in _served(app):
        assert (await served.get("/healthz")).json() == {"status": "alive"}
        waiting = await served.get("/readyz")
        assert waiting.status_code == 503
        assert waiting.json()["checks"] == {"database": "ok", "schema": "ok", "scheduler": "not started"}
        scheduler.start()
        try:
            ready = await _until(served, "/readyz", 200)
            assert ready.status_code == 200, ready.text
            assert ready.json() == {"status": "ready", "checks": {"database": "ok", "schema": "ok", "scheduler": "ok"}}
            await _stamp(core.db, "0005")
            behind = await served.get("/readyz")
            assert behind.status_code == 503
            assert behind.json()["checks"]["schema"] == f"at 0005, not {HEAD_REVISION}"
            await _stamp(core.db)
            assert (await served.get("/readyz")).status_code == 200
        finally:
            scheduler.shutdown(wait=False)
            await scheduler.duban_jobs.stop()  # type: ignore[attr-defined]


async def test_a_silent_scheduler_makes_the_replica_unready(core: Core) -> None:
    await _stamp(core.db)
    now = [1_000_000.0]
    heartbeat = Heartbeat(wall=lambda: now[0])
    heartbeat.beat()
    app = build_http_app([], readiness=Readiness(core.db, heartbeat, stale_after=30), metrics=core.metrics, clock=_now)
    async for served in _served(app):
        now[0] += 29
        assert (await served.get("/readyz")).status_code == 200
        now[0] += 2
        silent = await served.get("/readyz")
        assert silent.status_code == 503 and silent.json()["checks"]["scheduler"] == "silent for 31 s"


async def test_sqlite_file_gone_unready_alive_then_ready_again_without_restart(core: Core) -> None:
    if not core.db.is_sqlite:
        pytest.skip("the PostgreSQL drill is the next test")
    await _stamp(core.db)
    path = Path(core.db.engine.url.database or "")
    app = build_http_app([], readiness=Readiness(core.db), metrics=core.metrics, clock=_now)
    async for served in _served(app):
        assert (await served.get("/readyz")).status_code == 200
        await core.db.engine.dispose()  # the pooled connections would still hold the old file open
        shutil.move(path, path.with_suffix(".away"))
        path.mkdir()  # nothing can open the database there now
        try:
            away = await served.get("/readyz")
            assert away.status_code == 503
            assert away.json()["checks"]["database"].startswith("unreachable")
            assert (await served.get("/healthz")).status_code == 200
            assert (await served.get("/metrics")).status_code == 200  # counters still served, outbox skipped
        finally:
            path.rmdir()
            shutil.move(path.with_suffix(".away"), path)
        assert (await served.get("/readyz")).status_code == 200


class Relay:
    """A TCP relay to the database that can drop every connection and refuse new ones, then come back."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Listen (on the same port as before, after a pause)."""
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def pause(self) -> None:
        """The database goes away: no new connections, the open ones cut."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._links |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_postgres_going_away_makes_readyz_503_and_its_return_200_without_restart(core: Core) -> None:
    if core.db.is_sqlite:
        pytest.skip("PostgreSQL only")
    await _stamp(core.db)
    url = core.db.engine.url
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    await relay.start()
    via = await second_database(core.db, url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False))
    try:
        app = build_http_app([], readiness=Readiness(via, db_timeout=2), metrics=core.metrics, clock=_now)
        async for served in _served(app):
            assert (await served.get("/readyz")).status_code == 200
            await relay.pause()
            away = await served.get("/readyz")
            assert away.status_code == 503, away.text
            assert away.json()["checks"]["database"] != "ok"
            assert (await served.get("/healthz")).status_code == 200
            await relay.start()
            back = await _until(served, "/readyz", 200)
            assert back.status_code == 200, back.text
    finally:
        await via.dispose()
        await relay.pause()


# ---- metrics ----------------------------------------------------------------------------------------------


async def test_metrics_after_updates_and_a_pass(core: Core, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    await _stamp(core.db)
    fake_telegram.add_user(USER, "Webhook")
    scheduler = build_scheduler(core, {}, lambda: NOW)
    async with replica(core, fake_telegram, scheduler=scheduler) as running, httpx.AsyncClient() as client:
        await fake_telegram.wait_until(lambda: bool(fake_telegram.webhook.url), 5, "webhook set")
        fake_telegram.inject("sendMessage", 429, retry_after=1)  # a reply flood-limited once, then sent
        for _ in range(3):
            await fake_telegram.user_sends(USER, "/help")
        await fake_telegram.wait_for_messages(USER, 3, timeout=10)
        assert (await client.post(running.webhook, json={"update_id": 1})).status_code == 401
        await fake_telegram.wait_until(lambda: scheduler.duban_jobs.passes >= 1, 10, "the catch-up pass")  # type: ignore[attr-defined]
        await asyncio.sleep(0.1)  # the executed event follows the job's end by a loop turn
        response = await client.get(running.url + "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples = _samples(response.text)
    assert samples[("duban_updates_total", (("channel", "telegram"), ("result", "handled")))] == 3
    assert samples[("duban_updates_total", (("channel", "telegram"), ("result", "refused")))] == 1
    assert samples[("duban_reply_seconds_count", ())] == 3
    assert samples[("duban_flood_limited_total", (("channel", "telegram"),))] == 1
    assert samples[("duban_pass_seconds_count", ())] == 1
    assert abs(samples[("duban_last_pass_timestamp_seconds", ())] - datetime.now(timezone.utc).timestamp()) < 60
    async with core.db.session() as session:  # what the pass queued (no notifier here sends it)
        pending = await session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending"))
    assert samples[("duban_outbox_depth", ())] == pending


async def test_outbox_depth_and_oldest_age_are_read_at_scrape_time(core: Core) -> None:
    created = datetime.now(timezone.utc) - timedelta(seconds=120)
    async with core.db.session() as session:
        for i, status in enumerate(("pending", "pending", "sent")):
            session.add(OutboxMessage(key=f"k{i}", kind="due", channel="telegram", target=str(USER), text="x",
                                      buttons=[], status=status, next_attempt_at=created,
                                      created_at=created + timedelta(seconds=30 * i)))
    app = build_http_app([], readiness=Readiness(core.db), metrics=core.metrics, clock=_now)
    async for served in _served(app):
        samples = _samples((await served.get("/metrics")).text)
    assert samples[("duban_outbox_depth", ())] == 2
    assert 119 <= samples[("duban_outbox_oldest_seconds", ())] < 180


async def test_sends_and_every_telegram_429_are_counted(core: Core, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    from pydantic import SecretStr

    from bot.app import _notifiers

    fake_telegram.add_user(USER, "Webhook")
    fake_telegram.add_user(USER + 1, "Blocked")
    fake_telegram.block(USER + 1)
    t = core.settings.telegram
    t.token, t.base_url, t.base_file_url = SecretStr(fake_telegram.token), fake_telegram.base_url, fake_telegram.base_file_url
    notifiers, app = _notifiers(core)  # as duban run builds them: metered, rate limited
    target = Target("telegram", str(USER))
    await notifiers["telegram"].send(target, "one", [])
    fake_telegram.inject("sendMessage", 429, retry_after=1)  # PTB waits and retries: sent, one 429 seen
    await notifiers["telegram"].send(target, "two", [])
    fake_telegram.inject("sendMessage", 429, times=3, retry_after=1)  # past PTB's two retries: back to the outbox
    with pytest.raises(RetryLater):
        await notifiers["telegram"].send(target, "three", [])
    with pytest.raises(Unreachable):
        await notifiers["telegram"].send(Target("telegram", str(USER + 1)), "four", [])
    await app.bot.shutdown()  # type: ignore[attr-defined]
    samples = _samples(core.metrics.exposition().decode())
    sends = {dict(labels)["result"]: value for (name, labels), value in samples.items() if name == "duban_sends_total"}
    assert sends == {"sent": 2, "retry_later": 1, "unreachable": 1}
    assert samples[("duban_flood_limited_total", (("channel", "telegram"),))] == 4 == fake_telegram.stats.too_many


async def test_a_wecom_45009_is_a_flood_refusal(core: Core) -> None:
    from bot.app import _notifiers
    from config.settings import WeComSettings
    from tests.fakes.wecom_api import FakeWeCom

    async with FakeWeCom(users=("zhangsan",)) as fake:
        core.settings.wecom = WeComSettings(base_url=fake.base_url, corp_id=fake.corp_id, agent_id=fake.agent_id,
                                            secret=fake.secret)
        notifiers, _ = _notifiers(core)
        fake.fail_next("/cgi-bin/message/send", 45009)
        with pytest.raises(RetryLater):
            await notifiers["wecom"].send(Target("wecom", "zhangsan"), "x", [])
    samples = _samples(core.metrics.exposition().decode())
    assert samples[("duban_flood_limited_total", (("channel", "wecom"),))] == 1
    assert samples[("duban_sends_total", (("channel", "wecom"), ("result", "retry_later")))] == 1


def test_each_core_has_its_own_registry(core: Core) -> None:
    core.metrics.update("telegram", "handled")
    other = Core(settings=core.settings, db=core.db)
    assert b'duban_updates_total{channel="telegram",result="handled"} 1.0' in core.metrics.exposition()
    assert b"duban_updates_total{" not in other.metrics.exposition()


# ---- logs -------------------------------------------------------------------------------------------------


async def test_json_log_lines_carry_the_update_id_and_stay_redacted(core: Core, fake_telegram: FakeTelegram) -> None:  # noqa: F811
    stream = io.StringIO()
    handler = log_handler(stream, "json")
    root, duban = logging.getLogger(), logging.getLogger("duban")
    root.addHandler(handler)
    level = duban.level
    duban.setLevel(logging.DEBUG)
    fake_telegram.add_user(USER, "Webhook")
    try:
        async with replica(core, fake_telegram):
            install_redactor(core.redact, [handler])
            await fake_telegram.wait_until(lambda: bool(fake_telegram.webhook.url), 5, "webhook set")
            await fake_telegram.user_sends(USER, "/help")
            await fake_telegram.wait_for_messages(USER, 1)
            logging.getLogger("duban.test").warning("the token is %s", fake_telegram.token)
    finally:
        root.removeHandler(handler)
        duban.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert all(set(line) >= {"time", "level", "logger", "message", "update_id"} for line in lines)
    update_id = fake_telegram.webhook.deliveries[0][0]
    replied = [line for line in lines if line["message"].startswith("replied in")]
    assert [line["update_id"] for line in replied] == [f"telegram:{update_id}"]
    token_line = next(line for line in lines if line["logger"] == "duban.test")
    assert fake_telegram.token not in token_line["message"] and MASK in token_line["message"]
    assert token_line["update_id"] is None


def test_duban_log_format_json_makes_every_line_json() -> None:
    script = ("from bot.app import configure_logging; from config import Settings; import logging; "
              "configure_logging('INFO', Settings(_env_file=None)); logging.getLogger('duban').info('有 %d 条', 3)")
    env = {**os.environ, "DUBAN_LOG_FORMAT": "json", "DUBAN_TELEGRAM_TOKEN": "1:secret-secret-secret-secret"}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"], line["update_id"]) == ("INFO", "duban", "有 3 条", None)
    datetime.fromisoformat(line["time"])


# ---- WeCom through the one server -------------------------------------------------------------------------


async def test_wecom_callbacks_are_served_and_counted_on_the_one_server(core: Core) -> None:
    from bot.channels.wecom import CALLBACK_PATH
    from config.settings import WeComSettings
    from tests.fakes.wecom_api import FakeWeCom

    async with FakeWeCom(users=("zhangsan",)) as fake:
        core.settings.wecom = WeComSettings(base_url=fake.base_url, corp_id=fake.corp_id, agent_id=fake.agent_id,
                                            secret=fake.secret, token=fake.token,
                                            encoding_aes_key=fake.encoding_aes_key)
        async for served in _served(build_http(core, handle, None, None)):
            player = fake.player(served.url + CALLBACK_PATH, retry_after=2)
            sent = await player.send_text("zhangsan", "帮助", msg_id="7000000000000000001", deliveries=2)
            forged = await player.post(player.text_xml("zhangsan", "帮助", msg_id="7000000000000000002"), tamper=True)
            handled = core.metrics.updates.labels("wecom", "handled")
            for _ in range(500):  # the answer goes out in the background, after the 200
                if handled._value.get():
                    break
                await asyncio.sleep(0.02)
            samples = _samples((await served.get("/metrics")).text)
    assert [d.status for d in sent] == [200, 200]
    assert {d.status for d in forged} == {403}  # WeCom tries a refused delivery again, refused each time
    assert len(fake.texts_to("zhangsan")) == 1
    wecom = {dict(labels)["result"]: value for (name, labels), value in samples.items()
             if name == "duban_updates_total" and dict(labels)["channel"] == "wecom"}
    assert wecom == {"handled": 1, "duplicate": 1, "refused": len(forged)}
    assert samples[("duban_reply_seconds_count", ())] == 1


def test_the_server_address_and_the_old_wecom_names(monkeypatch: pytest.MonkeyPatch) -> None:
    from config import Settings

    for name in [k for k in os.environ if k.startswith("DUBAN_")]:
        monkeypatch.delenv(name)
    default = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (default.http.host, default.http.port, default.log_format) == ("127.0.0.1", 8080, "text")
    monkeypatch.setenv("DUBAN_WECOM__CALLBACK_HOST", "0.0.0.0")
    monkeypatch.setenv("DUBAN_WECOM__CALLBACK_PORT", "9001")
    old = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (old.http.host, old.http.port) == ("0.0.0.0", 9001)
    monkeypatch.setenv("DUBAN_HTTP__PORT", "9002")
    both = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (both.http.host, both.http.port) == ("0.0.0.0", 9002)  # the new name wins where both are given


async def test_a_taken_port_is_an_error_not_an_exit(core: Core) -> None:
    with bound_socket() as taken:
        taken.listen()
        port = taken.getsockname()[1]
        app = build_http_app([], readiness=Readiness(core.db), metrics=core.metrics, clock=_now)
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}"):
            await asyncio.wait_for(serve(app, host="127.0.0.1", port=port, stop=asyncio.Event()), 10)
