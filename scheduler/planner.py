"""The pure planner: which notices are due at or before ``now`` and not yet sent, from a Snapshot.

Nothing here looks at a clock or a database. Every notice has an idempotency key
``kind:task:milestone:occurrence:day-or-step:recipient``; a notice is planned while its key is absent from
the ledger, so a late, missed or repeated run simply finds what is still due. Catch-up falls out of the keys:
a reminder is keyed by its *current* step (the latest of 5/3/1/0 working days before the occurrence that
has been reached), an overdue notice by today, so after downtime each person gets today's notice once and
never the steps that were skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from operator import attrgetter

from bot.services.status import (
    MilestoneFacts,
    Slot,
    Standing,
    current_due,
    next_milestone,
    period_slots,
    standing,
    tracks_periods,
)
from bot.workcal import WorkCalendar
from scheduler.gcpause import paused_gc
from scheduler.notice import Line, Notice, PlanRules, Rank, Recipient
from scheduler.snapshot import GroupRow, Snapshot, TaskRow

DEADLINE_KINDS = frozenset({"dated", "target", "recurring", "default"})
# Kinds that go into a person's one daily message (coalesced: at most one of these per task and person).
DAILY_KINDS = ("overdue", "reminder", "snoozed", "progress")
ESCALATION_KINDS = ("escalation_head", "escalation_leader")
COLOUR_ORDER = {"red": 0, "yellow": 1, "blue": 2, "green": 3, "done": 4}
_BY_ID = attrgetter("id")
DIGEST_COLOURS = frozenset({"red", "yellow", "blue"})


def plan(snapshot: Snapshot, now_local: datetime, cal: WorkCalendar, rules: PlanRules = PlanRules()) -> list[Notice]:
    """Every notice due at or before ``now_local`` (the bureau's wall clock) whose key is not in the ledger."""
    day = now_local.date()
    # Nothing falls due before send_time: a run at 08:00 waits for the 09:00 batch instead of sending stale news.
    if now_local.time().replace(tzinfo=None) < rules.send_time:
        return []
    working = cal.is_working_day(day)
    if not working and not rules.quiet_days_allow_red:
        return []
    with paused_gc():
        return _Planner(snapshot, day, cal, rules, working).run()


class _Planner:
    """One planning run; memoises calendar answers, which repeat across thousands of tasks."""

    def __init__(self, snap: Snapshot, day: date, cal: WorkCalendar, rules: PlanRules, working: bool) -> None:
        self.snap, self.day, self.cal, self.rules, self.working = snap, day, cal, rules, working
        self.sent = snap.sent
        self.max_before = max(rules.days_before, default=0)
        self.steps = sorted(rules.days_before)
        self._due: dict[tuple[object, ...], date | None] = {}
        self._upcoming: dict[int, tuple[tuple[int, Slot, int, bool], ...]] = {}
        self._slot_keys: dict[tuple[object, ...], str | None] = {}
        self._left: dict[date, tuple[int, bool]] = {}
        self._floor: dict[date, date] = {}
        self._people: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._recipients: dict[int, Recipient] = {}
        # standing() is pure: tasks with the same milestones and progress get the same colour (most share 年底).
        self._facts: dict[object, tuple[str, date | None, int | None, bool, tuple[int, date]]] = {}
        self._sorted: list[Line] | None = None
        self._sorted_tasks: list[TaskRow] = []  # the task of each sorted line
        self._profiles: dict[object, list[TaskRow]] | None = None
        self._snoozed_tasks = {task_id for task_id, _ in snap.snoozes}
        self._deadlines: dict[int, tuple[int | None, date | None, int, bool, bool]] = {}
        self._today = day.isoformat()
        self._first_of_month = cal.first_working_day_of_month(day.year, day.month).value
        self.out: list[Notice] = []

    # ---- memoised calendar answers -------------------------------------------------------------
    def due_of(self, m: MilestoneFacts) -> date | None:
        key = (m.kind, m.period, m.due, m.window_start, m.closed)
        if key not in self._due:
            self._due[key] = current_due(m, self.day, self.cal)
        return self._due[key]

    def left(self, due: date) -> tuple[int, bool]:
        found = self._left.get(due)
        if found is None:
            answer = self.cal.working_days_between(self.day, due)
            found = self._left[due] = (answer.value, answer.estimated)
        return found

    def ack_floor(self, due: date) -> date:
        """Acks from this day on count for the occurrence due on ``due`` (its first reminder day)."""
        found = self._floor.get(due)
        if found is None:
            found = self._floor[due] = self.cal.working_days_before(due, self.max_before).value
        return found

    def people(self, task: TaskRow) -> tuple[int, ...]:
        """The members of the task's lead sections, or each section's head where no members are known."""
        found = self._people.get(task.sections)
        if found is None:
            seen: dict[int, None] = {}
            for s in task.sections:
                for pid in self.snap.members.get(s) or self.snap.heads.get(s) or ():
                    seen[pid] = None
            found = self._people[task.sections] = tuple(seen)
        return found

    def recipient(self, pid: int) -> Recipient:
        found = self._recipients.get(pid)
        if found is None:
            found = self._recipients[pid] = Recipient("person", pid)
        return found

    def facts(self, task: TaskRow) -> tuple[str, date | None, int | None, bool, tuple[int, date]]:
        """(colour, due, days left, estimated, sort key) via bot.services.status.standing, once per profile."""
        key: object = task.profile if task.profile >= 0 else (
            tuple((m.kind, m.period, m.due, m.window_start, m.closed) for m in task.milestones), task.status, task.percent, task.last_report)
        found = self._facts.get(key)
        if found is None:
            s: Standing = standing(task.milestones, self.day, self.cal, done=task.status == "done", percent=task.percent,
                                   last_report=task.last_report, rules=self.rules.colours)
            found = self._facts[key] = (s.colour, s.due, s.days_left, s.estimated, (COLOUR_ORDER.get(s.colour, 9), s.due or date.max))
        return found

    def line(self, task: TaskRow) -> Line:
        """The task as a digest or report lists it."""
        f = self.facts(task)
        return Line(task.id, f[0], f[1], f[2], f[3])

    def profiles(self) -> dict[object, list[TaskRow]]:
        """Open tasks by profile (same milestones and progress), in table order: the run works per profile."""
        if self._profiles is None:
            by_profile: dict[object, list[TaskRow]] = {}
            for t in self.snap.tasks:
                if t.status == "open":
                    profile: object = t.profile if t.profile >= 0 else ("task", t.id)
                    found = by_profile.get(profile)
                    if found is None:
                        by_profile[profile] = [t]
                    else:
                        found.append(t)
            self._profiles = by_profile
        return self._profiles

    def sorted_lines(self) -> list[Line]:
        """Every open task's line, red first, then by due date, then in table order (built once per run)."""
        if self._sorted is None:
            # Colour and due date are worked out once per profile; only (colour, due) buckets get sorted.
            buckets: dict[tuple[int, date], list[list[TaskRow]]] = defaultdict(list)
            for tasks in self.profiles().values():
                buckets[self.facts(tasks[0])[4]].append(tasks)
            lines: list[Line] = []
            ordered: list[TaskRow] = []
            for key in sorted(buckets):
                parts = buckets[key]
                # Ids follow the table's order (tasks are imported row by row); C-level key, no Python call per task.
                chunk = parts[0] if len(parts) == 1 else sorted((t for part in parts for t in part), key=_BY_ID)
                for t in chunk:
                    f = self.facts(t)
                    lines.append(Line(t.id, f[0], f[1], f[2], f[3]))
                ordered.extend(chunk)
            self._sorted, self._sorted_tasks = lines, ordered
        return self._sorted

    # ---- the run -------------------------------------------------------------------------------
    def run(self) -> list[Notice]:
        quiet_above = self.max_before
        for tasks in self.profiles().values():
            d = self.deadline(tasks[0])
            # Most shapes have nothing due today: no step reached, not overdue, not ongoing.
            if (d[0] is None or d[2] > quiet_above) and not d[4]:
                continue
            for task in tasks:
                self.task(task)
        if self.working:
            self.digests()
            self.weekly()
            self.unassigned()
        return self.out

    def deadline(self, task: TaskRow) -> tuple[int | None, date | None, int, bool, bool]:
        """(index of the milestone that matters now, its current due date, working days left, estimated, ongoing), per shape."""
        found = self._deadlines.get(task.shape) if task.shape >= 0 else None
        if found is None:
            best: int | None = None
            best_due: date | None = None
            ongoing = False
            for i, m in enumerate(task.milestones):
                if m.kind == "ongoing":
                    ongoing = True
                elif m.kind in DEADLINE_KINDS:
                    due = self.due_of(m)
                    if due is not None and (best_due is None or due < best_due):
                        best, best_due = i, due
            left, est = self.left(best_due) if best_due is not None else (0, False)
            found = (best, best_due, left, est, ongoing)
            if task.shape >= 0:
                self._deadlines[task.shape] = found
        return found

    def task(self, task: TaskRow) -> None:
        index, due, left, est, ongoing = self.deadline(task)
        if index is not None and due is not None:
            if left < 0:
                if self.working:
                    self.daily(task, "overdue", index, due, -left, est, self._today)
                self.escalate(task, index, due, -left, est)
                # A missed period stays overdue (each one climbs the ladder), and the next period still gets
                # its own reminders; the daily overdue item is about the oldest one.
                for i, slot, slot_left, slot_est in self.periods(task, index, due):
                    if slot_left < 0:
                        self.escalate(task, i, slot.due, -slot_left, slot_est)
                    elif slot_left <= self.max_before and self.working:
                        step = next(n for n in self.steps if n >= slot_left)
                        self.daily(task, "reminder", i, slot.due, slot_left, slot_est, f"d{step}", again=False)
            elif left <= self.max_before and self.working:
                step = next(n for n in self.steps if n >= left)
                self.daily(task, "reminder", index, due, left, est, f"d{step}")
        if ongoing and self.working and self.day >= self._first_of_month:
            self.daily(task, "progress", None, None, None, False, f"{self.day:%Y-%m}")

    def periods(self, task: TaskRow, index: int, due: date) -> tuple[tuple[int, Slot, int, bool], ...]:
        """Besides the overdue deadline (``index``, ``due``): every other missed period of the task's recurring
        milestones, and the next open period of each, as (milestone index, period, working days left, estimated)."""
        found = self._upcoming.get(task.shape) if task.shape >= 0 else None
        if found is None:
            items = []
            for i, m in enumerate(task.milestones):
                if not tracks_periods(m):
                    continue
                for slot in period_slots(m, self.cal):
                    if slot.key in m.closed or (i == index and slot.due == due):
                        continue
                    left, est = self.left(slot.due)
                    items.append((i, slot, left, est))
                    if left >= 0:
                        break  # the next open period; later ones are not due yet
            found = tuple(items)
            if task.shape >= 0:
                self._upcoming[task.shape] = found
        return found

    def period_key(self, m: MilestoneFacts | None, due: date | None) -> str | None:
        """The period key of a recurring milestone's occurrence due on ``due`` (None for other milestones)."""
        if m is None or due is None or not tracks_periods(m):
            return None
        key = (m.period, m.due, m.window_start, due)
        if key not in self._slot_keys:
            self._slot_keys[key] = next((s.key for s in period_slots(m, self.cal) if s.due == due), None)
        return self._slot_keys[key]

    def daily(self, task: TaskRow, kind: str, index: int | None, due: date | None, days: int | None,
              est: bool, suffix: str, *, again: bool = True) -> None:
        """One item per task and person for today (about its milestone ``index``, if any); a snooze holds it
        until its day, then re-reminds once."""
        people = self.people(task)
        if not people:
            return
        tid, sent, out, ids = task.id, self.sent, self.out, (task.id,)
        m = task.milestones[index] if index is not None else None
        mid = task.milestone_ids[index] if index is not None else None
        prefix = f"{kind}:{tid}:{mid}:{due.isoformat()}:{suffix}:p" if m is not None and due is not None else f"{kind}:{tid}:{suffix}:p"
        snoozed = tid in self._snoozed_tasks
        period = self.period_key(m, due)
        for pid in people:
            until = self.snap.snoozes.get((tid, pid)) if snoozed else None
            if until is not None and until > self.day:
                continue
            key = f"{prefix}{pid}"
            if key not in sent:
                out.append(Notice(key, kind, self.recipient(pid), ids, mid, due, days, est, period=period))
            elif until == self.day and again:
                key = f"snoozed:{tid}:{until.isoformat()}:p{pid}"
                if key not in sent:
                    # Signed like a reminder: working days left, negative when overdue.
                    signed = days if kind == "reminder" or days is None else -days
                    out.append(Notice(key, "snoozed", self.recipient(pid), ids, mid, due, signed, est, period=period))

    def escalate(self, task: TaskRow, index: int, due: date, overdue: int, est: bool) -> None:
        """The 督办 ladder about milestone ``index``: the section heads after N working days overdue, the lead
        leaders after M; once each."""
        steps: list[tuple[str, Iterable[int]]] = []
        if overdue >= self.rules.escalate_head_after:
            heads: dict[int, None] = {}
            for s in task.sections:
                for pid in self.snap.heads.get(s, ()):
                    heads[pid] = None
            steps.append(("escalation_head", heads))
        if overdue >= self.rules.escalate_leader_after:
            steps.append(("escalation_leader", task.leaders))
        if not steps:
            return
        detail: tuple[tuple[int, str], ...] | None = None
        period = self.period_key(task.milestones[index], due)
        mid = task.milestone_ids[index]
        for kind, recipients in steps:
            for pid in recipients:
                key = f"{kind}:{task.id}:{mid}:{due.isoformat()}:p{pid}"
                if key in self.sent:
                    continue
                if detail is None:
                    detail = self.acknowledgements(task, due, period)
                self.out.append(Notice(key, kind, self.recipient(pid), (task.id,), mid, due, overdue, est, detail, period))

    def acknowledgements(self, task: TaskRow, due: date, period: str | None = None) -> tuple[tuple[int, str], ...]:
        """Who of the task's people acknowledged this occurrence (a recurring one: signed for that period); a snooze
        counts as an answer, not as ignoring."""
        floor = self.ack_floor(due)
        signed = self.snap.period_acks.get((task.id, period), frozenset()) if period is not None else None
        states = []
        for pid in self.people(task):
            acked = self.snap.acks.get((task.id, pid))
            snoozed = self.snap.snoozes.get((task.id, pid))
            if (pid in signed) if signed is not None else (acked is not None and acked >= floor):
                states.append((pid, "ack"))
            elif snoozed is not None and snoozed >= floor:
                states.append((pid, "snoozed"))
            else:
                states.append((pid, "none"))
        return tuple(states)

    # ---- groups and reports --------------------------------------------------------------------
    def digests(self) -> None:
        """Each subscribed group: red, yellow and due-soon tasks of its sections; an empty digest is not sent."""
        groups = [g for g in self.snap.groups if f"digest:{_group_key(g)}:{self.day.isoformat()}" not in self.sent]
        if not groups:
            return
        lines_all = self.sorted_lines()
        wanted: set[int] | None = set()
        for g in groups:
            if g.sections is None:
                wanted = None
                break
            wanted.update(g.sections)  # type: ignore[union-attr]
        flagged = []
        by_section: dict[int, list[Line]] = defaultdict(list)
        for ln, t in zip(lines_all, self._sorted_tasks, strict=True):  # buckets keep the sorted order
            if ln.colour in DIGEST_COLOURS:
                flagged.append(ln)
                for s in t.sections:
                    if wanted is None or s in wanted:
                        by_section[s].append(ln)
        for group in groups:
            recipient = Recipient("group", channel=group.channel, address=group.chat_id)
            if group.sections is None:
                lines = flagged
            elif len(group.sections) == 1:
                lines = by_section.get(next(iter(group.sections)), [])
            else:
                merged = {ln.task_id: ln for s in group.sections for ln in by_section.get(s, ())}
                lines = [ln for ln in flagged if ln.task_id in merged]
            if lines:
                key = f"digest:{_group_key(group)}:{self.day.isoformat()}"
                self.out.append(Notice(key, "digest", recipient, tuple([ln.task_id for ln in lines]), detail=tuple(lines)))

    def weekly(self) -> None:
        """Once per ISO week, on its first working day reached: leaders get their tasks, admins the whole table."""
        year, week, _ = self.day.isocalendar()
        stamp = f"{year}-W{week:02d}"
        by_leader: dict[int, list[Line]] = defaultdict(list)
        for ln, t in zip(self.sorted_lines(), self._sorted_tasks, strict=True):
            for pid in t.leaders:
                by_leader[pid].append(ln)
        for pid, lines in by_leader.items():
            key = f"weekly_leader:{stamp}:p{pid}"
            if key not in self.sent:
                self.out.append(Notice(key, "weekly_leader", self.recipient(pid), tuple([ln.task_id for ln in lines]), detail=tuple(lines)))
        admins = self.admins(f"weekly_admin:{stamp}")
        if admins:
            lines = tuple(self.sorted_lines())
            detail = lines + self.ranking()
            ids = tuple([ln.task_id for ln in lines])
            for key, recipient in admins:
                self.out.append(Notice(key, "weekly_admin", recipient, ids, detail=detail))

    def admins(self, prefix: str) -> list[tuple[str, Recipient]]:
        """(key, recipient) for each admin account that can be written to and has no ``prefix:<account>`` key yet."""
        found = []
        for account_key in self.snap.admins:
            channel, _, address = account_key.partition(":")
            account = self.snap.accounts_by_key.get(account_key)
            if channel in self.snap.silent or (account is not None and account.unreachable):
                continue
            recipient = Recipient("account", channel=channel, address=address)
            key = f"{prefix}:{recipient.key}"
            if key not in self.sent:
                found.append((key, recipient))
        return found

    def unassigned(self) -> None:
        """Once a day, while open tasks have neither a lead leader nor a lead section: the admins get their numbers."""
        missing = tuple([t.id for t in self.snap.tasks if t.status == "open" and not t.leaders and not t.sections])
        if not missing:
            return
        for key, recipient in self.admins(f"unassigned:{self._today}"):
            self.out.append(Notice(key, "unassigned", recipient, missing))

    def ranking(self) -> tuple[Rank, ...]:
        """Sections by on-time rate: done on time vs. done late or still overdue (tasks not yet due are not judged)."""
        on_time: dict[int, int] = defaultdict(int)
        assessed: dict[int, int] = defaultdict(int)
        for task in self.snap.tasks:
            if task.status == "done":
                found = next_milestone(task.milestones, task.done_on or self.day, self.cal)
                ok = found is None or (task.done_on or self.day) <= found[1]
                for s in task.sections:
                    assessed[s] += 1
                    on_time[s] += ok
        for ln, task in zip(self.sorted_lines(), self._sorted_tasks, strict=True):
            if ln.colour != "red":
                break  # red lines come first
            for s in task.sections:
                assessed[s] += 1
        ranks = [Rank(s, on_time[s], assessed[s]) for s in self.snap.sections]
        return tuple(sorted(ranks, key=lambda r: (r.rate is None, -(r.rate or 0), -r.assessed, self.snap.sections[r.section_id])))


def _group_key(group: GroupRow) -> str:
    return Recipient("group", channel=group.channel, address=group.chat_id).key
