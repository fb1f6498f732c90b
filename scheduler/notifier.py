"""Moved to the channel contract (bot.contracts.notify); kept until every import names bot.contracts."""

from bot.contracts.messages import Button
from bot.contracts.notify import DeliveryError, Notifier, Rejected, RetryLater, Target, TargetKind, Transient, Unreachable

__all__ = ["Button", "DeliveryError", "Notifier", "Rejected", "RetryLater", "Target", "TargetKind", "Transient",
           "Unreachable"]
