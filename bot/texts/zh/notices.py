"""定时通知（到期提醒、逾期通知、督办升级、群日报、周报、进度填报、无法送达）的中文文本。

占位符中的表格和用户文本已由调用方用 html.escape 转义。
"""

MESSAGES = {
    "notices.date": "{d.month}月{d.day}日",
    "notices.estimated": "（按估算日历）",
    "notices.name_sep": "、",
    "notices.continued": "（续 {part}/{parts}）",
    "notices.title_cut": "…",
    # ---- 个人每日提醒（每人每次一条，列出其全部到期事项） ----
    "notices.daily_header": "<b>督办提醒</b> · {date}",
    "notices.group_overdue": "<b>已逾期（{n} 项）</b>",
    "notices.group_reminder": "<b>即将到期（{n} 项）</b>",
    "notices.group_snoozed": "<b>按约再次提醒（{n} 项）</b>",
    "notices.group_escalation_head": "<b>督办升级：请股室负责人督促（{n} 项）</b>",
    "notices.group_escalation_leader": "<b>督办升级：提请牵头领导督办（{n} 项）</b>",
    "notices.group_progress": "<b>本月进度填报（{n} 项）</b>",
    "notices.item": "{mark} <b>{no}</b> {title}\n　　{when}",
    "notices.when_left": "截止 {due}，还有 {days} 个工作日{est}",
    "notices.when_today": "今天（{due}）截止{est}",
    "notices.when_overdue": "截止 {due}，已逾期 {days} 个工作日{est}",
    "notices.when_none": "无截止日期",
    "notices.when_progress": "长期推进，请回复本月工作进展（上次填报：{last}）",
    "notices.never": "尚未填报",
    "notices.escalation_sections": "　　牵头股室：{sections}",
    "notices.escalation_acks": "　　签收情况：{acks}",
    "notices.ack_yes": "✅{name}已签收",
    "notices.ack_snoozed": "⏸{name}已约明天处理",
    "notices.ack_no": "❌{name}未签收",
    "notices.ack_nobody": "股室未登记人员",
    "notices.daily_footer": "可点按钮签收、明天再提醒或办结；回复「进度 序号 50% 说明」填报进度。",
    "notices.btn_ack": "签收 {no}",
    "notices.btn_snooze": "明天再提醒",
    "notices.btn_done": "已办结",
    # ---- 群日报 ----
    "notices.digest_header": "<b>今日督办</b> · {date} · {scope}",
    "notices.digest_scope_all": "全部股室",
    "notices.digest_line": "<b>{no}</b> {title} · {sections} · {when}",
    "notices.colour_red": "🔴 <b>已逾期（{n} 项）</b>",
    "notices.colour_yellow": "🟡 <b>落后于序时进度（{n} 项）</b>",
    "notices.colour_blue": "🔵 <b>5 个工作日内到期（{n} 项）</b>",
    "notices.colour_green": "🟢 <b>正常推进（{n} 项）</b>",
    "notices.colour_done": "✅ <b>已办结（{n} 项）</b>",
    "notices.report_line": "<b>{no}</b> {title} · {when}",
    # ---- 周报 ----
    "notices.weekly_leader_header": "<b>督办周报</b> · {week} · {name}\n您牵头的 {n} 项任务：",
    "notices.weekly_admin_header": "<b>督办周报（全表）</b> · {week}\n共 {n} 项未办结：🔴 {red}　🟡 {yellow}　🔵 {blue}　🟢 {green}",
    "notices.week": "{year} 年第 {week} 周",
    "notices.ranking_header": "<b>各股室按时完成率</b>（已办结及已逾期任务）",
    "notices.ranking_line": "{rank}. {section} {rate}（{on_time}/{assessed}）",
    "notices.ranking_none": "{rank}. {section} —（暂无到期任务）",
    # ---- 无法送达 ----
    "notices.unreachable_admin": "⚠️ 无法给 {name}（{account}）发送督办提醒：对方屏蔽了机器人，或从未私聊过机器人。该账号已标记为无法送达。",
    "notices.unreachable_group_admin": "⚠️ 无法向群「{name}」（{account}）发送督办日报：机器人可能已被移出该群。",
    "notices.unreachable_prompt": "{name}，请先私聊机器人（发送 /start），才能收到督办提醒。",
    "notices.unreachable_prompt_link": "{name}，请先<a href=\"{link}\">私聊机器人</a>（点开后发送 /start），才能收到督办提醒。",
    "notices.unknown_person": "（未绑定人员）",
    # ---- 按钮回应（明天再提醒） ----
    "notices.snoozed_until": "好的，{date} 再提醒你。",
    "notices.item_period": "{mark} <b>{no}</b> {title}（{period}）\n　　{when}",
    "notices.escalation_period_acks": "　　{period}签收情况：{acks}",
}
