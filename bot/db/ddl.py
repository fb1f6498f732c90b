"""Statements (triggers and their functions) created with a table by ``create_all``, per dialect."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import DDL, Table, event


def attach_ddl(table: Table, *, sqlite: Sequence[str], postgresql: Sequence[str]) -> None:
    """Run each dialect's statements after ``table`` is created (the migrations create them in deployed databases)."""
    for dialect, statements in (("sqlite", sqlite), ("postgresql", postgresql)):
        for statement in statements:
            # DDL formats its text with %, which LIKE patterns use too.
            event.listen(table, "after_create", DDL(statement.replace("%", "%%")).execute_if(dialect=dialect))
