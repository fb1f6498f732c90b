"""Scheduled notices (deadline reminders, overdue notices, escalations, group digests, weekly reports,
progress prompts, unreachable accounts) in English.

Table and user text in the placeholders has been escaped with html.escape by the caller.
"""

MESSAGES = {
    "notices.date": "{d:%b} {d.day}",
    "notices.estimated": " (estimated calendar)",
    "notices.name_sep": ", ",
    "notices.continued": "(continued {part}/{parts})",
    "notices.title_cut": "…",
    # ---- a person's daily message (one per person per run, listing all their items) ----
    "notices.daily_header": "<b>Duban reminder</b> · {date}",
    "notices.group_overdue": "<b>Overdue ({n})</b>",
    "notices.group_reminder": "<b>Due soon ({n})</b>",
    "notices.group_snoozed": "<b>Reminding you as asked ({n})</b>",
    "notices.group_escalation_head": "<b>Escalated to you as section head ({n})</b>",
    "notices.group_escalation_leader": "<b>Escalated to you as lead leader ({n})</b>",
    "notices.group_progress": "<b>Monthly progress report ({n})</b>",
    "notices.item": "{mark} <b>{no}</b> {title}\n    {when}",
    "notices.when_left": "due {due}, {days} working days left{est}",
    "notices.when_today": "due today ({due}){est}",
    "notices.when_overdue": "due {due}, {days} working days overdue{est}",
    "notices.when_none": "no deadline",
    "notices.when_progress": "ongoing: please reply with this month's progress (last report: {last})",
    "notices.never": "none yet",
    "notices.escalation_sections": "    Lead sections: {sections}",
    "notices.escalation_acks": "    Acknowledged: {acks}",
    "notices.ack_yes": "✅{name} acknowledged",
    "notices.ack_snoozed": "⏸{name} will act tomorrow",
    "notices.ack_no": "❌{name} has not acknowledged",
    "notices.ack_nobody": "no members on record",
    "notices.daily_footer": "Use the buttons to acknowledge, snooze until tomorrow or mark done; reply \"progress NO 50% note\" to report progress.",
    "notices.btn_ack": "Ack {no}",
    "notices.btn_snooze": "Tomorrow",
    "notices.btn_done": "Done",
    # ---- group digest ----
    "notices.digest_header": "<b>Today's follow-up</b> · {date} · {scope}",
    "notices.digest_scope_all": "all sections",
    "notices.digest_line": "<b>{no}</b> {title} · {sections} · {when}",
    "notices.colour_red": "🔴 <b>Overdue ({n})</b>",
    "notices.colour_yellow": "🟡 <b>Behind schedule ({n})</b>",
    "notices.colour_blue": "🔵 <b>Due within 5 working days ({n})</b>",
    "notices.colour_green": "🟢 <b>On track ({n})</b>",
    "notices.colour_done": "✅ <b>Done ({n})</b>",
    "notices.report_line": "<b>{no}</b> {title} · {when}",
    # ---- weekly report ----
    "notices.weekly_leader_header": "<b>Weekly report</b> · {week} · {name}\nThe {n} tasks you lead:",
    "notices.weekly_admin_header": "<b>Weekly report (whole table)</b> · {week}\n{n} open: 🔴 {red}  🟡 {yellow}  🔵 {blue}  🟢 {green}",
    "notices.week": "week {week} of {year}",
    "notices.ranking_header": "<b>Sections by on-time rate</b> (done and overdue tasks)",
    "notices.ranking_line": "{rank}. {section} {rate} ({on_time}/{assessed})",
    "notices.ranking_none": "{rank}. {section} — (nothing due yet)",
    # ---- unreachable ----
    "notices.unreachable_admin": "⚠️ Cannot send reminders to {name} ({account}): they blocked the bot or never opened a chat with it. The account is marked unreachable.",
    "notices.unreachable_group_admin": "⚠️ Cannot send the digest to the group \"{name}\" ({account}): the bot may have been removed.",
    "notices.unreachable_prompt": "{name}, please open a private chat with the bot (send /start) to receive reminders.",
    "notices.unreachable_prompt_link": "{name}, please <a href=\"{link}\">open a private chat with the bot</a> (send /start) to receive reminders.",
    "notices.unknown_person": "(no person bound)",
    # ---- button answer (snooze) ----
    "notices.snoozed_until": "OK, I will remind you again on {date}.",
}
