"""Scoring Duban's reading of a corpus document against its hand-read expected.json, field by field."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from bot.services.import_plan import document_year, plan_tasks
from bot.tableimport import ImportFailure, read_table

CORPUS = Path(__file__).resolve().parent
FIELDS = ("no", "content", "leaders", "sections", "units", "dates")
_LEADING_NO = re.compile(r"^\s*(?:\d{1,3}\s*[.、)]|\(\d{1,3}\)|\([一二三四五六七八九十]{1,4}\)|[一二三四五六七八九十]{1,4}\s*[、.])\s*")
_NOISE = re.compile(r"[\s\u3000]+")


def documents() -> list[Path]:
    """Every corpus folder that holds an expected.json."""
    return sorted(p.parent for p in CORPUS.glob("*/expected.json"))


def _text(value: str | None) -> str:
    # Spacing, width, a leading item number and a closing stop are how a text is set, not what it says.
    value = unicodedata.normalize("NFKC", value or "")
    return _NOISE.sub("", _LEADING_NO.sub("", value)).rstrip("。.;；,，")


def _names(values) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(_text(v) for v in values)


@dataclass
class Score:
    """How one document was read: rows found and expected, the year, and per field how many rows were right."""

    name: str
    format: str = ""
    rows: int = 0
    expected_rows: int = 0
    year: int | None = None
    expected_year: int | None = None
    right: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    error: str | None = None

    def accuracy(self, name: str) -> float:
        """The share of expected rows whose field ``name`` was read right."""
        return self.right.get(name, 0) / self.expected_rows if self.expected_rows else 1.0

    def as_dict(self) -> dict:
        """The score as JSON-ready numbers."""
        out = {"document": self.name, "format": self.format, "rows": self.rows, "expected_rows": self.expected_rows,
               "year": self.year, "expected_year": self.expected_year}
        out.update({f: round(self.accuracy(f), 3) for f in FIELDS})
        if self.error:
            out["error"] = self.error
        return out


def score(folder: Path) -> Score:
    """Read the document in ``folder`` as Duban would and compare it with expected.json."""
    expected = json.loads((folder / "expected.json").read_text("utf-8"))
    path = folder / expected["file"]
    result = Score(folder.name, expected_rows=len(expected["rows"]), expected_year=expected.get("year"))
    try:
        parsed = read_table(path.read_bytes(), path.name)
    except ImportFailure as failure:
        result.error = "; ".join(failure.render("en"))
        return result
    result.format, result.rows = parsed.format, len(parsed.rows)
    year, source = document_year(parsed, None, 2000)
    result.year = None if source == "guessed" else year
    plan_year = expected.get("year") or year
    tasks = plan_tasks(parsed, plan_year)
    for index, want in enumerate(expected["rows"]):
        if index >= len(tasks):
            break
        task = tasks[index]
        dates = sorted({m.due.isoformat() for m in task.milestones if m.due and m.kind in ("dated", "target")})
        got = {
            "no": _text(task.no), "content": _text(task.content), "leaders": _names(task.leaders),
            "sections": _names(task.sections), "units": _names(task.units), "dates": dates,
        }
        wanted = {
            "no": _text(want["no"]), "content": _text(want["content"]), "leaders": _names(want["leaders"]),
            "sections": _names(want["sections"]), "units": _names(want["units"]),
            # A table without a year is read in the year the admin confirms: "YYYY" stands for it.
            "dates": sorted(d.replace("YYYY", str(plan_year)) for d in want["dates"]),
        }
        for name in FIELDS:
            if got[name] == wanted[name]:
                result.right[name] = result.right.get(name, 0) + 1
            else:
                result.misses.append(f"row {index + 1} {name}: got {got[name]!r}, expected {wanted[name]!r}")
    return result
