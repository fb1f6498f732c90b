"""The scheduler's Notifier for Telegram: a PTB ``Bot`` sending HTML messages, its errors made channel-neutral."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.channels.telegram_render import keyboard
from bot.contracts import Button
from bot.contracts import Rejected, RetryLater, Target, Transient, Unreachable

# BadRequest texts that mean "this person cannot be written to", not "this message is wrong".
_UNREACHABLE_BAD_REQUESTS = ("chat not found", "user not found", "have no rights to send", "not enough rights")


class TelegramNotifier:
    """Sends through a PTB ``Bot`` (initialised lazily) and raises RetryLater, Unreachable, Transient or Rejected."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._ready = False

    async def _init(self) -> None:
        if not self._ready:
            await self.bot.initialize()
            self._ready = True

    async def send(self, target: Target, text: str, buttons: list[list[Button]]) -> None:
        """sendMessage in HTML parse mode with an inline keyboard; returns once Telegram accepted it."""
        try:
            await self._init()
            await self.bot.send_message(
                chat_id=int(target.chat_id),
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(buttons),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except RetryAfter as err:
            raise RetryLater(_seconds(err), str(err)) from err
        except Forbidden as err:
            raise Unreachable(err.message) from err
        except BadRequest as err:  # BadRequest is a NetworkError in PTB: test it first
            if any(s in err.message.lower() for s in _UNREACHABLE_BAD_REQUESTS):
                raise Unreachable(err.message) from err
            raise Rejected(err.message) from err
        except TimedOut as err:
            raise Transient(f"timed out: {err.message}") from err
        except NetworkError as err:
            raise Transient(err.message) from err
        except TelegramError as err:  # InvalidToken, Conflict…: not this message's fault, retry later
            raise Transient(f"{type(err).__name__}: {err.message}") from err

    async def start_link(self) -> str | None:
        """``https://t.me/<bot username>``: opens a private chat with the bot."""
        try:
            await self._init()
        except TelegramError:
            return None
        username = self.bot.username if self._ready else None
        return f"https://t.me/{username}" if username else None


def _seconds(err: RetryAfter) -> float:
    # PTB ≥ 22.2 keeps a timedelta; reading .retry_after as int is deprecated.
    value = getattr(err, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    raw = err.retry_after
    return raw.total_seconds() if isinstance(raw, timedelta) else float(raw)
