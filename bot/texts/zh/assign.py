"""指派（/assign、duban assign）、责任分解表模板和「尚未指派」提醒的中文文本。占位符中的用户文本已由调用方转义。"""

MESSAGES = {
    "assign.usage": (
        "用法：/assign 序号 牵头领导 牵头股室 [配合 相关责任单位]\n"
        "例如：/assign 4 李康民 医政医管股 配合 市人民医院\n"
        "多人、多个股室用空格或顿号分隔；以股、科、室、站、处、中心、办、局、院、所、队结尾的视为股室。"
        "只写领导或只写股室时，其余不变。人员、股室须已登记；确需新增时在末尾加 +新。"
    ),
    "assign.admin_only": "只有管理员可以指派任务。",
    "assign.nothing": "没有给出要指派的牵头领导、牵头股室或相关责任单位。",
    "assign.task_removed": "任务 #{no} 已从表中删除，不能指派。",
    "assign.unknown_person": "没有找到人员「{name}」。如确是新人员，请在命令末尾加 +新（命令行用 --create），或先 /person add {name}。",
    "assign.unknown_person_hint": "没有找到人员「{name}」，是不是「{hint}」？如确是新人员，请在命令末尾加 +新（命令行用 --create）。",
    "assign.unknown_section": "没有找到股室「{name}」。如确是新股室，请在命令末尾加 +新（命令行用 --create）。",
    "assign.unknown_section_hint": "没有找到股室「{name}」，是不是「{hint}」？如确是新股室，请在命令末尾加 +新（命令行用 --create）。",
    "assign.bad_name": "名称「{name}」太长。",
    "assign.done": "已指派 #{no}：牵头领导 {leaders}；牵头股室 {sections}；相关责任单位 {units}",
    "assign.unchanged": "#{no} 的指派没有变化：牵头领导 {leaders}；牵头股室 {sections}；相关责任单位 {units}",
    "assign.created": "已新增：{names}",
    "assign.remaining": "还有 {n} 项任务尚未指派：{numbers}",
    "assign.all_assigned": "全部任务均已指派。",
    "assign.none": "—",
    "assign.more": "等",
    "assign.table_unknown": "没有找到表格「{table}」。",
    "conv.event_assign": "指派",
    # ---- 模板 ----
    "assign.template_caption": "责任分解表模板：请在标色的空白单元格填写牵头领导、牵头股室，保存后用 /import 发回，按同一张表更新（状态、进度和记录保留）。",
    "assign.template_name": "责任分解表模板-{date}.xlsx",
    "assign.template_note": "填写说明：标色单元格尚未指派，请填写牵头领导、牵头股室（多个用顿号分隔）；请勿改动标题、序号和工作内容，改好后导入即按同一张表更新。",
    "assign.template_empty": "尚未导入任务表，没有可导出的模板。",
    "assign.template_issuer": "发文单位：{issuer}",
    "assign.template_issued": "发文日期：{issued}",
    # ---- 每日提醒（管理员） ----
    "notices.unassigned": "⚠️ {n} 项任务尚未指派：{numbers}。发送 /assign 序号 领导 股室，或 /export 模板 填好后导入。",
}
