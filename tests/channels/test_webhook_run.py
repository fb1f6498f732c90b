"""``duban run`` itself, as an operator starts it: environment only, Telegram in webhook mode against the fake Bot
API, one HTTP server; /readyz turns ready, an update is answered, its redelivery is ignored with a JSON log line
carrying its id, /metrics counts it, and SIGTERM stops everything with exit code 0."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import httpx

from bot.channels.telegram_webhook import SECRET_HEADER, WEBHOOK_PATH
from tests.channels.webhook_harness import SECRET, USER, make_update
from tests.fakes.telegram_api import FakeTelegram, fake_telegram  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _wait_ready(url: str, proc: asyncio.subprocess.Process, timeout: float = 30.0) -> httpx.Response:
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            assert proc.returncode is None, "duban run ended early"
            try:
                response = await client.get(url + "/readyz")
                if response.status_code == 200 or asyncio.get_running_loop().time() > deadline:
                    return response
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


async def test_duban_run_in_webhook_mode(fake_telegram: FakeTelegram, tmp_path: Path) -> None:  # noqa: F811
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(PYTHONPATH=str(ROOT), DUBAN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'run.sqlite3'}",
               DUBAN_TELEGRAM_TOKEN=fake_telegram.token, DUBAN_TELEGRAM_BASE_URL=fake_telegram.base_url,
               DUBAN_TELEGRAM_BASE_FILE_URL=fake_telegram.base_file_url, DUBAN_HTTP__PORT=str(port),
               DUBAN_TELEGRAM__WEBHOOK_URL=url + WEBHOOK_PATH, DUBAN_TELEGRAM__WEBHOOK_SECRET=SECRET,
               DUBAN_LOG_FORMAT="json")
    fake_telegram.add_user(USER, "Webhook")
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        ready = await _wait_ready(url, proc)
        assert ready.status_code == 200, ready.text
        await fake_telegram.wait_until(lambda: bool(fake_telegram.webhook.url), 10, "setWebhook")
        await fake_telegram.user_sends(USER, "/help")
        await fake_telegram.wait_for_messages(USER, 1, timeout=10)
        update = make_update(fake_telegram.webhook.deliveries[0][0])  # Telegram delivering it once more
        async with httpx.AsyncClient() as client:
            again = await client.post(url + WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
            await asyncio.sleep(0.5)
            metrics = (await client.get(url + "/metrics")).text
        assert again.status_code == 200
        assert len(fake_telegram.messages(USER)) == 1
        assert 'duban_updates_total{channel="telegram",result="handled"} 1.0' in metrics
        assert 'duban_updates_total{channel="telegram",result="duplicate"} 1.0' in metrics
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()[-3000:]
    lines = [json.loads(line) for line in err.decode().splitlines() if line.strip()]
    ignored = [line for line in lines if "handled before" in line["message"]]
    assert [line["update_id"] for line in ignored] == [f"telegram:{update['update_id']}"]
    assert fake_telegram.token.split(":")[1] not in err.decode()
