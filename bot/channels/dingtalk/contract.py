"""The channel contract as this package uses it, imported in one place.

Requests, replies and buttons come from the conversation's types, the Notifier's target and neutral send errors
from the scheduler's port; when the contract moves into the core (issue 11, part 1), only this module changes.
"""

from __future__ import annotations

from bot.contracts import Attachment, Button, Chat, OutFile, Reply, Request, Sender
from bot.contracts import Rejected, RetryLater, Target, Transient, Unreachable

__all__ = ["Attachment", "Button", "Chat", "OutFile", "Rejected", "Reply", "Request", "RetryLater", "Sender", "Target",
           "Transient", "Unreachable"]
