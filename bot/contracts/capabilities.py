"""What each channel can do, so texts and replies pick what works there (no "tap the button" without buttons)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Markup = Literal["html", "markdown", "plain"]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """One channel's abilities: buttons, files each way, deep links, groups, markup, text limit, reach."""

    buttons: bool = False
    files_in: bool = False
    file_caption: bool = False
    files_out: bool = False
    deep_links: bool = False
    group_chats: bool = False
    markup: Markup = "plain"
    text_limit: int = 2048
    # Whether a notice reaches someone who has not written to the bot first (Telegram needs /start first).
    reach_first: bool = False
    # Whether a notice reaches anyone who is not typing at that moment (a terminal console does not).
    reach_idle: bool = True
    # The link that opens a private chat and binds with an invite code ({bot}: the bot's username, {code}).
    link_template: str | None = None
    # How buttons are drawn where there are none: a typed command or a number per button (the console).
    numbered_choices: bool = False

    def deep_link(self, code: str, bot: str | None) -> str | None:
        """The link that binds with invite ``code`` on this channel, or None where it has no deep links."""
        if not self.deep_links or self.link_template is None or (bot is None and "{bot}" in self.link_template):
            return None
        return self.link_template.format(bot=bot, code=code)


# What a channel with no registered capabilities is assumed to do: plain text only.
PLAIN = Capabilities()
# A rich chat (what Telegram does): the default where a request or a notice does not say its channel's abilities,
# so conversations and notices keep their full wording.
RICH = Capabilities(buttons=True, files_in=True, file_caption=True, files_out=True, deep_links=True, group_chats=True,
                    markup="html", text_limit=4096, reach_first=False, link_template="https://t.me/{bot}?start={code}")
