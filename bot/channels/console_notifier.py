"""A Notifier that prints notices to a text stream (the console channel, demos and ``duban remind``)."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.channels.console import plain_text
from handlers.types import Button
from scheduler.notifier import Target


class ConsoleNotifier:
    """Writes each notice as plain text, its buttons as ``[label → data]``, to ``stream``."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    async def send(self, target: Target, text: str, buttons: list[list[Button]]) -> None:
        """Print the notice with a header naming its target."""
        out = [f"── {target.key} ({target.kind}) ──", plain_text(text)]
        for row in buttons:
            out.append("  ".join(f"[{b.label} → {b.data}]" for b in row))
        self.stream.write("\n".join(out) + "\n\n")
        self.stream.flush()

    async def start_link(self) -> str | None:
        """The console has no link to a private chat."""
        return None
