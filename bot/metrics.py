"""Duban's Prometheus metrics, all defined here, one registry per core (tests stay independent of each other).

The channels, the scheduler wiring and the HTTP server call the small methods below; nothing else touches
prometheus-client. Recording is a dictionary lookup and an addition, cheap enough for every update and send.
The outbox gauges are read from the database when ``/metrics`` is scraped (``refresh_outbox``), so no code on
the delivery path keeps them up to date.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.clock import UTC
from bot.db.models import OutboxMessage

__all__ = ["CONTENT_TYPE", "Metrics"]

# Chat answers take tens of milliseconds; an import or a chart can take seconds.
_REPLY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_PASS_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 120.0)


class Metrics:
    """The process's counters, histograms and gauges in their own ``CollectorRegistry``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter("duban_updates", "Incoming updates, callbacks and messages by channel and result "
                               "(handled, duplicate, error, refused).", ["channel", "result"], registry=r)
        self.reply_seconds = Histogram("duban_reply_seconds", "From an update's arrival until its replies were sent.",
                                       buckets=_REPLY_BUCKETS, registry=r)
        self.outbox_depth = Gauge("duban_outbox_depth", "Notices waiting in the outbox (pending).", registry=r)
        self.outbox_oldest = Gauge("duban_outbox_oldest_seconds",
                                   "Age of the oldest pending outbox notice (0 when the outbox is empty).", registry=r)
        self.sends = Counter("duban_sends", "Outbox sends by channel and result (sent, retry_later, unreachable, "
                             "transient, rejected).", ["channel", "result"], registry=r)
        self.flood_limited = Counter("duban_flood_limited", "Sends the platform refused for flooding (Telegram 429, "
                                     "WeCom 45009, DingTalk flow control).", ["channel"], registry=r)
        self.pass_seconds = Histogram("duban_pass_seconds", "Duration of a reminder pass (load, plan, render, enqueue).",
                                      buckets=_PASS_BUCKETS, registry=r)
        self.last_pass = Gauge("duban_last_pass_timestamp_seconds", "Unix time when the last reminder pass ended.",
                               registry=r)

    def update(self, channel: str, result: str) -> None:
        """Count one incoming update of ``channel`` with ``result``."""
        self.updates.labels(channel, result).inc()

    def replied(self, seconds: float) -> None:
        """Record how long an update took from arrival to its last reply."""
        self.reply_seconds.observe(seconds)

    def sent(self, channel: str, result: str) -> None:
        """Count one outbox send attempt of ``channel`` with ``result``."""
        self.sends.labels(channel, result).inc()

    def flooded(self, channel: str) -> None:
        """Count one send refused by ``channel``'s flood control."""
        self.flood_limited.labels(channel).inc()

    def pass_done(self, seconds: float, ended: float) -> None:
        """Record one reminder pass: its duration and the unix time it ended."""
        self.pass_seconds.observe(seconds)
        self.last_pass.set(ended)

    async def refresh_outbox(self, session: AsyncSession, now: datetime) -> None:
        """Read the outbox depth and the age of its oldest pending row into the gauges (at scrape time)."""
        count, oldest = (await session.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(OutboxMessage.status == "pending"))).one()
        self.outbox_depth.set(count or 0)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        self.outbox_oldest.set(max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0)

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)
