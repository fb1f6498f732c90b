"""China's estimated holidays for years the State Council has not published, read from a file shipped with Duban.

The estimate comes from the holidays package, but that package imports every country it knows (about 300
modules, 15 MB that a long-running bot keeps for ever) the moment one country is used. Its answer for China
depends only on the package version, so it is written once into ``bot/data/china-holiday-estimate.json``
(``python -m bot.workcal.estimate`` rewrites it) and a test checks the file against the installed package.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

ESTIMATE_FILE = Path(__file__).resolve().parent.parent / "data" / "china-holiday-estimate.json"


@lru_cache(maxsize=1)
def _estimate() -> dict[str, Any]:
    with ESTIMATE_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


def estimate_years() -> tuple[int, int]:
    """The first and last year the shipped estimate covers."""
    data = _estimate()
    return int(data["start"]), int(data["end"])


def estimated_status(d: date) -> tuple[bool, str | None] | None:
    """Whether ``d`` is a working day by the estimate, with its holiday name; None outside the covered years."""
    first, last = estimate_years()
    if not first <= d.year <= last:
        return None
    year = _estimate()["years"].get(str(d.year), {})
    key = f"{d.month:02d}{d.day:02d}"
    name = year.get("holidays", {}).get(key)
    if key in year.get("workdays", ()):
        return True, name
    return (d.weekday() < 5 and name is None), name


def generate() -> dict[str, Any]:
    """The estimate as the installed holidays package computes it, in the shipped file's shape."""
    import holidays
    from holidays.countries.china import China

    first, last = China.start_year, China.end_year
    years: dict[str, Any] = {}
    for year in range(first, last + 1):
        # Neighbouring years too: a make-up day (调休) can be listed under the previous or next year's notice.
        cn = China(years=[y for y in (year - 1, year, year + 1) if first <= y <= last], language="zh_CN")
        named = {f"{d.month:02d}{d.day:02d}": name for d, name in sorted(cn.items()) if d.year == year}
        workdays = sorted(f"{d.month:02d}{d.day:02d}" for d in cn.weekend_workdays if d.year == year)
        years[str(year)] = {"holidays": named, **({"workdays": workdays} if workdays else {})}
    return {"source": f"holidays {holidays.__version__}", "start": first, "end": last, "years": years}


def write(path: Path = ESTIMATE_FILE) -> None:
    """Rewrite the shipped estimate from the installed holidays package."""
    path.write_text(json.dumps(generate(), ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
                    encoding="utf-8")


if __name__ == "__main__":
    write()
