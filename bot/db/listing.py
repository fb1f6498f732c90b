"""Each link row (``task_leaders``, ``task_sections``) carries its task's listing keys, kept by database triggers.

我的任务 lists a person's open tasks by next due date: at 100,000 tasks a section member reaches 2,000 of them,
and looking each one up in ``tasks`` (status, table, order, due date, whether it recurs) was most of the
request's time. With those keys on the link rows, the person's links are read from one index range and no task
is looked up at all. The copies are:

- ``task_open``: the task's status is ``open``;
- ``task_recurs``: it has a recurring milestone (read from ``tasks.schedule``, the fold kept by ``bot.db.fold``:
  the kind is the fold's second field, so ``|recurring|`` appears exactly when one does);
- ``task_due``, ``task_table``, ``task_seq``: its ``fixed_due``, ``table_id`` and ``seq``.

Triggers write them, not the application, as for the fold: a link row takes its task's keys when inserted (or
re-pointed), and a task's links are rewritten when one of those keys changes, whatever wrote it. The models
attach the same DDL to ``create_all`` (tests); migration 0012 installs it in deployed databases.
"""

from __future__ import annotations

from sqlalchemy import Table

from bot.db.ddl import attach_ddl

LINK_TABLES = ("task_leaders", "task_sections")
KEYS = ("task_open", "task_recurs", "task_due", "task_table", "task_seq")


def _keys_of(task: str) -> list[str]:
    """The keys of the task row named ``task`` (a table alias, NEW or OLD), in the order of KEYS."""
    return [
        f"{task}.status = 'open'",
        f"coalesce({task}.schedule, '') LIKE '%|recurring|%'",
        f"{task}.fixed_due",
        f"{task}.table_id",
        f"{task}.seq",
    ]


def _values(task: str) -> str:
    return ", ".join(_keys_of(task))


def _from_task(link: str, task: str) -> str:
    """An UPDATE setting a link table's keys from the task whose id is the SQL expression ``task``."""
    return f"UPDATE {link} SET ({', '.join(KEYS)}) = (SELECT {_values('t')} FROM tasks t WHERE t.id = {task})"


def _changed(dialect: str) -> str:
    """Whether an update of a task changed any of its keys (NEW and OLD)."""
    differs = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return " OR ".join(
        [f"NEW.{column} {differs} OLD.{column}" for column in ("status", "fixed_due", "table_id", "seq")]
        + [f"({_keys_of('NEW')[1]}) <> ({_keys_of('OLD')[1]})"]
    )


def _to_links() -> str:
    """Statements rewriting the keys of the updated task's (NEW) links."""
    assignments = ", ".join(f"{key} = {value}" for key, value in zip(KEYS, _keys_of("NEW"), strict=True))
    return " ".join(f"UPDATE {link} SET {assignments} WHERE task_id = NEW.id;" for link in LINK_TABLES)


def _sqlite_link_triggers(link: str) -> tuple[str, ...]:
    other = "person_id" if link == "task_leaders" else "section_id"
    refresh = f"{_from_task(link, 'NEW.task_id')} WHERE task_id = NEW.task_id AND {other} = NEW.{other};"
    return (
        f"CREATE TRIGGER {link}_listing_insert AFTER INSERT ON {link} BEGIN {refresh} END",
        f"CREATE TRIGGER {link}_listing_repoint AFTER UPDATE OF task_id ON {link} BEGIN {refresh} END",
    )


SQLITE_TRIGGERS = (
    *_sqlite_link_triggers("task_leaders"),
    *_sqlite_link_triggers("task_sections"),
    "CREATE TRIGGER tasks_listing_update AFTER UPDATE OF status, fixed_due, table_id, seq, schedule ON tasks "
    f"WHEN {_changed('sqlite')} BEGIN {_to_links()} END",
)

# Row triggers on PostgreSQL too: a link takes its keys before it is written (no second version of the row),
# and a task's WHEN clause is evaluated without calling the function, so the fold's updates of tasks that do
# not change whether they recur cost nothing here.
POSTGRES_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION duban_listing_link() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"SELECT {_values('t')} INTO {', '.join('NEW.' + key for key in KEYS)} FROM tasks t WHERE t.id = NEW.task_id; "
    "RETURN NEW; END $$",
    "CREATE OR REPLACE FUNCTION duban_listing_task() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"{_to_links()} RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {link}_listing BEFORE INSERT OR UPDATE OF task_id ON {link} "
        "FOR EACH ROW EXECUTE FUNCTION duban_listing_link()"
        for link in LINK_TABLES
    ),
    "CREATE TRIGGER tasks_listing_update AFTER UPDATE ON tasks FOR EACH ROW "
    f"WHEN ({_changed('postgresql')}) EXECUTE FUNCTION duban_listing_task()",
)

# (trigger, table) pairs, for dropping them.
TRIGGERS = (
    ("task_leaders_listing_insert", "task_leaders"),
    ("task_leaders_listing_repoint", "task_leaders"),
    ("task_sections_listing_insert", "task_sections"),
    ("task_sections_listing_repoint", "task_sections"),
    ("task_leaders_listing", "task_leaders"),
    ("task_sections_listing", "task_sections"),
    ("tasks_listing_update", "tasks"),
)
FUNCTIONS = ("duban_listing_link", "duban_listing_task")


def index_columns(owner: str) -> tuple[str, ...]:
    """A link table's listing index: by person or section, open tasks in one range, then the task and its keys."""
    return (owner, "task_open", "task_id", *KEYS[1:])


def refill_all() -> tuple[str, ...]:
    """Statements that set every link row's keys anew from its task (migrations)."""
    return tuple(_from_task(link, f"{link}.task_id") for link in LINK_TABLES)


def attach(task_sections: Table) -> None:
    """Create the triggers in ``create_all``, after the last table they touch (the migrations create them elsewhere)."""
    attach_ddl(task_sections, sqlite=SQLITE_TRIGGERS, postgresql=POSTGRES_TRIGGERS)
