"""Benchmark the time-node extractor over every content cell of the fixtures; prints one JSON object."""

from __future__ import annotations

import csv
import json
import os
import statistics
import time
from pathlib import Path

from bot.timenodes import extract

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"
if not FIXTURES.is_dir():
    FIXTURES = Path(os.environ.get("DUBAN_FIXTURES", "/work/shared/fixtures"))

# Text fixtures: every non-empty paragraph counts as one cell, read against the document's year.
_TEXTS = {
    "zhangjiagang-2024-primary-care-points.txt": 2024,
    "zhangjiagang-2024-duty-lists.txt": 2024,
    "health-work-plans-2023.txt": 2023,
    "community-health-plan.txt": 2023,
}


def fixture_cells() -> list[tuple[str, int]]:
    """(text, document year) of every content cell in the fixtures."""
    with open(FIXTURES / "yuanjiang-2023-tasks.csv", encoding="utf-8-sig", newline="") as f:
        cells = [(row["具体内容及时间节点"], 2023) for row in csv.DictReader(f)]
    for name, year in _TEXTS.items():
        lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
        cells.extend((line.strip(), year) for line in lines if line.strip())
    return cells


def main(min_cells: int = 20_000, rounds: int = 5) -> dict[str, float | int]:
    """Mean extraction time per cell over the fixture cells repeated to at least ``min_cells``."""
    base = fixture_cells()
    cells = base * -(-min_cells // len(base))
    for text, year in base:  # warm up: compile the regex, fill the small caches
        extract(text, year)
    per_round = []
    for _ in range(rounds):
        start = time.perf_counter()
        for text, year in cells:
            extract(text, year)
        per_round.append((time.perf_counter() - start) / len(cells) * 1e6)
    return {
        "distinct_cells": len(base),
        "cells_per_round": len(cells),
        "mean_chars_per_cell": round(statistics.mean(len(t) for t, _ in base), 1),
        "rounds": rounds,
        "per_cell_us_best": round(min(per_round), 2),
        "per_cell_us_median": round(statistics.median(per_round), 2),
        "target_us": 50,
    }


if __name__ == "__main__":
    print(json.dumps(main()))
