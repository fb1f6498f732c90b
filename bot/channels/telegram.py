"""The Telegram channel: a thin adapter between python-telegram-bot and the conversation.

An update comes in (long polling by default, or a webhook when DUBAN_TELEGRAM__WEBHOOK_URL is set, see
``telegram_webhook``), is checked against the handled update ids (a redelivered one is answered once), becomes a channel-neutral ``Request``, goes to ``handle``, and each
``Reply`` goes back out as HTML messages, edits, documents or photos (``telegram_send``). Button presses are
always answered. Anything that goes wrong on the way is logged with an error id (never the token) and,
where there is a chat, answered with a short apology.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any

import httpx
from telegram import Bot, CallbackQuery, Document, Message, MessageEntity, Update
from telegram import Chat as TelegramChat
from telegram import User as TelegramUser
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.logformat import tag_update
from bot.redact import install_redactor
from bot.services.housekeeping import first_handling, message_key
from bot.channels.telegram_render import bot_commands, toast_text
from bot.channels.telegram_send import send_replies
from bot.channels.registry import Built
from bot.core import Core
from bot.texts import t
from bot.contracts import RICH, Attachment, Chat, Reply, Request, Sender

log = logging.getLogger("duban.telegram")

CHANNEL = "telegram"
# Buttons, files both ways (a document carries /import as its caption), t.me deep links, groups, HTML, 4096
# characters; a notice reaches only someone who has sent /start first.
CAPABILITIES = RICH
Handle = Callable[[Core, Request], Awaitable[list[Reply]]]
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
_COMMANDS_TASK = "duban.set_commands"


def build_telegram_application(core: Core, handle: Handle, *, clock: Callable[[], datetime]) -> Application:
    """The PTB Application for Duban: settings-driven endpoints, rate limiting, handlers and error handling."""
    settings = core.settings.telegram
    if settings.token is None:
        raise ValueError("DUBAN_TELEGRAM_TOKEN is not set")
    core.capabilities[CHANNEL] = CAPABILITIES
    token = settings.token.get_secret_value()
    proxy = settings.proxy.get_secret_value() if settings.proxy is not None else None
    install_redactor(core.redact)
    reminders = core.settings.reminders
    # One TLS context for both connection pools: loading the CA bundle is the slowest step of start-up.
    tls = {"verify": httpx.create_ssl_context()}
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .request(HTTPXRequest(connection_pool_size=256, proxy=proxy or None, httpx_kwargs=tls))
        .rate_limiter(FloodCountingLimiter(core, overall_max_rate=reminders.telegram_global_per_second,
                                           group_max_rate=reminders.telegram_group_per_minute, max_retries=2))
        .post_init(_post_init)
        .post_stop(_post_stop)
    )
    if settings.webhook_url:  # updates arrive at /telegram/webhook and are put on the update queue there
        builder = builder.updater(None)
    else:
        builder = builder.get_updates_request(HTTPXRequest(connection_pool_size=1, proxy=proxy or None, httpx_kwargs=tls))
    app = builder.build()
    bridge = _Bridge(core, handle, clock)
    # Before any handler: a redelivered update (retried webhook, another replica, a restart) stops here.
    app.add_handler(TypeHandler(Update, bridge.first_time), group=-1)
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & (filters.TEXT | filters.Document.ALL), bridge.on_message))
    app.add_handler(CallbackQueryHandler(bridge.on_callback))
    app.add_error_handler(bridge.on_error)
    return app


class FloodCountingLimiter(AIORateLimiter):
    """PTB's rate limiter (it waits and retries on 429), counting every 429 Telegram answers, to a reply or a
    notice, in ``duban_flood_limited_total{channel="telegram"}``."""

    def __init__(self, core: Core, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._core = core

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        """Run the request through PTB's limiter, counting each RetryAfter on the way."""

        async def counted(*a: Any, **kw: Any) -> Any:
            try:
                return await callback(*a, **kw)
            except RetryAfter:
                self._core.metrics.flooded(CHANNEL)
                raise

        return await super().process_request(counted, args, kwargs, endpoint, data, rate_limit_args)


async def poll_until(app: Application, stop: asyncio.Event, *, poll_timeout: int = 10) -> None:
    """Run ``app`` by long polling inside the current event loop until ``stop`` is set.

    The same steps as ``Application.run_polling`` (including ``post_init``), for a process that runs other
    things in its loop too.
    """
    await run_until(app, stop, poll_timeout=poll_timeout)


async def run_until(app: Application, stop: asyncio.Event, *, webhook: tuple[str, str] | None = None,
                    poll_timeout: int = 10) -> None:
    """Run ``app`` until ``stop`` is set: long polling, or with ``webhook`` (public URL, secret token) by
    registering the webhook (``setWebhook``) and processing what the HTTP server puts on the update queue.

    The webhook is left registered at the end: other replicas behind the same URL still serve it.
    """
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        if webhook is None:
            assert app.updater is not None
            await app.updater.start_polling(timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES)
        else:
            url, secret = webhook
            await app.bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        await app.start()
        try:
            await stop.wait()
        finally:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


async def _post_init(app: Application) -> None:
    """Register the command menu in the background, so polling starts without waiting for it."""
    app.bot_data[_COMMANDS_TASK] = asyncio.get_running_loop().create_task(register_commands(app.bot))


async def _post_stop(app: Application) -> None:
    """Stop a command registration still under way, before the HTTP clients close."""
    task = app.bot_data.pop(_COMMANDS_TASK, None)
    if task is not None and not task.done():
        task.cancel()


async def register_commands(bot: Bot) -> None:
    """setMyCommands in zh (the default, no language code) and en; a failure is logged, not fatal."""
    try:
        await bot.set_my_commands(bot_commands("zh"))
        await bot.set_my_commands(bot_commands("en"), language_code="en")
    except Exception as error:  # a background task: nobody else would see the failure
        log.warning("could not register the command menu: %s", error)


class _Bridge:
    """The update callbacks, with the core, the conversation and the clock they need."""

    def __init__(self, core: Core, handle: Handle, clock: Callable[[], datetime]) -> None:
        self.core, self.handle, self.clock = core, handle, clock

    async def first_time(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Tag the update's log lines with its id; stop here when its id was handled before."""
        tag_update(f"{CHANNEL}:{update.update_id}")
        try:
            async with self.core.db.session() as session:
                new = await first_handling(session, message_key(CHANNEL, f"update:{update.update_id}"), self.clock())
        except Exception as error:  # the database is away: let the conversation answer that, once
            log.warning("could not record update %s as handled: %s", update.update_id, error)
            return
        if not new:
            self.core.metrics.update(CHANNEL, "duplicate")
            log.info("update %s was handled before; ignored", update.update_id)
            raise ApplicationHandlerStop

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text, a command or a document: hand it to the conversation and send the replies."""
        message = update.message
        if message is None or message.from_user is None:
            return
        started = time.perf_counter()
        request = Request(
            sender=_sender(message.from_user),
            chat=_chat(message.chat),
            now=self.clock(),
            text=message.text or message.caption or "",
            attachment=_attachment(context.bot, message),
            bot_username=context.bot.username,
            caps=CAPABILITIES,
        )
        replies = await self.handle(self.core, request)
        await send_replies(context.bot, message.chat_id, replies)
        self._done(started)

    def _done(self, started: float) -> None:
        elapsed = time.perf_counter() - started
        self.core.metrics.update(CHANNEL, "handled")
        self.core.metrics.replied(elapsed)
        log.debug("replied in %.3f s", elapsed)  # carries the update id (logformat)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: hand it to the conversation, answer the query (always), send or edit."""
        query = update.callback_query
        if query is None:
            return
        started = time.perf_counter()
        answered = False
        try:
            chat = update.effective_chat
            if query.data is None or chat is None:
                return
            request = Request(
                sender=_sender(query.from_user),
                chat=_chat(chat),
                now=self.clock(),
                callback=query.data,
                bot_username=context.bot.username,
                caps=CAPABILITIES,
            )
            replies = await self.handle(self.core, request)
            toast = next((r.toast for r in replies if r.toast), None)
            answered = await _answer(query, toast_text(toast) if toast else None)
            pressed = query.message if isinstance(query.message, Message) else None
            await send_replies(context.bot, chat.id, [r for r in replies if r.text or r.file or r.photo],
                               pressed=pressed)
            self._done(started)
        finally:
            if not answered:
                await _answer(query, None)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what went wrong under an error id; apologise in the chat when there is one to reach."""
        error = context.error
        chat = update.effective_chat if isinstance(update, Update) else None
        if isinstance(update, Update):
            self.core.metrics.update(CHANNEL, "error")
        if isinstance(error, Forbidden):
            log.warning("chat %s is unreachable: %s", chat.id if chat else "-", error.message)
            return
        error_id = secrets.token_hex(4)
        log.error("error %s in Telegram update %s (chat %s)", error_id,
                  update.update_id if isinstance(update, Update) else "-", chat.id if chat else "-",
                  exc_info=error)
        if chat is None:
            return
        try:
            await context.bot.send_message(chat.id, t("conv.error", self.core.settings.language, id=error_id),
                                           parse_mode="HTML")
        except TelegramError as again:
            log.warning("could not apologise in chat %s for error %s: %s", chat.id, error_id, again)


async def _answer(query: CallbackQuery, text: str | None) -> bool:
    """Answer a callback query; True once it is answered (or cannot be any more)."""
    try:
        await query.answer(text=text)
    except TelegramError as error:
        log.info("could not answer callback query: %s", error)
    return True


def _sender(user: TelegramUser) -> Sender:
    return Sender(CHANNEL, str(user.id), user.full_name)


def _chat(chat: TelegramChat) -> Chat:
    return Chat(CHANNEL, str(chat.id), "private" if chat.type == TelegramChat.PRIVATE else "group", chat.title)


def _is_command(message: Message) -> bool:
    entities = message.entities or message.caption_entities
    return bool(entities) and entities[0].type == MessageEntity.BOT_COMMAND and entities[0].offset == 0


def _attachment(bot: Bot, message: Message) -> Attachment | None:
    """The message's document, or for a command sent as a reply, the replied-to document; not yet downloaded."""
    document = message.document
    replied = message.reply_to_message
    if document is None and replied is not None and replied.document is not None and _is_command(message):
        document = replied.document
    return _document_attachment(bot, document) if document is not None else None


def _document_attachment(bot: Bot, document: Document) -> Attachment:
    async def fetch() -> bytes:
        file = await bot.get_file(document.file_id)
        return bytes(await file.download_as_bytearray())

    return Attachment(document.file_name or "document", document.file_size, document.mime_type, fetch)


def build(core: Core, handle: Handle, clock: Callable[[], datetime], *, notifier: bool, http: bool,
          app: Application | None = None) -> Built:
    """Telegram's registry entry: the Application (made once, then passed back in as ``app``), its Notifier, and
    the webhook route when DUBAN_TELEGRAM__WEBHOOK_URL is set (polling otherwise: nothing on the HTTP server)."""
    from bot.channels.telegram_notifier import TelegramNotifier
    from bot.channels.telegram_webhook import webhook_routes, webhook_settings

    if app is None and notifier:
        app = build_telegram_application(core, handle, clock=clock)
    routes = None
    if http and app is not None and core.settings.telegram.webhook_url:
        _, secret = webhook_settings(core)  # type: ignore[misc]
        routes = webhook_routes(app, core, secret)
    return Built(CAPABILITIES, notifier=TelegramNotifier(app.bot) if notifier and app is not None else None,
                 http=routes, app=app)
