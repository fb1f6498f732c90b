"""Rebuild the real-document corpus under tests/corpus/ (a dev tool; tests do not run it).

Every document below was read from the stored public copy named in its SOURCE.md and retyped
cell by cell; the expected rows were read by hand.  The files are rebuilt in the format the
bureau published them in, or in a format bureaus use for such tables.  xls and pdf need
LibreOffice (`soffice`) on PATH.

    .venv/bin/python tests/corpus/build_corpus.py            # rebuild every document
    .venv/bin/python tests/corpus/build_corpus.py SLUG ...   # rebuild some
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


# ---------------------------------------------------------------- helpers


def _soffice(src: Path, fmt: str, outdir: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise SystemExit("soffice is needed for xls/pdf")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
             "--outdir", str(outdir), str(src)],
            check=True, capture_output=True, timeout=180,
        )
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    if not out.exists():
        raise SystemExit(f"conversion failed: {src} -> {fmt}")
    return out


def _xlsx(path: Path, grid: list[list], merges: list[str] = (), widths: dict | None = None,
          wrap: bool = True, sheet: str = "Sheet1") -> None:
    _xlsx_book(path, [(sheet, grid, merges, widths)], wrap=wrap)


def _xlsx_book(path: Path, sheets: list[tuple], wrap: bool = True) -> None:
    """A workbook of several sheets: (name, grid, merges, widths) each, in order."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, grid, merges, widths in sheets:
        _sheet(wb.create_sheet(name), grid, merges, widths, wrap)
    wb.save(path)


def _sheet(ws, grid: list[list], merges, widths: dict | None, wrap: bool) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    for r, row in enumerate(grid, start=1):
        for c, val in enumerate(row, start=1):
            if val is None:
                continue
            cell = ws.cell(row=r, column=c, value=val)
            cell.alignment = Alignment(wrap_text=wrap, vertical="center")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for m in merges:
        ws.merge_cells(m)
    for col, w in (widths or {}).items():
        ws.column_dimensions[col].width = w
    ws["A1"].font = Font(bold=True)
    # row heights as a clerk would leave them after wrapping (LibreOffice does not auto-fit on convert)
    import math
    from openpyxl.utils import get_column_letter
    for r, row in enumerate(grid, start=1):
        lines = 1
        for c, val in enumerate(row, start=1):
            if not val:
                continue
            w = (widths or {}).get(get_column_letter(c), 10)
            per_line = max(1, int(w / 2))
            n = sum(max(1, math.ceil(len(part) / per_line)) for part in str(val).split("\n"))
            lines = max(lines, n)
        ws.row_dimensions[r].height = 15 * lines + 4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _docx_table(doc, grid: list[list], merges: list[tuple[int, int, int, int]] = ()):
    """grid: rows of cell texts (None = covered by a merge); merges: (r0, c0, r1, c1) inclusive."""
    ncols = max(len(r) for r in grid)
    table = doc.add_table(rows=len(grid), cols=ncols)
    table.style = "Table Grid"
    for r, row in enumerate(grid):
        for c in range(ncols):
            val = row[c] if c < len(row) else None
            if val is None:
                continue
            cell = table.cell(r, c)
            lines = str(val).split("\n")
            cell.text = lines[0]
            for extra in lines[1:]:
                cell.add_paragraph(extra)
    for r0, c0, r1, c1 in merges:
        keep = table.cell(r0, c0).text
        merged = table.cell(r0, c0).merge(table.cell(r1, c1))
        # merging concatenates paragraphs of all cells; keep only the top-left text
        for p in list(merged.paragraphs)[1:]:
            p._element.getparent().remove(p._element)
        merged.paragraphs[0].text = keep.split("\n")[0]
        for extra in keep.split("\n")[1:]:
            merged.add_paragraph(extra)
    return table


def _write_expected(folder: Path, doc: dict) -> None:
    exp = {"file": doc["file"], "title": doc["title"], "year": doc["year"], "rows": doc["rows"],
           "notes": doc["notes"]}
    (folder / "expected.json").write_text(json.dumps(exp, ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")


def _write_source(folder: Path, doc: dict) -> None:
    s = doc["source"]
    lines = [f"# {doc['slug']}", ""]
    for k in ("title", "issuer", "url", "date", "published_as", "rebuilt_as", "layout", "subset"):
        if k in s:
            lines.append(f"- **{k.replace('_', ' ')}**: {s[k]}")
    if s.get("more"):
        lines += ["", s["more"]]
    (folder / "SOURCE.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def R(no, content, *, category=None, title=None, leaders=(), sections=(), units=(), dates=()):
    return {"no": no, "category": category, "title": title, "content": content,
            "leaders": list(leaders), "sections": list(sections), "units": list(units),
            "dates": sorted(set(dates))}


def _numbered(rows, roles) -> list[dict]:  # type: ignore[no-untyped-def]
    """Expected rows of (category or '' under a merge, 'N.text', unit cell); ``roles`` reads a unit cell."""
    out, last = [], None
    for cat, text, dept in rows:
        last = cat or last
        no, body = text.split(".", 1)
        secs, units = roles(dept)
        out.append(R(no, body, category=last, sections=secs, units=units))
    return out


DOCS: list[dict] = []


def doc(fn):
    DOCS.append(fn())
    return fn


# ---------------------------------------------------------------- 1 广东省卫健委 台账 (xlsx)

@doc
def guangdong():
    g1 = "做好常态化疫情防控信息发布"
    g2 = "常规政务公开事项"
    rows = [
        ("1", g1, "重点围绕散发疫情、隔离管控、流调溯源、精准防控等发布权威信息",
         "应急处、监督处、医政医管处、疾控处、基层处等按职责分工落实", "长期推进"),
        ("2", None, "扎实做好疫苗接种信息公开和舆论引导工作", "疾控处", "长期推进"),
        ("3", None, "提高新冠肺炎疫情信息发布规范化水平,强化政府内部信息整合", "宣传处会办公室", "2021年8月前"),
        ("4", None, "做好爱国卫生运动、健康中国行动、健康广东行动的信息发布工作", "规划信息处(爱卫办)", "长期推进"),
        ("5", g2, "强化行政执法信息公开,加强反垄断与反不正当竞争执法信息公开", "政法处", "长期推进"),
        ("6", None, "积极推进部门所属单位预算、决算及相关报表公开", "财务处",
         "2021年2月公布预算信息,2021年8月公布上年度决算信息"),
        ("7", None, "逐步清理、摸清底数,有步骤推进本部门规范性文件统一公开工作", "政法处", "长期推进"),
        ("8", None, "修订完善本部门主动公开目录,指导下级卫生健康行政部门有序推进基层政务公开标准化规范化建设", "办公室", "长期推进"),
    ]
    grid = [["2021 年政务公开工作重点任务台账", None, None, None, None, None],
            ["序号", "工作任务", "细化分工", "责任处室", "完成时限", "备注"]]
    grid += [[n, cat, det, dept, when, None] for n, cat, det, dept, when in rows]
    return dict(
        slug="guangdong-wsjkw-2021-zwgk-taizhang", file="taizhang.xlsx", fmt="xlsx",
        grid=grid, merges=["A1:F1", "B3:B6", "B7:B10"],
        widths={"A": 6, "B": 18, "C": 46, "D": 30, "E": 20, "F": 8},
        title="2021 年政务公开工作重点任务台账", year=2021,
        rows=[
            R("1", rows[0][2], category=g1, sections=["应急处", "监督处", "医政医管处", "疾控处", "基层处"]),
            R("2", rows[1][2], category=g1, sections=["疾控处"]),
            R("3", rows[2][2], category=g1, sections=["宣传处"], units=["办公室"], dates=["2021-07-31"]),
            R("4", rows[3][2], category=g1, sections=["规划信息处(爱卫办)"]),
            R("5", rows[4][2], category=g2, sections=["政法处"]),
            R("6", rows[5][2], category=g2, sections=["财务处"], dates=["2021-02-28", "2021-08-31"]),
            R("7", rows[6][2], category=g2, sections=["政法处"]),
            R("8", rows[7][2], category=g2, sections=["办公室"]),
        ],
        notes=("工作任务 is merged over 1-4 and 5-8 (the page prints it only on rows 1 and 5), so it is the "
               "category and 细化分工 is the content; title stays null. Row 1: '等按职责分工落实' is a role phrase, "
               "not part of a unit name. Row 3 '宣传处会办公室' = 宣传处 leads, 会 (jointly with) 办公室 -> "
               "办公室 as related unit. '2021年8月前' read as before August -> 2021-07-31. Row 6 '2021年2月公布…,"
               "2021年8月公布…' are two month deadlines without 底/前, read as the end of those months. "
               "长期推进 is ongoing (no date). The 备注 column is empty in the source."),
        source=dict(
            title="广东省卫生健康委2021年政务公开工作重点任务台账",
            issuer="广东省卫生健康委员会",
            url="https://m.hqtbz.com/wsjkw/zwgk_bmwj/content/post_3974223.html (a mirror of the wsjkw path of "
                "the 广东省卫生健康委 site; found with the `search` tool, corpus pages)",
            date="发文日期 2021-03-16",
            published_as="web page with the table in the page body (an attachment-style 台账)",
            rebuilt_as="xlsx: merged title row, header row, 工作任务 merged vertically over its group",
            layout="序号 | 工作任务 (merged category) | 细化分工 (task) | 责任处室 | 完成时限 | 备注; title ends in 台账",
            subset="rows 1-8, the whole of the table as far as the stored copy shows it (the copy may stop "
                   "before the end of the table)",
            more="Punctuation is kept as the stored copy gives it (ASCII commas and brackets, as in the "
                 "shared fixtures).",
        ),
    )


# ---------------------------------------------------------------- 2 池州市信访局 政务公开清单 (xls)

@doc
def chizhou():
    rows = [
        ("强化行政规范性文件集中规范公开", "1", "对行政规范性文件进行全面清理,并向社会公布现行有效行政规范性文件目录。", "办公室", "年底前"),
        ("深化政策解读形式", "2", "积极做好政策解读工作,持续提升政策解读质量,丰富解读形式。", "各科室", "持续推进"),
        ("做好主动公开基础工作", "3", "严格规范政府信息公开专栏,及时、集中、规范发布法定主动公开内容。严格执行政府信息公开制度,"
         "完善政府信息公开保密审查,增强保密意识,防范泄密风险。", "各科室", "持续推进"),
        (None, "4", "规范做好政府信息公开工作年度报告编制发布工作,将年度重点工作任务落实情况纳入年报,确保体例规范、"
         "数据准确,接受社会监督。", "办公室", "持续推进"),
        ("规范办理依申请公开", "5", "依法依规办理政府信息公开申请,做行政复议答复和行政诉讼答辩工作,防范法律风险。", "各科室", "持续推进"),
        ("认真抓好工作落实", "6", "制定并公开本部门政务公开重点任务清单,明确具体要求、责任科室及完成时限,逐项推动工作落实",
         "办公室", "持续推进"),
        ("加强宣传", "7", "积极参加“政务公开交流”约稿活动,认真总结报送优秀稿件。", "各科室", "持续推进"),
        ("做好指导监督", "8", "积极参加政务公开工作培训和研讨交流,不断提升业务能力。", "办公室", "持续推进"),
    ]
    grid = [["工作任务", "序号", "具体要求", "责任科室", "时限要求"]] + [list(r) for r in rows]
    cats = []
    last = None
    for r in rows:
        last = r[0] or last
        cats.append(last)
    return dict(
        slug="chizhou-xfj-zwgk-renwu", file="renwu.xls", fmt="xls",
        grid=grid, merges=["A4:A5"], widths={"A": 22, "B": 6, "C": 50, "D": 10, "E": 12},
        title=None, year=None,
        rows=[R(r[1], r[2], category=cats[i], sections=[r[3]]) for i, r in enumerate(rows)],
        notes=("序号 is the SECOND column; the first column 工作任务 is a group heading (merged over 3-4), read as "
               "category. The stored copy starts at the header row: no title and no year are visible, so title "
               "and year are null. Row 1 has the deadline '年底前', a non-recurring year-end date whose year the "
               "document does not state; it is left out of dates (an importer must take the year from the admin). "
               "持续推进 is ongoing. '各科室' (all sections) is kept as the responsible section."),
        source=dict(
            title="(not shown in the stored copy; a 政务公开 重点任务清单 of the bureau, cf. row 6)",
            issuer="池州市信访局 (site xfj.chizhou.gov.cn)",
            url="https://xfj.chizhou.gov.cn/OpennessContent/show/1426818.html",
            date="not shown in the stored copy",
            published_as="web page with an html table",
            rebuilt_as="xls (BIFF8, converted with LibreOffice from an xlsx built from the cells); no title row, "
                       "as on the page",
            layout="工作任务 (merged category) | 序号 (second column) | 具体要求 | 责任科室 | 时限要求",
            subset="all 8 rows",
        ),
    )


# ---------------------------------------------------------------- 3 江门市土地储备中心 政务公开 (csv utf-8)

@doc
def jiangmen():
    rows = [
        ("一、做好财政信息公开。", "1.积极推进本中心预算、决算及相关报表公开。", "财务科"),
        ("二、做好政府网站专栏信息公开。", "2.及时更新网站频道的各类型概况信息。", "办公室"),
        ("", "3.及时反馈网民对调查征集信息的意见。", "各科室"),
        ("", "4.及时更新微信公众号信息。", "办公室牵头,各科室配合"),
        ("三、持续加强重大政策发布解读。", "5.聚焦我中心工作,切实加强重大政策实施的发布解读。要开展深入宣传阐释,精心组织策划,"
         "及时发布权威信息,积极开展多角度、全方位、立体化、多频次的深度解读。", "各科室"),
        ("", "6.综合运用新闻发布会、在线访谈、图文动画、短视频等形式,对重大政策开展深入解读,更加注重对政策背景、"
         "出台目的、重要举措等方面的实质性解读。", "各科室"),
        ("四、不断改进政策解读工作方式。", "7.按照《江门市政府系统政策解读工作细则(试行)》相关要求,健全政策解读工作机制,"
         "规范工作流程,确保解读方案、解读材料与政策文件同步组织、同步审签、同步部署。", "办公室牵头,各科室配合"),
        ("", "8.加强政策咨询服务,要积极解答政策执行机关和企业、群众的咨询,精准传达政策意图(政策文件和解读资料需添加咨询方式)。",
         "各科室"),
        ("", "9.加强内部协调工作,修订本单位政府信息公开指南,明确对外告知政府信息公开渠道。", "办公室牵头,各科室配合"),
        ("五、切实增强回应关切效果。", "10.密切关注涉及土地储备等方面的舆情并及时作出回应,助力防范化解重大风险。", "各科室"),
    ]
    out = _numbered(rows, lambda dept: (["办公室"], ["各科室"]) if dept == "办公室牵头,各科室配合" else ([dept], []))
    return dict(
        slug="jiangmen-tdcb-zwgk-renwu", file="renwu.csv", fmt="csv-utf8",
        grid=[["工作任务", "具体要求", "责任部门"]] + [list(r) for r in rows],
        title=None, year=None, rows=out,
        notes=("No 序号 column: the numbers are written at the start of the 具体要求 text ('1.' … '10.'); they are "
               "taken as no and stripped from content. 工作任务 was merged over its group in the page table; the "
               "CSV has it only on the first row of each group (as Excel saves a merged cell), the rest blank. "
               "'办公室牵头,各科室配合' = 办公室 leads, 各科室 assist. No title, year or dates are visible; the "
               "issuer is inferred from the path (jmstdcbzx) and the text ('本中心', '土地储备')."),
        source=dict(
            title="(not shown in the stored copy; the bureau's 政务公开 task table)",
            issuer="江门市土地储备中心 (inferred from the path bmpd/jmstdcbzx and the text)",
            url="http://sd-xs.com/bmpd/jmstdcbzx/zwdt/tzgg/content/post_2452685.html (a mirror of the "
                "江门市人民政府 department pages)",
            date="not shown in the stored copy",
            published_as="web page with an html table",
            rebuilt_as="CSV, UTF-8 with BOM (as Excel's 'CSV UTF-8'), merged 工作任务 blank below its first row",
            layout="工作任务 (merged category) | 具体要求 (numbered '1.' in the text, no 序号 column) | 责任部门 "
                   "(roles in one cell: 'X牵头,Y配合')",
            subset="rows 1-10; row 11 is cut off in the stored copy and left out",
        ),
    )


# ---------------------------------------------------------------- 4 青阳县卫健委 2023 Q4 (html)

@doc
def qingyang_q4():
    head = ["序号", "2023年重点工作任务", "牵头  领导", "牵头         责任单位", "主体          责任单位",
            "配合         责任单位", "工作评价", "2023年10-12月份进展情况", "20224年1-3月份进度安排", "备注"]
    body = [
        ["81", "科学精准落实疫情防控优化措施,加强医疗资源建设,最大程度保护人民生命安全和身体健康,最大限度减少疫情对经济社会发展的影响。",
         "汪  峰   吴蓓蓓", "县卫健委", "各乡镇<br>县开发区", "县直有关单位", "达到时序进度",
         "加强基层医疗卫生机构传染病物资配备,加强基层医疗卫生机构人员培训",
         "加强重点场所重点人群防治,做好宣传和舆论监督,落实医疗救治资源保障", ""],
        ["85", "新增托育机构2所以上。", "吴蓓蓓", "县卫健委", "有关乡镇", "县直有关单位", "已完成",
         "完成青阳县托幼中心、童之梦备案工作", "按省、市工作要求,开展2024年度新增托位机构摸底、登记、卫生学评价等工作", ""],
        ["87", "创建全国中医药示范县、国家慢性病综合防控示范区。启用县人民医院新院区,推进县中医院诊疗能力提升。",
         "吴蓓蓓", "县卫健委", "县卫健委", "县直有关单位", "达到时序进度",
         "创建全国中医药示范县:组织有条件的乡镇卫生院开展“每周一村”中医药义诊活动,积极宣传中医适宜技", "", ""],
    ]
    name = "2023年卫健委重点工作责任清单进展情况汇总表(第四季度)"
    trs = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in body)
    html = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{name}</title>
</head>
<body>
<div class="crumb">您现在所在的位置: 网站首页 &gt; 政府信息公开 &gt; 青阳县卫生健康委员会 &gt; 决策部署落实情况</div>
<table class="meta">
<tr><td>索引号:</td><td>11341823MB1566401C/202401-00005</td><td>组配分类:</td><td>决策部署落实情况</td></tr>
<tr><td>发布机构:</td><td>青阳县卫生健康委员会</td><td>主题分类:</td><td>卫生、体育</td></tr>
<tr><td>名称:</td><td>{name}</td><td>文号:</td><td></td></tr>
<tr><td>成文日期:</td><td></td><td>发布日期:</td><td>2024-01-04</td></tr>
<tr><td>废止日期:</td><td></td><td></td><td></td></tr>
</table>
<h1>{name}</h1>
<p class="info">发布时间:2024-01-04 14:40 来源:青阳县卫生健康委员会</p>
<div class="content">
<p>2023年县政府重点工作责任清单进展情况汇总表(10-12月)</p>
<table border="1">
<tr>{''.join(f'<td>{h}</td>' for h in head)}</tr>
{trs}
</table>
</div>
</body>
</html>
"""
    return dict(
        slug="qingyang-wjw-2023-q4-jinzhan", file="jinzhan.html", fmt="html", html=html,
        title="2023年县政府重点工作责任清单进展情况汇总表(10-12月)", year=2023,
        rows=[
            R("81", body[0][1], leaders=["汪峰", "吴蓓蓓"], sections=["县卫健委"],
              units=["各乡镇", "县开发区", "县直有关单位"]),
            R("85", body[1][1], leaders=["吴蓓蓓"], sections=["县卫健委"], units=["有关乡镇", "县直有关单位"]),
            R("87", body[2][1], leaders=["吴蓓蓓"], sections=["县卫健委"], units=["县直有关单位"]),
        ],
        notes=("A progress report on the county's responsibility list: 序号 are the county-wide numbers (81, 85, 87), "
               "not 1..n. Header cells carry padding spaces ('牵头  领导', '牵头         责任单位') and years "
               "('2023年重点工作任务', and the source's own typo '20224年1-3月份进度安排'). Row 81's leader cell "
               "'汪  峰   吴蓓蓓' is two people: the two-character name 汪峰 is padded with spaces. 牵头责任单位 -> "
               "sections; 主体责任单位 and 配合责任单位 -> units (row 87's 主体 县卫健委 repeats the lead and is not "
               "repeated in units). Row 81: the stored text reads '各乡镇\\n县开发区\\n县直有关单位'; read as 主体 "
               "'各乡镇/县开发区' and 配合 '县直有关单位' like the other rows. Progress columns are reports, not "
               "deadlines: '2024年度' there gives no date. The 'title' is the table's own heading; the page "
               "<title>/<h1> says …汇总表(第四季度)."),
        source=dict(
            title="2023年卫健委重点工作责任清单进展情况汇总表(第四季度)",
            issuer="青阳县卫生健康委员会",
            url="https://www.ahqy.gov.cn/OpennessContent/show/1493481.html",
            date="发布日期 2024-01-04",
            published_as="web page (html table in the page body)",
            rebuilt_as="saved web page: <title>, metadata table, <h1>, table heading paragraph, task table",
            layout="序号 (not from 1) | 2023年重点工作任务 | 牵头 领导 | 牵头/主体/配合 责任单位 | 工作评价 | progress "
                   "columns; headers with years and padding spaces; two leaders in one cell",
            subset="the 3 rows the stored copy shows (81, 85, 87). Row 87 is cut off inside its 进展情况 cell: that "
                   "cell ends where the copy ends and 进度安排 is left empty.",
        ),
    )


# ---------------------------------------------------------------- 5 枞阳县 2023 上半年落实 (xlsx)

@doc
def zongyang():
    g = "办好更加暖心的民生实事"
    rows = [
        ["14", "聚力推动制造业提质扩量增效", "做大做优电子信息、绿色食品、大健康等成长型产业。",
         "县发展改革委\n县经济和信息化局\n县农业农村局\n县卫生健康委",
         "上半年,累计外出招商6天,拜访对接企业5个,目标企业分别为苏州佳信德机械科技有限公司、江苏快而捷物流股份有限公司、"
         "苏州亚平电子有限公司、华润博雅生物制药公司、国药集团安徽省医疗器械有限公司。"],
        ["80", "建设宜居韧性智慧之城", "创成国家园林城市、省级文明城市,争创全国文明城市提名城市、国家卫生县城。",
         "县文明办\n县住房城乡建设局\n县卫生健康委", "制定创建国家卫生县实施方案,开展创建督导。"],
        ["135", g, "坚持人民至上、生命至上,准确把握、全面执行新阶段疫情防控措施,全力做好儿童、老人等重点群体防治和健康服务,"
         "及时救治重症患者,坚决守护好群众生命安全和身体健康。", "县卫生健康委",
         "2023年1月8日起,依据《传染病防治法》《传染病信息报告管理规范(2015年版)》要求,提高疫情信息报送及时性、准确性和完整性,"
         "坚持“保健康、防重症”原则,“乙类乙管”以来,我县累计报告新冠病毒感染者2547例,其中轻型2016例,中型475例、无症状感染者56例,"
         "无因新冠病毒感染导致的重症、危重症和死亡病例报告。"],
        ["148", None, "全面深化综合医改,争创省级健康县。", "县卫生健康委",
         "1.加强等级医院创建,县人民医院开展三级甲等医院创建,县中医院启动三级中医医院创建,横埠镇中心卫生院创建二级医院,"
         "推进重点学科建设,扶持薄弱学科建设。持续乡村医疗卫生服务能力提升“百千万”工程,今年安排第三批18名县级医务人员"
         "【县人民医院10人、县中医"],
    ]
    grid = [["序号", "主要工作目标", "目标任务主要内容", "牵头责任单位", "上半年落实情况"]] + rows
    return dict(
        slug="zongyang-2023-shangbannian-luoshi", file="luoshi.xlsx", fmt="xlsx",
        grid=grid, merges=["B4:B5"], widths={"A": 6, "B": 18, "C": 40, "D": 18, "E": 60},
        title=None, year=2023,
        rows=[
            R("14", rows[0][2], category=rows[0][1],
              sections=["县发展改革委", "县经济和信息化局", "县农业农村局", "县卫生健康委"]),
            R("80", rows[1][2], category=rows[1][1], sections=["县文明办", "县住房城乡建设局", "县卫生健康委"]),
            R("135", rows[2][2], category=g, sections=["县卫生健康委"]),
            R("148", rows[3][2], category=g, sections=["县卫生健康委"]),
        ],
        notes=("主要工作目标 is a heading of the 政府工作报告 and is merged over 135 and 148 (the page prints it once), so "
               "it is read as category, not title. 牵头责任单位 lists several units one per line, all lead units. "
               "上半年落实情况 is a progress report: its dates (2023年1月8日起, 2015年版) are not deadlines. The year "
               "2023 comes from the progress text (the copy shows no title)."),
        source=dict(
            title="(not shown in the stored copy; the county's 2023 政府工作报告 目标任务 上半年落实情况, rows owned "
                  "by or shared with 县卫生健康委)",
            issuer="枞阳县 (zongyang.gov.cn openness page; rows of 县卫生健康委)",
            url="https://zongyang.gov.cn/openness/OpennessContent/show/923991.html",
            date="2023 (from the text)",
            published_as="web page with an html table",
            rebuilt_as="xlsx without a title row (header first), 主要工作目标 merged over 135-148",
            layout="序号 (sparse county numbers) | 主要工作目标 (merged heading) | 目标任务主要内容 | 牵头责任单位 "
                   "(several, one per line) | 上半年落实情况",
            subset="the 4 rows the stored copy shows; row 148's 上半年落实情况 cell is cut off where the copy ends",
        ),
    )


# ---------------------------------------------------------------- 6 灵璧县卫健委 2021 (txt)

LINGBI_TXT = """• 政府信息公开
您当前的位置:首页 > 信息公开 > 灵璧县卫生健康委员会 > 决策部署落实情况
浏览量:  【字体:   】

县卫健委2021年政府工作报告任务分解

文章来源:灵璧县卫生健康委员会 浏览量: 发表时间:2021-05-07 10:49 责任编辑:卫健委政务公开

1.落实积极应对人口老龄化国家战略,加快发展健康、养老、育幼、家政等服务业,加强公益性、基础性服务业供给,推动生活性服务业向高品质和多样化升级。

牵头责任单位:县卫健委、县民政局

主要协作单位:各乡镇人民政府、经济开发区管委会,县政府有关部门、有关直属单位

2.加强重大公共卫生安全风险源头防控,切实保障人民群众生命安全

牵头责任单位:县卫健委

主要协作单位:各乡镇人民政府、经济开发区管委会,县政府有关部门、有关直属单位

3.毫不放松抓好新冠肺炎疫情常态化防控工作,完善疾病预防控制体系和平战结合的疫情防控救治体系。

牵头责任单位:县卫健委

主要协作单位:各乡镇人民政府、经济开发区管委会,县政府有关部门、有关直属单位

4.创建国家卫生县城。

牵头责任单位:县卫健委

主要协作单位:各乡镇人民政府、经济开发区管委会,县政府有关部门、有关直属单位

5.树立全周期健康管理理念,推广家庭医生签约服务。补齐公共医疗卫生基础设施短板,加快建设县妇幼保健院、医疗废物集中处置中心、县疾控中心等重点项目。加快优质医疗资源扩容,支持县人民医院、中医医院创建三级综合医院,实施16个乡镇卫生院、158个村卫生室改扩建项目,进一步提升县域医疗服务整体能力。

牵头责任单位:县卫健委

主要协作单位:各乡镇人民政府、经济开发区管委会,县政府有关部门、有关直属单位

监督方式:0557-6031710
"""


@doc
def lingbi():
    units = ["各乡镇人民政府", "经济开发区管委会", "县政府有关部门", "有关直属单位"]
    contents = [
        "落实积极应对人口老龄化国家战略,加快发展健康、养老、育幼、家政等服务业,加强公益性、基础性服务业供给,推动生活性服务业向高品质和多样化升级。",
        "加强重大公共卫生安全风险源头防控,切实保障人民群众生命安全",
        "毫不放松抓好新冠肺炎疫情常态化防控工作,完善疾病预防控制体系和平战结合的疫情防控救治体系。",
        "创建国家卫生县城。",
        "树立全周期健康管理理念,推广家庭医生签约服务。补齐公共医疗卫生基础设施短板,加快建设县妇幼保健院、医疗废物集中处置中心、"
        "县疾控中心等重点项目。加快优质医疗资源扩容,支持县人民医院、中医医院创建三级综合医院,实施16个乡镇卫生院、158个村卫生室"
        "改扩建项目,进一步提升县域医疗服务整体能力。",
    ]
    rows = []
    for i, c in enumerate(contents, start=1):
        secs = ["县卫健委", "县民政局"] if i == 1 else ["县卫健委"]
        rows.append(R(str(i), c, sections=secs, units=units))
    return dict(
        slug="lingbi-wjw-2021-gzbg-fenjie", file="fenjie.txt", fmt="txt", text=LINGBI_TXT,
        title="县卫健委2021年政府工作报告任务分解", year=2021, rows=rows,
        notes=("Pasted page text, no table: each task is a numbered paragraph followed by two label lines "
               "'牵头责任单位:' (-> sections) and '主要协作单位:' (-> units, split on 、 and ,). No deadlines. "
               "'监督方式:0557-6031710' and the page furniture are not tasks."),
        source=dict(
            title="县卫健委2021年政府工作报告任务分解",
            issuer="灵璧县卫生健康委员会",
            url="https://www.lingbi.gov.cn/public/6626531/154359391.html",
            date="发表时间 2021-05-07",
            published_as="web page, numbered paragraphs with label lines",
            rebuilt_as="txt: the page as it reads when copied as text",
            layout="工作要点-like numbered items with '牵头责任单位:' / '主要协作单位:' label lines",
            subset="all 5 items",
        ),
    )


# ---------------------------------------------------------------- 7 同心县 2023 任务分解 (txt)

TONGXIN_TXT = """具体任务
全面落实疫情防控“新十条”,抓紧完成方舱医院升级改造亚定点医院,二级以上医疗机构、基层医疗卫生机构发热门诊应设尽设、应开尽开,全面完成老年人群疫苗接种,守好疫情防线;中医院门诊楼建成投运,下马关分院加快建设,改扩建社区卫生服务中心,提升乡镇卫生院,积极争取疾控中心综合楼项目;深入开展爱国卫生运动,广泛开展全民健身活动,举办同心县第四届运动会,备战自治区全运会,创建全国卫生县和自治区健康县。
责任单位
卫健局、文旅局
配合单位
各乡镇
完成时限
方舱医院升级改造亚定点医院,二级以上医疗机构、基层医疗卫生机构发热门诊应设尽设、应开尽开,1月底前完成;其它事项12月底前取得明显成效并长期坚持
"""


@doc
def tongxin():
    content = TONGXIN_TXT.split("\n")[1]
    return dict(
        slug="tongxin-2023-gzbg-renwu", file="renwu.txt", fmt="txt", text=TONGXIN_TXT,
        title=None, year=2023,
        rows=[R("1", content, sections=["卫健局", "文旅局"], units=["各乡镇"], dates=["2023-01-31", "2023-12-31"])],
        notes=("One task of the county's 2023 政府工作报告 任务分解, published one task per page: the cells come one per "
               "line after their header line (具体任务 / 责任单位 / 配合单位 / 完成时限). The 完成时限 cell holds two "
               "deadlines for two parts of the task: '1月底前' and '12月底前' (…'并长期坚持' is the ongoing part). "
               "No 序号: position 1. Year 2023 from the page path (2023zfgzbg) and date (20230313)."),
        source=dict(
            title="(page of the 2023 政府工作报告 任务分解 special column; no title in the stored text)",
            issuer="同心县人民政府 (tongxin.gov.cn)",
            url="https://tongxin.gov.cn/ztzl/2023zfgzbg/rwfj/202303/t20230313_3991682.html",
            date="2023-03-13 (from the path)",
            published_as="web page, a two-column table shown as header line / value line",
            rebuilt_as="txt: the page as it reads when copied as text",
            layout="one task per page, header and value on alternate lines; two dates in one 完成时限 cell",
            subset="the whole page (one task)",
        ),
    )


# ---------------------------------------------------------------- 8 立山区 2023 分工方案 (pdf from docx)

LISHAN_ITEMS = [
    ("1", "努力实现地区生产总值增长6.2%左右。", "区发改局", "立山经济开发区,全区经济运行各专班"),
    ("2", "规模上工业增加值增长5%左右。", "区工信局", "立山经济开发区"),
    ("3", "固定资产投资增长15%左右。", "区发改局", "立山经济开发区,各街道、区直各部门"),
    ("4", "社会消费品零售总额增长9%左右。", "区商务局", "各街道,区市场局"),
    ("5", "一般公共预算收入增长8%左右。", "区财政局", "立山经济开发区,各街道,税务局"),
    ("6", "居民收入增长与经济增长基本同步。", "区发改局", "各街道,各相关单位"),
]


@doc
def lishan():
    import re
    rows = []
    for no, c, lead, resp in LISHAN_ITEMS:
        rows.append(R(no, c, category="一、经济社会发展的主要预期目标", sections=[lead],
                      units=[u for u in re.split("[,、]", resp) if u]))
    return dict(
        slug="lishan-2023-zhongdian-fengong", file="fangan.pdf", fmt="pdf-docx", builder=lambda p: _lishan_docx(p),
        title="立山区政府2023年重点工作任务分解和责任分工方案", year=2023, rows=rows,
        notes=("A 分工方案 with no table: numbered items under a part heading, each followed by '牵头单位:' "
               "(-> sections) and '责任单位:' (here the co-responsible units, since a lead is named separately -> "
               "units, split on , and 、). Targets, no deadlines. The notice carries the 发文字号 鞍立政发〔2023〕2号."),
        source=dict(
            title="立山区政府2023年重点工作任务分解和责任分工方案 (鞍立政发〔2023〕2号)",
            issuer="鞍山市立山区人民政府",
            url="http://www.lishan.gov.cn/html/ASLSQ/202303/0168765895614794.html",
            date="2023-03-28",
            published_as="web page of the 文件 (notice + 方案 text)",
            rebuilt_as="pdf with a text layer, made by LibreOffice from a docx of the notice and the 方案",
            layout="part heading + numbered items with '牵头单位:' / '责任单位:' label paragraphs; year also in "
                   "the 发文字号 〔2023〕",
            subset="items 1-6 of part 一 (the stored copy stops at item 7, whose units are not shown; item 7 is "
                   "left out)",
        ),
    )


def _lishan_docx(path: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = Document()
    for t in ("鞍山市立山区人民政府文件", "鞍立政发〔2023〕2号"):
        d.add_paragraph(t).alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("立山区人民政府关于印发《立山区政府2023年重点工作任务分解和责任分工方案》的通知").alignment = \
        WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("立山经济开发区,各街道办事处,各区直部门,各有关单位:")
    d.add_paragraph("经区政府同意,现将《立山区政府2023年重点工作任务分解和责任分工方案》印发给你们,请结合实际,认真贯彻落实。")
    for t in ("立山区人民政府", "2023年3月28日"):
        d.add_paragraph(t).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_paragraph("(此件公开发布)")
    d.add_page_break()
    for t in ("立山区政府2023年重点工作", "任务分解和责任分工方案"):
        d.add_paragraph(t).alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("为全面贯彻落实党的二十大精神,深入贯彻中央、省市工作会议精神和市委十三届五次全会精神、区委十五届四次全会精神,"
                    "认真贯彻国家、省、市关于2023年重点工作部署,聚焦辽宁省全面振兴新突破三年行动、鞍山市“抓项目、进企业、解难题”"
                    "专项行动,做好今年政府工作,努力实现全年经济社会发展的目标任务,现就全区2023年重点工作,制定分工方案如下。")
    d.add_paragraph("一、经济社会发展的主要预期目标")
    for no, c, lead, resp in LISHAN_ITEMS:
        d.add_paragraph(f"{no}.{c}")
        d.add_paragraph(f"牵头单位:{lead}")
        d.add_paragraph(f"责任单位:{resp}")
    d.save(path)


# ---------------------------------------------------------------- 9 南陵县 2024 分解表 (pdf from xlsx)

@doc
def nanling():
    head = ["序号", "目标与任务", "分 管 县领导", "牵头责任单位", "责任单位"]
    r80 = ("极回应群众新期待新要求,加大普惠性托育供给,新增托位数400个以上,公办园在园幼儿占比60%以上。实施中小学办学能力提升工程,"
           "推动义务教育优质均衡发展。实施中小学办学能力提升工程,推动义务教育优质均衡发展。")
    r81 = "保障芜职院现代物流智造学院秋季开学,支持芜湖科技工程学校发展,探索职业教育赋能区域发展路径。"
    grid = [["附件", None, None, None, None],
            ["2024年《政府工作报告》重点工作目标任务分解表", None, None, None, None],
            head,
            ["80", r80, "俞 悦", "县教育局", "县各有关单位"],
            ["81", r81, "陆 明\n俞 悦", "县教育局", "县各有关单位"]]
    return dict(
        slug="nanling-2024-gzbg-fenjiebiao", file="fenjiebiao.pdf", fmt="pdf-xlsx",
        grid=grid, merges=["A2:E2"], widths={"A": 6, "B": 60, "C": 10, "D": 12, "E": 14},
        title="2024年《政府工作报告》重点工作目标任务分解表", year=2024,
        rows=[
            R("80", r80, leaders=["俞悦"], sections=["县教育局"], units=["县各有关单位"]),
            R("81", r81, leaders=["陆明", "俞悦"], sections=["县教育局"], units=["县各有关单位"]),
        ],
        notes=("Header '分 管 县领导' has spaces inside. Two-character leader names are padded with a space ('俞 悦'); "
               "row 81's cell holds two leaders, which the page text runs together as '陆 明俞 悦' (rebuilt with a line "
               "break between them). Row 80's text starts '极回应' and repeats a sentence: kept as published. "
               "'新增托位数400个以上' etc. are targets, no deadlines."),
        source=dict(
            title="2024年《政府工作报告》重点工作目标任务分解表 (附件; the education bureau's rows)",
            issuer="南陵县 (nlx.gov.cn openness page; rows of 县教育局)",
            url="https://www.nlx.gov.cn/openness/public/6605131/39230837.html",
            date="2024",
            published_as="web page with an html table under '附件' and the title",
            rebuilt_as="pdf with a text layer, made by LibreOffice from an xlsx (附件 line, merged title row, header)",
            layout="序号 (80, 81) | 目标与任务 | 分 管 县领导 (spaced header, two leaders in a cell) | 牵头责任单位 | 责任单位",
            subset="both rows on the page",
        ),
    )


# ---------------------------------------------------------------- 10 谯城区教育局 2025 (docx with part rows)

@doc
def qiaocheng():
    parts = ["一、2025年经济社会发展的主要预期目标", "二、全力以赴扩投资、优服务,筑牢经济增长根基",
             "三、全力以赴延链条、壮集群,构建现代产业体系", "四、全力以赴增动能、聚人气,激发改革创新活力",
             "五、全力以赴促融合、护生态,打造宜居宜业家园", "六、全力以赴惠民生、增福祉,加快社会事业发展"]
    r3 = ("3", "固定资产投资增长7.5%左右。", "区发改委",
          "区工信局、区住建局、区交通局、区水利局、区农业农村局、区教育局、区卫健委,各乡镇人民政府、街道办事处,谯城经开区管委会,魏武国控集团。")
    r68 = ("68", "持续推进学前教育普及普惠、义务教育优质均衡发展,加快建设黎明小学、亳州四中等扩建教学楼项目。", "区教育局",
           "区政府有关部门,各乡镇人民政府、街道办事处。")
    r69 = ("69", "深化与海亮集团合作,积极引进优质教育资源。", "区教育局", "区投资促进中心。")
    grid = [["序号", "重点工作任务", "主要责任单位", "协同配合单位"],
            [parts[0], None, None, None], list(r3)]
    grid += [[p, None, None, None] for p in parts[1:]]
    grid += [list(r68), list(r69)]
    merges = [(i, 0, i, 3) for i, row in enumerate(grid) if row[1] is None]
    return dict(
        slug="qiaocheng-jyj-2025-gzbg-fenjiebiao", file="fenjiebiao.docx", fmt="docx",
        builder=lambda p: _qiaocheng_docx(p, grid, merges),
        title="谯城区教育局2025年政府工作报告重点工作任务分解表", year=2025,
        rows=[
            R("3", r3[1], category=parts[0], sections=["区发改委"],
              units=["区工信局", "区住建局", "区交通局", "区水利局", "区农业农村局", "区教育局", "区卫健委",
                     "各乡镇人民政府", "街道办事处", "谯城经开区管委会", "魏武国控集团"]),
            R("68", r68[1], category=parts[5], sections=["区教育局"],
              units=["区政府有关部门", "各乡镇人民政府", "街道办事处"]),
            R("69", r69[1], category=parts[5], sections=["区教育局"], units=["区投资促进中心"]),
        ],
        notes=("Full-width part-heading rows ('一、…' to '六、…') sit inside the table; parts 二 to 五 have no rows "
               "(the bureau kept only its own rows of the county table, keeping the county numbers 3, 68, 69). "
               "Part rows are categories, not tasks. Units split on 、 and , (trailing 。 dropped). "
               "'7.5%左右' is a target; no deadlines."),
        source=dict(
            title="谯城区教育局2025年政府工作报告重点工作任务分解表",
            issuer="谯城区教育局",
            url="https://www.bzqc.gov.cn/XxgkContent/show/2831654.html",
            date="发文日期 2025-06-13",
            published_as="web page (title, then the table)",
            rebuilt_as="docx: title paragraph above a Word table whose part rows are merged across all columns",
            layout="序号 | 重点工作任务 | 主要责任单位 | 协同配合单位, with merged part-heading rows (some empty)",
            subset="rows 3, 68, 69; row 73 is cut off in the stored copy and left out",
        ),
    )


def _qiaocheng_docx(path: Path, grid, merges) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = Document()
    d.add_paragraph("谯城区教育局2025年政府工作报告重点工作任务分解表").alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_table(d, grid, merges)
    d.save(path)


# ---------------------------------------------------------------- 11 中山市医保局 2021 (docx, two merged columns)

@doc
def zhongshan2021():
    g1, g2, g3 = "做好各类规划主动公开", "做好市场规则标准和监管执法信息公开", "做好财政信息公开"
    u1 = "各科室、医疗保障事业管理中心按职责分工落实"
    u3 = "法规和基金监管科、医药服务管理科、医疗保障事业管理中心按职责分工落实"
    u6 = "办公室、法规和基金监管科、医保中心按职责分工落实"
    items = [
        "1.主动公开《中山市医疗保障事业发展“十四五”规划》等各类规划原文和政策解读等相关信息。",
        "2.加强数据互联互通工作,在市政府门户网站统一归集整理本地区主动公开的各类规划,集中发布规划原文和政策解读等相关信息。",
        "3.主动公开全国统一的市场准入负面清单,及时根据调整情况做好更新发布。",
        "4.及时公开定点医药机构管理相关政策规定和动态管理情况,定期公布签订协议的两定机构名单。",
        "5.强化行政执法信息公开,定期公布医保基金使用监督检查结果,曝光医保基金使用违法案件。",
        "6.积极推进部门及所属单位预算、决算及相关报表公开。",
        "7.按照《医疗保障基金使用监督管理条例》规定,定期公开医保基金收入、支出、结余等情况。",
    ]
    grid = [["工作任务", "具体要求", "落实科室(部门)"],
            [g1, items[0], u1], [None, items[1], "办公室"],
            [g2, items[2], u3], [None, items[3], None], [None, items[4], None],
            [g3, items[5], u6], [None, items[6], None]]
    merges = [(1, 0, 2, 0), (3, 0, 5, 0), (3, 2, 5, 2), (6, 0, 7, 0), (6, 2, 7, 2)]
    cats = [g1, g1, g2, g2, g2, g3, g3]
    secs = [["各科室", "医疗保障事业管理中心"], ["办公室"]] + \
        [["法规和基金监管科", "医药服务管理科", "医疗保障事业管理中心"]] * 3 + [["办公室", "法规和基金监管科", "医保中心"]] * 2
    rows = [R(t.split(".", 1)[0], t.split(".", 1)[1], category=cats[i], sections=secs[i]) for i, t in enumerate(items)]
    return dict(
        slug="zhongshan-ybj-2021-zwgk-fengong", file="fengong.docx", fmt="docx",
        builder=lambda p: _zhongshan2021_docx(p, grid, merges),
        title="中山市医疗保障局2021年政务公开工作要点分工方案", year=2021, rows=rows,
        notes=("No 序号 column: numbers are at the start of the 具体要求 text. Both 工作任务 (category) and 落实科室(部门) "
               "are merged vertically over several rows (3-5 and 6-7 share one 落实科室 cell). '按职责分工落实' is a "
               "role phrase: every unit listed is responsible (sections). No deadlines."),
        source=dict(
            title="中山市医疗保障局2021年政务公开工作要点分工方案",
            issuer="中山市医疗保障局",
            url="http://hsa.zs.gov.cn/zwgk/zcgw/qtwj/content/post_1972574.html",
            date="印发 2021-07-22, 发布 2021-07-27",
            published_as="web page: notice text, title, table",
            rebuilt_as="docx: the notice paragraphs, the title paragraph, then the Word table with vertical merges",
            layout="工作任务 (merged category) | 具体要求 (numbered text) | 落实科室(部门) (merged over rows; "
                   "'…按职责分工落实')",
            subset="items 1-7. The stored copy is cut off two characters before the end of the last 落实科室 cell "
                   "('…医保中心按职责分工落'); the cell is rebuilt ending '落实', the only possible reading. The "
                   "stored text shows 3-5 and 6-7 each followed by a single 落实科室 cell: rebuilt as one row per "
                   "item with that cell merged over them.",
        ),
    )


def _zhongshan2021_docx(path: Path, grid, merges) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = Document()
    d.add_paragraph("局机关各科室、医保中心:")
    d.add_paragraph("根据《中山市人民政府办公室关于印发中山市2021年政务公开工作要点分工方案的通知》,结合中山市医疗保障局实际,"
                    "制定《中山市医疗保障局2021年政务公开工作要点分工方案》,现印发给你们,请认真贯彻执行,执行中遇到的问题请及时"
                    "向局办公室反映。")
    for t in ("中山市医疗保障局", "2021年7月22日"):
        d.add_paragraph(t).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_paragraph("中山市医疗保障局2021年政务公开工作要点分工方案").alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_table(d, grid, merges)
    d.save(path)


# ---------------------------------------------------------------- 12 中山市医保局 2022 (csv GBK)

@doc
def zhongshan2022():
    top = "一、优化政务公开工作基础"
    s1, s2 = "(一)深化行政规章、规范性文件集中公开。", "(二)持续推进基层政务公开标准化规范化。"
    t1 = "1.规范行政法规使用,统一参考中国政府法制信息网行政法规库,确保使用的行政法规文本为最新版本。"
    t2 = ("2.摸清本单位规范性文件底数,健全动态更新工作机制;明确标注规范性文件的名称、文号、发布机构、索引号、主题分类、"
          "成文及发布日期、有效性等要素,提高规范性文件公开质量和搜索功能准确性。")
    t3 = "3.结合权责清单以及实际承担的工作职责,持续推动政府信息主动公开目录的动态更新调整,切实将主动公开目录列明的公开事项公开到位。"
    title = "中山市医疗保障局贯彻落实国务院办公厅省政府办公厅市政府办公室2022年政务公开工作要点分工方案"
    grid = [[title, "", "", ""],
            ["工作要求", "一级要点", "二级要点", "责任科室"],
            [top, s1, t1, "法规和基金监管科牵头,办公室配合"],
            ["", "", t2, "办公室牵头,各科室按职责分工落实"],
            ["", s2, t3, "办公室牵头,各科室按职责分工落实"]]
    return dict(
        slug="zhongshan-ybj-2022-zwgk-fengong", file="fengong.gbk.csv", fmt="csv-gbk", grid=grid,
        title=title, year=2022,
        rows=[
            R("1", t1.split(".", 1)[1], category=s1, sections=["法规和基金监管科"], units=["办公室"]),
            R("2", t2.split(".", 1)[1], category=s1, sections=["办公室"], units=["各科室"]),
            R("3", t3.split(".", 1)[1], category=s2, sections=["办公室"], units=["各科室"]),
        ],
        notes=("Two levels of merged headings (工作要求 '一、…' over 一级要点 '(一)…'); category gives the nearer one, "
               "all three rows also fall under '一、优化政务公开工作基础'. The CSV carries them only on the first row of "
               "each merge (blank below), as Excel saves merged cells. Tasks are the numbered 二级要点 ('1.'…). "
               "Roles in one cell: 'X牵头,Y配合' and 'X牵头,各科室按职责分工落实' (各科室 assist). A title row sits "
               "above the header. No deadlines."),
        source=dict(
            title=title,
            issuer="中山市医疗保障局",
            url="http://hsa.zs.gov.cn/zwgk/zcgw/qtwj/content/post_2145150.html",
            date="2022-08-10",
            published_as="web page: notice, title, table",
            rebuilt_as="CSV in GBK (as Excel on a Chinese Windows machine saves 'CSV (逗号分隔)'), title row, header, "
                       "merged headings blank below their first row",
            layout="工作要求 | 一级要点 | 二级要点 | 责任科室: two levels of merged category, tasks numbered in the "
                   "text, roles inside one cell",
            subset="rows 1-3; the next cell holds items 4 and 5 together and is cut off in the stored copy, so it "
                   "is left out",
        ),
    )


# ---------------------------------------------------------------- 13 青阳县卫健委 2025 月度安排 (docx, no table)

QY_MAR = [
    "组织医疗机构完成“十四五”全国眼健康规划终期评估(眼科资源调查)填报工作。",
    "开展2025年健康口腔行动部署和筹备工作。",
    "处置突发公共卫生事件1起:“安徽九子山公学一起诺如病毒感染性腹泻暴发疫情”。",
    "开展水质监测采样工作。",
    "开展血吸虫病查治病工作。加大禁牧政策宣传和禁牧巡视力度,及时掌握疫情动态流行因素的变化情况。",
    "根据《关于印发安徽省医养联合体建设试点工作实施方案的通知》文件要求,报送医养联合体建设试点申报书,初步确定建立以县人民医院和县中医医院为牵头单位的医养联合体。",
    "报送2019-2024年度老年健康与医养结合服务管理项目实施情况评估报告,报送老年友善医疗机构申报材料。",
    "根据省民生实事安排方案,积极开展出生缺陷防治提升行动和两癌筛查工作,截至目前:1-3月份完成新生儿疾病筛查131 人,听力筛查131人,筛查率均达100%;宫颈癌筛查任务数8000例,1-3月份已完成1495例,完成率18.69 %;乳腺癌筛查任务数5600例,1-3月份已完成1581例,完成率28.23%。",
    "报送干细胞临床研究开展情况。",
    "开展中医院2025年招聘事宜。",
    "开展乡镇履职事项清单工作。",
    "按时召开2024年度抓基层党建述职评议考核工作方案及前期会议准备工作,以及组织生活会相关材料。",
]
QY_APR = [
    "组织开展紧密型县域医共体工作。",
    "常态化做好医药腐败领域集中整治和殡葬领域集中整治工作。",
    "组织实施健康口腔窝沟封闭和涂氟儿童口腔干预项目。",
    "开展结核病高风险人群症状筛查工作。",
    "组织开展春季查灭螺督查暨风险监测工作。",
]


@doc
def qingyang_monthly():
    c1, c2 = "一、3月工作落实情况", "二、4月工作安排"
    rows = [R(str(i), t, category=c1) for i, t in enumerate(QY_MAR, start=1)]
    rows += [R(str(i), t, category=c2) for i, t in enumerate(QY_APR, start=1)]
    return dict(
        slug="qingyang-wjw-2025-03-gongzuo-anpai", file="anpai.docx", fmt="docx", builder=lambda p: _qingyang_monthly_docx(p),
        title="卫健委3月份工作落实情况暨4月份工作安排", year=2025, rows=rows,
        notes=("工作要点-style: numbered points under two part headings, no table, no assignees, numbering restarts "
               "in part 二 (so 'no' repeats: 1-12 then 1-5). Part 一 reports what was done in March; part 二 is the "
               "April plan; both are kept as rows with their part as category. No deadline is written in any item "
               "('截至目前', '1-3月份' are as-of facts; '2025年健康口腔行动', '2019-2024年度…评估报告', '2024年度…述职' "
               "name programmes/periods). The year is only in the text (2025)."),
        source=dict(
            title="卫健委3月份工作落实情况暨4月份工作安排",
            issuer="青阳县卫生健康委员会",
            url="https://www.ahqy.gov.cn/OpennessContent/show/1663765.html",
            date="2025 (from the text; the stored copy shows no date)",
            published_as="web page of numbered paragraphs",
            rebuilt_as="docx: title (two lines as on the page) and numbered paragraphs, no table",
            layout="工作要点 style: part headings + numbered points, no table, no assignees, no year in the title",
            subset="part 一 items 1-12 and part 二 items 1-5; item 二.6 is cut off in the stored copy and left out",
        ),
    )


def _qingyang_monthly_docx(path: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = Document()
    for t in ("卫健委3月份工作落实情况暨", "4月份工作安排"):
        d.add_paragraph(t).alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("一、3月工作落实情况")
    for i, t in enumerate(QY_MAR, start=1):
        d.add_paragraph(f"{i}.{t}")
    d.add_paragraph("二、4月工作安排")
    for i, t in enumerate(QY_APR, start=1):
        d.add_paragraph(f"{i}.{t}")
    d.save(path)


# ---------------------------------------------------------------- 14 武汉市 2018 责任分解方案 (html, no table)

@doc
def wuhan():
    t1 = "规范政府举债行为,严格控制增量,积极消化存量,依法处置隐性债务。"
    t2 = "开展非法金融活动专项整治,多措并举化解银行不良贷款,推动地方法人金融机构稳健运营,强化对影子银行、互联网金融等薄弱环节监管。"
    name = "武汉市人民政府办公厅关于印发2018年省《政府工作报告》涉及我市工作任务责任分解方案的通知"
    html = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{name}</title>
</head>
<body>
<div class="header">主办单位:中共武汉市委宣传部 承办单位:长江网</div>
<div class="crumb">武汉文化产业政策服务平台</div>
<h1>{name}</h1>
<p class="info">2022-10-19 14:39 来源: 武汉市人民政府办公厅</p>
<div class="article">
<p>各区人民政府,市人民政府各部门:</p>
<p>根据《省人民政府办公厅关于分解落实〈政府工作报告〉的通知》(鄂政办发〔2018〕4号)要求,经市人民政府同意,现将《2018年省〈政府工作报告〉涉及我市工作任务责任分解方案》印发给你们,并就有关事项通知如下,请一并贯彻执行。</p>
<p>一、各牵头单位要切实履行牵头责任,统筹推进各项工作落实;各责任单位要进一步细化目标任务,建立主要负责人负总责、分管负责人具体抓、相关责任处室抓落实的工作机制,强化办理措施,明确时限要求,并积极向省直对口部门的汇报办理情况,争取其支持,以确保圆满完成涉及我市的各项工作任务。</p>
<p>二、请各牵头单位和责任单位于2018年3月9日前将各项工作落实措施报送市人民政府督查室,市人民政府督查室将适时对各单位目标完成情况进行督办检查。</p>
<p style="text-align:right">武汉市人民政府办公厅</p>
<p style="text-align:right">2018年2月14日</p>
<h2>2018年省《政府工作报告》涉及我市工作任务责任分解方案</h2>
<p>一、坚决打好三大攻坚战</p>
<p>(一)打好防范化解重大风险攻坚战</p>
<p>1.{t1}(牵头单位:市财政局;责任单位:市发展改革委、市国土规划局、市城乡建设委、市审计局、市国资委、市金融工作局)</p>
<p>2.{t2}(责任单位:市金融工作局)</p>
</div>
</body>
</html>
"""
    cat = "(一)打好防范化解重大风险攻坚战"
    return dict(
        slug="wuhan-2018-sheng-gzbg-zerenfenjie", file="fangan.html", fmt="html", html=html,
        title="2018年省《政府工作报告》涉及我市工作任务责任分解方案", year=2018,
        rows=[
            R("1", t1, category=cat, sections=["市财政局"],
              units=["市发展改革委", "市国土规划局", "市城乡建设委", "市审计局", "市国资委", "市金融工作局"]),
            R("2", t2, category=cat, sections=["市金融工作局"]),
        ],
        notes=("No table: numbered paragraphs under two levels of part headings ('一、…', '(一)…'; category gives the "
               "nearer one). Roles are written in brackets at the end of the task: '(牵头单位:X;责任单位:Y、Z)'. When "
               "only '责任单位' is given (item 2) it is the responsible unit -> sections; when a 牵头单位 is also given "
               "the 责任单位 are co-responsible -> units. The notice's '2018年3月9日前' is an instruction about "
               "reporting, not a task row."),
        source=dict(
            title=name,
            issuer="武汉市人民政府办公厅",
            url="http://zt.cjn.cn/zt2022/whcyzcpt/shijzc/zcfg/202211/t4327000.htm (长江网's policy platform copy)",
            date="2018-02-14 (reposted 2022-10-19)",
            published_as="web page (notice + 方案 as paragraphs)",
            rebuilt_as="saved web page with <title>/<h1>, the notice and the 方案 paragraphs, no table",
            layout="part headings + numbered tasks with inline '(牵头单位:…;责任单位:…)'",
            subset="items 1-2; item 3 is cut off in the stored copy and left out",
        ),
    )


# ---------------------------------------------------------------- 15 花山区 2017 健康花山 分解 (docx, label lines)

HUASHAN_ITEMS = [
    ("1", "全年空气质量优良天数不少于300天。", "2017年不少于292天。持续推进,逐年增加。"),
    ("2", "集中式饮用水源地水质达标率为100%、重点工业企业污水排放稳定达标率、工业危险废弃物处理率均达100%。",
     "2017年底,持续巩固。"),
    ("3", "工业固体废物处置利用率达92%。", "2017年底达91%。持续推进,逐年提"),
]


@doc
def huashan():
    cat = "(一)营造健康环境"
    units = ["濮塘镇", "各街道", "区发经信委"]
    rows = [R(no, c, category=cat, leaders=["王先柱"], sections=["区环保局"], units=units, dates=["2017-12-31"])
            for no, c, _ in HUASHAN_ITEMS]
    return dict(
        slug="huashan-2017-jiankang-fenjie", file="tongzhi.docx", fmt="docx",
        builder=lambda p: _huashan_docx(p),
        title="花山区人民政府办公室关于分解健康花山建设重点工作任务的通知", year=2017, rows=rows,
        notes=("No table: numbered tasks under part headings '一、…' and '(一)…' (category gives the nearer one), each "
               "followed by four label paragraphs 牵头领导 / 牵头单位 / 配合单位 / 完成时限. Dates: '2017年不少于292天' "
               "is a target for the year 2017 (-> 2017-12-31); '2017年底' -> 2017-12-31; '持续推进,逐年增加' and "
               "'持续巩固' are ongoing. Units split on 、 and , (trailing 。 dropped). The year is in the title, the "
               "发文字号 花政办〔2017〕10号 and the deadlines."),
        source=dict(
            title="花山区人民政府办公室关于分解健康花山建设重点工作任务的通知 (花政办〔2017〕10号)",
            issuer="马鞍山市花山区人民政府办公室 (政策咨询机关: 花山区卫计委)",
            url="https://www.mashsq.gov.cn/xxgk/openness/detail/content/58cf2a9fc632a38b5b3de253.html",
            date="成文日期 2017-03-10",
            published_as="web page of the 文件 (metadata table, notice, numbered tasks with label lines)",
            rebuilt_as="docx: notice paragraphs and the numbered tasks with their label paragraphs, no table",
            layout="part headings + numbered tasks, each with '牵头领导:' '牵头单位:' '配合单位:' '完成时限:' lines",
            subset="items 1-3 of part (一); item 3's 完成时限 is cut off in the stored copy after '逐年提' and is "
                   "kept exactly that far",
        ),
    )


def _huashan_docx(path: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = Document()
    d.add_paragraph("花政办〔2017〕10号").alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("花山区人民政府办公室关于分解健康花山建设重点工作任务的通知").alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("濮塘镇政府,各街道办事处,区政府各部门,各有关单位:")
    d.add_paragraph("为认真贯彻落实全国、省、区卫生与健康大会精神,加快推进健康花山建设,深化新一轮综合医改,进一步提高人民健康水平,"
                    "现将全区卫生与健康暨健康花山建设重点工作任务予以分解,请结合工作职责,认真抓好落实。")
    d.add_paragraph("一、抓好健康城区创建")
    d.add_paragraph("(一)营造健康环境")
    for no, c, when in HUASHAN_ITEMS:
        d.add_paragraph(f"{no}.{c}")
        d.add_paragraph("牵头领导:王先柱")
        d.add_paragraph("牵头单位:区环保局")
        d.add_paragraph("配合单位:濮塘镇、各街道,区发经信委。")
        d.add_paragraph(f"完成时限:{when}")
    d.save(path)


# ---------------------------------------------------------------- 16 湘潭县卫健局 2020 民生实事 (txt)

XIANGTAN_TXT = """根据上级有关文件精神,现将2020年我局承办的重点民生实事项目目标任务分解情况予以公示。
一、省(市)重点民生实事项目:
1、所有建制乡镇医院2名全科医生全覆盖(17个乡镇34名);
2、村卫生室运行经费任务数192.6万元;
3、孕产妇免费产前筛查5000人。
二、市重点民生实事项目:
1、推进乡级预防接种门诊数字化建设与儿童保健门诊规范化建设15家,提质改造4家;
2、救治救助贫困重性精神病患者180人;
3、 免费为新生儿进行遗传代谢病筛查全覆盖(5000人)。
公示时间为2020年6月11日至6月18日,若有异议,可通过来信、来电、来访等形式向湘潭县卫生健康局反映。
地址:湘潭县易俗河镇牡丹路9号邮编:411218
联系人 :张锐电话:0731-57222539
联系人:胡向阳 电话:0731-57805156
联系人:陈利平 电话:0731-57777205
联系人:黄金锋 电话:0731-57777204
附件:2020年重点民生实事项目任务分解表
湘潭县卫生健康局
2020年6月11日
"""


@doc
def xiangtan():
    lines = XIANGTAN_TXT.split("\n")
    c1, c2 = "一、省(市)重点民生实事项目:", "二、市重点民生实事项目:"
    rows = []
    for line, cat in zip(lines[2:5] + lines[6:9], [c1] * 3 + [c2] * 3):
        no, body = line.split("、", 1)
        rows.append(R(no, body.strip().rstrip(";"), category=cat))
    return dict(
        slug="xiangtan-wjj-2020-minsheng-shishi", file="gongshi.txt", fmt="txt", text=XIANGTAN_TXT,
        title=None, year=2020, rows=rows,
        notes=("Pasted page text of a 公示: two part headings ending in ':' with numbered items '1、' that restart in each "
               "part (no repeats 1-3, 1-3); item 二.3 has a space after '3、'. No assignees (the bureau itself owns "
               "all), no deadlines: the 公示时间 '2020年6月11日至6月18日' is about the notice, not a task. The page names an "
               "attachment (…任务分解表) that the stored copy does not include. Trailing ';' of the items dropped from "
               "content, final '。' kept."),
        source=dict(
            title="(no title in the stored copy; a 公示 of 湘潭县卫生健康局's 2020 重点民生实事项目 目标任务分解)",
            issuer="湘潭县卫生健康局 (via 湘潭县融媒体中心)",
            url="https://www.xtxnews.cn/content/2020/06/11/7359338.html",
            date="2020-06-11",
            published_as="web page text",
            rebuilt_as="txt: the page body as it reads when copied as text",
            layout="工作要点 style: part headings + '1、' items restarting per part, no assignees, no dates",
            subset="the whole page body",
        ),
    )


# ---------------------------------------------------------------- 江门市卫生健康局 2021 政务公开 分工方案 (xlsx, 3 sheets)

JIANGMEN_WSJ_TITLE = "江门市卫生健康局2021年政务公开工作要点分工方案"
JIANGMEN_WSJ_ROWS = [
    ("一、做好行政执法信息公开", "1.加强行政执法信息公开。", "局政法科"),
    ("二、做好财政信息公开", "2.推进本机关预算、决算及相关报表公开。", "局财务科"),
    ("三、做好政府网站专栏信息公开", "3.每年至少更新一次“开放江门”数据集。", "局规划科"),
    ("", "4.及时反馈网民对调查征集信息的意见。", "局主办科室"),
    ("四、做好常态化疫情防控信息公开", "5.设立专栏,重点围绕散发疫情、隔离管控、流调溯源、精准防控、假期人员流动等发布权威信息"
     "(专栏每月至少更新2条信息)。", "局防控办主办、各工作组协办"),
    ("", "6.扎实做好疫苗接种信息公开和舆论引导工作。", "局疾控科"),
    ("", "7.提高新冠肺炎防控信息发布规范化水平,强化政府系统内部信息整合,统一步调对外发声。", "局宣传科研组"),
    ("", "8.做好爱国卫生运动、健康中国行动等相关工作的信息公开。", "局规划科"),
    ("五、持续加强重大政策发布解读", "9.综合运用新闻发布会、在线访谈、图文动画、短视频等形式,对重大政策开展深入解读,更加注重对"
     "政策背景、出台目的、重要举措等方面的实质性解读。", "局主办科室"),
    ("六、不断改进政策解读工作方式", "10.按照《江门市政府系统政策解读工作细则(试行)》相关要求,健全政策解读工作机制,规范工作流程,"
     "确保解读方案、解读材料与政策文件同步组织、同步审签、同步部署。", "局主办科室"),
    ("", "11.加强政策咨询服务,政策制定机关要积极解答政策执行机关和企业、群众的咨询,精准传达政策意图(政策文件和解读资料需添加"
     "咨询方式)。", "局主办科室"),
    ("", "12.加强内部协调工作,修订本单位政府信息公开指南,明确对外告知政府信息公开渠道。", "局办公室"),
]


@doc
def jiangmen_wsj():
    out = _numbered(JIANGMEN_WSJ_ROWS, lambda dept: (["局防控办"], ["各工作组"]) if "主办、" in dept else ([dept], []))
    table = [["工作任务", "具体要求", "责任科室"]] + [list(r) for r in JIANGMEN_WSJ_ROWS]
    # 工作任务 merged down over its group, as the page's table has it
    merges, start = [], None
    for i, (cat, _, _) in enumerate(JIANGMEN_WSJ_ROWS + [("end", "", "")], start=2):
        if cat:
            if start is not None and i - 1 > start:
                merges.append(f"A{start}:A{i - 1}")
            start = i
    return dict(
        slug="jiangmen-wsjkj-2021-zwgk-fengong", file="fengong.xlsx", fmt="xlsx-sheets",
        sheets=[("封面", [[JIANGMEN_WSJ_TITLE]], (), {"A": 60}),
                ("分工方案", table, merges, {"A": 22, "B": 60, "C": 18}),
                ("Sheet3", [], (), None)],
        title=JIANGMEN_WSJ_TITLE, year=2021, rows=out,
        notes=("The page shows the title above a table of 工作任务 (merged over its group) | 具体要求 (numbered '1.' in "
               "the text, no 序号 column) | 责任科室. Rebuilt as a workbook whose first sheet is a cover holding only "
               "the title, the table on the second sheet without a title row, and an empty third sheet (as Excel and "
               "WPS leave one): the title, and so the year 2021, are on the cover only. '局防控办主办、各工作组协办' = "
               "局防控办 leads (主办), 各工作组 assist (协办). Section names keep the '局' prefix as written. "
               "No dates: '每年至少更新一次' and '每月至少更新2条' are recurring duties, not deadlines."),
        source=dict(
            title=JIANGMEN_WSJ_TITLE,
            issuer="江门市卫生健康局",
            url="http://sd-xs.com/bmpd/jmswsjkj/zwgk/tzgg/content/post_2452809.html (a mirror of the 江门市人民政府 "
                "department pages)",
            date="not shown in the stored copy",
            published_as="web page with an html table under the title",
            rebuilt_as="xlsx of three sheets: 封面 (the title), 分工方案 (the table, 工作任务 merged), Sheet3 (empty)",
            layout="cover sheet with the title | task sheet: 工作任务 (merged category) | 具体要求 (numbered text) | "
                   "责任科室 ('X主办、Y协办' in one cell) | an empty sheet",
            subset="rows 1-12; item 七 is cut off in the stored copy and left out",
        ),
    )


# ---------------------------------------------------------------- a 区 民生实事 progress table (html)

MINSHENG_ROWS = [
    ("1", "为3.078万60岁以上老年人免费接种流感疫苗。", "区卫生健康局", "20%"),
    ("2", "为1.22万60岁以上重点人群免费开展结直肠癌筛查。", "区卫生健康局", "40%"),
    ("3", "在公共场所新增配置自动体外除颤仪115台。", "区卫生健康局", "80%"),
    ("4", "培训应急救护人员575人以上。", "区红十字会", "50%"),
    ("5", "实行全省医保参保人员一地签约、全省共享基层门诊签约报销比例(基层医疗机构门诊报销比例≥50%)。", "区医疗保障局",
     "市统 项目"),
    ("6", "省内异地结算定点医院开通率达100%。", "区医疗保障局", "100%"),
    ("7", "持有居住证的义务教育段随迁子女就读公办学校比例达95%以上。", "区教育局", "70%"),
    ("8", "实施10个中小学校“示范食堂”建设行动。", "区市场监管局", "75%"),
    ("9", "全面推行长期护理保险制度,参保人数达到37.69万人以上。", "区医疗保障局", "100%"),
    ("10", "为全区所有适龄女生免费接种二价HPV疫苗,2024年重点为13-14岁女生接种304人。", "区卫生健康局", "40%"),
    ("11", "加强孤独症儿童医疗康复救治,孤独症门诊治疗享受住院医疗保障水平(儿童孤独症政策内报销比例≥60%)。",
     "区医疗保障局", "市统 项目"),
    ("12", "新增残疾人就业50人以上。", "区残联", "90%"),
]


def _minsheng_html() -> str:
    cells = "".join(f"<tr><td>{no}</td><td>{text}</td><td>{unit}</td><td>{share}</td></tr>\n"
                    for no, text, unit, share in MINSHENG_ROWS)
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n<table border=\"1\">\n"
            "<tr><td>序号</td><td>任务项目指标</td><td>责任单位</td><td>进展比例</td></tr>\n" + cells
            + "</table>\n</body></html>\n")


@doc
def minsheng_progress():
    rows = [R(no, text, sections=[unit]) for no, text, unit, _ in MINSHENG_ROWS]
    return dict(
        slug="qu-2024-minsheng-shishi-jinzhan", file="jinzhan.html", fmt="html", html=_minsheng_html(),
        title=None, year=None, rows=rows,
        notes=("A progress table of a district's 民生实事: 序号 | 任务项目指标 | 责任单位 | 进展比例. The stored copy is a "
               "mirror serving the page converted to traditional characters; the rows are retyped here in simplified "
               "characters, as the government page has them. 进展比例 is progress ('20%', or '市统 项目' where the city "
               "runs the item), not a task field: it should be listed as an unread column. No deadlines: '2024年重点为"
               "13-14岁女生接种304人' says this year's focus, not a due date, and percentages are targets. No title "
               "or year in the copy (the page address is dated 2024-06-28)."),
        source=dict(
            title="(not shown in the stored copy; a district's 民生实事 项目 progress table)",
            issuer="a 区 government (district bureaus: 区卫生健康局, 区医疗保障局, 区教育局, 区市场监管局, 区红十字会, 区残联)",
            url="http://mifenjm.com/art/2024/6/28/art_1229798904_58959130.html (a mirror, in traditional characters)",
            date="2024-06-28 (from the page address)",
            published_as="web page with an html table",
            rebuilt_as="html table, simplified characters",
            layout="序号 | 任务项目指标 | 责任单位 | 进展比例 (a progress column beside the task; no deadlines)",
            subset="rows 1-12; row 13 is cut off in the stored copy and left out",
        ),
    )


# ---------------------------------------------------------------- html with rowspans (pages saved as published)


def _span_html(head: list[str], body: list[list], *, title: str | None = None, before: str = "") -> str:
    """An html page with one bordered table; a body cell is text, (text, rowspan), or None when a span above
    covers it. Line breaks inside a cell are written as <br>, as such pages do."""
    def td(cell) -> str:  # type: ignore[no-untyped-def]
        text, span = cell if isinstance(cell, tuple) else (cell, 1)
        attr = f' rowspan="{span}"' if span > 1 else ""
        return f"<td{attr}>{text.replace(chr(10), '<br>')}</td>"
    trs = "\n".join("<tr>" + "".join(td(c) for c in row if c is not None) + "</tr>" for row in body)
    head_tr = "<tr>" + "".join(f"<td>{h.replace(chr(10), '<br>')}</td>" for h in head) + "</tr>"
    head_html = f"<title>{title}</title>\n" if title else ""
    return (f"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n{head_html}</head>\n<body>\n"
            f"{before}<table border=\"1\">\n{head_tr}\n{trs}\n</table>\n</body>\n</html>\n")


def _span_rows(body: list[list], columns: dict[str, int]) -> list[dict]:
    """Each body row's value per named column, a rowspan's value carried down the rows it covers."""
    carried: dict[int, tuple[int, str]] = {}
    out = []
    for row in body:
        values, it = {}, iter(row)
        width = max(columns.values()) + 1
        for col in range(width):
            if col in carried and carried[col][0] > 0:
                left, text = carried[col]
                carried[col] = (left - 1, text)
                values[col] = text
                cell = next(it)  # the None placeholder
                assert cell is None, (row, col)
                continue
            cell = next(it)
            text, span = cell if isinstance(cell, tuple) else (cell, 1)
            values[col] = text
            if span > 1:
                carried[col] = (span - 1, text)
        out.append({name: values[col] for name, col in columns.items()})
    return out


# ---------------------------------------------------------------- 略阳县文化和旅游 目标任务分解 (html, rowspans)

LUEYANG_HEAD = ["序号", "指标", "工作任务", "完成时限", "责任领导", "责任股室\n(单位)", "备注"]
_LY1 = "文化宣传股\n文化馆\n图书馆"
LUEYANG_BODY = [
    ["1", ("公共文化服务", 4), "“两馆一站”免费开放服务人次较上年增长15%。", ("12月底前", 9), ("夏俊贵", 9), _LY1, ""],
    ["2", None, "全年组织开展文化下乡等惠民演出不少于100场。", None, None, ("文化宣传股文化馆", 4), ""],
    ["3", None, "开展好“三下乡”活动。", None, None, None, ""],
    ["4", None, "推进县文化馆、图书馆总分馆制建设。", None, None, None, ""],
    ["5", "文化产业", "培育规模以上文化服务企业1家。", None, None, None, ""],
    ["6", "非遗保护", "完成非遗展厅布展任务,办好《郙阁颂》学术交流活动。", None, None, "羌研会\n灵岩寺博物馆", ""],
    ["7", ("文化市场管理", 2), "开展专项整治行动4次以上,查办案件不少于5件。", None, None, ("执法大队", 2), ""],
    ["8", None, "净化文化市场和网络文化环境抽查合格率达到92%以上。", None, None, None, ""],
    ["9", "广电", "完成县级应急广播系统(二期)建设。", None, None, "广电事业股", ""],
    ["10", ("三建设一整治", 4),
     "完善西淮坝油菜观花线路观景平台及配套服务设施建设,精心策划2019年汉中油菜花海略阳观花活动。",
     ("5月底", 10), ("周 斐", 10), ("旅游股", 4), ""],
    ["11", None, "新建、改建旅游厕所6 座。", None, None, None, ""],
    ["12", None, "指导完成八渡河旅游带美丽风景线建设。", None, None, None, ""],
    ["13", None, "抓好旅游环境综合整治工作。", None, None, None, ""],
    ["14", ("旅游项目", 2),
     "实施灵岩寺景区综合开发(梅花洞栈道)、天龙溶泉矿泉水、朱儿坝郙阁田园综合体(二期)、欧漫生态有机农业观光示范园等4个"
     "重点项目建设,完成年度建设任务。", None, None, ("文物股\n郙阁公司", 6), ""],
    ["15", None, "指导完成八渡河旅游带恢复重建。", None, None, None, ""],
    ["16", "旅游宣传和旅游收入", "全年举办大型文旅活动3场次,全年接待游客140万人次,旅游综合收入6.8亿元。", None, None, None, ""],
    ["17", "文物保护", "完成灵岩寺摩崖石刻修缮项目方案设计。", None, None, None, ""],
    ["18", ("项目建设", 2), "完成灵岩寺陈列布展和绿化工程。", None, None, None, ""],
    ["19", None, "完成白水江镇江神庙的维修和布展工作。", None, None, None, ""],
    ["20", "脱贫攻坚", "完成包扶村脱贫攻坚年度任务。", "10月底前", "黄文阁", "各股室、委属部门单位", ""],
]


@doc
def lueyang():
    cols = {"no": 0, "cat": 1, "text": 2, "when": 3, "leader": 4, "units": 5}
    due = {"12月底前": "YYYY-12-31", "5月底": "YYYY-05-31", "10月底前": "YYYY-10-31"}
    sections = {_LY1: ["文化宣传股", "文化馆", "图书馆"], "文化宣传股文化馆": ["文化宣传股", "文化馆"],
                "羌研会\n灵岩寺博物馆": ["羌研会", "灵岩寺博物馆"], "文物股\n郙阁公司": ["文物股", "郙阁公司"],
                "各股室、委属部门单位": ["各股室", "委属部门单位"]}
    rows = [R(v["no"], v["text"], category=v["cat"], leaders=[v["leader"].replace(" ", "")],
              sections=sections.get(v["units"], [v["units"]]), dates=[due[v["when"]]])
            for v in _span_rows(LUEYANG_BODY, cols)]
    return dict(
        slug="lueyang-wlj-2019-mubiao-fenjie", file="fenjie.html", fmt="html",
        html=_span_html(LUEYANG_HEAD, LUEYANG_BODY),
        title=None, year=None, rows=rows,
        notes=("A county 文化和旅游 bureau's target table: 序号 | 指标 (a category merged down its group) | 工作任务 | "
               "完成时限 | 责任领导 | 责任股室(单位) (a two-line header) | 备注 (empty). The stored copy is the page "
               "text, where a merged cell shows once: 完成时限 and 责任领导 appear only on rows 1 (12月底前, 夏俊贵), "
               "10 (5月底, 周 斐) and 20 (10月底前, 黄文阁), so each is rebuilt as one cell spanning its block; the "
               "unit cells likewise span down to the next written one. Rows 2-5 show '文化宣传股文化馆' with no "
               "break between the two names (row 1 has them on separate lines): an official reads 文化宣传股 and "
               "文化馆. '周 斐' is one two-character name padded with a space. No title or year in the copy: "
               "'2019年汉中油菜花海' in row 10 names an event, so bare dates are read in the year the admin "
               "confirms ('YYYY')."),
        source=dict(
            title="(not shown in the stored copy; 略阳县 文化和旅游 bureau's yearly target task table)",
            issuer="略阳县文化和旅游局 (site lueyang.qinfeng.gov.cn; leaders and 股室 of the county 文旅 bureau)",
            url="https://lueyang.qinfeng.gov.cn/info/1013/2824.htm",
            date="not shown in the stored copy (row 10 plans the 2019 花海 event)",
            published_as="web page with an html table",
            rebuilt_as="html table with rowspans for the cells the page text shows once",
            layout="序号 | 指标 (merged category) | 工作任务 | 完成时限 (merged over blocks) | 责任领导 (merged) | "
                   "责任股室(单位) (two-line header, several units one per line)",
            subset="rows 1-20, the whole table as the stored copy shows it",
        ),
    )


# ---------------------------------------------------------------- 略阳县文化和旅游, the page's text as pasted (txt)


def _lueyang_text() -> str:
    # What the stored copy holds: every cell that shows on its own line (a merged cell shows once, an empty one
    # not at all), the header cell 责任股室(单位) broken over two lines, no blank lines.
    return "\n".join([line for h in LUEYANG_HEAD for line in h.split("\n")] + _cell_lines(LUEYANG_BODY)) + "\n"


def _cell_lines(body: list[list]) -> list[str]:
    """The lines a page's text shows for a rowspan body: each shown, non-empty cell's lines in order."""
    lines: list[str] = []
    for row in body:
        for cell in row:
            text = cell[0] if isinstance(cell, tuple) else cell
            if text:
                lines += text.split("\n")
    return lines


def _as_pasted(d: dict, slug: str, text: str, notes: str, **source: str) -> dict:
    """Document ``d`` again as its page's text (file page.txt): same rows, the notes and source told apart."""
    return dict(d, slug=slug, file="page.txt", fmt="txt", text=text, notes=notes + " " + d["notes"],
                source=dict(d["source"], **source))


@doc
def lueyang_paste():
    return _as_pasted(
        lueyang(), "lueyang-wlj-2019-mubiao-paste", _lueyang_text(),
        ("The same 略阳县 table as lueyang-wlj-2019-mubiao-fenjie, as the page's text (the stored copy itself): "
                  "one cell per line, the header '责任股室' / '(单位)' on two lines, several units of a cell on "
                  "several lines, and every merged cell (指标, 完成时限, 责任领导, 责任股室) only on the first row it "
                  "covers, so most rows have two or three lines for six columns. An official reads it as the html."),
        published_as="web page; this is its text as the stored copy gives it",
        rebuilt_as="txt: the table's cells one per line, as the stored copy shows them",
        layout="pasted web table: one cell per line; merged cells show once, so rows are short")


# ---------------------------------------------------------------- 大竹县 2016 民生实事 (html, a 序号 over two rows)

DAZHU_BODY = [
    ["1", "启动建设东柳河城区段综合治理工程和东湖湿地公园。", "县水务局\n县住建局\n县护城河指挥部", "12月底前"],
    ["2", "新建2座人行天桥。", "县住建局", "9月投入使用"],
    ["3", "启动县图书馆新馆建设。", "县文体广新局\n县代建中心", "12月底前"],
    ["4", "建成县残疾人综合服务中心。", "县残联", "5月底前动工"],
    [("5", 2), "开工建设县老年养护楼。", ("县民政局", 2), "5月底前动工"],
    [None, "开工建设老年大学。", None, "12月底前"],
    ["6", "迁建县政务服务中心。", "县政务服务中心\n县代建中心", "12月底前"],
    ["7", "加快推进土地滩水库建设。", "县水务局", "12月底前"],
    ["8", "启动大竹县第十二小学建设,新建中心幼儿园2所。", "县教科局\n县代建中心", "12月底前"],
    ["9", "完成棚户区改造2836户。", "县住建局", "12月底前"],
    ["10", "城区再新建1个农贸市场。", "县商务局", "12月底前"],
]

DAZHU_BEFORE = """<h1>大竹县人民政府办公室关于对2016年民生实事进行重点督办的通知</h1>
<p>竹府办〔2016〕20号</p>
<p>各乡镇人民政府、街道办事处,县级各部门:</p>
<p>为让人民群众生活得更有保障、更加幸福,根据《2016年政府工作报告》安排部署,现将2016年“民生实事”目标任务分解下达。请各责任领导、责任单位认真研究、强化责任、细化措施,确保全年目标任务顺利完成。县政府督查室将常年跟踪,适时开展督查。请各责任单位于每季度末月20日前将“民生实事”完成情况书面报县政府督查室420室(联系电话:6239325)。</p>
<p>附件:2016年民生实事目标任务分解表</p>
<p>大竹县人民政府办公室</p>
<p>2016年2月26日</p>
<p>附件</p>
<p>2016年民生实事目标任务分解表</p>
"""


@doc
def dazhu():
    due = {"12月底前": "2016-12-31", "9月投入使用": "2016-09-30", "5月底前动工": "2016-05-31"}
    cols = {"no": 0, "text": 1, "units": 2, "when": 3}
    values = _span_rows(DAZHU_BODY, cols)
    nos = ["1", "2", "3", "4", "5-1", "5-2", "6", "7", "8", "9", "10"]
    rows = [R(no, v["text"], sections=v["units"].split("\n"), dates=[due[v["when"]]]) for no, v in zip(nos, values)]
    return dict(
        slug="dazhu-2016-minsheng-shishi-fenjie", file="fenjie.html", fmt="html",
        html=_span_html(["序号", "民生实事", "责任单位", "完成时限"], DAZHU_BODY,
                        title="大竹县人民政府办公室关于对2016年民生实事进行重点督办的通知", before=DAZHU_BEFORE),
        title="2016年民生实事目标任务分解表", year=2016, rows=rows,
        notes=("A county government's 民生实事 table published in the notice's page: 序号 | 民生实事 | 责任单位 | "
               "完成时限. 责任单位 lists several units one per line, all responsible (no lead is marked), so all "
               "are read as responsible sections. 序号 5 spans two rows, each its own task with its own deadline "
               "(the 养老 building to start by May, the 老年大学 by year end), under one 县民政局 cell: the two "
               "rows are tasks 5-1 and 5-2. Deadlines are phrases with a month: '12月底前', '9月投入使用' (in use "
               "by September: month end), '5月底前动工' (work started by the end of May). The notice's own dates "
               "('每季度末月20日前' reports, 2016年2月26日) are not task deadlines."),
        source=dict(
            title="大竹县人民政府办公室关于对2016年民生实事进行重点督办的通知 (竹府办〔2016〕20号), 附件 "
                  "2016年民生实事目标任务分解表",
            issuer="大竹县人民政府办公室 (四川省达州市)",
            url="http://www.dazhu.gov.cn/xxgk-show-947.html",
            date="2016年2月26日 (published 2016-03-01)",
            published_as="web page: the notice, then the attached table as an html table",
            rebuilt_as="html: the notice's heading and paragraphs, then the table with rowspans",
            layout="序号 | 民生实事 | 责任单位 (several, one per line) | 完成时限 (month phrases); one 序号 over two "
                   "rows with their own deadlines",
            subset="the whole table (10 numbered items, 11 rows)",
        ),
    )


# ---------------------------------------------------------------- 大竹县 2016 民生实事, the page's text as pasted (txt)


def _dazhu_text() -> str:
    # The page as a browser copies it: the notice's paragraphs, then every table cell on its own line (a cell
    # with several units gives several lines; the merged 序号 5 and 县民政局 show once), blank lines between.
    head = ["大竹县人民政府办公室关于对2016年民生实事进行重点督办的通知", "来源:信息公开办", "发布日期:2016-03-01",
            "竹府办〔2016〕20号", "各乡镇人民政府、街道办事处,县级各部门:",
            re.sub(r"<[^>]+>", "", DAZHU_BEFORE.split("\n")[3]), "附件:2016年民生实事目标任务分解表",
            "大竹县人民政府办公室", "2016年2月26日", "附件", "2016年民生实事目标任务分解表", "序号", "民生实事", "责任单位",
            "完成时限"]
    return "\n\n".join([*head, *_cell_lines(DAZHU_BODY), "分享到:"]) + "\n"


@doc
def dazhu_paste():
    return _as_pasted(
        dazhu(), "dazhu-2016-minsheng-shishi-paste", _dazhu_text(),
        ("The same 大竹县 table as dazhu-2016-minsheng-shishi-fenjie, as its page's text is copied and pasted "
                  "(this is what the stored copy holds): one cell per line, so a cell listing three units gives three "
                  "lines, and the 序号 5 and 县民政局 cells merged over two rows show once, before the two sub-rows' "
                  "texts and deadlines. Read as in the html: rows 5-1 and 5-2 under 县民政局."),
        published_as="web page; this is its text as a browser copies it",
        rebuilt_as="txt: the page's paragraphs and table cells one per line, blank lines between",
        layout="pasted web table: one cell per line, multi-line unit cells, a 序号 over two rows")


# ---------------------------------------------------------------- a 钟楼区 2021 重大民生实事 (docx, sub-rows with own leaders)

ZL_HEAD = ["序号", "项目名称", "主要内容", "区政府分管领导", "牵头单位", "配合单位"]
ZL_ROWS = [
    ["1", "增加教育资源供给",
     "实施新建、改扩建学校重点建设项目12个,计划竣工3个,其中幼儿园7个、小学4个、初中1个;增加学位5000个,其中幼儿园"
     "420个,中小学4580个。", "何海平", "教育局", "经开区\n高新园(邹区镇)\n各街道\n市国有公司"],
    ["2", "促进就业稳定增长",
     "落实就业优先战略。全区城镇新增就业15000人,失业人员再就业5800人,新增参保大学生5400人,城乡“零就业家庭”动态清零,"
     "城镇登记失业率控制在3%以内;支持成功自主创业2000人,支持大学生创业240人;开展职业技能补贴培训10000人次。",
     "何海平", "人社局", "高新园(邹区镇)\n各街道"],
    ["3", "老城厢复兴发展", "完成瞿秋白纪念馆整体提升工程对外开放,完成常州盛宣怀故居(本体)修缮展陈。", "何海平", "文体旅局",
     "晋陵公司\n轨道公司"],
    [None, None, "推进大庙弄核心区改造、瞿秋白纪念馆周边立面整治及三堡街、西横街、民元里、邮电路、北大街等老城厢道路整治。",
     "芮春祥", "住建局", "五星街道\n南大街街道\n荷花池街道"],
    ["4", "优化养老服务", "为全区23000名老年人提供居家上门服务。", "张菁", "民政局", "高新园(邹区镇)\n各街道"],
    [None, None, "提升改造8家城乡社区居家养老服务中心(站)。", None, None, None],
    [None, None, "对300户困难老人家庭进行居家适老化改造。", None, None, None],
    [None, None, "提升康复辅具社区租赁服务点建设水平,为IO(X)人提供康复辅具社区租赁服务。", None, None, None],
]
# (r0, c0, r1, c1) in the grid with the header as row 0
ZL_MERGES = [(3, 0, 4, 0), (3, 1, 4, 1), (5, 0, 8, 0), (5, 1, 8, 1), (5, 3, 8, 3), (5, 4, 8, 4), (5, 5, 8, 5)]
ZL_TITLE = "2021年重大民生实事项目目标任务责任分解表"


def _zhonglou_docx(path: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = Document()
    d.add_paragraph(ZL_TITLE).alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_table(d, [ZL_HEAD, *ZL_ROWS], ZL_MERGES)
    d.save(path)


@doc
def zhonglou():
    nos = ["1", "2", "3-1", "3-2", "4-1", "4-2", "4-3", "4-4"]
    rows, last = [], None
    for no, row in zip(nos, ZL_ROWS):
        last = row if row[3] is not None else last
        rows.append(R(no, row[2], title=(row[1] or rows[-1]["title"]), leaders=[last[3]], sections=[last[4]],
                      units=last[5].split("\n")))
    return dict(
        slug="zhonglou-2021-minsheng-shishi-zerenfenjie", file="fenjie.docx", fmt="docx", builder=_zhonglou_docx,
        title=ZL_TITLE, year=2021, rows=rows,
        notes=("A district's 重大民生实事 table: 序号 | 项目名称 | 主要内容 | 区政府分管领导 | 牵头单位 | 配合单位. One "
               "project (序号 and 项目名称 merged down) holds several content rows: under 3 the second row has its own "
               "leader (芮春祥) and units; under 4 the leader and unit cells are merged over all four rows. Each content "
               "row is a task, numbered 3-1, 3-2, 4-1 … under its project's number; the project name is the title. "
               "配合单位 lists units one per line (the stored copy runs them together: '经开区高新园(邹区镇)各街道"
               "市国有公司'; split at the unit names). 'IO(X)人' is the stored copy's garbling of a number (1000), "
               "kept as given. No deadlines: '计划竣工3个' is a count."),
        source=dict(
            title=ZL_TITLE,
            issuer="a 常州 district government (钟楼区, inferred from 邹区镇, 五星街道, 南大街街道, 荷花池街道)",
            url="https://1wenmi.com/doc/507125.html (a document-sharing copy of the .docx)",
            date="2021 (from the title)",
            published_as="Word document (.docx, 4 pages; the header row repeats on each page)",
            rebuilt_as="docx: title paragraph above a Word table with vertically merged cells",
            layout="序号 | 项目名称 | 主要内容 | 区政府分管领导 | 牵头单位 | 配合单位; a project over several rows, each "
                   "with its own or a merged leader",
            subset="projects 1-4 (8 rows); project 5 is cut off in the stored copy and left out",
        ),
    )


# ---------------------------------------------------------------- 霍山 开发区 2025 责任清单 (html, 全年)

HUOSHAN_ROWS = [
    ("1", "坚持服务跟着项目走,优化“重点项目直通车”“无忧办”工作机 制,落实重点项目“领导+专班””“项目管家”等制度,全力服务重 "
          "大项目落地见效。", "叶林", "招商工作部、安商工作部", "全年"),
    ("2", "全力推进开发区“空间再造”,推动工业用地“腾笼换鸟”,力争 全年盘活僵尸企业10家,盘活存量土地400亩。", "马振明",
     "改革办", "全年"),
    ("3", "持续提升园区承载能力,加快推进开发区污水处理厂及污水管 网提升项目,全面做好纬六路以北、中沟以北地块水电气路网 "
          "等基础设施配套。", "张云峰", "规划建设局", "全年"),
]


@doc
def huoshan():
    name = "2025年开发区重点工作及责任清单"
    body = [list(r) for r in HUOSHAN_ROWS]
    before = f"<h1>{name}</h1>\n<p>{name}</p>\n"
    return dict(
        slug="huoshan-kfq-2025-zhongdian-zerenqingdan", file="qingdan.html", fmt="html",
        html=_span_html(["序号", "重点工作", "责任领导", "责任单位", "完成时限"], body, title=name, before=before),
        title=name, year=2025,
        rows=[R(no, text, leaders=[lead], sections=units.split("、"), dates=["2025-12-31"])
              for no, text, lead, units, _ in HUOSHAN_ROWS],
        notes=("A county development zone's list: 序号 | 重点工作 | 责任领导 | 责任单位 | 完成时限. The 完成时限 cell says "
               "'全年' (within the year): the year end of 2025. The task texts carry spaces where the published table "
               "wrapped its lines ('工作机 制'); they are kept as the copy gives them. '力争 全年盘活…10家' is a yearly "
               "amount, not a second deadline."),
        source=dict(
            title=name,
            issuer="霍山县 开发区 (site ahhuoshan.gov.cn; 招商工作部, 安商工作部, 改革办, 规划建设局 of the zone)",
            url="https://www.ahhuoshan.gov.cn/public/6598161/37968314.html",
            date="2025 (from the title)",
            published_as="web page with an html table",
            rebuilt_as="html: title heading and the table",
            layout="序号 | 重点工作 | 责任领导 | 责任单位 (several, 、-separated) | 完成时限 ('全年')",
            subset="rows 1-3; the stored copy stops after row 3",
        ),
    )


# ---------------------------------------------------------------- 高新区 2022 Q2 公开承诺事项进展 (html, dates in text)

GX_ROW = ["7",
          "完善园区骨架路网,开工建设凤凰路、三亚路,继续推进大连路西延工程,提高城市道路的通行能力。加快污水处理厂二期工程建设,"
          "优化基础设施配套,提高城市综合承载能力。",
          "三亚路和凤凰路一期工程11月底前具备通车条件;大连路西延工程12月底前取得阶段性成效并长期坚持;污水处理厂二期工程12月底前"
          "建设完成。",
          "王广部 王鹏伟", "国土住建局",
          "1、凤凰路一期已建成通车。 2、三亚路雨污水管道排水已建设完成60%,水稳铺设330米。 3、大连路西延路基土石方施工开挖24万方,"
          "回填9万方,隧道左洞开挖237米,右洞开挖171米,西谷山水库桥桩基、立柱均已浇筑完成,盖梁完成14个,人和路立交桥完成桩基6根。"
          " 4、污水处理厂二期工程已完成5个单体主体施工,其它单体基础施工完毕,正在进行主体结构施工。"]


@doc
def gaoxin():
    name = "高新区2022年第二季度重点任务公开承诺事项进展情况"
    before = f"<h1>{name}</h1>\n<p>时间:2022-07-12</p>\n"
    return dict(
        slug="gaoxinqu-2022-q2-chengnuo-jinzhan", file="jinzhan.html", fmt="html",
        html=_span_html(["序号", "重点任务", "完成时间", "责任人", "责任部门", "进展情况"], [GX_ROW], title=name,
                        before=before),
        title=name, year=2022,
        rows=[R("7", GX_ROW[1], leaders=["王广部", "王鹏伟"], sections=["国土住建局"],
                dates=["2022-11-30", "2022-12-31"])],
        notes=("A high-tech zone's quarterly progress on its public pledges: 序号 (7, the pledge's number) | 重点任务 | "
               "完成时间 | 责任人 (two three-character names separated by a space) | 责任部门 | 进展情况. The 完成时间 "
               "cell is sentences with a date each: 11月底前 (one road open), 12月底前 (twice) and '长期坚持' (ongoing, "
               "no date). 进展情况 is a report: '60%', '24万方' are no deadlines."),
        source=dict(
            title=name,
            issuer="a 高新区 (high-tech zone) administration (the copy does not name the city)",
            url="https://cla29.com/zz2sz202208/t20220826_1494203.html (a mirror of the zone's page)",
            date="2022-07-12",
            published_as="web page with an html table",
            rebuilt_as="html: title heading, date line and the table",
            layout="序号 | 重点任务 | 完成时间 (several dated clauses) | 责任人 (two leaders) | 责任部门 | 进展情况",
            subset="row 7, the only row the stored copy shows",
        ),
    )


# ---------------------------------------------------------------- 高新区 2022 Q2, the page's text as pasted (txt)


@doc
def gaoxin_paste():
    d = gaoxin()
    text = "\n".join([d["title"], "来自:", "时间:2022-07-12", "序号", "重点任务", "完成时间", "责任人", "责任部门",
                      "进展情况", *GX_ROW]) + "\n"
    return _as_pasted(
        d, "gaoxinqu-2022-q2-chengnuo-paste", text,
        ("The same row as gaoxinqu-2022-q2-chengnuo-jinzhan, as the page's text: one cell per line. The last "
                  "header, 进展情况, is a column Duban does not read (a progress report): it must still end the header "
                  "and be listed as unread, not stop the table."),
        published_as="web page; this is its text, one cell per line",
        rebuilt_as="txt: title, date and the table's cells one per line",
        layout="pasted web table whose last column (进展情况) Duban does not read")


# ---------------------------------------------------------------- build


def build(d: dict) -> None:
    folder = HERE / d["slug"]
    folder.mkdir(exist_ok=True)
    target = folder / d["file"]
    fmt = d["fmt"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if fmt == "xlsx":
            _xlsx(target, d["grid"], d.get("merges", ()), d.get("widths"))
        elif fmt == "xlsx-sheets":
            _xlsx_book(target, d["sheets"])
        elif fmt in ("xls", "pdf-xlsx"):
            src = tmp / (target.stem + ".xlsx")
            _xlsx(src, d["grid"], d.get("merges", ()), d.get("widths"))
            out = _soffice(src, "xls" if fmt == "xls" else "pdf", tmp)
            shutil.copy(out, target)
        elif fmt == "docx":
            d["builder"](target)
        elif fmt == "pdf-docx":
            src = tmp / (target.stem + ".docx")
            d["builder"](src)
            shutil.copy(_soffice(src, "pdf", tmp), target)
        elif fmt in ("csv-utf8", "csv-gbk"):
            enc = "utf-8-sig" if fmt == "csv-utf8" else "gbk"
            with open(target, "w", encoding=enc, newline="") as fh:
                csv.writer(fh, lineterminator="\r\n").writerows(d["grid"])
        elif fmt == "html":
            target.write_text(d["html"], encoding="utf-8")
        elif fmt == "txt":
            target.write_text(d["text"], encoding="utf-8")
        else:
            raise SystemExit(f"unknown format {fmt}")
    _write_expected(folder, d)
    _write_source(folder, d)


README_HEAD = """# Real published task tables (corpus)

Each folder holds one real document published by a Chinese government body, rebuilt cell by cell from the
stored public copy named in its SOURCE.md, with `expected.json`: what a careful official reads in it (schema
below). Build the reader for the family of such documents, not for these files. `build_corpus.py` regenerates
every file from the data typed into it (needs LibreOffice for xls and pdf); tests use the committed files.

The search tool's stored copies show only the opening part of each page, so several documents keep fewer
than 8 rows: the rows kept are always the contiguous run the copy shows, and SOURCE.md says where it stops.
Punctuation is kept as the stored copies give it (mostly ASCII ',' '(' ')' ':' ';' where the originals have
full-width forms), as in `shared/fixtures`.

expected.json: `file`, `title` (null when the copy shows none), `year` (the year bare dates belong to; null
when the document does not say), `rows` (each: `no`, `category`, `title`, `content`, `leaders`, `sections`,
`units`, `dates` as YYYY-MM-DD, non-recurring deadlines only), `notes` (ambiguities and how they were read).

| slug | issuer | format | layout family | rows |
|---|---|---|---|---|
"""


def write_readme() -> None:
    lines = [README_HEAD.rstrip("\n")]
    for d in DOCS:
        fmt = {"xlsx-sheets": "xlsx (several sheets)", "csv-utf8": "csv (UTF-8 BOM)", "csv-gbk": "csv (GBK)", "pdf-docx": "pdf (from docx)",
               "pdf-xlsx": "pdf (from xlsx)"}.get(d["fmt"], d["fmt"])
        s = d["source"]
        lines.append(f"| `{d['slug']}` | {s['issuer']} | {fmt} | {s['layout'].replace(chr(124), chr(92) + chr(124))} | {len(d['rows'])} |")
    (HERE / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str]) -> None:
    wanted = set(argv)
    for d in DOCS:
        if wanted and d["slug"] not in wanted:
            continue
        build(d)
        print(d["slug"], d["file"], len(d["rows"]))
    write_readme()


if __name__ == "__main__":
    main(sys.argv[1:])
