"""English texts of operations: backup, restore and doctor."""

MESSAGES = {
    "ops.file_needed": "error: duban db {action} needs a FILE",
    "ops.backup_done": "Backup written to {file}.",
    "ops.restore_done": "Database restored from {file}.",
    "ops.restore_refused": "error: the database already has tasks or people; restoring would overwrite them. Add --force to replace it.",
    "ops.backend_unsupported": "error: backups support SQLite and PostgreSQL, not {backend}",
    "ops.sqlite_memory": "error: an in-memory SQLite database cannot be backed up or restored",
    "ops.db_file_missing": "error: the database file {file} does not exist",
    "ops.not_a_backup": "error: {file} is not a {kind} backup",
    "ops.tool_missing": "error: {tool} not found on PATH or in /usr/lib/postgresql/*/bin; install the PostgreSQL client tools",
    "ops.tool_failed": "error: {tool} failed: {reason}",
}
