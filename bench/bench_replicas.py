"""Replica drill: three ``duban run`` processes on one PostgreSQL database deliver 5,000 reminders through the fake
Bot API with Telegram's flood limits enforced; one replica is killed with SIGKILL mid-delivery and restarted.

What it checks (printed as JSON): every reminder delivered, duplicates (at most one per kill expected), 429 answers
(zero expected: the replicas share one set of flood limits in PostgreSQL), the aggregate rate (≤ 30/s, ≥ 27/s over the
steady part), and 409 Conflicts (zero expected).

By default the replicas run as in the compose file: webhooks behind one public path, here a round-robin forwarder on
127.0.0.1 that hands each update the fake Bot API pushes to the next replica (a dead one answers 502, so Telegram
delivers the update again and the next replica gets it). While the reminders go out, ``--chats`` users send a
command each; every tenth answer is "lost" by the fake, so Telegram delivers that update again, to another replica:
each user must get exactly one reply. ``--polling`` runs the replicas polling instead (only the lease holder polls).

``--channel wecom`` runs the same drill against the fake WeCom: the reminders go to a few members, so WeCom's cap of
30 app messages a minute per member binds (the fake drops the excess silently, as WeCom does, and counts it).

The 5,000 reminders are put straight into the outbox as the 09:00 pass would leave them (the pass itself is exactly
once per slot, tested in tests/service/test_pass_slots.py), so the drill measures delivery across replicas.

Run: ``DUBAN_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:55432/duban_test python -m bench.bench_replicas
[--reminders 5000] [--replicas 3] [--kill-after 1500] [--chats 60] [--polling]`` (about four minutes at 29 messages a second). A scratch
database is created next to the one in the URL and dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the fake Bot API lives in tests/
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.benchutil import postgres_admin  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.db.clock import UTC  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import OutboxMessage  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.fakes.wecom_api import FakeWeCom  # noqa: E402

FIRST_USER = 300_000
FIRST_CHAT_USER = 900_000
WEBHOOK_SECRET = "drill-secret"


class RoundRobin:
    """A reverse proxy on 127.0.0.1 that sends each request to the next replica's HTTP server in turn."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.turn = 0
        self.forwarded: dict[int, int] = {}  # replica port -> requests it answered
        self.refused = 0  # requests whose replica was down (answered 502, so Telegram delivers them again)
        self.url = ""

    async def __aenter__(self) -> RoundRobin:
        from aiohttp import ClientSession, ClientTimeout, web

        self._client = ClientSession(timeout=ClientTimeout(total=30))
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()
        await self._client.close()

    async def _forward(self, request):  # type: ignore[no-untyped-def]
        from aiohttp import ClientError, web

        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        try:
            async with self._client.request(request.method, f"http://127.0.0.1:{port}{request.path_qs}",
                                            data=await request.read(), headers=headers) as answer:
                body = await answer.read()
                self.forwarded[port] = self.forwarded.get(port, 0) + 1
                return web.Response(status=answer.status, body=body, content_type=answer.content_type)
        except (ClientError, TimeoutError):
            self.refused += 1
            return web.Response(status=502, text="replica unreachable")


async def seed(url: str, reminders: int, targets: list[str], channel: str = "telegram") -> None:
    """The schema, and ``reminders`` due outbox rows spread over ``targets`` (private chats or members)."""
    db = Database(url)
    due = datetime.now(UTC) - timedelta(minutes=1)  # due now, as the 09:00 pass leaves them
    try:
        await upgrade(db.engine)
        async with db.session() as s:
            await s.execute(OutboxMessage.__table__.insert(), [
                {"key": f"drill:{i}", "kind": "reminder", "channel": channel, "target": targets[i % len(targets)],
                 "target_kind": "private", "text": f"<b>督办提醒</b> 任务 {i}", "buttons": [], "status": "pending",
                 "attempts": 0, "next_attempt_at": due, "created_at": due}
                for i in range(reminders)])
    finally:
        await db.dispose()


async def sent_count(db: Database) -> int:
    """Outbox rows marked sent."""
    async with db.session() as s:
        return int((await s.execute(select(func.count()).where(OutboxMessage.status == "sent"))).scalar() or 0)


def channel_env(fake: FakeTelegram | FakeWeCom) -> dict[str, str]:
    """The settings that point ``duban run`` at the fake."""
    if isinstance(fake, FakeWeCom):
        return {"DUBAN_WECOM__BASE_URL": fake.base_url, "DUBAN_WECOM__CORP_ID": fake.corp_id,
                "DUBAN_WECOM__AGENT_ID": str(fake.agent_id), "DUBAN_WECOM__SECRET": fake.secret}
    return {"DUBAN_TELEGRAM__TOKEN": fake.token, "DUBAN_TELEGRAM__BASE_URL": fake.base_url,
            "DUBAN_TELEGRAM__BASE_FILE_URL": fake.base_file_url}


def start_replica(index: int, url: str, fake: FakeTelegram | FakeWeCom, folder: Path,
                  webhook: str = "") -> subprocess.Popen[bytes]:
    """One ``duban run`` process (its own HTTP port; polling, or behind ``webhook``) on the shared database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(channel_env(fake))
    if webhook:
        env.update({"DUBAN_TELEGRAM__WEBHOOK_URL": webhook, "DUBAN_TELEGRAM__WEBHOOK_SECRET": WEBHOOK_SECRET})
    env.update({
        "DUBAN_DATABASE__URL": url,
        "DUBAN_HTTP__PORT": str(18180 + index),
        "DUBAN_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    })
    log = (folder / f"replica-{index}.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=folder, env=env, stdout=log, stderr=log)


def most_in_window(stamps: list[float], window: float) -> int:
    """The most messages that arrived within any ``window`` seconds."""
    best, j = 0, 0
    for i, end in enumerate(stamps):
        while stamps[j] <= end - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def received(fake: FakeTelegram | FakeWeCom, targets: list[str]) -> list[str]:
    """Every text the fake's recipients received (one per message, duplicates included)."""
    if isinstance(fake, FakeWeCom):
        return [m.content for m in fake.delivered]
    return [m.raw_text or "" for t in targets for m in fake.messages(int(t))]


def fake_for(channel: str, targets: list[str]) -> FakeTelegram | FakeWeCom:
    """The fake platform enforcing its limits, with the recipients known to it."""
    if channel == "wecom":
        return FakeWeCom(users=targets)
    fake = FakeTelegram(enforce_limits=True)
    for t in targets:
        fake.add_user(int(t), f"u{t}")
    return fake


async def drill(base_url: str, reminders: int, replicas: int, kill_after: int, timeout: float,
                channel: str = "telegram", members: int = 0, chats: int = 0, webhook: bool = True) -> dict[str, object]:
    """Run the drill on a scratch database; the measurements as a dict."""
    name = f"duban_drill_{uuid.uuid4().hex[:8]}"
    await postgres_admin(base_url, f'CREATE DATABASE "{name}"')
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    arrivals: list[float] = []
    procs: list[subprocess.Popen[bytes]] = []
    webhook = webhook and channel == "telegram"
    chat_users = [FIRST_CHAT_USER + i for i in range(chats if channel == "telegram" else 0)]
    try:
        # Telegram: one private chat per reminder (the overall cap binds); WeCom: a few members (their cap binds).
        targets = ([f"member{i}" for i in range(members)] if channel == "wecom"
                   else [str(u) for u in range(FIRST_USER, FIRST_USER + reminders)])
        await seed(url, reminders, targets, channel)
        db = Database(url)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = os.environ.get("DUBAN_DRILL_DIR") or tmp  # keep the replicas' logs for a look
            folder = Path(tmp)
            async with fake_for(channel, targets) as fake, RoundRobin([18180 + i for i in range(replicas)]) as forwarder:
                hook = f"{forwarder.url}/telegram/webhook" if webhook else ""
                for user in chat_users:
                    assert isinstance(fake, FakeTelegram)
                    fake.add_user(user, f"c{user}")
                t0 = time.monotonic()
                procs = [start_replica(i, url, fake, folder, hook) for i in range(replicas)]
                chatting = asyncio.create_task(_chat(fake, chat_users, every=2.0))
                killed_at = restarted_at = None
                last_total = 0
                while time.monotonic() - t0 < timeout:
                    await asyncio.sleep(0.2)
                    total = len(set(received(fake, targets)))
                    now = time.monotonic()
                    arrivals.extend([now] * (total - last_total))
                    last_total = total
                    if killed_at is None and total >= kill_after:
                        procs[0].send_signal(signal.SIGKILL)
                        procs[0].wait()
                        killed_at = now - t0
                    elif killed_at is not None and restarted_at is None and now - t0 >= killed_at + 3:
                        procs[0] = start_replica(0, url, fake, folder, hook)
                        restarted_at = now - t0
                    if (total >= reminders and await sent_count(db) >= reminders and chatting.done()
                            and all(_replies(fake, u) for u in chat_users)):
                        break
                chatting.cancel()
                elapsed = time.monotonic() - t0
                texts = received(fake, targets)
                messages, delivered = len(texts), len(set(texts))
                for proc in procs:
                    proc.send_signal(signal.SIGTERM)
                for proc in procs:
                    try:
                        proc.wait(30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                logs = {p.name: p.read_text(errors="replace") for p in folder.glob("replica-*.log")}
                sent_rows = await sent_count(db)
                result: dict[str, object] = {
                    "channel": channel, "reminders": reminders, "replicas": replicas, "delivered": delivered,
                    "messages_received": messages, "duplicates": messages - delivered, "outbox_sent_rows": sent_rows}
                if isinstance(fake, FakeWeCom):
                    # Beyond 30 a minute per member WeCom drops app messages silently; the fake keeps them apart.
                    result.update(members=members, silently_dropped=len(fake.dropped),
                                  max_per_member_in_any_60s=max(most_in_window(sorted(m.at for m in fake.delivered
                                                                                       if m.user == t), 60.0)
                                                                for t in targets))
                else:
                    result.update(received_429=fake.stats.too_many, received_409=fake.stats.by_status.get(409, 0))
                    replies = [_replies(fake, u) for u in chat_users]
                    result["chats"] = {
                        "mode": "webhook behind a round-robin forwarder" if webhook else "polling",
                        "users": len(chat_users), "answered_once": replies.count(1),
                        "unanswered": replies.count(0), "answered_more_than_once": sum(r > 1 for r in replies),
                        "webhook_posts": len(fake.webhook.deliveries),
                        "updates_delivered_again": len(fake.webhook.deliveries) - len({u for u, _ in fake.webhook.deliveries}),
                        "forwarded_per_replica": sorted(forwarder.forwarded.values()),
                        "refused_by_a_dead_replica": forwarder.refused,
                    }
                result.update({
                    "killed_at_s": round(killed_at, 1) if killed_at is not None else None,
                    "restarted_at_s": round(restarted_at, 1) if restarted_at is not None else None,
                    "seconds": round(elapsed, 1),
                })
        await db.dispose()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        await postgres_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if len(arrivals) > 20:
        # The steady part: from the 5th percentile of arrivals to the 95th (start-up and the tail excluded).
        lo, hi = arrivals[len(arrivals) // 20], arrivals[len(arrivals) * 19 // 20]
        result["steady_rate_per_s"] = round((len(arrivals) * 0.9) / max(hi - lo, 1e-9), 2)
        result["max_in_any_1s"] = most_in_window(arrivals, 1.0)  # sampled every 0.2 s: an upper bound
        result["max_in_any_10s_per_s"] = round(most_in_window(arrivals, 10.0) / 10, 2)
        if killed_at is not None:
            # Before the kill all replicas were sending; after it, the rows the killed one had claimed wait for
            # their lease (60 s) to run out while the others send the rest.
            kill = t0 + killed_at
            before = [a for a in arrivals if lo <= a <= kill]
            if len(before) > 1:
                result["rate_until_kill_per_s"] = round(len(before) / max(kill - before[0], 1e-9), 2)
            result["seconds_after_kill"] = round(arrivals[-1] - kill, 1)
    # The first line of each ERROR logged by a replica (tracebacks left out), for a look.
    result["replica_errors"] = {k: sorted({line.split(": ", 1)[-1][:160] for line in v.splitlines() if " ERROR " in line})
                                for k, v in logs.items()}
    return result


async def _chat(fake: FakeTelegram | FakeWeCom, users: list[int], every: float) -> None:
    """Each user sends /help in turn; every tenth answer is lost, so Telegram delivers that update again."""
    assert isinstance(fake, FakeTelegram) or not users
    await asyncio.sleep(5)  # the replicas start and set their webhook
    for i, user in enumerate(users):
        if i % 10 == 9:
            fake.webhook.lose_answers += 1  # type: ignore[union-attr]
        await fake.user_sends(user, "/help")  # type: ignore[union-attr]
        await asyncio.sleep(every)


def _replies(fake: FakeTelegram | FakeWeCom, user: int) -> int:
    """How many messages the bot sent to ``user``."""
    return len(fake.messages(user)) if isinstance(fake, FakeTelegram) else 0


def main() -> None:
    """Parse the arguments, run the drill, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=5000)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--kill-after", type=int, default=1500, help="SIGKILL replica 0 once this many arrived")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--channel", choices=["telegram", "wecom"], default="telegram")
    parser.add_argument("--members", type=int, default=3, help="wecom: the members the reminders go to")
    parser.add_argument("--chats", type=int, default=60, help="telegram: users who each send a command meanwhile")
    parser.add_argument("--polling", action="store_true", help="telegram: replicas poll instead of webhooks")
    args = parser.parse_args()
    url = os.environ.get("DUBAN_TEST_POSTGRES_URL")
    if not url:
        sys.exit("set DUBAN_TEST_POSTGRES_URL=postgresql+asyncpg://… (a server where CREATE DATABASE is allowed)")
    out = asyncio.run(drill(url, args.reminders, args.replicas, args.kill_after, args.timeout, args.channel,
                            args.members, args.chats, not args.polling))
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
