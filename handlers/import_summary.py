"""An import preview as one chat message plus, when the message cannot hold it all, the full preview as a file.

A 10,000-row revision listed every changed 序号 and dozens of warnings: sixteen Telegram messages. The message
now keeps the counts, the first few numbers of each kind of change and the first few warnings, each line
bounded; the file holds everything (every number with its title, every warning), as plain UTF-8 text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.texts import t
from handlers.render import esc
from bot.contracts import OutFile

if TYPE_CHECKING:
    from bot.services.import_names import NameHint
    from bot.services.imports import ImportPreview, TableDiff

FEW = 5  # numbers shown per kind of change, and warnings shown, in the message
LINE_MAX = 300  # characters of one preview line in the message
TEXT_MAX = 3000  # characters of the whole message (Telegram's limit is 4096 after markup)
EVERY = 10**9


@dataclass(frozen=True, slots=True)
class PreviewParts:
    """The message lines (escaped, bounded) and the file with the full preview, if anything was left out."""

    lines: list[str]
    file: OutFile | None


def _numbers(values: tuple[str, ...], lang: str, few: int = EVERY) -> str:
    if not values:
        return t("importing.none", lang)
    shown = "、".join(f"#{v}" for v in values[:few])
    return shown if len(values) <= few else t("conv.import_more", lang, shown=shown, count=len(values))


def _diff_line(diff: TableDiff, lang: str, few: int) -> str:
    return t("importing.diff", lang, added=_numbers(diff.added, lang, few), removed=_numbers(diff.removed, lang, few),
             changed=_numbers(diff.changed, lang, few), unchanged=diff.unchanged)


def preview_parts(preview: ImportPreview, lang: str, names: Sequence[NameHint] = ()) -> PreviewParts:
    """Split a preview into a bounded chat message and, when needed, the whole of it as a text file.

    ``names`` are the near misses of known people and sections, listed first among the warnings.
    """
    from bot.services.imports import render_preview

    lines = render_preview(preview, lang, max_warnings=FEW, names=names)
    left_out = len(lines) < len(render_preview_all(preview, lang, names))
    diff = preview.diff
    if diff is not None:
        full_line = _diff_line(diff, lang, EVERY)
        short_line = _diff_line(diff, lang, FEW)
        left_out = left_out or short_line != full_line
        lines = [short_line if line == full_line else line for line in lines]
    shown: list[str] = []
    size = 0
    for line in lines:
        text = esc(line if len(line) <= LINE_MAX else line[: LINE_MAX - 1] + "…")
        left_out = left_out or len(line) > LINE_MAX
        if size + len(text) > TEXT_MAX:
            shown.append(t("conv.import_cut", lang))
            left_out = True
            break
        shown.append(text)
        size += len(text) + 1
    if not left_out:
        return PreviewParts(shown, None)
    name = t("conv.import_file_name", lang, name=preview.filename.rsplit(".", 1)[0] or "table")
    shown.append(t("conv.import_attached", lang, file=esc(name)))
    return PreviewParts(shown, OutFile(name, full_text(preview, lang, names).encode(), "text/plain; charset=utf-8"))


def full_text(preview: ImportPreview, lang: str, names: Sequence[NameHint] = ()) -> str:
    """The whole preview as plain text: every line, every warning, and each change with the row's title."""
    lines = render_preview_all(preview, lang, names)
    diff = preview.diff
    if diff is not None:
        titles = {task.no: task.title for task in preview.tasks}
        for key, numbers in (("added", diff.added), ("changed", diff.changed), ("removed", diff.removed)):
            if numbers:
                lines += ["", t(f"conv.import_file_{key}", lang, count=len(numbers))]
                lines += [f"  #{no} {titles.get(no, '')}".rstrip() for no in numbers]
    return "\n".join(lines) + "\n"


def render_preview_all(preview: ImportPreview, lang: str, names: Sequence[NameHint] = ()) -> list[str]:
    """Every line of the preview, no warning left out."""
    from bot.services.imports import render_preview

    return render_preview(preview, lang, max_warnings=EVERY, names=names)

