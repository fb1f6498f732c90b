"""The real 2023 table, imported by the import service, comes out of the JSON export as the expected rows."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

from openpyxl import load_workbook

from bot.exports import export_json, ledger_xlsx
from bot.services.imports import apply_import, prepare_import
from tests.exports.conftest import TODAY

NOW = datetime(2023, 5, 10, 2, 0, tzinfo=timezone.utc)


async def test_imported_2023_table_exports_expected_leaders_sections_units(core, fixtures_dir):
    path = fixtures_dir / "yuanjiang-2023-tasks.xlsx"
    expected = json.loads((fixtures_dir / "yuanjiang-2023-tasks.expected.json").read_text("utf-8"))
    async with core.db.session() as s:
        preview = await prepare_import(s, path.read_bytes(), path.name, now=NOW)
        await apply_import(s, preview, now=NOW, actor="test")
    async with core.db.session() as s:
        doc = await export_json(s, today=TODAY)
        ledger = load_workbook(io.BytesIO(await ledger_xlsx(s, core, TODAY)))
    assert [t["title"] for t in doc["tables"]] == [expected["title"]]
    assert doc["tables"][0]["year"] == 2023
    got = [
        {"no": int(t["no"]), "category": t["category"], "content": t["content"], "leaders": t["leaders"],
         "sections": t["sections"], "units": t["units"]}
        for t in doc["tasks"]
    ]
    want = [{k: row[k] for k in ("no", "category", "content", "leaders", "sections", "units")} for row in expected["tasks"]]
    assert len(got) == 45
    for g, w in zip(got, want, strict=True):
        assert g == w, f"row #{w['no']} differs"
    by_no = {t["no"]: t for t in doc["tasks"]}
    assert ("2023-10-31", "dated") in {(m["due"], m["kind"]) for m in by_no["11"]["milestones"]}
    assert sum(1 for t in doc["tasks"] if [m["kind"] for m in t["milestones"]] == ["default"]) == 39
    ws = ledger.worksheets[0]
    assert [c.value for c in ws[3]][:10] == [
        "序号", "工作任务", "具体内容及时间节点", "牵头领导", "牵头股室站", "相关责任单位",
        "状态", "最新进度", "进度更新时间", "逾期工作日",
    ]
    # The table's recurring rows (每月…, 每年…) add a column per period of 2023 (issue 9).
    assert [c.value for c in ws[3]][10:] == [f"{m}月" for m in range(1, 13)] + ["2023年度"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == list(range(1, 46))
    assert rows[0][1] == want[0]["category"] and rows[0][3] == "李康民" and rows[0][4] == "疾控股、基层卫生健康股、应急办"
