"""钉钉通道的文字（机器人单聊与群聊）：按钮改为"回复…"的提示、分页编号、不支持的消息。"""

MESSAGES: dict[str, str] = {
    "dingtalk.choices": "可回复：",
    "dingtalk.choice_command": "▸ {label}：回复 {command}",
    "dingtalk.choice_number": "▸ {label}：回复 {n}",
    "dingtalk.cmd_task": "#{ref}",
    "dingtalk.cmd_ack": "签收 {ref}",
    "dingtalk.cmd_done": "办结 {ref}",
    "dingtalk.cmd_progress": "进度 {ref}",
    "dingtalk.cmd_extend": "延期 {ref}",
    "dingtalk.cmd_snooze": "明天再提醒 {ref}",
    "dingtalk.prev_page": "上一页",
    "dingtalk.next_page": "下一页",
    "dingtalk.file_not_imported": "收到文件 {name}。只有管理员发来的任务表会被导入。",
    "dingtalk.unsupported": "暂不支持这类消息。请发送文字，例如：我的任务、#11、帮助。",
    "dingtalk.no_choice": "没有第 {n} 项，或已过期。请重新查询。",
}
