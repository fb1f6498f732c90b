"""The console channel: the same conversation through a text stream, plain text out, buttons as numbers."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.channels.console import plain_text, run_console
from bot.core import Core
from tests.conversation.conftest import NOW

# The console is a channel, not storage: its tests run on the embedded database only.
sqlite_only = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


async def _run(core: Core, lines: list[str], *, demo: bool = True, out_dir: Path | None = None) -> str:
    stdout = io.StringIO()
    await run_console(
        core, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=stdout, clock=lambda: NOW, demo=demo, out_dir=out_dir
    )
    return stdout.getvalue()


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        ("<b>#11</b> 标题 &lt;script&gt; &amp; 1", "#11 标题 <script> & 1"),
        ('<a href="https://t.me/x?start=a&amp;b">link</a>', "link (https://t.me/x?start=a&b)"),
        ('<a href="https://t.me/x">https://t.me/x</a>', "https://t.me/x"),
        ("<i>a</i>\n<code>b</code>", "a\nb"),
    ],
)
def test_plain_text_strips_tags_and_unescapes(markup: str, plain: str) -> None:
    assert plain_text(markup) == plain


@sqlite_only
async def test_demo_session_switches_identity_and_clock_and_presses_buttons(seeded: Core, tmp_path: Path) -> None:
    out = await _run(
        seeded,
        [
            "我的任务",
            "/as 王卫健",
            "/at 2023-10-30 09:00",
            "我的任务",
            "#11",
            "1",
            "/as admin",
            "/people",
            "/as 无名氏",
        ],
        out_dir=tmp_path,
    )
    assert out.startswith("督办 Duban 控制台")
    assert "还没有绑定到具体人员" in out  # the console admin is not a person
    assert "现在的身份：王卫健" in out
    assert "现在的时间：2023-10-30 09:00" in out
    assert "#11 加强急诊急救能力建设 · 2023-10-31 剩 1 个工作日" in out
    assert "<b>" not in out and "&lt;" not in out
    assert "[1] 签收  [2] 更新进度" in out
    assert "已签收 #11" in out
    assert "王卫健：—；console:王卫健" in out  # /as bound a console account to 王卫健
    assert "现在的身份：admin" in out
    assert "没有找到人员「无名氏」" in out


@sqlite_only
async def test_press_by_data_and_numbers_out_of_range(seeded: Core) -> None:
    out = await _run(seeded, ["/as 王卫健", "#11", "9", "/press pg:my:0"])
    assert "没有编号为 9 的按钮" in out
    assert out.count("<我的任务>") == 0 and "我的任务（共" in out


@sqlite_only
async def test_demo_commands_need_demo_mode(seeded: Core) -> None:
    out = await _run(seeded, ["/as 王卫健", "/at 2023-10-30", "/whoami"], demo=False)
    assert out.count("只在演示模式") == 2
    assert "console:admin" in out and "身份：管理员" in out


@sqlite_only
async def test_bad_clock_and_files_are_written(seeded: Core, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    out = await _run(seeded, ["/at 明天", "/at 2023-13-01", "/export"], out_dir=folder)
    assert out.count("用法：/at 2023-10-27 09:00") == 2
    [saved] = list(folder.iterdir())
    assert saved.suffix == ".xlsx" and saved.read_bytes()[:2] == b"PK"
    assert f"文件已保存：{saved}" in out


@sqlite_only
async def test_english_console(seeded: Core) -> None:
    out = await _run(seeded, ["/lang en", "/as 王卫健", "/lang en", "my tasks", "/at nonsense", "/as admin"])
    assert "Language set to English" in out
    assert "现在的身份：王卫健" in out  # the language is each console identity's own
    assert "You are now: admin" in out
    assert "2023-10-31, 2 working days left" in out
    assert "Usage: /at 2023-10-27 09:00" in out


def test_duban_console_demo_runs_in_a_real_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env["DUBAN_TIMEZONE"] = "Asia/Shanghai"
    lines = "/as 王卫健\n/at 2023-10-30 09:00\n我的任务\n#11\n1\n"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--demo"],
        input=lines,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "#11 加强急诊急救能力建设 · 2023-10-31 剩 1 个工作日" in done.stdout
    assert "已签收 #11" in done.stdout
    assert "Traceback" not in done.stderr
