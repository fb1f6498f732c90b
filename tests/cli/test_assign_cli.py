"""``duban assign`` and ``duban export --template`` as an admin uses them, in a subprocess on a fresh SQLite file."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from tests.cli.test_cli import duban

POINTS = "zhangjiagang-2024-primary-care-points.txt"


def _tasks(tmp_path) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    out = duban(tmp_path, "export", "--format", "json")
    assert out.returncode == 0, out.stderr
    return {t["no"]: t for t in json.loads(out.stdout)["tasks"]}


def test_assign_checks_names_and_sets_the_roles(tmp_path, fixtures_dir):
    assert duban(tmp_path, "import", str(fixtures_dir / POINTS)).returncode == 0
    unknown = duban(tmp_path, "assign", "4", "--leader", "李康民", "--section", "医政医管股")
    assert unknown.returncode == 2 and "没有找到人员「李康民」" in unknown.stderr and "--create" in unknown.stderr
    made = duban(tmp_path, "assign", "4", "--leader", "李康民", "--section", "医政医管股", "--unit", "市人民医院,中医医院",
                 "--unit", "卫健委", "--create")
    assert made.returncode == 0, made.stderr
    assert "已指派 #4：牵头领导 李康民；牵头股室 医政医管股；相关责任单位 市人民医院、中医医院、卫健委" in made.stdout
    assert "还有 17 项任务尚未指派" in made.stdout
    near = duban(tmp_path, "assign", "5", "--leader", "李康明", "--section", "医政医管股")
    assert near.returncode == 2 and "是不是「李康民」" in near.stderr
    assert duban(tmp_path, "assign", "99", "--leader", "李康民").returncode == 2
    assert "没有找到表格" in duban(tmp_path, "assign", "5", "--leader", "李康民", "--table", "42").stderr
    english = duban(tmp_path, "--lang", "en", "assign", "5", "--leader", "李康民", "--table", "基层卫生工作要点")
    assert english.returncode == 0 and "Assigned #5: leaders 李康民" in english.stdout
    tasks = _tasks(tmp_path)
    assert (tasks["4"]["leaders"], tasks["4"]["sections"], tasks["4"]["units"]) == (
        ["李康民"], ["医政医管股"], ["市人民医院", "中医医院", "卫健委"])
    assert (tasks["5"]["leaders"], tasks["5"]["sections"]) == (["李康民"], [])


def test_the_template_round_trip_on_the_command_line(tmp_path, fixtures_dir):
    assert duban(tmp_path, "import", str(fixtures_dir / POINTS)).returncode == 0
    out = duban(tmp_path, "export", "--format", "xlsx", "--template", "-o", "template.xlsx")
    assert out.returncode == 0, out.stderr
    book = load_workbook(tmp_path / "template.xlsx")
    sheet = book.active
    for row in sheet.iter_rows(min_row=4):
        row[3].value, row[4].value = "李康民", "基层卫生股"
    book.save(tmp_path / "filled.xlsx")
    back = duban(tmp_path, "import", str(tmp_path / "filled.xlsx"))
    assert back.returncode == 0, back.stderr
    assert "已更新" in back.stdout and "变更" in back.stdout
    tasks = _tasks(tmp_path)
    assert len(tasks) == 18 and all(t["leaders"] == ["李康民"] and t["sections"] == ["基层卫生股"] for t in tasks.values())
    assert load_workbook(io.BytesIO((tmp_path / "template.xlsx").read_bytes())).active["A1"].value == "张家港市2024年基层卫生工作要点"
