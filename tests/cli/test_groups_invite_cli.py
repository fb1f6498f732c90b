"""``duban groups`` and ``duban invite`` as a bureau's first admin uses them, in a subprocess on a fresh SQLite file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime

from bot.core import Core
from bot.db import Database
from config import Settings
from handlers.app import handle
from bot.contracts import Chat, Request, Sender
from tests.cli.test_cli import ROOT, duban

KEY = "693a91f6-7a1b-4bc4-97a0-0ec2a1b2c3d4"
WEBHOOK = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"


def test_groups_add_list_remove_with_masked_keys(tmp_path, fixtures_dir):
    assert duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.xlsx")).returncode == 0
    added = duban(tmp_path, "groups", "add", "wecom", WEBHOOK, "--sections", "疾控股,应急办")
    assert added.returncode == 0, added.stderr
    assert "已登记群机器人 1（wecom 693a…c3d4）" in added.stdout and KEY not in added.stdout
    typo = duban(tmp_path, "groups", "add", "wecom", KEY, "--sections", "疾控")
    assert typo.returncode == 2 and "是不是「疾控股」" in typo.stderr
    ding = duban(tmp_path, "groups", "add", "dingtalk", "ab" * 32, "--sections", "全部", "--secret", "SEC" + "9" * 20,
                 "--title", "局办公群")
    assert ding.returncode == 0, ding.stderr
    listed = duban(tmp_path, "groups", "list")
    assert listed.stdout.splitlines() == ["1  wecom  693a…c3d4  应急办、疾控股", "2  dingtalk  abab…abab  全部股室  加签  局办公群"]
    assert KEY not in listed.stdout and "SEC" not in listed.stdout
    assert duban(tmp_path, "groups", "remove", "1").returncode == 0
    gone = duban(tmp_path, "groups", "remove", "1")
    assert gone.returncode == 2 and "没有编号为 1 的群机器人" in gone.stderr
    assert duban(tmp_path, "groups", "list").stdout.startswith("2  dingtalk")


def _duban_env(tmp_path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(DUBAN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}", PYTHONPATH=str(ROOT), **extra)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)


async def test_an_invite_from_the_cli_binds_a_wecom_account_with_the_binding_phrase(tmp_path, fixtures_dir):
    assert duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.xlsx")).returncode == 0
    unknown = duban(tmp_path, "invite", "无此人")
    assert unknown.returncode == 2 and "没有找到人员「无此人」" in unknown.stderr
    plain = duban(tmp_path, "invite", "王卫健")
    assert plain.returncode == 0 and "t.me" not in plain.stdout
    made = _duban_env(tmp_path, "invite", "王卫健", DUBAN_TELEGRAM__TOKEN="1:fake", DUBAN_TELEGRAM__USERNAME="duban_bot")
    assert made.returncode == 0, made.stderr
    code = re.search(r"邀请码：(\S+)", made.stdout).group(1)  # type: ignore[union-attr]
    assert f"https://t.me/duban_bot?start={code}" in made.stdout and f"绑定 {code}" in made.stdout
    # No admin is bound anywhere: the person binds themselves on WeCom with the printed code.
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    try:
        core = Core(settings=Settings(_env_file=None), db=db)  # type: ignore[call-arg]
        await core.reload_calendar()
        now = datetime.now(UTC)
        request = Request(sender=Sender("wecom", "wangwj", "wangwj"), chat=Chat("wecom", "wangwj", "private"), now=now,
                          text=f"绑定 {code}")
        (reply,) = await handle(core, request)
        assert "王卫健" in reply.text and "绑定" in reply.text
    finally:
        await db.dispose()


def test_the_robot_key_setting_is_adopted_once_and_stays_removed(tmp_path, fixtures_dir):
    assert duban(tmp_path, "import", str(fixtures_dir / "yuanjiang-2023-tasks.xlsx")).returncode == 0
    listed = _duban_env(tmp_path, "groups", "list", DUBAN_WECOM__ROBOT_KEY=KEY)
    assert listed.stdout.splitlines() == ["1  wecom  693a…c3d4  全部股室"], listed.stderr
    assert _duban_env(tmp_path, "groups", "remove", "1", DUBAN_WECOM__ROBOT_KEY=KEY).returncode == 0
    assert "还没有登记群机器人" in _duban_env(tmp_path, "groups", "list", DUBAN_WECOM__ROBOT_KEY=KEY).stdout
    again = _duban_env(tmp_path, "groups", "add", "wecom", KEY, "--sections", "疾控股", DUBAN_WECOM__ROBOT_KEY=KEY)
    assert again.returncode == 0 and "已登记群机器人 2" in again.stdout
    assert duban(tmp_path, "groups", "list").stdout.splitlines() == ["2  wecom  693a…c3d4  疾控股"]
