"""What a DingTalk (钉钉) robot chat can do, so texts word themselves for it."""

from __future__ import annotations

from bot.contracts import Capabilities

# No buttons that call back (numbered "回复 1" choices and typed commands instead), files in without a caption,
# files out (/export as a sampleFile, /stats as a picture), markdown in 4000-byte parts, no deep links, groups by @-mention and custom robots; the app
# robot reaches staff who never wrote to it.
CAPABILITIES = Capabilities(buttons=False, files_in=True, file_caption=False, files_out=True, deep_links=False,
                            group_chats=True, markup="markdown", text_limit=4000, reach_first=True,
                            numbered_choices=True)
