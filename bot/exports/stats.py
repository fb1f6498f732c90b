"""/stats: counts of done, on-track, yellow and red tasks, overall and per lead section, as text and a PNG chart."""

from __future__ import annotations

import asyncio
import html
import io
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

# Figure with an explicit Agg canvas: no pyplot, no global backend, no display needed on a server.
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import Core
from bot.exports import fonts
from bot.exports.data import ExportData, load_export, task_standing
from bot.services.status import Rules
from bot.texts import t
from bot.workcal import WorkCalendar

BUCKETS = ("done", "on_time", "yellow", "red")
BAR_COLOURS = {"done": "#2E7D32", "on_time": "#A5D6A7", "yellow": "#FBC02D", "red": "#E53935"}
# rc_context changes matplotlib's global settings: one chart at a time.
_render_lock = threading.Lock()


@dataclass(slots=True)
class Counts:
    """Tasks by standing; ``blue`` (due soon) is a part of ``on_time``."""

    total: int = 0
    done: int = 0
    on_time: int = 0
    blue: int = 0
    yellow: int = 0
    red: int = 0

    def add(self, colour: str) -> None:
        """Count one task of the given standing colour."""
        self.total += 1
        if colour == "done":
            self.done += 1
        elif colour == "red":
            self.red += 1
        elif colour == "yellow":
            self.yellow += 1
        else:
            self.on_time += 1
            self.blue += colour == "blue"


@dataclass(slots=True)
class Stats:
    """Overall and per-section counts; a section of ``None`` gathers the unassigned tasks."""

    today: date
    overall: Counts = field(default_factory=Counts)
    sections: list[tuple[str | None, Counts]] = field(default_factory=list)


def compute_stats(data: ExportData, today: date, cal: WorkCalendar, rules: Rules, tz: str) -> Stats:
    """Count every live task once overall and once under each of its lead sections."""
    stats = Stats(today)
    per_section: dict[str | None, Counts] = defaultdict(Counts)
    for task in data.tasks:
        colour = task_standing(task, today, cal, rules, tz).colour
        stats.overall.add(colour)
        for name in task.sections or (None,):
            per_section[name].add(colour)
    # Worst first, so the sections needing attention lead the list; unassigned last.
    stats.sections = sorted(
        per_section.items(),
        key=lambda item: (item[0] is None, -item[1].red, -item[1].yellow, -item[1].total, item[0] or ""),
    )
    return stats


def _section_name(name: str | None, lang: str) -> str:
    return name if name is not None else t("exports.stats.unassigned", lang)


def summary_text(stats: Stats, rules: Rules, lang: str = "zh") -> str:
    """The short summary in the safe HTML subset, with section names escaped."""
    lines = [t("exports.stats.title", lang, today=stats.today.isoformat())]
    if stats.overall.total == 0:
        return "\n".join([*lines, t("exports.stats.empty", lang)])
    c = stats.overall
    lines.append(
        t("exports.stats.total", lang, total=c.total, done=c.done, on_time=c.on_time, blue=c.blue,
          blue_within=rules.blue_within, yellow=c.yellow, red=c.red)
    )
    lines.append(t("exports.stats.by_section", lang))
    for name, s in stats.sections:
        lines.append(
            t("exports.stats.section", lang, name=html.escape(_section_name(name, lang)), total=s.total,
              done=s.done, on_time=s.on_time, yellow=s.yellow, red=s.red)
        )
    return "\n".join(lines)


def render_chart(stats: Stats, lang: str = "zh") -> bytes:
    """A horizontal stacked bar per section (done, on track, yellow, red) as PNG bytes."""
    rows = list(reversed(stats.sections))  # barh draws bottom-up; keep the worst section on top
    height = max(3.0, 0.42 * len(rows) + 1.8)
    with _render_lock, rc_context(fonts.rc_params()):
        fig = Figure(figsize=(8, height), dpi=110, layout="constrained")
        FigureCanvasAgg(fig)
        fig.suptitle(t("exports.chart.title", lang, today=stats.today.isoformat()))
        ax = fig.add_subplot()
        if not rows:
            ax.text(0.5, 0.5, t("exports.chart.empty", lang), ha="center", va="center", fontsize=16)
            ax.set_axis_off()
        else:
            labels = [_section_name(name, lang) for name, _ in rows]
            positions = range(len(rows))
            left = [0] * len(rows)
            for bucket in BUCKETS:
                values = [getattr(counts, bucket) for _, counts in rows]
                ax.barh(positions, values, left=left, color=BAR_COLOURS[bucket],
                        label=t(f"exports.chart.{bucket}", lang), height=0.65)
                left = [a + b for a, b in zip(left, values, strict=True)]
            for y, total in zip(positions, left, strict=True):
                ax.text(total, y, f" {total}", va="center", fontsize=9)
            ax.set_yticks(list(positions), labels)
            ax.set_xlabel(t("exports.chart.axis", lang))
            ax.set_xlim(0, max(left) * 1.12 + 0.5)
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.spines[["top", "right"]].set_visible(False)
            fig.legend(loc="outside lower center", ncols=len(BUCKETS), frameon=False, fontsize=9)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


async def _stats(session: AsyncSession, core: Core, today: date) -> tuple[Stats, Rules]:
    rules = Rules.from_settings(core.settings.reminders)
    data = await load_export(session)
    return compute_stats(data, today, core.calendar, rules, core.tz), rules


async def stats_summary(session: AsyncSession, core: Core, today: date, lang: str = "zh") -> str:
    """The /stats text: totals and per-section counts of done, on-track, yellow and red tasks."""
    stats, rules = await _stats(session, core, today)
    return summary_text(stats, rules, lang)


async def stats_png(session: AsyncSession, core: Core, today: date, lang: str = "zh") -> bytes:
    """The /stats chart as PNG bytes, with Chinese labels."""
    stats, _ = await _stats(session, core, today)
    # Rendering takes a few hundred milliseconds of CPU; keep the event loop serving other chats.
    return await asyncio.to_thread(render_chart, stats, lang)
