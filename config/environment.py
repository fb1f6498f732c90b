"""The environment handed to child programs (pg_dump, pg_restore): config/ is the only code that reads it."""

from __future__ import annotations

import os


def child_environment(**extra: str | None) -> dict[str, str]:
    """This process's environment with ``extra`` set (a None value removes the variable)."""
    env = dict(os.environ)
    for name, value in extra.items():
        env.pop(name, None)
        if value is not None:
            env[name] = value
    return env
