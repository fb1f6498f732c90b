"""The Bot API methods of the fake: validation and effects as Telegram applies them."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from .telegram_html import EntityParseError, parse_html, trim
from .telegram_models import JSON, ApiError, Chat, SentMessage, StoredFile, UploadedFile, bad_request
from .telegram_state import TelegramWorld, scope_key
from .telegram_webhook import WebhookPusher

MAX_TEXT = 4096  # counted in Unicode code points after entity parsing, as tdlib's utf8_length does
MAX_CAPTION = 1024
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANG_RE = re.compile(r"^([a-z]{2})?$")


def str_param(params: dict[str, Any], name: str) -> str | None:
    """A string parameter, or None (absent or a file part)."""
    value = params.get(name)
    return value if isinstance(value, str) else None


def int_param(params: dict[str, Any], name: str, default: int | None = None) -> int | None:
    """An Integer parameter; 400 when it is not one."""
    value = str_param(params, name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise bad_request(f'field "{name}" must be of type Integer') from None


def bool_param(params: dict[str, Any], name: str) -> bool:
    """A Boolean parameter ("true"/"1")."""
    return (str_param(params, name) or "").lower() in ("true", "1")


def json_param(params: dict[str, Any], name: str, what: str) -> Any:
    """A JSON-encoded parameter; 400 "can't parse {what} JSON object" when malformed."""
    value = str_param(params, name)
    if value is None or value == "":
        return None
    try:
        return json.loads(value)
    except ValueError:
        raise bad_request(f"can't parse {what} JSON object") from None


class BotApiMethods(TelegramWorld):
    """Implements each supported method as ``api_<lowercase name>(params) -> result``."""

    webhook: WebhookPusher  # set by FakeTelegram

    # ---- account -------------------------------------------------------------------------------
    def api_getme(self, params: dict[str, Any]) -> JSON:
        """getMe."""
        return self.bot.to_json() | {"can_join_groups": True, "can_read_all_group_messages": not self.privacy_mode,
                                     "supports_inline_queries": False, "can_connect_to_business": False,
                                     "has_main_web_app": False}

    def api_setwebhook(self, params: dict[str, Any]) -> bool:
        """setWebhook: checked as Telegram does; queued updates are then pushed to the URL (``telegram_webhook``)."""
        url = str_param(params, "url") or ""
        allowed = json_param(params, "allowed_updates", "allowed updates")
        if url:
            self.webhook.set(params, url, allowed)
        else:
            self.webhook.delete()
        if allowed is not None:
            self.allowed_updates = frozenset(allowed) or None
        if bool_param(params, "drop_pending_updates"):
            self.drop_pending_updates()
        self.webhook_url = url
        return True

    def api_deletewebhook(self, params: dict[str, Any]) -> bool:
        """deleteWebhook, optionally dropping pending updates."""
        self.webhook.delete()
        self.webhook_url = ""
        if bool_param(params, "drop_pending_updates"):
            self.drop_pending_updates()
        return True

    def api_getwebhookinfo(self, params: dict[str, Any]) -> JSON:
        """getWebhookInfo."""
        return self.webhook.info()

    def api_close(self, params: dict[str, Any]) -> bool:
        """close: harmless here."""
        return True

    def api_logout(self, params: dict[str, Any]) -> bool:
        """logOut: harmless here."""
        return True

    # ---- sending -------------------------------------------------------------------------------
    def api_sendmessage(self, params: dict[str, Any]) -> JSON:
        """sendMessage."""
        chat = self._target_chat(params)
        text = str_param(params, "text") or ""
        plain, entities = self._format(text, params, "entities", MAX_TEXT, "message is too long")
        if not plain:
            raise bad_request("message text is empty")
        return self._deliver(chat, params, "text", plain, entities, text)

    def api_senddocument(self, params: dict[str, Any]) -> JSON:
        """sendDocument (multipart part ``document``, or a known file_id)."""
        chat = self._target_chat(params)
        stored = self._input_file(params, "document", "documents")
        caption = str_param(params, "caption") or ""
        plain, entities = self._format(caption, params, "caption_entities", MAX_CAPTION, "message caption is too long")
        return self._deliver(chat, params, "caption", plain, entities, caption, document=stored)

    def api_sendphoto(self, params: dict[str, Any]) -> JSON:
        """sendPhoto (multipart part ``photo``, or a known file_id)."""
        chat = self._target_chat(params)
        stored = self._input_file(params, "photo", "photos")
        caption = str_param(params, "caption") or ""
        plain, entities = self._format(caption, params, "caption_entities", MAX_CAPTION, "message caption is too long")
        return self._deliver(chat, params, "caption", plain, entities, caption, photo=stored)

    def api_sendchataction(self, params: dict[str, Any]) -> bool:
        """sendChatAction."""
        self._target_chat(params)
        return True

    # ---- editing -------------------------------------------------------------------------------
    def api_editmessagetext(self, params: dict[str, Any]) -> JSON:
        """editMessageText; leaving out reply_markup removes the inline keyboard, as on Telegram."""
        sent, message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text = str_param(params, "text") or ""
        plain, entities = self._format(text, params, "entities", MAX_TEXT, "message is too long")
        if not plain:
            raise bad_request("message text is empty")
        markup = self._inline_markup(params)
        if (plain, entities, markup) == (message["text"], message.get("entities", []), message.get("reply_markup")):
            raise bad_request(NOT_MODIFIED)
        message["text"] = plain
        sent.raw_text, sent.parse_mode = text, str_param(params, "parse_mode")
        return self._apply_edit(sent, message, params, entities, "entities", markup)

    def api_editmessagecaption(self, params: dict[str, Any]) -> JSON:
        """editMessageCaption."""
        sent, message = self._editable(params)
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        caption = str_param(params, "caption") or ""
        plain, entities = self._format(caption, params, "caption_entities", MAX_CAPTION, "message caption is too long")
        markup = self._inline_markup(params)
        current = (message.get("caption", ""), message.get("caption_entities", []), message.get("reply_markup"))
        if (plain, entities, markup) == current:
            raise bad_request(NOT_MODIFIED)
        if plain:
            message["caption"] = plain
        else:
            message.pop("caption", None)
        sent.raw_text, sent.parse_mode = caption, str_param(params, "parse_mode")
        return self._apply_edit(sent, message, params, entities, "caption_entities", markup)

    def api_editmessagereplymarkup(self, params: dict[str, Any]) -> JSON:
        """editMessageReplyMarkup; no reply_markup removes the keyboard."""
        sent, message = self._editable(params)
        markup = self._inline_markup(params)
        if markup == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        kind = "entities" if "text" in message else "caption_entities"
        return self._apply_edit(sent, message, params, message.get(kind, []), kind, markup)

    def api_deletemessage(self, params: dict[str, Any]) -> bool:
        """deleteMessage."""
        chat = self._known_chat(params)
        mid = int_param(params, "message_id")
        if mid is None or self._messages.get(chat.id, {}).pop(mid, None) is None:
            raise bad_request("message to delete not found")
        for sent in self._sent.get(chat.id, []):
            if sent.message_id == mid:
                sent.deleted = True
        self.notify()
        return True

    # ---- callbacks, files, commands ------------------------------------------------------------
    def api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        """answerCallbackQuery; each query can be answered once."""
        query_id = str_param(params, "callback_query_id") or ""
        if query_id not in self._open_callbacks:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        self._open_callbacks.discard(query_id)
        self.answered_callbacks.append({"callback_query_id": query_id, "text": str_param(params, "text"),
                                        "show_alert": bool_param(params, "show_alert"), "url": str_param(params, "url"),
                                        "cache_time": int_param(params, "cache_time")})
        self.notify()
        return True

    def api_getfile(self, params: dict[str, Any]) -> JSON:
        """getFile: a file_path downloadable under the file URL."""
        stored = self.files.get(str_param(params, "file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.data),
                "file_path": stored.file_path}

    def api_setmycommands(self, params: dict[str, Any]) -> bool:
        """setMyCommands, stored per (scope, language_code)."""
        commands = json_param(params, "commands", "commands")
        if not isinstance(commands, list):
            raise bad_request("parameter \"commands\" is required")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            if not _COMMAND_RE.match(str(cmd.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        if commands:
            self.commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        else:
            self.commands.pop(key, None)
        return True

    def api_getmycommands(self, params: dict[str, Any]) -> list[JSON]:
        """getMyCommands for exactly that scope and language (no fallback, as on Telegram)."""
        return self.commands.get(self._commands_key(params), [])

    def api_deletemycommands(self, params: dict[str, Any]) -> bool:
        """deleteMyCommands."""
        self.commands.pop(self._commands_key(params), None)
        return True

    # ---- helpers -------------------------------------------------------------------------------
    def _known_chat(self, params: dict[str, Any]) -> Chat:
        raw = str_param(params, "chat_id")
        if not raw:
            raise bad_request("chat_id is empty")
        try:
            chat = self.chats.get(int(raw))
        except ValueError:
            chat = None  # @usernames only name public channels and supergroups; the fake has none
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _target_chat(self, params: dict[str, Any]) -> Chat:
        chat = self._known_chat(params)
        if chat.user is not None:
            if chat.user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not chat.user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _format(self, text: str, params: dict[str, Any], entities_field: str, limit: int,
                too_long: str) -> tuple[str, list[JSON]]:
        """Parse the text as Telegram does and check its length; returns (plain text, entities)."""
        mode = (str_param(params, "parse_mode") or "").lower()
        if mode == "html":
            try:
                plain, entities = parse_html(text, strict_ampersand=self.strict_ampersand)
            except EntityParseError as err:
                raise bad_request(f"can't parse entities: {err}") from None
        elif mode in ("", "markdown", "markdownv2"):  # Markdown is passed through unchecked
            plain, entities = text, json_param(params, entities_field, "entities") or []
        else:
            raise bad_request("unsupported parse_mode")
        plain, entities = trim(plain, entities)
        if len(plain) > limit:
            raise bad_request(too_long)
        return plain, entities

    def _reply_markup(self, params: dict[str, Any]) -> JSON | None:
        markup = json_param(params, "reply_markup", "reply keyboard markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not str(button.get("text", "")).strip():
                    raise bad_request("can't parse inline keyboard button: Text must be non-empty")
                if set(button) <= {"text"}:
                    raise bad_request("can't parse inline keyboard button: "
                                      "Text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
        return markup

    def _inline_markup(self, params: dict[str, Any]) -> JSON | None:
        markup = self._reply_markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        return markup

    def _reply_target(self, chat: Chat, params: dict[str, Any]) -> JSON | None:
        reply = json_param(params, "reply_parameters", "reply parameters")
        if reply is None and str_param(params, "reply_to_message_id"):
            reply = {"message_id": int_param(params, "reply_to_message_id"),
                     "allow_sending_without_reply": bool_param(params, "allow_sending_without_reply")}
        if not reply:
            return None
        target = self._messages.get(int(reply.get("chat_id", chat.id)), {}).get(int(reply["message_id"]))
        if target is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return {k: v for k, v in target.items() if k != "reply_to_message"}

    def _input_file(self, params: dict[str, Any], field: str, folder: str) -> StoredFile:
        value = params.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://"):])
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            width = height = 0
            if folder == "photos":
                width, height = _image_size(value.data)
            return self.store_file(value.data, value.filename, value.content_type, folder, width, height)
        if isinstance(value, str) and value:
            if value in self.files:
                return self.files[value]
            if value.startswith(("http://", "https://")):
                raise bad_request("failed to get HTTP URL content")
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {field} in the request")

    def _deliver(self, chat: Chat, params: dict[str, Any], field: str, plain: str, entities: list[JSON],
                 raw: str, document: StoredFile | None = None, photo: StoredFile | None = None) -> JSON:
        markup = self._reply_markup(params)
        reply = self._reply_target(chat, params)
        self.check_flood(chat)
        message: JSON = {"message_id": self._new_message_id(chat.id), "from": self.bot.to_json(),
                         "chat": chat.to_json(), "date": int(self.wall_clock())}
        if reply is not None:
            message["reply_to_message"] = reply
        if document is not None:
            message["document"] = document.document_json()
        if photo is not None:
            message["photo"] = photo.photo_json()
        if plain:
            message[field] = plain
        if entities:
            message["entities" if field == "text" else "caption_entities"] = entities
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # other keyboards live on the client, not in the Message
        self._messages[chat.id][message["message_id"]] = message
        self._sent.setdefault(chat.id, []).append(
            SentMessage(message, raw, str_param(params, "parse_mode"), markup, dict(params), document, photo))
        self.notify()
        return message

    def _editable(self, params: dict[str, Any]) -> tuple[SentMessage, JSON]:
        if str_param(params, "inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # inline messages are not modelled
        chat = self._target_chat(params)
        message = self._messages.get(chat.id, {}).get(int_param(params, "message_id") or 0)
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot.id:
            raise bad_request("message can't be edited")
        sent = next(s for s in self._sent[chat.id] if s.message_id == message["message_id"])
        return sent, message

    def _apply_edit(self, sent: SentMessage, message: JSON, params: dict[str, Any], entities: list[JSON],
                    kind: str, markup: JSON | None) -> JSON:
        for key, value in ((kind, entities), ("reply_markup", markup)):
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        sent.reply_markup = markup
        message["edit_date"] = int(self.wall_clock())
        sent.edits.append(dict(params))
        self.notify()
        return message

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        lang = str_param(params, "language_code") or ""
        if not _LANG_RE.match(lang):
            raise bad_request("LANG_CODE_INVALID")
        return scope_key(json_param(params, "scope", "scope")), lang


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of an uploaded photo; Telegram refuses what it cannot decode."""
    from PIL import Image, UnidentifiedImageError  # pillow comes with matplotlib

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None
