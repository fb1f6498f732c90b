"""Who does a work point and by when, written in words: "牵头单位：…" lines under it, or a closing bracket
"（牵头单位：市财政局；责任单位：…）" at its end."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.tableimport import cells as C
from bot.tableimport.headers import match_header
from bot.tableimport.readers.text import ROLE_LABEL

_INLINE = re.compile(r"[(（]\s*((?:主要)?(?:牵头|责任|配合|协作|协办|参与|相关|主体|分管)[^()（）]{0,400}?[:：][^()（）]+)[)）]"
                     r"\s*[。.;；]?\s*$")
_ITEMS = re.compile(r"[;；]\s*(?=[^;；:：]{1,12}[:：])")


@dataclass(frozen=True)
class PointRoles:
    """What the labels say, and the point's text without a closing bracket of labels."""

    text: str
    leaders: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    deadline: str | None = None


def read_roles(labels: list[str], text: str) -> PointRoles:
    """Leaders, lead sections, related units and deadline from labelled lines and a closing bracket."""
    items = list(labels)
    inline = _INLINE.search(text)
    if inline:
        items += _ITEMS.split(inline.group(1))
        text = text[:inline.start()].rstrip()
    found: list[tuple[str, str, str]] = []
    for item in items:
        match = ROLE_LABEL.match(item.strip())
        if match is None:
            continue
        name, value = match.group(1), item.strip()[match.end():].strip()
        fld = match_header(name)[0]
        if fld in ("leaders", "sections", "units", "deadline") and value:
            found.append((name, fld, value))
    if not found:
        return PointRoles(text)
    # "牵头单位：X；责任单位：Y": beside a named lead, the 责任单位 are the related units.
    has_lead = any(fld == "sections" and "牵头" in name for name, fld, _ in found)
    leaders: list[str] = []
    sections: list[str] = []
    units: list[str] = []
    deadlines: list[str] = []
    for name, fld, value in found:
        if fld == "sections" and has_lead and "牵头" not in name:
            fld = "units"
        if fld == "leaders":
            leaders += C.split_people(value)
        elif fld == "sections":
            sections += C.split_sections(value)
        elif fld == "units":
            units += C.split_units(value)
        else:
            deadlines.append(value)
    return PointRoles(text, tuple(dict.fromkeys(leaders)), tuple(dict.fromkeys(sections)),
                      tuple(dict.fromkeys(units)), "\n".join(deadlines) or None)
