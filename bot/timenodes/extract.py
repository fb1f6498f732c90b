"""extract(): every time node of a cell as milestone drafts plus warnings for the import preview."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from bot.timenodes.model import Extraction, MilestoneDraft
from bot.timenodes.normalize import fold
from bot.timenodes.patterns import DISPATCH, GATE
from bot.timenodes.rules import HANDLERS, Found


def scan(folded: str) -> list[re.Match[str]]:
    """Leftmost-first matches of the rules in folded text, exactly as patterns.MASTER.finditer gives them."""
    matches = []
    end = 0
    for gate in GATE.finditer(folded):
        pos = gate.start()
        if pos < end:
            continue
        m = DISPATCH[folded[pos]].match(folded, pos)
        if m is not None:
            end = m.end()
            matches.append(m)
    return matches


@lru_cache(maxsize=256)
def _nothing_found(doc_year: int, default: bool) -> Extraction:
    if not default:
        return Extraction((), ())
    return Extraction((MilestoneDraft(date(doc_year, 12, 31), "", "default", None, False),), ())


def _dedupe(milestones: list[MilestoneDraft]) -> tuple[MilestoneDraft, ...]:
    """One milestone per (due, kind), the first in the text; ordered by due date, undated last."""
    seen: set[tuple[date | None, str]] = set()
    unique = []
    for m in milestones:
        key = (m.due, m.kind)
        if key not in seen:
            seen.add(key)
            unique.append(m)
    unique.sort(key=lambda m: (m.due is None, m.due or date.max))
    return tuple(unique)


_MOVED_TO = re.compile(r"(?:延期|顺延|推迟|延后|调整|延长|变更)(?:至|到|为)")


def extract(text: str, doc_year: int, *, default: bool = True) -> Extraction:
    """The time nodes of ``text`` read against ``doc_year``; with ``default`` a year-end node if none is found.

    Never raises for any ``text``; raises ValueError only for a document year outside 1–9998.
    """
    if not 1 <= doc_year <= 9998:
        raise ValueError(f"document year out of range: {doc_year}")
    source = text if isinstance(text, str) else ""
    folded = fold(source)
    matches = scan(folded)
    moved = _MOVED_TO.search(folded)
    if moved and any(m.start() >= moved.end() for m in matches):
        # "6月底前（已延期至9月底）": a revised table's new deadline replaces the one written before it
        matches = [m for m in matches if m.start() >= moved.end()]
    if not matches:
        return _nothing_found(doc_year, default)
    found = Found(source, folded, doc_year)
    for m in matches:
        HANDLERS[m.lastgroup](found, m)  # type: ignore[index]
    milestones = found.milestones
    if not any(m.due is not None for m in milestones):
        milestones = milestones + found.fallback
    milestones = _dedupe(milestones)
    warnings = tuple(dict.fromkeys(found.warnings))
    if not milestones:
        milestones = _nothing_found(doc_year, default).milestones
    return Extraction(milestones, warnings)
