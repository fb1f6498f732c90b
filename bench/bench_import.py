"""Import benchmark: the 45-row seed xlsx and a generated 10,000-row xlsx into a fresh SQLite; prints JSON.

Targets (issue 2): seed ≤ 0.3 s; 10,000 rows ≤ 3 s with peak RSS ≤ 200 MB. Each measurement runs in its own
process so that peak RSS belongs to that import alone.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "bot" / "data" / "sample-2023-tasks.xlsx"


async def _import_once(path: Path, db_file: Path) -> dict:
    from bot.db import Database
    from bot.services.imports import apply_import, prepare_import

    db = Database(f"sqlite+aiosqlite:///{db_file}")
    await db.create_all()
    data = path.read_bytes()
    now = datetime(2023, 5, 10, tzinfo=timezone.utc)
    start = time.perf_counter()
    async with db.session() as session:
        preview = await prepare_import(session, data, path.name, now=now)
        await apply_import(session, preview, now=now, actor="bench")
    seconds = time.perf_counter() - start
    await db.dispose()
    return {"rows": len(preview.tasks), "milestones": preview.milestones, "seconds": round(seconds, 4)}


def _child(path: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(_import_once(Path(path), Path(tmp) / "bench.sqlite3"))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def _measure(path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run both measurements and print one JSON object."""
    sys.path.insert(0, str(ROOT / "bench"))
    from gen_table import write_table

    with tempfile.TemporaryDirectory() as tmp:
        big = write_table(Path(tmp) / "generated-10000.xlsx", 10_000)
        seed = _measure(SEED)
        large = _measure(big)
    print(json.dumps({
        "benchmark": "import",
        "seed_45_rows": {**seed, "target_seconds": 0.3, "ok": seed["seconds"] <= 0.3},
        "generated_10000_rows": {
            **large,
            "target_seconds": 3.0,
            "target_peak_rss_mb": 200,
            "ok": large["seconds"] <= 3.0 and large["peak_rss_mb"] <= 200,
        },
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.path.insert(0, str(ROOT))
        _child(sys.argv[2])
    else:
        main()
