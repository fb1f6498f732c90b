"""SQLAlchemy 2 typed models: tables, tasks, people, sections, milestones, progress, accounts and the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.types import TypeDecorator

from bot.db import fold, listing
from bot.db.clock import UTC


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always returned timezone-aware (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base; JSON columns map from dict/list."""

    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, datetime: UtcDateTime}


class TaskTable(Base):
    """One imported responsibility breakdown table (责任分解表)."""

    __tablename__ = "task_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    issued: Mapped[date | None] = mapped_column(Date)
    source_name: Mapped[str] = mapped_column(String(300))
    source_hash: Mapped[str] = mapped_column(String(64))
    source_format: Mapped[str] = mapped_column(String(10))
    columns: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    imported_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    tasks: Mapped[list[Task]] = relationship(back_populates="table", order_by="Task.seq")


class Person(Base):
    """A person named in a table (leader) or added by an admin; shared across tables."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime]
    # The channel notices go to when the person is bound on several (/prefer); None: the latest bound account.
    preferred_channel: Mapped[str | None] = mapped_column(String(20))

    memberships: Mapped[list[SectionMember]] = relationship(back_populates="person", cascade="all, delete-orphan")


class Section(Base):
    """An accountable office (股室/处室/科室); shared across tables."""

    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]

    members: Mapped[list[SectionMember]] = relationship(back_populates="section", cascade="all, delete-orphan")


class SectionMember(Base):
    """A person's membership of a section; ``is_head`` marks the section head."""

    __tablename__ = "section_members"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), primary_key=True)
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)

    person: Mapped[Person] = relationship(back_populates="memberships")
    section: Mapped[Section] = relationship(back_populates="members")

    __table_args__ = (Index("ix_section_members_section", "section_id"),)


class Task(Base):
    """A numbered key task of a table."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("task_tables.id", ondelete="CASCADE"))
    no: Mapped[str] = mapped_column(String(20))
    seq: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    units: Mapped[list[str]] = mapped_column(default=list)
    deadline_text: Mapped[str | None] = mapped_column(Text)
    remarks: Mapped[str | None] = mapped_column(Text)
    source_line: Mapped[int | None] = mapped_column(Integer)
    # open → done; removed marks a row dropped by a revised table (kept for its history).
    status: Mapped[str] = mapped_column(String(12), default="open")
    progress_percent: Mapped[int | None] = mapped_column(Integer)
    progress_text: Mapped[str | None] = mapped_column(Text)
    progress_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    # The earliest due date of its fixed milestones (see earliest_fixed_due), stored so that listings sort
    # and filter tasks without reading every milestone. Every ORM flush keeps it in step (_keep_fixed_due);
    # rows written with Core statements must set it themselves.
    fixed_due: Mapped[date | None] = mapped_column(Date)
    # Its milestones folded into one text for the daily pass, written only by the database's triggers (see
    # bot.db.fold); the application never sets it.
    schedule: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    table: Mapped[TaskTable] = relationship(back_populates="tasks")
    leaders: Mapped[list[TaskLeader]] = relationship(
        cascade="all, delete-orphan", order_by="TaskLeader.position", lazy="selectin"
    )
    sections: Mapped[list[TaskSection]] = relationship(
        cascade="all, delete-orphan", order_by="TaskSection.position", lazy="selectin"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        cascade="all, delete-orphan", order_by="Milestone.position", lazy="selectin"
    )

    # No index on status: nearly every row is open or done, and without statistics SQLite would still pick
    # such an index and then read each row twice (index entry, then the row).
    __table_args__ = (UniqueConstraint("table_id", "no", name="uq_tasks_table_no"),)


UNFIXED_KINDS = frozenset({"recurring", "ongoing"})


def earliest_fixed_due(milestones: Iterable[Any]) -> date | None:
    """The earliest due date among milestones (anything with ``kind`` and ``due``) that are not recurring or ongoing."""
    return min((m.due for m in milestones if m.due is not None and m.kind not in UNFIXED_KINDS), default=None)


@event.listens_for(Session, "after_flush")
def _keep_fixed_due(session: Session, _context: Any) -> None:
    # Worked out by the database after the flush, so every ORM change counts: milestones added, edited in
    # place, deleted, or dropped from a task's collection, whether or not their task is loaded.
    touched = {m.task_id for m in (*session.new, *session.dirty, *session.deleted) if isinstance(m, Milestone)}
    touched |= {
        task.id for task in session.dirty if isinstance(task, Task) and inspect(task).attrs.milestones.history.has_changes()
    }
    touched.discard(None)
    if not touched:
        return
    earliest = (
        select(func.min(Milestone.due))
        .where(Milestone.task_id == Task.id, Milestone.due.is_not(None), Milestone.kind.not_in(sorted(UNFIXED_KINDS)))
        .scalar_subquery()
    )
    ids = sorted(touched)
    for start in range(0, len(ids), 500):
        stmt = update(Task).where(Task.id.in_(ids[start : start + 500])).values(fixed_due=earliest)
        for task_id, fixed in session.connection().execute(stmt.returning(Task.id, Task.fixed_due)):
            loaded = session.identity_map.get(identity_key(Task, task_id))
            if loaded is not None:
                set_committed_value(loaded, "fixed_due", fixed)


class ListingKeys:
    """A link row's copy of its task's listing keys, written only by the database's triggers (see bot.db.listing)."""

    task_open: Mapped[bool | None] = mapped_column(Boolean, deferred=True)
    task_recurs: Mapped[bool | None] = mapped_column(Boolean, deferred=True)
    task_due: Mapped[date | None] = mapped_column(Date, deferred=True)
    task_table: Mapped[int | None] = mapped_column(Integer, deferred=True)
    task_seq: Mapped[int | None] = mapped_column(Integer, deferred=True)


class TaskLeader(ListingKeys, Base):
    """A lead leader (牵头领导) of a task."""

    __tablename__ = "task_leaders"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    person: Mapped[Person] = relationship(lazy="joined")

    # With the task and its listing keys in the index, "the open tasks this person leads" are read from one range.
    __table_args__ = (Index("ix_task_leaders_listing", *listing.index_columns("person_id")),)


class TaskSection(ListingKeys, Base):
    """A lead section (牵头股室) of a task."""

    __tablename__ = "task_sections"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    section: Mapped[Section] = relationship(lazy="joined")

    # With the task and its listing keys in the index, "the open tasks of this section" are read from one range.
    __table_args__ = (Index("ix_task_sections_listing", *listing.index_columns("section_id")),)


listing.attach(TaskSection.__table__)  # type: ignore[arg-type]  # its triggers keep the links' listing keys


class Milestone(Base):
    """A time node of a task: dated, target, recurring, ongoing or default."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    due: Mapped[date | None] = mapped_column(Date)
    original_due: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(12))
    period: Mapped[str | None] = mapped_column(String(10))
    estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    # The start of the milestone's window, for 序时进度 (the table's issue date by default).
    window_start: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_milestones_task", "task_id"), Index("ix_milestones_due", "due"))


fold.attach(Milestone.__table__)  # type: ignore[arg-type]  # its triggers keep tasks.schedule


class TaskEvent(Base):
    """The audit trail: every change to a task, with who, when and from which channel (考评 relies on it)."""

    __tablename__ = "task_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(20))
    # ack, progress, done, reopen, extend_request, extend_approved, extend_rejected, snooze, import_change
    kind: Mapped[str] = mapped_column(String(20))
    percent: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_task_events_task", "task_id", "created_at"),)


class ExtensionRequest(Base):
    """A request to move a milestone (延期申请), approved or rejected by the lead leader or an admin."""

    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id", ondelete="CASCADE"))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    requester_account: Mapped[str] = mapped_column(String(120))
    new_due: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Occurrence(Base):
    """One period of a recurring milestone (2026-Q2, due 06-30) that something happened to: 签收, a report, a waiver.

    Periods nobody has touched have no row: bot.services.occurrences derives them from the milestone's period
    and the calendar, and counts them open (overdue once their due date has passed). So the daily pass reads
    only the few rows that exist, however many tasks recur.
    """

    __tablename__ = "occurrences"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    # The milestone that asked for it last; a revised table re-creates milestones, and the period's trail stays.
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id", ondelete="SET NULL"))
    period_key: Mapped[str] = mapped_column(String(10))  # 2026-07, 2026-Q2, 2026-H1, 2026, 2026-W27
    due: Mapped[date] = mapped_column(Date)
    # acknowledged → reported | waived (a report or a waiver closes the period; 签收 alone does not).
    state: Mapped[str] = mapped_column(String(12), default="acknowledged")
    acked_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    acked_at: Mapped[datetime | None]
    report_event_id: Mapped[int | None] = mapped_column(ForeignKey("task_events.id", ondelete="SET NULL"))
    reported_at: Mapped[datetime | None]
    waiver_reason: Mapped[str | None] = mapped_column(Text)
    waived_by: Mapped[str | None] = mapped_column(String(120))
    waived_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    # One row per task and period: the key says the kind of period (2026-07 vs 2026-Q3), and the constraint's
    # index serves "this task's periods".
    __table_args__ = (UniqueConstraint("task_id", "period_key", name="uq_occurrences_period"),)


class Account(Base):
    """A chat account (``telegram:123``, ``wecom:zhangsan``, ``console:local``), bound to a person or not."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(120))
    display_name: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    lang: Mapped[str | None] = mapped_column(String(5))
    bound_at: Mapped[datetime | None]
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]

    person: Mapped[Person | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_accounts_channel_external"),
        Index("ix_accounts_person", "person_id"),
    )


class Invite(Base):
    """A single-use binding code, valid for 7 days."""

    __tablename__ = "invites"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str | None] = mapped_column(String(120))


class InviteFailure(Base):
    """A wrong invite code sent by an account (``telegram:123``): a few in a row slow that account down."""

    __tablename__ = "invite_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(140))
    at: Mapped[datetime]

    __table_args__ = (Index("ix_invite_failures_account_at", "account", "at"),)


class ChatSubscription(Base):
    """A group chat subscribed to a section's tasks (``section_id`` None means all sections)."""

    __tablename__ = "chat_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(120))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    title: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("channel", "chat_id", "section_id", name="uq_subscription"),
        Index("ix_subscriptions_section", "section_id"),
    )


class GroupRobot(Base):
    """A group robot an admin registered (WeCom webhook key, DingTalk access token): it posts its sections' digests.

    Its sections are ``ChatSubscription`` rows on chat id ``robot:<id>``, so the scheduler plans its digests like
    any subscribed group; ``target`` and ``secret`` are secrets, never logged and shown masked.
    """

    __tablename__ = "group_robots"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(140))
    created_at: Mapped[datetime]
    # Set when removed: the row stays, its key replaced by a digest, so a removed settings robot is not adopted again.
    removed_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("channel", "target", name="uq_group_robots_target"),)


class CalendarOverride(Base):
    """An admin's correction of the working-day calendar."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(200))


class PendingImport(Base):
    """An uploaded table awaiting the admin's 确认导入 (kept in the DB so any replica can confirm it)."""

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    actor: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(300))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    year: Mapped[int | None] = mapped_column(Integer)
    columns: Mapped[str | None] = mapped_column(String(400))  # the admin's column mapping, "B=类别,C=任务"
    created_at: Mapped[datetime]


class Snooze(Base):
    """明天再提醒: a person's reminders for a task held until a date."""

    __tablename__ = "snoozes"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """A notice to deliver, keyed for idempotency; marked sent only after the platform accepted it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(120))
    target_kind: Mapped[str] = mapped_column(String(10), default="private")
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[str]] = mapped_column(default=list)
    # pending → sent | dead; attempts and next_attempt_at drive retries with backoff.
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)


class SentBatch(Base):
    """Idempotency ledger: the notice keys (task, occurrence, recipient, kind, day or step) one pass recorded for
    one recipient and kind, newline-separated: a row per recipient and kind, not per key (86,000 keys a pass at
    100,000 tasks). Rows only ever come in under the pass's write lock (scheduler.ledger), so ids grow in
    commit order; AUTOINCREMENT keeps SQLite from reusing the id of a deleted last row."""

    __tablename__ = "sent_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    keys: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_sent_batches_created", "created_at"), {"sqlite_autoincrement": True})


class HandledMessage(Base):
    """A channel message already handled (a digest of its id), so a delivery replayed after a restart is ignored."""

    __tablename__ = "handled_messages"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    handled_at: Mapped[datetime]

    __table_args__ = (Index("ix_handled_messages_at", "handled_at"),)


# ---- Conversation (issue 3): indexes for the hot listings ------------------------------------------------
# Listings join each visible task's recurring milestones (their current due date depends on today). Few
# milestones recur, so a partial index on just those is small and stays in cache, where probing an index of
# every milestone would touch a page per task.
Index(
    "ix_milestones_recurring",
    Milestone.task_id,
    sqlite_where=Milestone.kind == "recurring",
    postgresql_where=Milestone.kind == "recurring",
)
# 我的任务 looks up each of a person's tasks by id for its table, order and fixed due date (issue 12): on
# PostgreSQL this index answers that alone, without reading the wide task row. (SQLite finds a row by its id
# directly and leaves the index to the rare query that names status 'open' as a literal.)
Index(
    "ix_tasks_open",
    Task.id,
    Task.table_id,
    Task.seq,
    Task.fixed_due,
    sqlite_where=Task.status == "open",
    postgresql_where=Task.status == "open",
)


# ---- Replicas on PostgreSQL (issue 12): one pass per slot, shared flood limits, one Telegram poller ----------


class PassSlot(Base):
    """A reminder pass slot that ran: by which replica and when (one per slot across replicas; ``duban jobs``)."""

    __tablename__ = "pass_slots"

    slot: Mapped[str] = mapped_column(String(40), primary_key=True)  # the local send time it is for, "2026-12-07 09:00"
    replica: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    messages: Mapped[int] = mapped_column(Integer, default=0)


class RateBucket(Base):
    """A flood limit shared by every replica: the GCRA's theoretical arrival time, on the database's clock."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tat: Mapped[float]  # epoch seconds: the next send may go at tat - (burst - 1) * period
    seen: Mapped[float]  # epoch seconds of the last reservation (the database's clock at that statement)


class Lease(Base):
    """A named lease (the Telegram poller): held by one replica until it expires unless renewed."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[float]  # epoch seconds on the database's clock
