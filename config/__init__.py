"""Configuration: one pydantic-settings ``Settings`` composed of per-concern sub-settings."""

from config.settings import (
    DatabaseSettings,
    ImportSettings,
    ReminderSettings,
    Settings,
    TelegramSettings,
    WeComSettings,
    get_settings,
)

__all__ = [
    "DatabaseSettings",
    "ImportSettings",
    "ReminderSettings",
    "Settings",
    "TelegramSettings",
    "WeComSettings",
    "get_settings",
]
