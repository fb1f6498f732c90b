"""``duban import FILE --columns …`` corrects the column guess; a bad mapping is named and nothing is written."""

from __future__ import annotations

from tests.cli.test_cli import duban
from tests.tableimport.builders import csv_bytes

ROWS = [["序号", "板块", "事项", "单位"], ["1", "改革", "6月底前推进医共体建设。", "医政股"],
        ["2", "改革", "9月底前完善分级诊疗。", "基卫股"]]


def test_columns_override_from_the_cli(tmp_path):
    table = tmp_path / "2024年任务.csv"
    table.write_bytes(csv_bytes(ROWS))
    guessed = duban(tmp_path, "import", str(table), "--dry-run")
    assert guessed.returncode == 0, guessed.stderr
    assert "duban import 文件 --columns" in guessed.stdout
    out = duban(tmp_path, "import", str(table), "--columns", "B=类别,C=任务,D=牵头单位")
    assert out.returncode == 0, out.stderr
    assert "C“事项”→任务" in out.stdout and "D“单位”→牵头单位" in out.stdout
    assert "年度 2024 取自文件名" in out.stdout
    listed = duban(tmp_path, "tasks", "--at", "2024-06-01")
    assert "共 2 项" in listed.stdout


def test_a_bad_mapping_exits_2_naming_the_item(tmp_path):
    table = tmp_path / "t.csv"
    table.write_bytes(csv_bytes(ROWS))
    out = duban(tmp_path, "import", str(table), "--columns", "Q=什么")
    assert out.returncode == 2
    assert "Q=什么" in out.stderr and "Traceback" not in out.stderr
    assert "没有" in duban(tmp_path, "tasks", "--at", "2024-06-01").stdout
