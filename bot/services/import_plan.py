"""From a parsed table to planned tasks: document year, titles and milestones (no database here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.tableimport import ParsedRow, ParsedTable
from bot.timenodes import MilestoneDraft, TimeWarning, extract

_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
TITLE_MAX = 40
_WHOLE_YEAR = frozenset({"全年", "全年度"})


@dataclass(frozen=True, slots=True)
class PlannedTask:
    """One row as it will be stored."""

    line: int
    no: str
    seq: int
    category: str | None
    title: str
    content: str
    leaders: tuple[str, ...]
    sections: tuple[str, ...]
    units: tuple[str, ...]
    deadline_text: str | None
    remarks: str | None
    milestones: tuple[MilestoneDraft, ...]
    warnings: tuple[TimeWarning, ...] = field(default=())

    @property
    def default_only(self) -> bool:
        """Whether no time node was found, so the task is due at year end by default."""
        return all(m.kind == "default" for m in self.milestones)


# The task's own name at the start of its text: "【医共体建设】…", "★【智慧医院】…", or "村卫生室标准化建设：" / a
# short line before numbered points ("食品安全专项整治 1.…", "…（1）…").
_NAMED = re.compile(r"^[★☆▲※\s]*[【\[](?P<name>[^】\]]{2,30})[】\]]")
_LEAD_IN = re.compile(r"^(?P<name>[^，,。；;：:（(]{4,30}?)\s*(?:[:：]|(?=\s*(?:\d{1,2}[.．、]|[(（]\d{1,2}[)）]|[\u2460-\u2473])))")


def derive_title(content: str) -> str:
    """The task's name when its text starts with one (【…】, "…：" before points), else its first sentence, shortened."""
    text = content.strip()
    named = _NAMED.match(text) or _LEAD_IN.match(text)
    if named:
        return named.group("name").strip()
    match = _SENTENCE_END.search(text)
    first = text[: match.start()] if match else text
    first = first.strip() or text
    return first if len(first) <= TITLE_MAX else first[: TITLE_MAX - 1] + "…"


_FILE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def document_year(parsed: ParsedTable, override: int | None, fallback: int) -> tuple[int, str]:
    """The year a bare time node belongs to, and where it came from ("guessed" when only from the clock)."""
    if override:
        return override, "override"
    if parsed.year:
        return parsed.year, parsed.year_source or "title"
    if parsed.issued:
        return parsed.issued.year, "issued"
    # Bureaus name their files after the plan ("2023年重点工作责任分解表.csv"), and a CSV has no title row.
    named = _FILE_YEAR.search(parsed.source_name)
    if named:
        return int(named.group(1)), "filename"
    return fallback, "guessed"


def table_title(parsed: ParsedTable) -> str:
    """The table's own title, or its file name without the extension."""
    if parsed.title:
        return parsed.title
    stem, dot, _ext = parsed.source_name.rpartition(".")
    return stem if dot and stem else parsed.source_name


def plan_milestones(row: ParsedRow, year: int) -> tuple[tuple[MilestoneDraft, ...], tuple[TimeWarning, ...]]:
    """Milestones of a row: an explicit deadline column wins; content time nodes add other dates."""
    content = extract(row.content, year, default=row.deadline is None)
    if row.deadline is None:
        return content.milestones, content.warnings
    column = extract(row.deadline, year, default=False)
    if not column.milestones:
        fallback = extract(row.content, year, default=True)
        return fallback.milestones, column.warnings + fallback.warnings
    seen = {(m.due, m.kind) for m in column.milestones}
    dated = any(m.kind in ("dated", "target") for m in column.milestones)
    extra = tuple(m for m in content.milestones if (m.due, m.kind) not in seen and not (dated and _whole_year(m)))
    merged = tuple(sorted(column.milestones + extra, key=lambda m: (m.due is None, m.due or date.max)))
    return merged, column.warnings + content.warnings


def _whole_year(milestone: MilestoneDraft) -> bool:
    """A year end read only from 全年 ("全年接待游客140万人次"): beside a deadline column that gives dates,
    全年 says over what span a total is counted, not when the task is due."""
    return milestone.kind == "dated" and milestone.text.strip() in _WHOLE_YEAR


def plan_tasks(parsed: ParsedTable, year: int) -> list[PlannedTask]:
    """Every row of the parsed table as a planned task."""
    planned: list[PlannedTask] = []
    for seq, row in enumerate(parsed.rows, start=1):
        milestones, warnings = plan_milestones(row, year)
        planned.append(
            PlannedTask(
                line=row.line,
                no=row.no,
                seq=seq,
                category=row.category,
                title=row.title or derive_title(row.content),
                content=row.content,
                leaders=tuple(row.leaders),
                sections=tuple(row.sections),
                units=tuple(row.units),
                deadline_text=row.deadline,
                remarks=row.remarks,
                milestones=milestones,
                warnings=warnings,
            )
        )
    return planned
