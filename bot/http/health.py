"""``GET /healthz`` (the process answers) and ``GET /readyz`` (it can do its work: database reachable, schema at
head, scheduler ticking).

Liveness never touches the database, so an orchestrator does not restart replicas while PostgreSQL is
away; readiness asks the database on every probe, so a replica turns ready again by itself once it returns.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bot.db import Database
from bot.db.migrate import HEAD_REVISION

log = logging.getLogger("duban.http")

# The delivery tick fires every 2 s; a scheduler silent this long is stuck (or was never started).
HEARTBEAT_STALE_AFTER = 30.0
# A probe must answer well within an orchestrator's time-out even when the database hangs.
DB_TIMEOUT = 3.0


class Heartbeat:
    """The unix time of the scheduler's last sign of life (None before the first)."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self.wall = wall
        self.last: float | None = None

    def beat(self) -> None:
        """Record a sign of life now."""
        self.last = self.wall()


@dataclass
class Readiness:
    """What ``/readyz`` checks: the database and its schema, and (when given) the scheduler's heartbeat."""

    db: Database
    heartbeat: Heartbeat | None = None
    stale_after: float = HEARTBEAT_STALE_AFTER
    db_timeout: float = DB_TIMEOUT

    async def check(self) -> tuple[bool, dict[str, str]]:
        """(ready, one word or sentence per check); never raises."""
        checks: dict[str, str] = {}
        try:
            revision = await asyncio.wait_for(self._revision(), self.db_timeout)
            checks["database"] = "ok"
            checks["schema"] = "ok" if revision == HEAD_REVISION else f"at {revision or 'nothing'}, not {HEAD_REVISION}"
        except TimeoutError:
            checks["database"] = f"no answer within {self.db_timeout:g} s"
        except Exception as error:  # any driver's connection error: report it, the probe must answer
            checks["database"] = f"unreachable: {type(error).__name__}"
            log.info("readiness: database unreachable: %s", error)
        if self.heartbeat is not None:
            last = self.heartbeat.last
            if last is None:
                checks["scheduler"] = "not started"
            else:
                age = self.heartbeat.wall() - last
                checks["scheduler"] = "ok" if age <= self.stale_after else f"silent for {age:.0f} s"
        return all(v == "ok" for v in checks.values()) and "schema" in checks, checks

    async def _revision(self) -> str | None:
        async with self.db.engine.connect() as conn:
            exists = await conn.run_sync(lambda sync: sync.dialect.has_table(sync, "alembic_version"))
            if not exists:
                return None
            return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()


def health_routes(readiness: Readiness) -> list[BaseRoute]:
    """``GET /healthz`` and ``GET /readyz``."""

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "alive"})

    async def readyz(request: Request) -> JSONResponse:
        ready, checks = await readiness.check()
        return JSONResponse({"status": "ready" if ready else "unready", "checks": checks},
                            status_code=200 if ready else 503)

    return [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]
