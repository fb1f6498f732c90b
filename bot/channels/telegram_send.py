"""Replies out to Telegram: HTML text in parts, inline keyboards on the last part, edits, documents and photos."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.channels.telegram_render import CAPTION_LIMIT, keyboard, split_html
from bot.contracts import OutFile, Reply

log = logging.getLogger("duban.telegram")

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def send_replies(bot: Bot, chat_id: int | str, replies: Sequence[Reply], *,
                       pressed: Message | None = None) -> list[Message]:
    """Send ``replies`` to ``chat_id`` in order; the first ``edit`` reply replaces ``pressed`` when it can.

    Telegram errors propagate (a blocked user's 403 stops the rest); the caller logs them.
    """
    sent: list[Message] = []
    editable = pressed if pressed is not None and pressed.text is not None else None
    for reply in replies:
        markup = keyboard(reply.buttons)
        media = [m for m in ((reply.file, False), (reply.photo, True)) if m[0] is not None]
        text_parts = split_html(reply.text)
        caption = None
        if media and len(text_parts) == 1 and len(text_parts[0]) <= CAPTION_LIMIT:
            caption, text_parts = text_parts[0], []
        for i, part in enumerate(text_parts):
            last = i == len(text_parts) - 1 and not media
            part_markup = markup if last else None
            if reply.edit and editable is not None:
                edited = await _edit(bot, editable, part, part_markup)
                editable = None
                if edited is not None:
                    sent.append(edited)
                    continue
            sent.append(await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, reply_markup=part_markup,
                                               link_preview_options=NO_PREVIEW))
        for j, (out, is_photo) in enumerate(media):
            last = j == len(media) - 1
            sent.append(await _send_file(bot, chat_id, out, is_photo, caption if j == 0 else None,
                                         markup if last else None))
    return sent


async def _edit(bot: Bot, message: Message, text: str, markup: InlineKeyboardMarkup | None) -> Message | None:
    """Replace the pressed message's text; None when Telegram will not, so the caller sends a new one."""
    try:
        result = await bot.edit_message_text(text, chat_id=message.chat_id, message_id=message.message_id,
                                             parse_mode=ParseMode.HTML, reply_markup=markup,
                                             link_preview_options=NO_PREVIEW)
    except BadRequest as error:
        if "not modified" in error.message.lower():
            return message  # pressed twice: it already says this
        log.info("could not edit message %s in chat %s (%s); sending a new one", message.message_id,
                 message.chat_id, error.message)
        return None
    return result if isinstance(result, Message) else message


async def _send_file(bot: Bot, chat_id: int | str, out: OutFile, is_photo: bool, caption: str | None,
                     markup: InlineKeyboardMarkup | None) -> Message:
    upload = InputFile(out.data, filename=out.name)
    if is_photo:
        return await bot.send_photo(chat_id, upload, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup)
    return await bot.send_document(chat_id, upload, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup)
