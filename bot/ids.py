"""Numbers that users type or buttons carry, read as database ids."""

from __future__ import annotations

# SQLite and PostgreSQL store ids as signed 64-bit integers; a bigger number cannot name a row, and
# binding it raises OverflowError deep inside the driver.
MAX_ID = 2**63 - 1


def parse_id(text: str) -> int | None:
    """The id ``text`` spells (ASCII digits within 64 bits), or None for anything else."""
    text = text.strip()
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= MAX_ID else None
