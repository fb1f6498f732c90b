"""群机器人登记（/group、duban groups）、命令行邀请码（duban invite）和首选渠道（/prefer）的中文文本。"""

MESSAGES = {
    "robots.usage": (
        "用法：\n/group add wecom 股室1,股室2 机器人Key或Webhook地址\n"
        "/group add dingtalk 股室1,股室2 access_token或Webhook地址 SEC加签密钥\n"
        "/group list\n/group remove 编号\n股室写「全部」表示所有股室。"
    ),
    "robots.bad_channel": "不支持的渠道「{channel}」：群机器人可用 wecom 或 dingtalk。",
    "robots.bad_target_wecom": "企业微信群机器人须给出 Webhook 地址（…/webhook/send?key=…）或其中的 key。",
    "robots.bad_target_dingtalk": "钉钉群机器人须给出 Webhook 地址（…/robot/send?access_token=…）或其中的 access_token。",
    "robots.secret_wecom": "企业微信群机器人不需要加签密钥。",
    "robots.bad_secret": "钉钉加签密钥应以 SEC 开头。",
    "robots.no_sections": "请写出机器人负责的股室（多个用逗号分隔），或写「全部」。",
    "robots.unknown_section": "没有找到股室「{name}」。已有股室：{known}",
    "robots.unknown_section_hint": "没有找到股室「{name}」，是不是「{hint}」？",
    "robots.exists": "这个机器人已登记，编号 {id}。如要改股室，请先 /group remove {id} 再重新登记。",
    "robots.added": "已登记群机器人 {id}（{channel} {masked}），推送股室：{sections}。",
    "robots.removed": "已删除群机器人 {id}（{channel} {masked}）。",
    "robots.not_found": "没有编号为 {id} 的群机器人。",
    "robots.none": "还没有登记群机器人。用 /group add wecom 股室 机器人Key 登记。",
    "robots.line": "{id}  {channel}  {masked}  {sections}{signed}{title}",
    "robots.all_sections": "全部股室",
    "robots.signed": "  加签",
    "robots.private_only": "为保护机器人密钥，请在与我的私聊中登记群机器人。",
    "robots.bad_id": "群机器人编号应为数字，例如 /group remove 3。",
    "invite.cli_made": "已为 {name} 生成邀请码：{code}\n有效期至 {expires}，仅可使用一次。请本人在私聊中发送「绑定 {code}」或 /start {code}。",
    "invite.cli_link": "Telegram 链接：{link}",
    "invite.cli_unknown_person": "没有找到人员「{name}」。可先导入任务表，或在聊天中用 /person add {name} 股室 新增。",
    "prefer.usage": "用法：/prefer wecom|telegram|dingtalk（通知只发到首选渠道）。当前：{current}",
    "prefer.auto": "未设定（发到最近绑定的账号）",
    "prefer.not_bound": "你在 {channel} 上没有绑定的账号，无法设为首选。已绑定：{channels}",
    "prefer.set": "已设定：通知只发到 {channel}。",
}
