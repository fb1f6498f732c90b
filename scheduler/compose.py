"""From planned notices to messages: one per recipient and run, rendered per language, split to fit a chat.

One message run lists at most ``max_listed`` tasks (``reminders.max_listed``), the most urgent first in the
usual order; a closing line counts the rest by kind or colour and says how to see them all (「逾期」,
「我的任务」, /export). A section's digest or a busy member's daily message can hold thousands of tasks: listed
whole it became hundreds of messages, which take a group 20 minutes to receive at Telegram's 20 per minute
and bury the chat. Only what is listed is rendered, so a run's cost is bounded per recipient. The tasks
counted in the closing line were told about: their notices are in the ledger like the listed ones (so an
escalation counted there is not repeated), and what is still due comes again on its next day or step.
"""

from __future__ import annotations

import hashlib
import html
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from bot.services.assign import number_list
from bot.services.occurrences import label as period_label
from bot.services.status import COLOUR_MARKS, tracks_periods
from bot.timenodes.recurrence import period_spans
from bot.texts import t
from bot.contracts import RICH, Button, Capabilities, Target
from bot.contracts.actions import encode
from scheduler.planner import DAILY_KINDS, ESCALATION_KINDS, Line, Notice, Rank, Recipient
from scheduler.snapshot import Snapshot, TaskRow

# Telegram refuses texts over 4096 characters; stay well under, and keep keyboards small.
MAX_CHARS = 3500
MAX_TASK_ROWS = 8
TITLE_CHARS = 80
MAX_LISTED = 30  # the default of reminders.max_listed
_Item = TypeVar("_Item")
DAILY_ORDER = ("overdue", "reminder", "snoozed", "escalation_head", "escalation_leader", "progress")
BUTTON_KINDS = frozenset({"overdue", "reminder", "snoozed"})
ACK_TEXTS = {"ack": "notices.ack_yes", "snoozed": "notices.ack_snoozed", "none": "notices.ack_no"}


@dataclass(frozen=True, slots=True)
class Chunk:
    """One chat message: safe-HTML text and its inline keyboard."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(slots=True)
class Envelope:
    """The notices one recipient gets in one message of a run, with where and in which language."""

    bucket: str  # "daily", "digest", "weekly_leader", "weekly_admin", "unassigned"
    recipient: Recipient
    target: Target | None  # None: the person has no reachable account
    lang: str
    label: str
    notices: list[Notice] = field(default_factory=list)

    def key(self, day: date, notices: Sequence[Notice] | None = None) -> str:
        """The message's outbox key: bucket, recipient, day and a digest of the notice keys it carries."""
        keys = sorted(n.key for n in (self.notices if notices is None else notices))
        digest = hashlib.sha1("\n".join(keys).encode()).hexdigest()[:12]
        return f"msg:{self.bucket}:{self.recipient.key}:{day.isoformat()}:{digest}"


def envelopes(notices: Iterable[Notice], snap: Snapshot, default_lang: str) -> list[Envelope]:
    """Group notices into one envelope per recipient and bucket, routed to the person's account."""
    out: dict[tuple[str, Recipient], Envelope] = {}
    for notice in notices:
        bucket = "daily" if notice.kind in DAILY_KINDS or notice.kind in ESCALATION_KINDS else notice.kind
        env = out.get((bucket, notice.recipient))
        if env is None:
            env = out[(bucket, notice.recipient)] = _envelope(bucket, notice.recipient, snap, default_lang)
        env.notices.append(notice)
    return list(out.values())


def _envelope(bucket: str, r: Recipient, snap: Snapshot, default_lang: str) -> Envelope:
    if r.kind == "person":
        account = snap.accounts.get(r.person_id or 0)
        name = snap.people.get(r.person_id or 0, f"#{r.person_id}")
        if account is None or account.channel in snap.silent:
            return Envelope(bucket, r, None, default_lang, name)
        return Envelope(bucket, r, Target(account.channel, account.external_id, "private"), account.lang or default_lang,
                        f"{name} ({account.key})")
    assert r.channel is not None and r.address is not None
    if r.kind == "group":
        title = next((g.title for g in snap.groups if g.channel == r.channel and g.chat_id == r.address), None)
        return Envelope(bucket, r, Target(r.channel, r.address, "group"), default_lang, f"{title or ''} ({r.channel}:{r.address})".strip())
    account = snap.accounts_by_key.get(f"{r.channel}:{r.address}")
    lang = (account.lang if account else None) or default_lang
    label = f"admin ({r.channel}:{r.address})"
    if r.channel in snap.silent:  # e.g. a console: only there while someone types in it
        return Envelope(bucket, r, None, lang, label)
    return Envelope(bucket, r, Target(r.channel, r.address, "private"), lang, label)


class Renderer:
    """Renders envelopes against one snapshot (tasks, names) for one day."""

    def __init__(self, snap: Snapshot, day: date, caps: Callable[[str], Capabilities] = lambda _channel: RICH,
                 max_listed: int = MAX_LISTED) -> None:
        self.snap, self.day, self.caps, self.max_listed = snap, day, caps, max_listed
        self.tasks: dict[int, TaskRow] = {task.id: task for task in snap.tasks}
        # A task shows up in many messages of a run (daily, digests, reports): render its pieces once.
        self._titles: dict[tuple[int, str], str] = {}
        self._sections: dict[tuple[tuple[int, ...], str], str] = {}
        self._whens: dict[tuple[object, ...], str] = {}
        self._lines: dict[tuple[int, str, bool, str], str] = {}
        self._periods: dict[tuple[int, date | None], str | None] = {}

    def render(self, env: Envelope, notices: Sequence[Notice] | None = None) -> list[Chunk]:
        """The messages for ``env`` (only ``notices`` when given: the ones this run won in the ledger)."""
        chosen = list(env.notices if notices is None else notices)
        if not chosen:
            return []
        lang = env.lang
        if env.bucket == "daily":
            header, blocks = self.daily(chosen, lang), self.daily_blocks(chosen, lang)
            footer = self.footer(env, lang) if any(n.kind in BUTTON_KINDS for n in chosen) else ""
        elif env.bucket == "digest":
            header, blocks, footer = self.digest_header(env, lang), self.colour_blocks(chosen[0].detail, lang, digest=True), ""
        elif env.bucket == "weekly_leader":
            lines = [x for x in chosen[0].detail if isinstance(x, Line)]
            name = html.escape(self.snap.people.get(env.recipient.person_id or 0, ""))
            header = t("notices.weekly_leader_header", lang, week=self.week(lang), name=name, n=len(lines))
            blocks, footer = self.colour_blocks(lines, lang, digest=False, bucket="weekly_leader"), ""
        elif env.bucket == "unassigned":
            header, blocks, footer = self.unassigned(chosen[0], lang), [], ""
        else:
            header, blocks, footer = self.weekly_admin(chosen[0].detail, lang)
        return _split(header, blocks, footer, lang)

    # ---- pieces --------------------------------------------------------------------------------
    def date(self, d: date, lang: str) -> str:
        """A day as the language writes it (10月9日 / Oct 9)."""
        return t("notices.date", lang, d=d)

    def week(self, lang: str) -> str:
        """The ISO week of the run's day."""
        year, week, _ = self.day.isocalendar()
        return t("notices.week", lang, year=year, week=week)

    def title(self, task: TaskRow, lang: str) -> str:
        """The task's title on one line, cut to TITLE_CHARS, escaped."""
        key = (task.id, lang)
        found = self._titles.get(key)
        if found is None:
            text = " ".join(task.title.split())
            if len(text) > TITLE_CHARS:
                text = text[: TITLE_CHARS - 1] + t("notices.title_cut", lang)
            found = self._titles[key] = html.escape(text)
        return found

    def sections(self, task: TaskRow, lang: str) -> str:
        """The task's lead sections, escaped."""
        key = (task.sections, lang)
        found = self._sections.get(key)
        if found is None:
            found = self._sections[key] = html.escape(t("notices.name_sep", lang).join(self.snap.sections.get(s, "?") for s in task.sections))
        return found

    def when(self, due: date | None, days_left: int | None, estimated: bool, lang: str) -> str:
        """Due date and working days left or overdue, marked when the calendar is estimated."""
        key = (due, days_left, estimated, lang)
        found = self._whens.get(key)
        if found is None:
            found = self._whens[key] = self._when(due, days_left, estimated, lang)
        return found

    def _when(self, due: date | None, days_left: int | None, estimated: bool, lang: str) -> str:
        if due is None or days_left is None:
            return t("notices.when_none", lang)
        est = t("notices.estimated", lang) if estimated else ""
        if days_left < 0:
            return t("notices.when_overdue", lang, due=self.date(due, lang), days=-days_left, est=est)
        if days_left == 0:
            return t("notices.when_today", lang, due=self.date(due, lang), est=est)
        return t("notices.when_left", lang, due=self.date(due, lang), days=days_left, est=est)

    def period_of(self, task: TaskRow, due: date | None) -> str | None:
        """The period key a digest line's due date belongs to, when it is a recurring milestone's (not a fixed date)."""
        key = (task.id, due)
        if key in self._periods:
            return self._periods[key]
        found = None
        if due is not None and not any(m.due == due and not tracks_periods(m) for m in task.milestones):
            for m in task.milestones:
                if tracks_periods(m):
                    found = next((s.key for s in period_spans(m.period, m.due.year)  # type: ignore[arg-type,union-attr]
                                  if s.start <= due <= s.end), None)
                    if found:
                        break
        self._periods[key] = found
        return found

    def daily(self, notices: Sequence[Notice], lang: str) -> str:
        """The header of a person's daily message."""
        return t("notices.daily_header", lang, date=self.date(self.day, lang))

    def daily_blocks(self, notices: Sequence[Notice], lang: str) -> list[tuple[str, tuple[Button, ...] | None]]:
        """Items grouped by kind, at most ``max_listed`` of them; a task escalated to someone who also works on it is
        shown once, as the escalation."""
        escalated = {n.task_ids[0] for n in notices if n.kind in ESCALATION_KINDS}
        responsible = {n.task_ids[0] for n in notices if n.kind in BUTTON_KINDS}
        by_kind: dict[str, list[Notice]] = defaultdict(list)
        for n in notices:
            if not (n.kind in BUTTON_KINDS and n.task_ids[0] in escalated):
                by_kind[n.kind].append(n)
        blocks: list[tuple[str, tuple[Button, ...] | None]] = []
        listed, unlisted = _listed(((kind, by_kind.get(kind, [])) for kind in DAILY_ORDER), self.max_listed, _by_due)
        for kind, shown, total in listed:
            blocks.append((t(f"notices.group_{kind}", lang, n=total), None))
            for n in shown:
                task = self.tasks[n.task_ids[0]]
                blocks.append((self.item(n, task, lang), self.buttons(n, task, lang, task.id in responsible)))
        if unlisted:
            blocks.append((self.unlisted(unlisted, "daily", lang), None))
        return blocks

    def unlisted(self, counts: dict[str, int], bucket: str, lang: str) -> str:
        """The closing line of a capped message: how many tasks were not listed, of which kind or colour, and
        where to see them all."""
        sep = t("notices.name_sep", lang)
        parts = sep.join(t(f"notices.more_{group}", lang, n=n) for group, n in counts.items())
        return t(f"notices.unlisted_{bucket}", lang, n=sum(counts.values()), counts=parts)

    def item(self, n: Notice, task: TaskRow, lang: str) -> str:
        """One task of a daily message; escalations add the sections and who acknowledged."""
        no, title = html.escape(task.no), self.title(task, lang)
        if n.kind == "progress" or (n.kind == "snoozed" and n.due is None):
            last = self.date(task.last_report, lang) if task.last_report else t("notices.never", lang)
            return t("notices.item", lang, mark=COLOUR_MARKS["green"], no=no, title=title, when=t("notices.when_progress", lang, last=last))
        # Reminders carry working days left, overdue notices and escalations the days overdue.
        left = n.days if n.kind in ("reminder", "snoozed") else -(n.days or 0)
        mark = COLOUR_MARKS["red"] if left is not None and left < 0 else COLOUR_MARKS["blue"]
        when = self.when(n.due, left, n.estimated, lang)
        period = period_label(n.period, lang) if n.period else None
        if period:
            text = t("notices.item_period", lang, mark=mark, no=no, title=title, period=period, when=when)
        else:
            text = t("notices.item", lang, mark=mark, no=no, title=title, when=when)
        if n.kind in ESCALATION_KINDS:
            sep = t("notices.name_sep", lang)
            acks = sep.join(
                t(ACK_TEXTS[state], lang, name=html.escape(self.snap.people.get(pid, "?")))
                for pid, state in n.detail
            ) or t("notices.ack_nobody", lang)
            text += "\n" + t("notices.escalation_sections", lang, sections=self.sections(task, lang))
            if period:
                text += "\n" + t("notices.escalation_period_acks", lang, period=period, acks=acks)
            else:
                text += "\n" + t("notices.escalation_acks", lang, acks=acks)
        return text

    def buttons(self, n: Notice, task: TaskRow, lang: str, responsible: bool = False) -> tuple[Button, ...] | None:
        """签收 / 明天再提醒 / 已办结 for the people who do the task; none for escalations to others."""
        no = task.no
        if n.kind in BUTTON_KINDS or (n.kind in ESCALATION_KINDS and responsible):
            return (
                Button(t("notices.btn_ack", lang, no=no), encode("ack", task.id)),
                Button(t("notices.btn_snooze", lang), encode("snooze", task.id)),
                Button(t("notices.btn_done", lang), encode("done_ask", task.id)),
            )
        if n.kind == "progress":
            return (Button(t("notices.btn_ack", lang, no=no), encode("ack", task.id)), Button(t("notices.btn_done", lang), encode("done_ask", task.id)))
        return None

    def footer(self, env: Envelope, lang: str) -> str:
        """How to answer a reminder, worded for the recipient's channel: tap the buttons, or type the commands."""
        buttons = env.target is None or self.caps(env.target.channel).buttons
        return t("notices.daily_footer" if buttons else "notices.daily_footer_typed", lang)

    def digest_header(self, env: Envelope, lang: str) -> str:
        """The digest header naming the group's sections."""
        group = next((g for g in self.snap.groups if g.channel == env.recipient.channel and g.chat_id == env.recipient.address), None)
        if group is None or group.sections is None:
            scope = t("notices.digest_scope_all", lang)
        else:
            scope = html.escape(t("notices.name_sep", lang).join(sorted(self.snap.sections.get(s, "?") for s in group.sections)))
        return t("notices.digest_header", lang, date=self.date(self.day, lang), scope=scope)

    def colour_blocks(self, detail: Iterable[object], lang: str, *, digest: bool, bucket: str = "digest") -> list[tuple[str, tuple[Button, ...] | None]]:
        """Tasks grouped red, yellow, blue, green, done, each group headed by its mark and count; at most
        ``max_listed`` tasks, then a line counting the rest by colour."""
        by_colour: dict[str, list[Line]] = defaultdict(list)
        for x in detail:
            if isinstance(x, Line):
                by_colour[x.colour].append(x)
        blocks: list[tuple[str, tuple[Button, ...] | None]] = []
        colours = ("red", "yellow", "blue", "green", "done")
        listed, unlisted = _listed(((colour, by_colour.get(colour, [])) for colour in colours), self.max_listed)
        for colour, shown, total in listed:
            blocks.append((t(f"notices.colour_{colour}", lang, n=total), None))
            for ln in shown:
                key = (ln.task_id, lang, digest, colour)
                text = self._lines.get(key)
                if text is None:
                    task = self.tasks[ln.task_id]
                    when = self.when(ln.due, ln.days_left, ln.estimated, lang)
                    period = self.period_of(task, ln.due) if ln.colour != "done" else None
                    if period:
                        when = t("notices.when_period", lang, period=period_label(period, lang), when=when)
                    if digest:
                        text = t("notices.digest_line", lang, no=html.escape(task.no), title=self.title(task, lang),
                                 sections=self.sections(task, lang), when=when)
                    else:
                        text = t("notices.report_line", lang, no=html.escape(task.no), title=self.title(task, lang), when=when)
                    self._lines[key] = text
                blocks.append((text, None))
        if unlisted:
            blocks.append((self.unlisted(unlisted, bucket, lang), None))
        return blocks

    def unassigned(self, notice: Notice, lang: str) -> str:
        """The admins' daily line: how many open tasks nobody leads, and their numbers (capped)."""
        newest = max(self.snap.tables, default=None)
        numbers = [
            task.no if task.table_id == newest else f"{task.table_id}/{task.no}"
            for task in (self.tasks[i] for i in notice.task_ids)
        ]
        return t("notices.unassigned", lang, n=len(numbers), numbers=html.escape(number_list(numbers, lang)))

    def weekly_admin(self, detail: tuple[object, ...], lang: str) -> tuple[str, list[tuple[str, tuple[Button, ...] | None]], str]:
        """The admins' weekly report: counts, every open task by colour, the sections ranked by on-time rate."""
        lines = [x for x in detail if isinstance(x, Line)]
        counts = defaultdict(int)
        for ln in lines:
            counts[ln.colour] += 1
        header = t("notices.weekly_admin_header", lang, week=self.week(lang), n=len(lines), red=counts["red"],
                   yellow=counts["yellow"], blue=counts["blue"], green=counts["green"])
        blocks = self.colour_blocks(lines, lang, digest=True, bucket="weekly_admin")
        blocks.append((t("notices.ranking_header", lang), None))
        for i, rank in enumerate((x for x in detail if isinstance(x, Rank)), start=1):
            section = html.escape(self.snap.sections.get(rank.section_id, "?"))
            if rank.rate is None:
                blocks.append((t("notices.ranking_none", lang, rank=i, section=section), None))
            else:
                blocks.append((t("notices.ranking_line", lang, rank=i, section=section, rate=f"{rank.rate:.0%}",
                                 on_time=rank.on_time, assessed=rank.assessed), None))
        return header, blocks, ""


def _listed(groups: Iterable[tuple[str, list[_Item]]], budget: int, order: Callable[[_Item], Any] | None = None,
            ) -> tuple[list[tuple[str, list[_Item], int]], dict[str, int]]:
    """Groups in turn, each cut to what is left of ``budget`` items (in ``order``, if given): (group, the items
    listed, how many it has) for each group with something listed, and how many of each group were left out."""
    listed: list[tuple[str, list[_Item], int]] = []
    unlisted: dict[str, int] = {}
    for group, items in groups:
        if not items:
            continue
        # Sorted only while something can still be listed: past the budget a group is only counted.
        shown = (sorted(items, key=order) if order else items)[:budget] if budget > 0 else []
        budget -= len(shown)
        if len(shown) < len(items):
            unlisted[group] = len(items) - len(shown)
        if shown:
            listed.append((group, shown, len(items)))
    return listed, unlisted


def _by_due(n: Notice) -> tuple[date, tuple[int, ...]]:
    return (n.due or date.max, n.task_ids)


def _split(header: str, blocks: list[tuple[str, tuple[Button, ...] | None]], footer: str, lang: str) -> list[Chunk]:
    """Pack blocks into messages under MAX_CHARS and MAX_TASK_ROWS keyboard rows; number the parts."""
    parts: list[tuple[list[str], list[tuple[Button, ...]]]] = [([], [])]
    size = len(header) + len(footer) + 40
    for text, row in blocks:
        texts, rows = parts[-1]
        if texts and (size + len(text) + 1 > MAX_CHARS or (row is not None and len(rows) >= MAX_TASK_ROWS)):
            parts.append(([], []))
            texts, rows = parts[-1]
            size = len(header) + len(footer) + 40
        texts.append(text)
        size += len(text) + 1
        if row is not None:
            rows.append(row)
    chunks = []
    for i, (texts, rows) in enumerate(parts, start=1):
        head = header if len(parts) == 1 else f"{header} {t('notices.continued', lang, part=i, parts=len(parts))}"
        body = "\n".join([head, *texts] + ([footer] if footer and i == len(parts) else []))
        chunks.append(Chunk(body, tuple(rows)))
    return chunks
