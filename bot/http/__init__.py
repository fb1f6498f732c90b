"""The one HTTP server of ``duban run``: the channels' webhooks and callbacks, health checks and metrics.

Part of the composition (outer ring): each configured channel contributes its routes or a Starlette app, and
``build_http_app`` assembles them with ``/healthz``, ``/readyz`` and ``/metrics`` into one Starlette app that
``serve`` runs with uvicorn in the process's event loop.
"""

from bot.http.health import Readiness
from bot.http.server import build_http_app, serve

__all__ = ["Readiness", "build_http_app", "serve"]
