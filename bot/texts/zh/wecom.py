"""企业微信通道的用户可见文字：按钮改为"回复…"的提示、收到文件、分页编号。"""

MESSAGES: dict[str, str] = {
    "wecom.choices": "可回复：",
    "wecom.choice_command": "▸ {label}：回复 {command}",
    "wecom.choice_number": "▸ {label}：回复 {n}",
    "wecom.cmd_task": "#{ref}",
    "wecom.cmd_ack": "签收 {ref}",
    "wecom.cmd_done": "办结 {ref}",
    "wecom.cmd_progress": "进度 {ref} 50% 进展情况",
    "wecom.cmd_extend": "延期 {ref} 新日期 理由",
    "wecom.cmd_snooze": "明天再提醒 {ref}",
    "wecom.cmd_reopen": "/reopen {ref}",
    "wecom.cmd_approve": "/approve {id}",
    "wecom.cmd_reject": "/reject {id}",
    "wecom.cmd_import_confirm": "/import_confirm {token}",
    "wecom.cmd_import_cancel": "/import_cancel {token}",
    "wecom.file_received": "收到文件 {name}。管理员如要导入任务表，请在 {minutes} 分钟内发送 /import [年度]。",
    "wecom.prev_page": "上一页",
    "wecom.next_page": "下一页",
    "wecom.no_choice": "没有编号为 {n} 的选项，或选项已过期。请重新查询。",
    "wecom.file_expired": "没有可导入的文件：请先发送任务表文件，再在 {minutes} 分钟内发送 /import。",
    "wecom.unsupported": "暂不支持这种消息。请发送文字，例如：我的任务、#11、帮助。",
}
