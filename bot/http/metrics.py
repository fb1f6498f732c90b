"""``GET /metrics``: the core's Prometheus metrics in the text format, the outbox gauges read at scrape time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.db import Database
from bot.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger("duban.http")

OUTBOX_TIMEOUT = 3.0


def metrics_routes(metrics: Metrics, db: Database, *, clock: Callable[[], datetime]) -> list[BaseRoute]:
    """``GET /metrics``; while the database is away the outbox gauges keep their last values."""

    async def scrape(request: Request) -> Response:
        try:
            async with asyncio.timeout(OUTBOX_TIMEOUT), db.session() as session:
                await metrics.refresh_outbox(session, clock())
        except Exception as error:  # a scrape still answers, with the counters, when the database does not
            log.info("metrics: outbox not read: %s", error)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return [Route("/metrics", scrape, methods=["GET"])]
