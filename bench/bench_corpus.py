"""Corpus benchmark: how well Duban reads each real published table in tests/corpus; prints JSON.

One row per document: the format, rows found against rows expected, the year found against the year expected,
and for each field (序号, task text, leaders, lead sections, related units, dated milestones) the share of rows
read exactly as the hand-read expected.json says. Then the totals over the corpus and the time each read took.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.corpus.scoring import FIELDS, documents, score  # noqa: E402


def main() -> None:
    """Score every corpus document and print one JSON object."""
    per_document = []
    totals = {name: 0 for name in FIELDS}
    expected_rows = 0
    for folder in documents():
        started = time.perf_counter()
        result = score(folder)
        row = result.as_dict()
        row["seconds"] = round(time.perf_counter() - started, 3)
        per_document.append(row)
        expected_rows += result.expected_rows
        for name in FIELDS:
            totals[name] += result.right.get(name, 0)
    summary = {
        "documents": len(per_document),
        "rows": expected_rows,
        "rows_right_count": sum(1 for d in per_document if d["rows"] == d["expected_rows"]),
        "years_right": sum(1 for d in per_document if d["year"] == d["expected_year"]),
        **{name: round(totals[name] / expected_rows, 3) if expected_rows else 1.0 for name in FIELDS},
    }
    print(json.dumps({"benchmark": "corpus", "summary": summary, "documents": per_document}, ensure_ascii=False,
                     indent=1))


if __name__ == "__main__":
    main()
