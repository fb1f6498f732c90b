"""Chinese-capable fonts for matplotlib: the bundled subset first, then CJK fonts installed on the system.

matplotlib (3.6+) falls back glyph by glyph along ``font.sans-serif``, so a character missing from the
bundled GB2312 subset is still drawn when the system has a full CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager

BUNDLED_FONT = Path(__file__).resolve().parent.parent / "data" / "fonts" / "DubanSansSC-Regular.otf"
BUNDLED_FAMILY = "Duban Sans SC"

# Families that cover simplified Chinese, best first; whichever are installed join the fallback chain.
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "SimHei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
# Installed after matplotlib cached its font list (e.g. by CI's apt step), these would go unseen.
SYSTEM_GLOBS = (
    "/usr/share/fonts/**/NotoSansCJK*-Regular.tt[cf]",
    "/usr/share/fonts/**/NotoSansCJK*-Regular.otf",
    "/usr/share/fonts/**/wqy-microhei.ttc",
    "/usr/share/fonts/**/wqy-zenhei.ttc",
)
LATIN_FALLBACK = "DejaVu Sans"

_lock = threading.Lock()


def _add(path: Path) -> None:
    try:
        font_manager.fontManager.addfont(str(path))
    except (OSError, RuntimeError, ValueError):  # an unreadable font file must not break the chart
        pass


def _installed_families() -> set[str]:
    return {entry.name for entry in font_manager.fontManager.ttflist}


@lru_cache(maxsize=1)
def cjk_families() -> tuple[str, ...]:
    """Registered Chinese-capable families in fallback order, ending with matplotlib's Latin default."""
    with _lock:
        found = _installed_families()
        if BUNDLED_FONT.is_file() and BUNDLED_FAMILY not in found:
            _add(BUNDLED_FONT)
        if not found & set(SYSTEM_FAMILIES):
            for pattern in SYSTEM_GLOBS:
                for path in sorted(Path("/").glob(pattern.lstrip("/"))):
                    _add(path)
        found = _installed_families()
    chain = [name for name in (BUNDLED_FAMILY, *SYSTEM_FAMILIES) if name in found]
    return (*chain, LATIN_FALLBACK)


def has_cjk_font() -> bool:
    """Whether any Chinese-capable font is available to matplotlib."""
    return len(cjk_families()) > 1


def rc_params(families: tuple[str, ...] | None = None) -> dict[str, object]:
    """matplotlib settings for a figure with Chinese text (use with ``matplotlib.rc_context``)."""
    chain = list(families or cjk_families())
    return {
        # Fallback runs along font.family only: a generic "sans-serif" would resolve to its first font alone.
        "font.family": chain,
        "font.sans-serif": chain,
        # CJK fonts often lack U+2212 (the typographic minus) that matplotlib puts on negative ticks.
        "axes.unicode_minus": False,
    }
