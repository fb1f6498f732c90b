"""Value types shared by the working-day calendar: where a day's status came from, and answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Source = Literal["override", "official", "estimate", "weekend"]

# Answers built on these sources are guesses and must be shown as such.
ESTIMATED_SOURCES: frozenset[str] = frozenset({"estimate", "weekend"})


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One day's status: working or not, which source said so, and the holiday name when known."""

    working: bool
    source: Source
    name: str | None = None

    @property
    def estimated(self) -> bool:
        """True when the status is a guess (holidays-package estimate or weekends only)."""
        return self.source in ESTIMATED_SOURCES


@dataclass(frozen=True, slots=True)
class DateAnswer:
    """A computed date; ``estimated`` is True if any day consulted came from a guessing source."""

    value: date
    estimated: bool


@dataclass(frozen=True, slots=True)
class CountAnswer:
    """A computed count of working days; ``estimated`` as for DateAnswer."""

    value: int
    estimated: bool
