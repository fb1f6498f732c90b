"""Lists and the detail view in Duban's safe markup: every piece of table or user text goes through ``esc``."""

from __future__ import annotations

import html
from datetime import datetime

from bot.db.clock import to_local
from bot.services.occurrences import PeriodLine, label
from bot.services.people import echoed
from bot.services.queries import TaskLine
from bot.services.task_detail import EventLine, MilestoneLine, TaskDetail
from bot.services.status import COLOUR_MARKS, Standing
from bot.texts import catalog, t

TITLE_MAX = 28
TEXT_MAX = 300


def esc(value: object) -> str:
    """Text from a table or a user, made safe for the HTML subset (quotes too, for attributes)."""
    return html.escape(str(value), quote=True)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(text: str) -> str:
    """What a user typed, as a short escaped prefix: a reply never echoes unbounded input."""
    return esc(echoed(text))


def ref(table_id: int, no: str, newest: int | None) -> str:
    """How users write a task: ``#N`` in the newest active table, ``#T/N`` in another one."""
    return f"#{no}" if table_id == newest or newest is None else f"#{table_id}/{no}"


def when(moment: datetime, tz: str) -> str:
    """A stored instant in local time, to the minute."""
    return to_local(moment, tz).strftime("%Y-%m-%d %H:%M")


def left_text(s: Standing, lang: str) -> str:
    """ "剩 X 个工作日", "逾期 X 个工作日", "今天到期" … for a standing."""
    if s.colour == "done":
        return t("conv.left_done", lang)
    if s.due is None or s.days_left is None:
        return t("conv.left_none", lang)
    if s.days_left < 0:
        key = "conv.left_overdue"
    elif s.days_left == 0:
        key = "conv.left_today"
    else:
        key = "conv.left_days"
    text = t(key, lang, due=s.due.isoformat(), days=abs(s.days_left))
    return text + (t("conv.estimated", lang) if s.estimated else "")


def periods_text(line: TaskLine, lang: str) -> str:
    """A recurring task's missed period and the next one: "第二季度 逾期 3 个工作日；第三季度 09-30"."""
    parts = []
    for note in line.periods:
        period = label(note.key, lang)
        if note.days_left < 0:
            parts.append(t("conv.left_period_overdue", lang, period=period, days=-note.days_left))
        else:
            parts.append(t("conv.left_period_next", lang, period=period, due=f"{note.due:%m-%d}"))
    return t("conv.left_period_sep", lang).join(parts)


def task_line(line: TaskLine, newest: int | None, lang: str) -> str:
    """One list line: colour mark, #N, short title, next due date with working days left or overdue."""
    if len(line.periods) > 1:
        left = periods_text(line, lang)
    elif line.periods:
        left = f"{label(line.periods[0].key, lang)} {left_text(line.standing, lang)}"
    else:
        left = left_text(line.standing, lang)
    return t(
        "conv.line",
        lang,
        mark=COLOUR_MARKS[line.standing.colour],
        ref=esc(ref(line.table_id, line.no, newest)),
        title=esc(shorten(line.title, TITLE_MAX)),
        left=left,
    )


def lines_with_roles(lines: list[TaskLine], newest: int | None, lang: str) -> list[str]:
    """List lines with a heading wherever the role changes (牵头领导 / 牵头股室)."""
    out: list[str] = []
    role: str | None = None
    for line in lines:
        if line.role is not None and line.role != role:
            role = line.role
            out.append(t(f"conv.role_{role}", lang))
        out.append(task_line(line, newest, lang))
    return out


def _milestone(line: MilestoneLine, lang: str) -> str:
    m = line.milestone
    kind = t(f"conv.kind_{m.kind}", lang)
    due = line.current.isoformat() if line.current else "—"
    text = t("conv.milestone", lang, due=due, kind=kind, phrase=esc(m.text or "—"))
    if m.period and m.kind == "recurring":
        period = t(f"conv.period_{m.period}", lang) if _has(f"conv.period_{m.period}") else esc(m.period)
        text += t("conv.milestone_period", lang, period=period)
    if m.original_due and m.due and m.original_due != m.due:
        text += t("conv.milestone_moved", lang, original=m.original_due.isoformat())
    if m.estimate:
        text += t("conv.estimated", lang)
    return text


def _has(key: str) -> bool:
    return key in catalog("zh")


def event_line(e: EventLine, tz: str, lang: str) -> str:
    """One entry of the history: when, who (and from which channel), what."""
    who = esc(e.person or e.actor)
    what = t(f"conv.event_{e.kind}", lang) if _has(f"conv.event_{e.kind}") else esc(e.kind)
    details: list[str] = []
    if e.percent is not None and e.kind == "progress":
        details.append(f"{e.percent}%")
    if e.data.get("period") and e.kind in ("ack", "progress", "waive"):
        details.append(label(str(e.data["period"]), lang))
    if e.kind.startswith("extend") and e.data.get("to"):
        details.append(t("conv.event_dates", lang, old=e.data.get("from") or "—", new=e.data["to"]))
    if e.text:
        details.append(esc(shorten(e.text, TEXT_MAX)))
    return t(
        "conv.event",
        lang,
        at=when(e.at, tz),
        who=who,
        channel=esc(e.channel),
        what=what,
        details=t("conv.event_details", lang, details=t("conv.list_sep", lang).join(details)) if details else "",
    )


def detail(d: TaskDetail, tz: str, lang: str) -> str:
    """The detail view: content, roles, milestones with their source phrases, progress and history."""
    task = d.task
    lines = [
        t(
            "conv.detail_head",
            lang,
            mark=COLOUR_MARKS[d.standing.colour],
            ref=esc(ref(task.table_id, task.no, d.newest_table)),
            title=esc(task.title),
        ),
        t("conv.detail_table", lang, table=esc(d.table.title), year=d.table.year),
    ]
    if task.category:
        lines.append(t("conv.detail_category", lang, category=esc(task.category)))
    lines.append(esc(task.content))
    sep = t("conv.name_sep", lang)
    leaders = sep.join(link.person.name for link in task.leaders) or "—"
    sections = sep.join(link.section.name for link in task.sections) or "—"
    lines.append(t("conv.detail_leaders", lang, names=esc(leaders)))
    lines.append(t("conv.detail_sections", lang, names=esc(sections)))
    if task.units:
        lines.append(t("conv.detail_units", lang, names=esc(sep.join(task.units))))
    if task.status == "done" and task.done_at is not None:
        lines.append(t("conv.detail_status_done", lang, at=when(task.done_at, tz)))
    else:
        status = t(f"conv.status_{task.status}", lang)
        lines.append(t("conv.detail_status", lang, status=status, left=left_text(d.standing, lang)))
    if task.progress_at is not None:
        lines.append(
            t(
                "conv.detail_progress",
                lang,
                percent=f"{task.progress_percent}%" if task.progress_percent is not None else "—",
                at=when(task.progress_at, tz),
                text=esc(shorten(task.progress_text or "", TEXT_MAX)) or "—",
            )
        )
    lines.append(t("conv.detail_milestones", lang))
    lines += ["  " + _milestone(m, lang) for m in d.milestones] or ["  —"]
    for request in d.pending:
        lines.append(
            t(
                "conv.detail_pending",
                lang,
                id=request.id,
                due=request.new_due.isoformat(),
                reason=esc(shorten(request.reason, TEXT_MAX)),
                who=esc(request.requester_account),
            )
        )
    if d.periods:
        lines.append(t("conv.detail_periods", lang))
        lines += ["  " + period_line(p, tz, lang) for p in d.periods]
    lines.append(t("conv.detail_history", lang))
    lines += ["  " + event_line(e, tz, lang) for e in d.events] or ["  " + t("conv.detail_no_history", lang)]
    if d.more_events:
        lines.append("  " + t("conv.detail_more_history", lang, count=d.more_events))
    return "\n".join(lines)


def period_line(p: PeriodLine, tz: str, lang: str) -> str:
    """One period of a recurring task in the detail view: due date, state, who signed, the report or the waiver."""
    if p.state == "overdue":
        state = t("conv.period_state_overdue", lang, days=p.days_overdue)
    elif p.state == "reported":
        state = t("conv.period_state_reported", lang, at=when(p.reported_at, tz) if p.reported_at else "—")
    elif p.state == "waived":
        state = t("conv.period_state_waived", lang, who=esc(p.waived_by or "—"), reason=esc(shorten(p.waiver_reason or "", TEXT_MAX)))
    elif p.state == "acknowledged":
        state = t("conv.period_state_acknowledged", lang, who=esc(p.acked_by or "—"))
    else:
        state = t(f"conv.period_state_{p.state}", lang)
    if p.acked_by and p.state != "acknowledged":
        state += t("conv.period_signed", lang, who=esc(p.acked_by))
    if p.state == "reported" and p.report_text:
        state += t("conv.period_report", lang, text=esc(shorten(p.report_text, 60)))
    return t("conv.period_line", lang, period=label(p.slot.key, lang), due=p.slot.due.isoformat(), state=state)
