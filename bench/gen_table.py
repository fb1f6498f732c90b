"""Write a generated N-row responsibility breakdown table (xlsx, xls or docx) shaped like a real bureau's one."""

from __future__ import annotations

import argparse
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

LEADERS = ("李康民", "胡立军", "王卫健", "肖凤毛", "龚志良", "汪  峰")
SECTIONS = ("疾控股", "基层卫生健康股", "应急办", "医政医管股", "规划信息股", "体制改革股", "妇幼健康股", "绩效办")
UNITS = ("各医疗卫生单位", "人民医院", "中医医院", "妇幼保健院", "各相关医疗卫生单位", "黄茅洲镇中心卫生院")
VERBS = ("加快推进", "持续深化", "全面落实", "扎实开展", "不断加强", "统筹抓好")
OBJECTS = ("医共体建设", "基本公共卫生服务", "传染病防控", "信息化建设", "重点专科建设", "绩效考核", "安全生产监管")
DETAILS = (
    "完善工作机制,明确责任分工,加强督促检查,确保各项措施落到实处。",
    "6月底前完成方案制定,10月底前完成中期评估,12月底前全面完成年度目标任务。",
    "建立健全长效机制,定期研判形势,常态化开展督查指导,做好跟踪督办,确保平安稳定。",
    "按照上级部署要求,突出问题和需求导向,围绕改革创新、提升能力、激发活力、完善服务等关键点推进。",
)
CATEGORY_NUMERALS = "一二三四五六七八九十"
TITLE = "2023年全市卫生健康重点工作责任分解表"
HEADER = ["序号", "工作任务", "具体内容及时间节点", "牵头\n领导", "牵头股室站", "相关责任单位"]


def _category(index: int) -> str:
    numeral = CATEGORY_NUMERALS[index % 10] + ("" if index < 10 else str(index // 10))
    return f"({numeral})聚焦重点领域第{index + 1}组工作,加力提升卫生健康服务水平。"


def task_groups(rows: int, seed: int = 2023) -> Iterator[list[list[object]]]:
    """The task rows (序号, 工作任务, 具体内容, 牵头领导, 牵头股室站, 相关责任单位) in groups of one category each."""
    rng = random.Random(seed)
    done = 0
    group = 0
    while done < rows:
        size = min(rng.randint(2, 7), rows - done)
        out: list[list[object]] = []
        for k in range(size):
            no = done + k + 1
            content = f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}(第{no}项)。" + "".join(rng.sample(DETAILS, 2))
            leaders = "、".join(rng.sample(LEADERS, rng.choice((1, 1, 1, 2))))
            sections = "、".join(rng.sample(SECTIONS, rng.choice((1, 1, 2, 3))))
            units = "、".join(rng.sample(UNITS, rng.choice((1, 2, 3))))
            out.append([no, _category(group) if k == 0 else None, content, leaders, sections, units])
        yield out
        done += size
        group += 1


def write_table(path: Path, rows: int = 10_000, seed: int = 2023) -> Path:
    """Write ``rows`` task rows under a merged title row and a header row; categories merged over groups."""
    wb = Workbook()
    ws = wb.active
    ws.title = "责任分解表"
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    ws.append(HEADER)
    wrap = Alignment(wrap_text=True, vertical="center")
    start = 3
    for group in task_groups(rows, seed):
        for k, row in enumerate(group):
            ws.append(row)
            ws.cell(row=start + k, column=3).alignment = wrap
        if len(group) > 1:
            ws.merge_cells(start_row=start, start_column=2, end_row=start + len(group) - 1, end_column=2)
        start += len(group)
    wb.save(path)
    return path


def write_xls(path: Path, rows: int = 10_000, seed: int = 2023) -> Path:
    """The same table as a legacy .xls (xlwt), categories merged over their groups."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("责任分解表")
    sheet.write_merge(0, 0, 0, 5, TITLE)
    for col, text in enumerate(HEADER):
        sheet.write(1, col, text)
    start = 2
    for group in task_groups(rows, seed):
        for k, row in enumerate(group):
            for col, value in enumerate(row):
                if col != 1:
                    sheet.write(start + k, col, value)
        sheet.write_merge(start, start + len(group) - 1, 1, 1, group[0][1])
        start += len(group)
    book.save(str(path))
    return path


def write_docx(path: Path, rows: int = 200, seed: int = 2023) -> Path:
    """The same table as a Word document (title paragraph, then one table), for converting to PDF."""
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=1, cols=len(HEADER))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADER):
        cell.text = text
    for group in task_groups(rows, seed):
        for row in group:
            for cell, value in zip(table.add_row().cells, row):
                cell.text = "" if value is None else str(value)
    document.save(str(path))
    return path


WRITERS = {"xlsx": write_table, "xls": write_xls, "docx": write_docx}


def main() -> None:
    """Command line: ``python bench/gen_table.py [--rows N] [--out PATH]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "duban-generated-table.xlsx")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--format", choices=sorted(WRITERS), default="xlsx")
    args = parser.parse_args()
    print(WRITERS[args.format](args.out, args.rows, args.seed))


if __name__ == "__main__":
    main()
