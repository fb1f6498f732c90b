"""``duban console``: the same conversation in a terminal, one line in, plain text out.

Buttons are shown as numbered choices (type ``1`` to press the first, or ``/press <data>``); files are written
to a folder and their paths printed. In demo mode ``/as 李康民`` speaks as that person (binding a console
account to them), ``/as admin`` goes back, and ``/at 2023-10-27 09:00`` sets the clock (local time).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import TextIO

from bot.channels.registry import Built
from bot.core import Core
from bot.db.clock import from_local, to_local
from bot.services.accounts import bind, get_account
from bot.services.people import find_person
from bot.texts import t
from bot.contracts import Capabilities, Chat, Reply, Request, Sender

Handle = Callable[[Core, Request], Awaitable[list[Reply]]]

CHANNEL = "console"
# Plain text in a terminal: buttons become numbered choices; no files in, no deep links, no groups; it reaches
# nobody who is not typing at that moment.
CAPABILITIES = Capabilities(buttons=False, numbered_choices=True, files_out=True, markup="plain", text_limit=100_000,
                            reach_idle=False)
ADMIN = "admin"
_AT = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?$")


class _Plain(HTMLParser):
    """Duban's safe markup as plain text: tags dropped, entities decoded, links followed by their address."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href is not None:
            if "".join(self.link_text).strip() != self.href:
                self.parts.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self.href is not None:
            self.link_text.append(data)


def plain_text(markup: str) -> str:
    """Strip the tags of Duban's safe markup and unescape its entities."""
    parser = _Plain()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


class Console:
    """One terminal conversation: who is speaking, the clock, and the buttons of the last answer."""

    def __init__(
        self,
        core: Core,
        stdout: TextIO,
        clock: Callable[[], datetime],
        *,
        demo: bool,
        identity: str,
        out_dir: Path,
        handle: Handle,
    ) -> None:
        self.core = core
        self.handle = handle
        self.out = stdout
        self.clock = clock
        self.demo = demo
        self.identity = identity
        self.out_dir = out_dir
        self.fixed_now: datetime | None = None
        self.choices: list[str] = []

    def now(self) -> datetime:
        """The demo clock when set, else the real one."""
        return self.fixed_now or self.clock()

    def say(self, text: str = "") -> None:
        """Print a line."""
        self.out.write(text + "\n")
        self.out.flush()

    async def lang(self) -> str:
        """The speaking account's language, else the default."""
        async with self.core.db.session() as session:
            account = await get_account(session, CHANNEL, self.identity)
        return account.lang if account is not None and account.lang else self.core.settings.language

    async def line(self, raw: str) -> None:
        """Act on one line of input."""
        text = raw.strip()
        if not text:
            return
        if text.isdecimal() and self.choices:
            index = int(text) - 1
            if 0 <= index < len(self.choices):
                await self.send(callback=self.choices[index])
            else:
                self.say(t("conv.console_no_choice", await self.lang(), n=text))
            return
        command, _, rest = text.partition(" ")
        if command == "/press" and rest.strip():
            await self.send(callback=rest.strip())
        elif command in ("/as", "/at"):
            if not self.demo:
                self.say(t("conv.console_demo_only", await self.lang()))
            elif command == "/as":
                await self.switch(rest.strip())
            else:
                await self.set_clock(rest.strip())
        else:
            await self.send(text=text)

    async def switch(self, name: str) -> None:
        """/as NAME: speak as that person (binding a console account to them); /as admin: back."""
        if not name or name.lower() == ADMIN:
            self.identity = ADMIN
            self.say(t("conv.console_as", await self.lang(), who=ADMIN))
            return
        async with self.core.db.session() as session:
            person = await find_person(session, name)
            if person is not None:
                await bind(session, CHANNEL, person.name, person, now=self.now(), display_name=person.name)
                found = person.name
        if person is None:
            self.say(t("conv.console_as_unknown", await self.lang(), name=name))
            return
        self.identity = found
        self.choices = []
        self.say(t("conv.console_as", await self.lang(), who=found))

    async def set_clock(self, value: str) -> None:
        """/at YYYY-MM-DD [HH:MM]: the demo clock, in local time (09:00 when no time is given)."""
        found = _AT.match(value)
        moment: datetime | None = None
        if found:
            try:
                day = datetime.strptime(found.group(1), "%Y-%m-%d")
                hour, minute = (int(found.group(2)), int(found.group(3))) if found.group(2) else (9, 0)
                moment = day.replace(hour=hour, minute=minute)
            except ValueError:
                moment = None
        if moment is None:
            self.say(t("conv.console_at_usage", await self.lang()))
            return
        self.fixed_now = from_local(moment, self.core.tz)
        shown = to_local(self.fixed_now, self.core.tz).strftime("%Y-%m-%d %H:%M")
        self.say(t("conv.console_at", await self.lang(), at=shown))

    async def send(self, *, text: str = "", callback: str | None = None) -> None:
        """Hand one message or press to the conversation and print the answer."""
        request = Request(
            sender=Sender(CHANNEL, self.identity, self.identity),
            chat=Chat(CHANNEL, self.identity, "private"),
            now=self.now(),
            text=text,
            callback=callback,
            caps=CAPABILITIES,
        )
        replies = await self.handle(self.core, request)
        await self.show(replies)

    async def show(self, replies: list[Reply]) -> None:
        """Print replies as plain text, buttons as numbered choices, files as saved paths."""
        self.choices = []
        lang = await self.lang() if any(r.buttons or r.file or r.photo or r.edit for r in replies) else ""
        for reply in replies:
            if reply.edit and reply.text:
                self.say(t("conv.console_edit", lang))
            if reply.text:
                self.say(plain_text(reply.text))
            elif reply.toast:
                self.say(f"({reply.toast})")
            for row in reply.buttons:
                cells = []
                for button in row:
                    self.choices.append(button.data)
                    cells.append(f"[{len(self.choices)}] {button.label}")
                self.say("  " + "  ".join(cells))
            for attached in (reply.file, reply.photo):
                if attached is not None:
                    self.say(t("conv.console_file", lang, path=self.save(attached.name, attached.data)))
            self.say()

    def save(self, name: str, data: bytes) -> str:
        """Write a file into the output folder without overwriting an earlier one."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        safe = Path(name).name or "file"
        path = self.out_dir / safe
        stem, suffix, n = path.stem, path.suffix, 1
        while path.exists():
            n += 1
            path = self.out_dir / f"{stem}-{n}{suffix}"
        path.write_bytes(data)
        return str(path)


async def run_console(
    core: Core,
    *,
    stdin: TextIO,
    stdout: TextIO,
    clock: Callable[[], datetime],
    demo: bool,
    identity: str = ADMIN,
    out_dir: Path | None = None,
    handle: Handle | None = None,
) -> None:
    """Read lines until end of input, answering each like a private chat with the bot."""
    if handle is None:
        from handlers.app import handle as conversation  # the default; the composition root may inject another

        handle = conversation
    console = Console(
        core,
        stdout,
        clock,
        demo=demo,
        identity=identity,
        out_dir=out_dir or Path.cwd() / "duban-files",
        handle=handle,
    )
    # In demo mode the CLI has already said how to switch identity and clock.
    console.say(t("conv.console_banner", await console.lang()))
    console.say()
    interactive = stdin.isatty()
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
            raw = await asyncio.to_thread(stdin.readline)
        else:
            raw = stdin.readline()
        if not raw:
            break
        await console.line(raw)


def build(core: Core, handle: Handle, clock: Callable[[], datetime], *, notifier: bool, http: bool,
          app: object = None) -> Built:
    """The console's registry entry: only its abilities (it sends no notices and serves nothing over HTTP)."""
    return Built(CAPABILITIES)
