"""``duban export`` JSON and CSV on a seeded database: the contract, the order, what is left out, query count."""

from __future__ import annotations

import csv
import io

from sqlalchemy import event

from bot.exports import export_csv, export_json
from bot.exports.data import load_export
from tests.exports.conftest import A_TITLE, B_TITLE, TODAY


async def test_json_follows_the_contract(core, seeded):
    async with core.db.session() as s:
        doc = await export_json(s, today=TODAY)
    assert list(doc) == ["tables", "tasks"]
    assert doc["tables"] == [
        {"id": seeded.a, "title": A_TITLE, "issuer": "沅江市卫生健康局", "year": 2023, "issued": "2023-05-06",
         "source_name": f"{A_TITLE}.xlsx"},
        {"id": seeded.b, "title": B_TITLE, "issuer": None, "year": 2023, "issued": None,
         "source_name": f"{B_TITLE}.xlsx"},
    ]
    first = doc["tasks"][0]
    assert first == {
        "table": seeded.a,
        "no": "1",
        "category": "(一)聚焦疾病防控",
        "title": "做好传染病防控",
        "content": "做好传染病防控。10月20日前完成专项督查。",
        "leaders": ["李康民"],
        "sections": ["疾控股"],
        "units": ["各医疗卫生单位", "市疾控中心"],
        "milestones": [{"due": "2023-10-20", "text": "10月20日前", "kind": "dated", "period": None, "estimate": False}],
        "status": "open",
    }
    by_no = {(t["table"], t["no"]): t for t in doc["tasks"]}
    assert by_no[(seeded.a, "3")]["leaders"] == ["李康民", "胡立军"]
    assert by_no[(seeded.a, "3")]["sections"] == ["疾控股", "医政医管股"]
    assert by_no[(seeded.a, "4")]["status"] == "done"
    assert by_no[(seeded.a, "7")]["milestones"] == [
        {"due": None, "text": "常态化", "kind": "ongoing", "period": None, "estimate": False}
    ]
    assert by_no[(seeded.a, "8")]["milestones"][0]["period"] == "month"
    assert by_no[(seeded.b, "2")]["milestones"][0]["estimate"] is True
    assert by_no[(seeded.b, "2")]["title"] == "胸痛救治单元"


async def test_json_orders_by_table_then_seq_and_leaves_out_removed_and_retired(core, seeded):
    async with core.db.session() as s:
        doc = await export_json(s, today=TODAY)
    order = [(t["table"], t["no"]) for t in doc["tasks"]]
    assert order == [(seeded.a, n) for n in ("1", "2", "3", "4", "5", "7", "8")] + [(seeded.b, "1"), (seeded.b, "2")]
    assert all(t["status"] != "removed" for t in doc["tasks"])
    assert seeded.retired not in {t["id"] for t in doc["tables"]}


async def test_empty_database_exports_empty_lists(core):
    async with core.db.session() as s:
        assert await export_json(s, today=TODAY) == {"tables": [], "tasks": []}
        data = await export_csv(s, today=TODAY)
    assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) == 1


async def test_csv_has_a_bom_one_row_per_task_and_joined_milestones(core, seeded):
    async with core.db.session() as s:
        data = await export_csv(s, today=TODAY, tz=core.tz)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["表格", "序号", "工作任务", "任务名称", "具体内容", "牵头领导", "牵头股室", "相关单位", "时间节点",
                       "状态", "进度（%）", "最新进度", "进度更新时间"]
    assert len(rows) == 1 + 9
    one = dict(zip(rows[0], rows[1]))
    assert one["表格"] == A_TITLE and one["序号"] == "1"
    assert one["牵头领导"] == "李康民"
    assert one["相关单位"] == "各医疗卫生单位、市疾控中心"
    assert one["时间节点"] == "2023-10-20 10月20日前"
    assert one["状态"] == "在办" and one["进度（%）"] == "80" and one["最新进度"] == "已完成督查方案"
    assert one["进度更新时间"] == "2023-10-26T10:30+08:00"  # local time, Asia/Shanghai
    by_no = {(r[0], r[1]): dict(zip(rows[0], r)) for r in rows[1:]}
    assert by_no[(A_TITLE, "3")]["时间节点"] == "2023-12-31（无时间节点，默认年底）"
    assert by_no[(A_TITLE, "3")]["牵头股室"] == "疾控股、医政医管股"
    assert by_no[(A_TITLE, "7")]["时间节点"] == "常态化（长期）"
    assert by_no[(A_TITLE, "4")]["状态"] == "已办结"


async def test_csv_in_english_uses_english_headers(core, seeded):
    async with core.db.session() as s:
        data = await export_csv(s, today=TODAY, lang="en")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[0] == "Table" and header[-1] == "Progress updated"


async def test_load_is_set_based_whatever_the_number_of_tasks(core, seeded):
    """Five statements (tables, leaders, sections, milestones, tasks), not one per task."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement)

    event.listen(core.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with core.db.session() as s:
            data = await load_export(s)
    finally:
        event.remove(core.db.engine.sync_engine, "before_cursor_execute", count)
    assert len(data.tasks) == 9
    selects = [st for st in statements if st.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 6, selects  # tables, leaders, sections, occurrences, milestones, tasks
