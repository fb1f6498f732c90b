"""/stats: the counts, the escaped summary text, and a PNG chart whose Chinese glyphs really render."""

from __future__ import annotations

import io
import json
import warnings
from datetime import date

import pytest
from matplotlib import ft2font, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from bot.exports import fonts, stats_png, stats_summary
from bot.exports.stats import Counts, Stats, render_chart, summary_text
from bot.services.status import Rules
from tests.exports.conftest import TODAY

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _draw(text: str, families: tuple[str, ...]) -> bytes:
    with rc_context(fonts.rc_params(families)):
        fig = Figure(figsize=(3, 1))
        FigureCanvasAgg(fig)
        fig.text(0.1, 0.5, text)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


async def test_summary_counts_overall_and_per_section(core, seeded):
    async with core.db.session() as s:
        text = await stats_summary(s, core, TODAY)
    assert text.splitlines() == [
        "<b>任务统计</b>（截至 2023-10-27）",
        "共 9 项：✅ 已办结 1，🟢 按期推进 5（其中 🔵 5 个工作日内到期 2），🟡 滞后 1，🔴 逾期 2",
        "按牵头股室：",
        "疾控股：4 项　✅0 🟢1 🟡1 🔴2",
        "医政医管股：3 项　✅0 🟢2 🟡1 🔴0",
        "基层卫生股：1 项　✅0 🟢1 🟡0 🔴0",
        "规划发展与信息化股：1 项　✅1 🟢0 🟡0 🔴0",
        "（未指派）：1 项　✅0 🟢1 🟡0 🔴0",
    ]


async def test_summary_of_an_empty_database(core):
    async with core.db.session() as s:
        assert "尚未导入任务" in await stats_summary(s, core, TODAY)


@pytest.mark.parametrize(
    ("name", "shown"),
    [("疾控<股>", "疾控&lt;股&gt;"), ("R&D", "R&amp;D"), ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;")],
)
def test_summary_escapes_section_names(name, shown):
    stats = Stats(date(2023, 10, 27), Counts(total=1, red=1), [(name, Counts(total=1, red=1))])
    text = summary_text(stats, Rules(), "zh")
    assert f"{shown}：1 项" in text
    assert name not in text


async def test_chart_is_a_valid_png_with_every_chinese_glyph(core, seeded):
    async with core.db.session() as s:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" on tofu
            data = await stats_png(s, core, TODAY)
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.width >= 800 and image.height >= 300


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_chart_renders(lang):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = render_chart(Stats(TODAY), lang)
    assert data.startswith(PNG_SIGNATURE)


def test_bundled_font_is_first_in_the_chain():
    chain = fonts.cjk_families()
    assert fonts.BUNDLED_FONT.is_file()
    assert chain[0] == fonts.BUNDLED_FAMILY and chain[-1] == fonts.LATIN_FALLBACK
    assert fonts.has_cjk_font()


def test_bundled_font_renders_chinese_without_missing_glyphs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = _draw("疾控股 医政医管股 规划发展与信息化股（行政审批股） 逾期 滞后序时进度", (fonts.BUNDLED_FAMILY,))
    assert data.startswith(PNG_SIGNATURE)


def test_latin_font_alone_misses_the_glyphs():
    """The control for the test above: the warning that it turns into an error does fire on tofu."""
    with pytest.warns(UserWarning, match="missing from font"):
        _draw("疾控股", (fonts.LATIN_FALLBACK,))


def test_bundled_font_covers_every_name_in_the_sample_table(fixtures_dir):
    expected = json.loads((fixtures_dir / "yuanjiang-2023-tasks.expected.json").read_text("utf-8"))
    text = "".join(
        "".join(task["leaders"] + task["sections"] + task["units"] + [task["category"] or ""])
        for task in expected["tasks"]
    )
    font = ft2font.FT2Font(str(fonts.BUNDLED_FONT))
    missing = sorted({ch for ch in text if not ch.isspace() and font.get_char_index(ord(ch)) == 0})
    assert missing == []


def test_system_cjk_font_fills_what_the_subset_lacks():
    """镕 is in GBK but not GB2312: the bundled subset lacks it, an installed full CJK font has it."""
    font = ft2font.FT2Font(str(fonts.BUNDLED_FONT))
    assert font.get_char_index(ord("镕")) == 0
    chain = fonts.cjk_families()
    if len(chain) < 3:
        pytest.skip("no system CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _draw("王镕", chain)
