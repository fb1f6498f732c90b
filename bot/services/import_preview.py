"""The import preview as lines of plain text, in the admin's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.services.imports import ImportPreview
from bot.texts import t

if TYPE_CHECKING:  # import_names imports this module's ImportPreview; only its type is needed here
    from bot.services.import_names import NameHint

MAX_WARNINGS = 50


def _numbers(values: tuple[str, ...], lang: str) -> str:
    return "、".join(f"#{v}" for v in values) if values else t("importing.none", lang)


def render_preview(
    preview: ImportPreview,
    lang: str = "zh",
    *,
    max_warnings: int = MAX_WARNINGS,
    how: str = "chat",
    names: Sequence[NameHint] = (),
) -> list[str]:
    """What the admin reads before confirming: file, table, year, columns, counts, diff and per-row warnings.

    ``how`` ("chat" or "cli") picks the wording of the column-mapping hint; ``names`` are the near misses of
    known people and sections (from ``import_names.name_hints``), listed first among the warnings.
    """
    parsed = preview.parsed
    lines = [t("importing.year_missing", lang, year=preview.year)] if preview.year_guessed else []
    lines += [
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
    if parsed.sheet:
        lines.append(t("importing.sheet", lang, sheet=parsed.sheet, others="、".join(parsed.other_sheets) or "—"))
    if not preview.year_guessed:
        lines.append(_year_line(preview, lang))
    lines += _column_lines(preview, lang, how)
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
    notes = [t(f"importing.name_hint_{h.kind}", lang, line=h.line, no=h.no, name=h.name, hint=h.hint) for h in names]
    notes += _warning_lines(preview, lang)
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


def _year_line(preview: ImportPreview, lang: str) -> str:
    parsed = preview.parsed
    source = preview.year_source
    evidence = {
        "override": str(preview.year),
        "filename": preview.filename,
        "issued": parsed.issued.isoformat() if parsed.issued else "",
    }.get(source, parsed.year_evidence or parsed.title or "")
    return t("importing.year_source", lang, year=preview.year, source=t(f"year_source.{source}", lang),
             evidence=evidence)


def _column_lines(preview: ImportPreview, lang: str, how: str) -> list[str]:
    """Which column was read as what (with the role names --columns takes), and every column left unread."""
    parsed = preview.parsed
    columns = "；".join(
        t("importing.column", lang, label=c.label, header=c.header, field=t(f"role.{c.field}", lang))
        for c in parsed.columns
    )
    lines = [t("importing.columns", lang, columns=columns)]
    for c in parsed.unmapped:
        lines.append("⚠ " + t("import.unmapped_column", lang, column=c.label, header=c.header or "—", count=c.rows))
    if parsed.columns:
        example = ",".join(f"{c.label}={t(f'role.{c.field}', lang)}" for c in parsed.columns[:3])
        lines.append(t("importing.columns_hint", lang, how=t(f"importing.columns_hint_{how}", lang, example=example)))
    return lines
