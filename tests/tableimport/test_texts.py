"""Every problem and warning the reader can produce has a message in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.texts import catalog, t

SOURCE = Path(__file__).resolve().parents[2] / "bot" / "tableimport"
PROBLEMS = sorted({m for f in SOURCE.rglob("*.py") for m in re.findall(r'"(import\.[a-z_]+)"', f.read_text("utf-8"))})
WARNINGS = sorted({m for f in SOURCE.rglob("*.py")
                   for m in re.findall(r'RowWarning\([^,]+,\s*"([a-z_]+)"', f.read_text("utf-8"))})


def test_the_source_was_scanned() -> None:
    assert "import.duplicate_no" in PROBLEMS and "missing_leader" in WARNINGS


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("key", PROBLEMS + [f"import.{w}" for w in WARNINGS])
def test_message_exists(lang: str, key: str) -> None:
    assert key in catalog(lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("code", WARNINGS)
def test_warnings_render_with_line_and_their_params(lang: str, code: str) -> None:
    text = t(f"import.{code}", lang, line=12, no="7", count=18)
    assert "12" in text and "{" not in text
