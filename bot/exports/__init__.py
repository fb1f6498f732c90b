"""Exports of the task tables: JSON and CSV (``duban export``), the 台账 xlsx (/export) and statistics (/stats).

Names load lazily, so a JSON export or a bot start does not pay for importing matplotlib and openpyxl.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.exports.csv_export import export_csv
    from bot.exports.json_export import export_json
    from bot.exports.ledger import ledger_xlsx
    from bot.exports.stats import stats_png, stats_summary

_HOMES = {
    "export_csv": "bot.exports.csv_export",
    "export_json": "bot.exports.json_export",
    "ledger_xlsx": "bot.exports.ledger",
    "stats_png": "bot.exports.stats",
    "stats_summary": "bot.exports.stats",
}
__all__ = ["export_csv", "export_json", "ledger_xlsx", "stats_png", "stats_summary"]


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'bot.exports' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
