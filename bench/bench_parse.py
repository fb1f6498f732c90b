"""Time and peak memory of read_table on the 45-row seed xlsx and a generated 10,000-row xlsx; prints JSON."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "bot" / "data" / "sample-2023-tasks.xlsx"

# Runs in a fresh interpreter so that peak RSS is that of a process which only parsed this one file.
_CHILD = r"""
import json, resource, sys, time


def peak_kb():
    # VmHWM is this process's own high-water mark; ru_maxrss also counts what the parent held when it forked.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


t0 = time.perf_counter()
from bot.tableimport import read_table
t1 = time.perf_counter()
data = open(sys.argv[1], "rb").read()
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    table = read_table(data, sys.argv[1])
    times.append(time.perf_counter() - start)
print(json.dumps({
    "rows": len(table.rows),
    "bytes": len(data),
    "parse_seconds_first": round(times[0], 4),
    "parse_seconds_best": round(min(times), 4),
    "import_seconds": round(t1 - t0, 4),
    "peak_rss_mb": round(peak_kb() / 1024, 1),
}))
"""


def measure(path: Path, repeat: int) -> dict:
    """Parse ``path`` in a child interpreter: the first (cold) and best time of ``repeat`` runs, and peak RSS."""
    # The child runs in the repository root: a path relative to the caller's directory is resolved first.
    out = subprocess.run([sys.executable, "-c", _CHILD, str(Path(path).resolve()), str(repeat)], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    """Command line: ``python bench/bench_parse.py [--rows N] [--big PATH] [--repeat K]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--big", type=Path, help="an existing big xlsx (else one is generated)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = args.big
        if big is None:
            # Generated in a child too: Linux carries a parent's peak RSS over into the children it starts.
            big = Path(tmp) / f"generated-{args.rows}.xlsx"
            subprocess.run([sys.executable, str(ROOT / "bench" / "gen_table.py"), "--rows", str(args.rows),
                            "--out", str(big)], cwd=ROOT, check=True, capture_output=True)
        result = {
            "seed_45": measure(SEED, args.repeat),
            f"generated_{args.rows}": measure(big, args.repeat),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
