"""Duban's settings: the only module that reads the environment (prefix ``DUBAN_``, plus a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Language = Literal["zh", "en"]


class DatabaseSettings(BaseModel):
    """Where the tables live."""

    url: str = "sqlite+aiosqlite:///duban.sqlite3"
    echo: bool = False
    # How long an SQLite writer waits for another (a CLI import, the scheduler) before giving up.
    busy_timeout: float = 30.0


class ImportSettings(BaseModel):
    """Limits for table imports."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 50_000
    max_cells: int = 2_000_000


class TelegramSettings(BaseModel):
    """Telegram Bot API access."""

    token: SecretStr | None = None
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    # The bot's @username, for invite deep links printed by the CLI (chat commands ask Telegram instead).
    username: str | None = None
    proxy: SecretStr | None = None
    # The public HTTPS URL that reaches /telegram/webhook; unset means long polling (the default).
    webhook_url: str | None = None
    # Sent by Telegram in X-Telegram-Bot-Api-Secret-Token on every update (1-256 of A-Z a-z 0-9 _ -).
    webhook_secret: SecretStr | None = None


class HttpSettings(BaseModel):
    """The one HTTP server of ``duban run``: webhooks, callbacks, /healthz, /readyz and /metrics."""

    host: str = "127.0.0.1"
    port: int = 8080


class WeComSettings(BaseModel):
    """WeCom (企业微信) self-built app and group robot."""

    base_url: str = "https://qyapi.weixin.qq.com"
    corp_id: str | None = None
    agent_id: int | None = None
    secret: SecretStr | None = None
    token: SecretStr | None = None
    encoding_aes_key: SecretStr | None = None
    robot_key: SecretStr | None = None
    # Quick actions (签收, snooze, confirm an import …) as template card buttons below the app's messages.
    cards: bool = True
    # Deprecated: the callback is served by the one HTTP server (DUBAN_HTTP__HOST/PORT); still honoured when set.
    callback_host: str | None = None
    callback_port: int | None = None


class DingTalkSettings(BaseModel):
    """DingTalk (钉钉) enterprise internal app robot (HTTP callback mode); custom group robots are registered in chat."""

    app_key: str | None = None
    app_secret: SecretStr | None = None
    robot_code: str | None = None
    # The two DingTalk hosts, for a proxy or a test server: the new API and the old oapi (custom robots).
    api_base: str = "https://api.dingtalk.com"
    oapi_base: str = "https://oapi.dingtalk.com"


class ReminderSettings(BaseModel):
    """When and how notices go out."""

    days_before: list[int] = Field(default_factory=lambda: [5, 3, 1, 0])
    send_time: str = "09:00"
    escalate_head_after: int = 3
    escalate_leader_after: int = 5
    stale_progress_days: int = 10
    blue_within: int = 5
    quiet_days_allow_red: bool = False
    telegram_global_per_second: float = 30.0
    telegram_private_per_second: float = 1.0
    telegram_group_per_minute: float = 20.0
    max_attempts: int = 8
    # Tasks listed in one recipient's message run of a pass (daily, digest, weekly); the rest are counted in a
    # closing line that says how to see them all, so a busy group gets a few messages, not hundreds.
    max_listed: int = Field(default=30, ge=1)


class Settings(BaseSettings):
    """All of Duban's settings, composed of one sub-settings object per concern."""

    model_config = SettingsConfigDict(
        env_prefix="DUBAN_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    timezone: str = "Asia/Shanghai"
    language: Language = "zh"
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: str = "INFO"
    # "json": one JSON object per log line (time, level, logger, message, update id); "text" otherwise.
    log_format: Literal["text", "json"] = "text"

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    # Flat aliases the issues name (DUBAN_DATABASE_URL, DUBAN_IMPORT_MAX_BYTES, DUBAN_TELEGRAM_TOKEN …).
    database_url: str | None = None
    import_max_bytes: int | None = None
    telegram_token: SecretStr | None = None
    telegram_base_url: str | None = None
    telegram_base_file_url: str | None = None
    telegram_proxy: SecretStr | None = None

    imports: ImportSettings = Field(default_factory=ImportSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    wecom: WeComSettings = Field(default_factory=WeComSettings)
    dingtalk: DingTalkSettings = Field(default_factory=DingTalkSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    def model_post_init(self, __context: object) -> None:
        """Fold the flat aliases into their sub-settings."""
        if self.database_url:
            self.database.url = self.database_url
        if self.import_max_bytes:
            self.imports.max_bytes = self.import_max_bytes
        if self.telegram_token:
            self.telegram.token = self.telegram_token
        if self.telegram_base_url:
            self.telegram.base_url = self.telegram_base_url
        if self.telegram_base_file_url:
            self.telegram.base_file_url = self.telegram_base_file_url
        if self.telegram_proxy:
            self.telegram.proxy = self.telegram_proxy
        # The old WeCom callback address, when given and the HTTP server's is not.
        if self.wecom.callback_host and "host" not in self.http.model_fields_set:
            self.http.host = self.wecom.callback_host
        if self.wecom.callback_port is not None and "port" not in self.http.model_fields_set:
            self.http.port = self.wecom.callback_port

    @property
    def data_dir(self) -> Path:
        """The working directory, where the embedded database lives by default."""
        return Path.cwd()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Load the settings once per process."""
    return Settings()
