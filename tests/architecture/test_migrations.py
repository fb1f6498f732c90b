"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.db import Base, Database
from bot.db.migrate import current, upgrade


async def test_upgrade_reaches_head_and_matches_models(db: Database) -> None:
    await db.drop_all()
    await upgrade(db.engine)
    assert await current(db.engine) is not None

    def diff(connection):  # type: ignore[no-untyped-def]
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_upgrade_twice_is_harmless(db: Database) -> None:
    await db.drop_all()
    await upgrade(db.engine)
    await upgrade(db.engine)
    assert await current(db.engine) is not None


def test_head_revision_constant_matches_the_migrations() -> None:
    from alembic.script import ScriptDirectory

    from bot.db.migrate import HEAD_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() == HEAD_REVISION


async def test_open_core_migrates_a_fresh_sqlite_file_and_skips_alembic_when_at_head(tmp_path) -> None:
    from bot.app import open_core
    from bot.db.migrate import at_head
    from config import Settings

    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}")  # type: ignore[call-arg]
    core = await open_core(settings)
    assert await at_head(core.db.engine)
    await core.db.dispose()


async def test_0002_fills_fixed_due_for_tasks_already_there(db: Database) -> None:
    from datetime import date, datetime

    from sqlalchemy import Date, DateTime, bindparam, text

    await db.drop_all()
    await upgrade(db.engine, "0001")
    rows = {
        "task_tables": "INSERT INTO task_tables (id, title, year, source_name, source_hash, source_format, columns,"
        " active, imported_at, updated_at) VALUES (1, 't', 2024, 'f.csv', 'h', 'csv', '[]', true, :now, :now)",
        "tasks": "INSERT INTO tasks (id, table_id, no, seq, title, content, units, status, created_at, updated_at)"
        " VALUES (:id, 1, :no, :id, 't', 'c', '[]', 'open', :now, :now)",
        "milestones": "INSERT INTO milestones (task_id, position, due, text, kind, estimate)"
        " VALUES (:task, 0, :due, '', :kind, false)",
    }
    now = datetime(2024, 3, 1, 2, 0)
    typed = {name: text(sql).bindparams(*(bindparam(p, type_=t) for p, t in (("now", DateTime()), ("due", Date()))
                                          if f":{p}" in sql)) for name, sql in rows.items()}
    async with db.engine.begin() as conn:
        await conn.execute(typed["task_tables"], {"now": now})
        for ident in (1, 2, 3):
            await conn.execute(typed["tasks"], {"id": ident, "no": str(ident), "now": now})
        for task, due, kind in [(1, date(2024, 9, 30), "dated"), (1, date(2024, 6, 30), "target"),
                                (1, date(2024, 3, 31), "recurring"), (2, None, "ongoing"),
                                (2, date(2024, 4, 30), "recurring")]:
            await conn.execute(typed["milestones"], {"task": task, "due": due, "kind": kind})
    await upgrade(db.engine)
    async with db.engine.connect() as conn:
        found = dict((await conn.execute(text("SELECT id, fixed_due FROM tasks ORDER BY id"))).all())
    assert {k: str(v) if v is not None else None for k, v in found.items()} == {1: "2024-06-30", 2: None, 3: None}


async def test_0010_keeps_every_recorded_key_as_a_batch_and_a_pass_still_finds_them(db: Database) -> None:
    from datetime import datetime

    from sqlalchemy import DateTime, bindparam, text

    from bot.db.clock import UTC
    from scheduler.ledger import recorded

    await db.drop_all()
    await upgrade(db.engine, "0009")
    keys = [("overdue:1:1:2025-10-09:2025-10-13:p5", "overdue", datetime(2025, 10, 13, 1, 0)),
            ("reminder:2:2:2025-10-15:d3:p5", "reminder", datetime(2025, 10, 10, 1, 0)),
            ("escalation_head:1:1:2025-10-09:p7", "escalation_head", datetime(2024, 1, 5, 1, 0)),
            ("overdue:1:1:2025-10-09:2025-10-10:p5", "overdue", datetime(2025, 10, 10, 1, 0))]
    insert = text("INSERT INTO sent_notices (key, kind, created_at) VALUES (:key, :kind, :at)").bindparams(
        bindparam("at", type_=DateTime()))
    async with db.engine.begin() as conn:
        for key, kind, at in keys:
            await conn.execute(insert, {"key": key, "kind": kind, "at": at})
    await upgrade(db.engine)
    async with db.session() as s:
        sent, upto = await recorded(s, datetime(2025, 10, 12, 16, 0, tzinfo=UTC), datetime(2025, 8, 13, 16, 0, tzinfo=UTC))
    # Today's overdue key, the window's reminder key and the old escalation come back; yesterday's overdue key
    # (day-stamped) is not read, as before.
    assert sent == {k for k, _, _ in keys[:3]} and upto == 4


async def test_0012_gives_links_already_there_their_tasks_keys_and_goes_back(db: Database) -> None:
    from datetime import date, datetime

    from sqlalchemy import Date, DateTime, bindparam, text

    from bot.db.migrate import alembic_config

    await db.drop_all()
    await upgrade(db.engine, "0011")
    now = datetime(2025, 3, 1, 2, 0)
    statements = [
        ("INSERT INTO task_tables (id, title, year, source_name, source_hash, source_format, columns, active,"
         " imported_at, updated_at) VALUES (1, 't', 2025, 'f.csv', 'h', 'csv', '[]', true, :now, :now)", {}),
        ("INSERT INTO people (id, name, created_at) VALUES (1, '李康民', :now)", {}),
        ("INSERT INTO sections (id, name, created_at) VALUES (1, '疾控股', :now)", {}),
        *(("INSERT INTO tasks (id, table_id, no, seq, title, content, units, status, fixed_due, created_at, updated_at)"
           " VALUES (:id, 1, :no, :seq, 't', 'c', '[]', :status, :due, :now, :now)",
           {"id": i, "no": str(i), "seq": seq, "status": status, "due": due})
          for i, seq, status, due in ((1, 7, "open", date(2025, 6, 30)), (2, 9, "done", None))),
        ("INSERT INTO milestones (task_id, position, due, text, kind, estimate) VALUES (2, 0, :due, '', 'recurring', false)",
         {"due": date(2025, 12, 31)}),
        *(("INSERT INTO task_leaders (task_id, person_id, position) VALUES (:id, 1, 0)", {"id": i}) for i in (1, 2)),
        *(("INSERT INTO task_sections (task_id, section_id, position) VALUES (:id, 1, 0)", {"id": i}) for i in (1, 2)),
    ]
    async with db.engine.begin() as conn:
        for sql, values in statements:
            typed = text(sql).bindparams(*(bindparam(p, type_=t) for p, t in (("now", DateTime()), ("due", Date()))
                                           if f":{p}" in sql))
            await conn.execute(typed, {"now": now, **values})
    await upgrade(db.engine)
    for link in ("task_leaders", "task_sections"):
        async with db.engine.connect() as conn:
            rows = (await conn.execute(text(f"SELECT task_id, task_open, task_recurs, task_due, task_table, task_seq"
                                            f" FROM {link} ORDER BY task_id"))).all()
        assert [(r[0], bool(r[1]), bool(r[2]), str(r[3]) if r[3] else None, r[4], r[5]) for r in rows] == [
            (1, True, False, "2025-06-30", 1, 7), (2, False, True, None, 1, 9)], link

    def downgrade(connection) -> None:  # type: ignore[no-untyped-def]
        from alembic import command

        cfg = alembic_config(db.engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0011")

    async with db.engine.begin() as conn:
        await conn.run_sync(downgrade)
    assert await current(db.engine) == "0011"
    async with db.engine.begin() as conn:  # no trigger is left to write the columns that went
        await conn.execute(text("UPDATE tasks SET status = 'open' WHERE id = 2"))
        await conn.execute(text("DELETE FROM task_leaders WHERE task_id = 1"))
    await upgrade(db.engine)
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT task_open FROM task_sections WHERE task_id = 2"))).scalar() in (True, 1)
