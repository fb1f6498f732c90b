"""A task's milestones folded into one text (``tasks.schedule``), kept by the database's own triggers.

The 09:00 pass reads every task's milestones: 300,000 rows at 100,000 tasks, most of the time the pass takes.
Folded on the task row it reads one value per task instead. The text is ``position|kind|period|due|start`` per
milestone, joined by ``;``, then ``#`` and the milestones' ids in the same order (scheduler.snapshot parses it);
the order is the database's, so the positions travel with the text.

Triggers on ``milestones`` write it, not the application: every write (ORM, Core, a migration, an operator's
SQL) keeps it right, and nothing in the code has to remember to. SQLite refolds a task per changed row;
PostgreSQL once per statement for each task it touched (transition tables). The models attach the same
DDL to ``create_all`` (tests); migration 0011 installs it in deployed databases.
"""

from __future__ import annotations

from sqlalchemy import Table

from bot.db.ddl import attach_ddl

_SQLITE_FOLD = (
    "(SELECT group_concat(m.position || '|' || m.kind || '|' || coalesce(m.period, '') || '|' || coalesce(m.due, '')"
    " || '|' || coalesce(m.window_start, ''), ';') || '#' || group_concat(m.id, ',')"
    " FROM milestones m WHERE m.task_id = {task})"
)
_POSTGRES_FOLD = (
    "(SELECT string_agg(m.position::text || '|' || m.kind || '|' || coalesce(m.period, '') || '|'"
    " || coalesce(m.due::text, '') || '|' || coalesce(m.window_start::text, ''), ';')"
    " || '#' || string_agg(m.id::text, ',') FROM milestones m WHERE m.task_id = {task})"
)


def fold_sql(dialect: str, task: str) -> str:
    """The folded milestones of the task whose id is the SQL expression ``task``, in ``dialect``."""
    return (_POSTGRES_FOLD if dialect == "postgresql" else _SQLITE_FOLD).format(task=task)


def _sqlite_refold(task: str) -> str:
    return f"UPDATE tasks SET schedule = {fold_sql('sqlite', task)} WHERE id = {task};"


SQLITE_TRIGGERS = (
    "CREATE TRIGGER milestones_fold_insert AFTER INSERT ON milestones BEGIN "
    f"{_sqlite_refold('NEW.task_id')} END",
    "CREATE TRIGGER milestones_fold_delete AFTER DELETE ON milestones BEGIN "
    f"{_sqlite_refold('OLD.task_id')} END",
    "CREATE TRIGGER milestones_fold_update AFTER UPDATE OF id, task_id, position, kind, period, due, window_start "
    f"ON milestones BEGIN {_sqlite_refold('NEW.task_id')} "
    f"UPDATE tasks SET schedule = {fold_sql('sqlite', 'OLD.task_id')} WHERE id = OLD.task_id AND OLD.task_id <> NEW.task_id; END",
)


# A loop of one-row updates by id, not one UPDATE joined to the transition table: the planner cannot know how
# many rows that table has, and with asyncpg's executemany (a statement per row) a joined UPDATE that scanned
# every task per row made a large import quadratic.
POSTGRES_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION duban_fold_milestones() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE task integer; touched integer[]; BEGIN "
    "IF TG_OP = 'INSERT' THEN SELECT array_agg(DISTINCT task_id) INTO touched FROM new_rows; "
    "ELSIF TG_OP = 'DELETE' THEN SELECT array_agg(DISTINCT task_id) INTO touched FROM old_rows; "
    "ELSE SELECT array_agg(DISTINCT task_id) INTO touched "
    "FROM (SELECT task_id FROM new_rows UNION ALL SELECT task_id FROM old_rows) AS changed; END IF; "
    "FOREACH task IN ARRAY coalesce(touched, '{}') LOOP "
    f"UPDATE tasks SET schedule = {fold_sql('postgresql', 'task')} WHERE id = task; END LOOP; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER milestones_fold_insert AFTER INSERT ON milestones REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION duban_fold_milestones()",
    "CREATE TRIGGER milestones_fold_update AFTER UPDATE ON milestones REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION duban_fold_milestones()",
    "CREATE TRIGGER milestones_fold_delete AFTER DELETE ON milestones REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION duban_fold_milestones()",
)
TRIGGER_NAMES = ("milestones_fold_insert", "milestones_fold_update", "milestones_fold_delete")


def refold_all(dialect: str) -> str:
    """One statement that folds every task's milestones anew (migrations)."""
    return f"UPDATE tasks SET schedule = {fold_sql(dialect, 'tasks.id')}"


def attach(milestones: Table) -> None:
    """Create the triggers with the milestones table in ``create_all`` (the migrations create them elsewhere)."""
    attach_ddl(milestones, sqlite=SQLITE_TRIGGERS, postgresql=POSTGRES_TRIGGERS)
