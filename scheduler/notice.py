"""What the planner produces: its rules, recipients and notices (plain values, no logic beyond keys)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Literal

from bot.services.status import Rules


@dataclass(frozen=True, slots=True)
class PlanRules:
    """When notices fall due (from ``settings.reminders``)."""

    days_before: tuple[int, ...] = (5, 3, 1, 0)
    send_time: time = time(9, 0)
    escalate_head_after: int = 3
    escalate_leader_after: int = 5
    quiet_days_allow_red: bool = False
    colours: Rules = field(default_factory=Rules)

    @classmethod
    def from_settings(cls, reminders: Any) -> PlanRules:
        """Rules from a ReminderSettings object."""
        hour, minute = (int(x) for x in str(reminders.send_time).split(":")[:2])
        return cls(
            days_before=tuple(sorted({int(n) for n in reminders.days_before}, reverse=True)),
            send_time=time(hour, minute),
            escalate_head_after=reminders.escalate_head_after,
            escalate_leader_after=reminders.escalate_leader_after,
            quiet_days_allow_red=reminders.quiet_days_allow_red,
            colours=Rules.from_settings(reminders),
        )


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a notice is for: a person (routed to their account), an account (admins) or a group chat."""

    kind: Literal["person", "account", "group"]
    person_id: int | None = None
    channel: str | None = None
    address: str | None = None

    @property
    def key(self) -> str:
        """A short stable spelling used inside idempotency keys."""
        if self.kind == "person":
            return f"p{self.person_id}"
        return f"{'a' if self.kind == 'account' else 'g'}{self.channel}:{self.address}"


@dataclass(slots=True)  # not frozen: built once per task and run
class Line:
    """One task as a digest or report shows it."""

    task_id: int
    colour: str
    due: date | None
    days_left: int | None
    estimated: bool


@dataclass(frozen=True, slots=True)
class Rank:
    """A section's on-time record for the admins' weekly ranking."""

    section_id: int
    on_time: int
    assessed: int

    @property
    def rate(self) -> float | None:
        """Share of assessed tasks done on time (None when nothing can be assessed yet)."""
        return self.on_time / self.assessed if self.assessed else None


@dataclass(slots=True)  # not frozen: a run builds tens of thousands, and frozen init costs 3× as much
class Notice:
    """One planned notice with its idempotency key; rendering turns groups of them into messages."""

    key: str
    kind: str
    recipient: Recipient
    task_ids: tuple[int, ...]
    milestone_id: int | None = None
    due: date | None = None
    # Working days left (reminder), overdue (overdue/escalation), or None.
    days: int | None = None
    estimated: bool = False
    # Escalations: ((person_id, "ack"|"snoozed"|"none"), …); digests/reports: Line and Rank values.
    detail: tuple[Any, ...] = ()
    # A recurring milestone's period (``2026-Q2``) the notice is about.
    period: str | None = None
