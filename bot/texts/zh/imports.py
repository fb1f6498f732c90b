"""读取责任分解表时的错误与提示（中文）。"""

MESSAGES = {
    # where a problem is
    "import.located": "{where}：{message}",
    "import.where_sep": "，",
    "import.where_file": "文件“{file}”",
    "import.where_row": "第 {line} 行",
    "import.where_line": "第 {line} 行",
    "import.where_column": "{column} 列",
    "import.where_column_header": "{column} 列（{header}）",
    # problems: the upload is refused
    "import.empty_file": "文件是空的。",
    "import.too_large": "文件太大（{size}），上限为 {limit}。",
    "import.corrupt_zip": "文件已损坏或不是有效的 Excel/Word 文件，请重新保存后再上传。",
    "import.zip_bomb": "文件解压后的体积异常（{reason}），为安全起见拒绝读取；请把表格复制到新文件后再上传。",
    "import.encrypted": "文件有密码保护，请取消密码后再上传。",
    "import.too_many_rows": "表格行数过多（{rows} 行），上限为 {limit} 行。",
    "import.too_many_cells": "表格单元格过多（{cells} 个），上限为 {limit} 个；请检查是否有大片空白格式区域。",
    "import.unreadable": "无法读取文件内容（{detail}）。",
    "import.not_text": "无法识别文件的文字编码，请另存为 UTF-8 或 Excel（xlsx）格式。",
    "import.legacy_office": "这是旧版 Office 文件（.xls/.doc），请另存为 .xlsx 或 .docx 后再上传。",
    "import.pdf": "这是 PDF 文件，无法读取表格；请上传 Excel、Word、CSV 或网页文本。",
    "import.image": "这是图片文件，无法读取表格；请上传 Excel、Word、CSV 或网页文本。",
    "import.opendocument": "这是 WPS/OpenDocument（ods/odt）文件，请另存为 .xlsx 或 .docx 后再上传。",
    "import.unsupported_format": "不支持的文件格式；请上传 xlsx、docx、csv、html 或 txt 文件。",
    "import.no_table": "文件中没有找到表格（也没有编号的工作要点）；应有表头，例如：{expected}。",
    "import.text_no_table": "文本中没有找到表头，也没有编号的工作要点；表头应类似：{expected}。",
    "import.headers_unmatched": "无法识别表头。找到的表头：{found}；应包含例如：{expected}（至少要有任务内容一列）。",
    "import.no_rows": "表头下面没有任务。",
    "import.duplicate_no": "序号 {no} 重复（第 {first_line} 行已用过），请修改其中一行。",
    "import.missing_content": "这一行没有任务内容（序号 {no}），请补上内容或删除该行。",
    # warnings: the import goes on
    "import.no_number_column": "第 {line} 行：表格没有“序号”列，已按顺序编号 1–{count}。",
    "import.number_assigned": "第 {line} 行：序号为空，已编为 {no}。",
    "import.missing_leader": "第 {line} 行（#{no}）：没有牵头领导。",
    "import.missing_section": "第 {line} 行（#{no}）：没有牵头股室。",
    "import.points_renumbered": "第 {line} 行：要点编号有重复（各部分重新从 1 编号），已按顺序编为 1–{count}。",
}
