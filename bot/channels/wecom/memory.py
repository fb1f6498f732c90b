"""What the WeCom channel remembers per member between messages, for a limited time and a bounded number.

A text chat has no buttons, so numbered choices ("回复 1") are remembered until the next answer replaces
them; a file a member sent is remembered until they send /import. Both are in memory only: after a restart
the member simply asks again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")


class _Expiring(Generic[T]):
    """Per-user values with a lifetime, the least recently set dropped beyond ``max_users``."""

    def __init__(self, ttl: timedelta, max_users: int) -> None:
        self.ttl = ttl
        self._values: OrderedDict[str, tuple[datetime, T]] = OrderedDict()
        self._max = max_users

    def put(self, user: str, value: T, now: datetime) -> None:
        self._values[user] = (now + self.ttl, value)
        self._values.move_to_end(user)
        while len(self._values) > self._max:
            self._values.popitem(last=False)

    def get(self, user: str, now: datetime) -> T | None:
        entry = self._values.get(user)
        if entry is None:
            return None
        if now >= entry[0]:
            del self._values[user]
            return None
        return entry[1]

    def has(self, user: str) -> bool:
        return user in self._values

    def pop(self, user: str, now: datetime) -> T | None:
        value = self.get(user, now)
        self._values.pop(user, None)
        return value


class ChoiceMemory:
    """The numbered choices of each member's latest answer: number → button data."""

    def __init__(self, ttl: timedelta = timedelta(minutes=30), max_users: int = 10_000) -> None:
        self._store: _Expiring[dict[int, str]] = _Expiring(ttl, max_users)

    def remember(self, user: str, numbered: Sequence[tuple[int, str]], now: datetime) -> None:
        """Replace the member's choices with these (none: forget them)."""
        if numbered:
            self._store.put(user, dict(numbered), now)
        else:
            self._store.pop(user, now)

    def had_choices(self, user: str) -> bool:
        """Whether the member was offered numbered choices (even if they have expired since)."""
        return self._store.has(user)

    def choice(self, user: str, number: int, now: datetime) -> str | None:
        """The button data behind ``number``, if the member was offered it and it has not expired."""
        found = self._store.get(user, now)
        return found.get(number) if found else None


@dataclass(frozen=True, slots=True)
class SentFile:
    """A file a member sent: its media id and name, if WeCom gave one."""

    media_id: str
    name: str | None


class FileMemory:
    """The last file each member sent, kept for /import."""

    def __init__(self, ttl: timedelta = timedelta(minutes=10), max_users: int = 1_000) -> None:
        self.ttl = ttl
        self._store: _Expiring[SentFile] = _Expiring(ttl, max_users)

    def remember(self, user: str, sent: SentFile, now: datetime) -> None:
        """Keep ``sent`` as the member's file for import."""
        self._store.put(user, sent, now)

    def take(self, user: str, now: datetime) -> SentFile | None:
        """The member's file, once (an import uses it up)."""
        return self._store.pop(user, now)

    @property
    def minutes(self) -> int:
        """The lifetime in whole minutes, for the texts."""
        return int(self.ttl.total_seconds() // 60)
