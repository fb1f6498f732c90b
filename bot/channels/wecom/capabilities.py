"""What WeCom (企业微信) can do, so texts word themselves for it (no invite link to tap, files without a caption)."""

from __future__ import annotations

from dataclasses import replace

from bot.contracts import Capabilities
from config import Settings

# App messages: markdown-ish text within 2048 bytes; files both ways, but a file carries no caption (/import
# follows it); no deep links; group chats only through registered robots; it reaches members who never wrote.
CAPABILITIES = Capabilities(buttons=True, files_in=True, file_caption=False, files_out=True, deep_links=False,
                            group_chats=True, markup="markdown", text_limit=2048, reach_first=True)


def capabilities(settings: Settings) -> Capabilities:
    """WeCom's abilities under ``settings``: template cards stand in for buttons only with DUBAN_WECOM__CARDS."""
    return replace(CAPABILITIES, buttons=settings.wecom.cards)
