"""Time helpers: UTC storage, local display. The clock itself is always passed in, never read here."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc


def to_local(moment: datetime, tz: str) -> datetime:
    """A UTC (aware) instant in the bureau's local time zone."""
    return moment.astimezone(ZoneInfo(tz))


def local_date(moment: datetime, tz: str) -> date:
    """The local calendar date of an instant."""
    return to_local(moment, tz).date()


def from_local(naive_local: datetime, tz: str) -> datetime:
    """A naive local wall-clock time as an aware UTC instant."""
    return naive_local.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
