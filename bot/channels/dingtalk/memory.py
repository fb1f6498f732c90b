"""The numbered choices each member was last offered (pages of a list), for a while, in memory only.

A DingTalk robot chat has no buttons that call back: a page button becomes "回复 1", and the number means that
button until the next answer replaces the choices or half an hour passes. After a restart the member asks again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta


class ChoiceMemory:
    """Per member (or member in a group): number → button data, with an expiry, the oldest forgotten past a bound."""

    def __init__(self, ttl: timedelta = timedelta(minutes=30), max_members: int = 10_000) -> None:
        self.ttl = ttl
        self.max_members = max_members
        self._offered: OrderedDict[str, tuple[datetime, dict[int, str]]] = OrderedDict()

    def remember(self, member: str, numbered: Sequence[tuple[int, str]], now: datetime) -> None:
        """Replace the member's choices with these (none: forget them)."""
        self._offered.pop(member, None)
        if numbered:
            self._offered[member] = (now + self.ttl, dict(numbered))
            if len(self._offered) > self.max_members:
                self._offered.popitem(last=False)

    def had_choices(self, member: str) -> bool:
        """Whether the member was offered numbered choices (even if they have expired since)."""
        return member in self._offered

    def choice(self, member: str, number: int, now: datetime) -> str | None:
        """The button data behind ``number``, if the member was offered it and it has not expired."""
        until, offered = self._offered.get(member, (now, {}))
        return offered.get(number) if now < until else None
