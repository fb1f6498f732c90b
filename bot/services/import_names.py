"""Leader and section names of an import checked against known people and sections, as ``/assign`` checks them.

A name the database does not know is imported as new (a new person is legitimate), but when it is close to a
known one ("李康明" beside 李康民) the preview names the row and the suggestion, so a typo is seen before it
becomes a second person who never gets a reminder.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person, Section
from bot.services.assign import suggest
from bot.services.imports import ImportPreview


@dataclass(frozen=True, slots=True)
class NameHint:
    """A new name on a row that is probably a known one mistyped."""

    line: int
    no: str
    kind: str  # "person" or "section"
    name: str
    hint: str


async def _known(session: AsyncSession, model: type[Person] | type[Section]) -> list[str]:
    return list((await session.scalars(select(model.name).order_by(model.name))).all())


async def name_hints(session: AsyncSession, preview: ImportPreview) -> tuple[NameHint, ...]:
    """Every row's new leader or section name that is near a known one, with the name it probably meant."""
    hints: list[NameHint] = []
    for kind, model, new, field in (("person", Person, preview.new_people, "leaders"),
                                    ("section", Section, preview.new_sections, "sections")):
        if not new:
            continue
        known = await _known(session, model)
        meant = {name: suggest(name, known) for name in new}
        hints += [
            NameHint(task.line, task.no, kind, name, meant[name])  # type: ignore[arg-type]
            for task in preview.tasks
            for name in getattr(task, field)
            if meant.get(name)
        ]
    return tuple(sorted(hints, key=lambda h: (h.line, h.kind)))
