"""The values the time-node extractor hands out: milestone drafts, warnings and their bundle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

MilestoneKind = Literal["dated", "target", "recurring", "ongoing", "default"]
Period = Literal["day", "week", "month", "quarter", "half", "year"]

# Every warning code the extractor can emit; each has a text "timenode.<code>" in every language.
WARNING_CODES: tuple[str, ...] = (
    "placeholder",
    "vague",
    "undated_recurring",
    "month_before",
    "year_before",
    "past",
    "duration",
)


@dataclass(frozen=True, slots=True)
class MilestoneDraft:
    """One time node read from a cell, before it is stored."""

    due: date | None  # None only for ongoing and for 定期 (recurring, no period)
    text: str  # the exact source phrase, e.g. "10月底前"
    kind: MilestoneKind
    period: Period | None  # recurring only
    estimate: bool  # True where the reading is uncertain (M月前, 定期, durations…)


@dataclass(frozen=True, slots=True)
class TimeWarning:
    """Something the admin should check in the import preview; rendered via t(f"timenode.{code}")."""

    code: str
    phrase: str


@dataclass(frozen=True, slots=True)
class Extraction:
    """All milestones (deduplicated, ordered by due date, None last) and warnings of one text."""

    milestones: tuple[MilestoneDraft, ...]
    warnings: tuple[TimeWarning, ...]
