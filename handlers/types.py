"""Moved to the channel contract (bot.contracts); kept until every import names bot.contracts."""

from bot.contracts.messages import Attachment, Button, Chat, ChatKind, OutFile, Reply, Request, Sender

__all__ = ["Attachment", "Button", "Chat", "ChatKind", "OutFile", "Reply", "Request", "Sender"]
