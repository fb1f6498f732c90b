"""The import preview as lines of plain text, in the admin's language."""

from __future__ import annotations

from bot.services.imports import ImportPreview
from bot.texts import t

MAX_WARNINGS = 50


def _numbers(values: tuple[str, ...], lang: str) -> str:
    return "、".join(f"#{v}" for v in values) if values else t("importing.none", lang)


def render_preview(preview: ImportPreview, lang: str = "zh", *, max_warnings: int = MAX_WARNINGS) -> list[str]:
    """What the admin reads before confirming: file, table, columns, counts, diff and per-row warnings."""
    parsed = preview.parsed
    lines = [
        t("importing.file", lang, file=preview.filename, format=parsed.format),
        t("importing.table", lang, title=preview.title),
        t(
            "importing.meta",
            lang,
            issuer=parsed.issuer or "—",
            issued=parsed.issued.isoformat() if parsed.issued else "—",
            year=preview.year,
        ),
    ]
    if preview.year_guessed:
        lines.append(t("importing.year_guessed", lang, year=preview.year))
    columns = "；".join(
        t("importing.column", lang, label=c.label, header=c.header, field=t(f"field.{c.field}", lang))
        for c in parsed.columns
    )
    lines.append(t("importing.columns", lang, columns=columns))
    lines.append(
        t(
            "importing.counts",
            lang,
            tasks=len(preview.tasks),
            people=len(preview.people),
            new_people=len(preview.new_people),
            sections=len(preview.sections),
            new_sections=len(preview.new_sections),
            milestones=preview.milestones,
            default_only=preview.default_only,
        )
    )
    if preview.unassigned:
        lines.append(t("importing.unassigned", lang, count=preview.unassigned))
    if preview.diff is not None:
        d = preview.diff
        lines.append(
            t(
                "importing.diff",
                lang,
                added=_numbers(d.added, lang),
                removed=_numbers(d.removed, lang),
                changed=_numbers(d.changed, lang),
                unchanged=d.unchanged,
            )
        )
    notes = _warning_lines(preview, lang)
    if notes:
        lines.append(t("importing.warnings", lang, count=len(notes)))
        lines += ["  " + note for note in notes[:max_warnings]]
        if len(notes) > max_warnings:
            lines.append("  " + t("importing.more_warnings", lang, count=len(notes) - max_warnings))
    return lines


def _warning_lines(preview: ImportPreview, lang: str) -> list[str]:
    by_line = {task.line: task.no for task in preview.tasks}
    notes = [
        t(f"import.{w.code}", lang, line=w.line, **w.params) for w in preview.parsed.warnings
    ]
    for task in preview.tasks:
        for w in task.warnings:
            message = t(f"timenode.{w.code}", lang, phrase=w.phrase)
            notes.append(t("importing.row_warning", lang, line=task.line, no=by_line[task.line], message=message))
    return notes
