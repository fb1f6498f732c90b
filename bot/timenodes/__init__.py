"""Chinese time nodes (10月底前, 每季度, 年内, 2025年达…目标) read from task cells into milestone drafts.

Rule-based on purpose: general date parsers read 前 as "ago" and roll a bare month into next year.

Readings worth knowing (each is covered by tests/timenodes):
- A bare month belongs to the document year, never the next; 10月前 is 9-30 (estimate, warning). Only a later
  year named with a month earlier in the same sentence carries on (2025年3月底前完成招标，6月底前完工 -> 2025).
- 6月龄 / 0-6月龄 is a baby's age, not a month.
- A year alone is a node only near a goal word (达, 完成, 目标, 到…): a later year is a ``target``, the
  document year ``dated``; an earlier year, or one after 较/比/同比, is history. Dates inside an earlier
  year give a ``past`` warning. 2023-2025年 ends at its last year; 用三年时间完成 / 三年内 count from the
  document year (estimate, ``duration`` warning); a campaign name such as 三年专项行动 is not a node.
- 长期 / 持续推进 / 常态化 are ``ongoing`` only as a clause of their own (a deadline cell such as
  "长期坚持"); in running text they are verbs ("持续推进医防融合") and not nodes.
- 每天/每日 are recurring with period "day"; the scheduler does not remind daily.
- A cited title (《…规划（2021—2025年）》, 《…2025年工作要点》) is consumed whole: its years are the
  document's, not the task's. 全年任务 / 全年目标 / 全年计划 / 全年工作 / 全年指标 are the year's workload:
  their year end counts only when nothing else in the text has a due date (全年 on its own is a year end).
- ISO dates (2023-10-31, 2024.3-6) count only alone in the cell, with 前 or before a completion verb
  (2023.9.30完成), never inside header metadata (2023-10-31 完成情况).
- 每年两次 / 每年4次 / 每年12次 are half-yearly / quarterly / monthly; 每两个月 is monthly (an estimate).
- A list number opening a clause (1、6月底前…；2、12月底前…, 1.6月底前) is not a month.
- Vague words (尽快, 适时, 按序时, 如期, 立即) and placeholders (20xx年) give warnings and no date.
- A range of two dates (2024年10月至2025年3月, 二季度至三季度, 4.1-4.30) is due at its end only; a list sharing
  one unit (6、12月, 二、三季度) gives a node per item. A date followed by 起/开始/后 starts the work: it counts
  only when nothing else dates the task.
- Alone in a cell (a deadline column): 6.30 and 6/30 are dates (in running text only with 前, as 2.5万 and
  3.0版 share the shape), 2024年 is that year's end, 月度/季度/季度末 are recurring, and 截至2024年底 is a
  deadline (elsewhere 截至 states a fact). 十四五末 is the plan's last year end; 十四五 alone is no node.
"""

import sys
import types

from bot.timenodes.model import (
    WARNING_CODES,
    Extraction,
    MilestoneDraft,
    MilestoneKind,
    Period,
    TimeWarning,
)
from bot.timenodes.recurrence import occurrences


class _Package(types.ModuleType):
    """This package: ``extract`` stays the function even after the submodule of that name is imported."""

    def __setattr__(self, name: str, value: object) -> None:
        # Importing bot.timenodes.extract binds the submodule here under the function's name, and then
        # `from bot.timenodes import extract` would hand out a module (import order decided which one).
        if name == "extract" and isinstance(value, types.ModuleType):
            value = value.extract
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    """``extract`` loads the pattern tables (about 0.1 s of regex compiling) on first use, not at start-up."""
    if name == "extract":
        from bot.timenodes.extract import extract as function

        globals()["extract"] = function  # importing the submodule bound this name to the module
        return function
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "WARNING_CODES",
    "Extraction",
    "MilestoneDraft",
    "MilestoneKind",
    "Period",
    "TimeWarning",
    "extract",
    "occurrences",
]
