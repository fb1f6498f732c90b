"""What the HTTP server learns from the scheduler's own events: its heartbeat (``/readyz``) and each pass's
duration and end (``/metrics``), without the jobs knowing about either."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED, JobEvent
from apscheduler.schedulers.base import BaseScheduler

from bot.http.health import Heartbeat
from bot.metrics import Metrics


def watch_scheduler(scheduler: BaseScheduler, *, heartbeat: Heartbeat, metrics: Metrics, pass_jobs: Iterable[str],
                    wall: Callable[[], float] = time.time, timer: Callable[[], float] = time.perf_counter) -> None:
    """Beat ``heartbeat`` whenever a job finishes; time each run of a job in ``pass_jobs`` into the pass metrics.

    A coroutine job is submitted (a task is created) just before it runs and reported executed when it has
    ended, so the time between the two events is the pass's own duration plus a loop turn.
    """
    passes = frozenset(pass_jobs)
    started: dict[str, float] = {}

    def listen(event: JobEvent) -> None:
        if event.code == EVENT_JOB_SUBMITTED:
            if event.job_id in passes:
                started[event.job_id] = timer()
            return
        heartbeat.beat()
        begun = started.pop(event.job_id, None)
        if begun is not None:
            metrics.pass_done(timer() - begun, wall())

    scheduler.add_listener(listen, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
