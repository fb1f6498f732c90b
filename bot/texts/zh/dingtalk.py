"""钉钉通道的文字（机器人单聊与群聊）。"""

MESSAGES: dict[str, str] = {
    "dingtalk.unsupported": "暂不支持这类消息。请发送文字，例如：我的任务、#11、帮助。",
    "dingtalk.no_choice": "没有第 {n} 项，或已过期。请重新查询。",
    "dingtalk.no_files_out": "（文件 {name} 暂不能通过钉钉发送，请在 Telegram、企业微信或命令行导出。）",
}
