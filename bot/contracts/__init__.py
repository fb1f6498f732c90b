"""The channel contract: requests and replies, buttons and their one action codec, the Notifier port, capabilities.

Everything a channel adapter, the conversation and the scheduler agree on lives here, in the platform-free core.
"""

from bot.contracts.capabilities import PLAIN, RICH, Capabilities
from bot.contracts.messages import Attachment, Button, Chat, ChatKind, OutFile, Reply, Request, Sender
from bot.contracts.notify import (
    DeliveryError,
    Notifier,
    Rejected,
    RetryLater,
    Target,
    TargetKind,
    Transient,
    Unreachable,
)

__all__ = [
    "Attachment",
    "Button",
    "Capabilities",
    "Chat",
    "ChatKind",
    "DeliveryError",
    "Notifier",
    "OutFile",
    "PLAIN",
    "RICH",
    "Rejected",
    "Reply",
    "Request",
    "RetryLater",
    "Sender",
    "Target",
    "TargetKind",
    "Transient",
    "Unreachable",
]
