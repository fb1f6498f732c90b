"""Time (and peak RSS) of read_table on the 45-row sample in every format, a 10,000-row xls and a 21-page PDF; JSON."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchutil import ROOT, machine

from bench_parse import measure

sys.path.insert(0, str(ROOT))
from tests.tableimport.builders import html_from_csv  # noqa: E402

SHARED = ROOT.parent / "shared" / "fixtures"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/fixtures")
OWN = ROOT / "tests" / "fixtures"
SAMPLE = "yuanjiang-2023-tasks"
TARGETS = {"sample_seconds": 0.3, "xls_10000_seconds": 3.0, "xls_10000_peak_rss_mb": 200, "pdf_21_pages_seconds": 3.0}


def _samples(tmp: Path) -> dict[str, Path]:
    html = tmp / f"{SAMPLE}.html"
    html.write_bytes(html_from_csv(SHARED / f"{SAMPLE}.csv"))
    return {
        "xlsx": SHARED / f"{SAMPLE}.xlsx",
        "xls": OWN / f"{SAMPLE}.xls",
        "docx": SHARED / f"{SAMPLE}.docx",
        "csv": SHARED / f"{SAMPLE}.csv",
        "gbk_csv": SHARED / f"{SAMPLE}.gbk.csv",
        "html": html,
        "txt": SHARED / f"{SAMPLE}.txt",
        "pdf": OWN / f"{SAMPLE}.pdf",
    }


def main() -> None:
    """Command line: ``python bench/bench_formats.py [--rows N] [--repeat K]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        samples = {fmt: measure(path, args.repeat) for fmt, path in _samples(Path(tmp)).items()}
        big = Path(tmp) / f"generated-{args.rows}.xls"
        # Generated in a child: Linux carries a parent's peak RSS over into the children it starts.
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen_table.py"), "--rows", str(args.rows),
                        "--format", "xls", "--out", str(big)], cwd=ROOT, check=True, capture_output=True)
        xls = measure(big, args.repeat)
    pdf = measure(OWN / "generated-55-rows-21-pages.pdf", args.repeat)
    result = {
        "machine": machine(),
        "targets": TARGETS,
        "sample_45": samples,
        f"xls_{args.rows}": xls,
        "pdf_21_pages": pdf,
        "within_targets": {
            "samples": all(s["parse_seconds_best"] <= TARGETS["sample_seconds"] for s in samples.values()),
            "xls": xls["parse_seconds_best"] <= TARGETS["xls_10000_seconds"]
            and xls["peak_rss_mb"] <= TARGETS["xls_10000_peak_rss_mb"],
            "pdf": pdf["parse_seconds_best"] <= TARGETS["pdf_21_pages_seconds"],
        },
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
