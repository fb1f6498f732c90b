"""Texts of the DingTalk channel (robot single and group chats): buttons as "reply …" lines, page numbers."""

MESSAGES: dict[str, str] = {
    "dingtalk.choices": "You can reply:",
    "dingtalk.choice_command": "▸ {label}: reply {command}",
    "dingtalk.choice_number": "▸ {label}: reply {n}",
    "dingtalk.cmd_task": "#{ref}",
    "dingtalk.cmd_ack": "ack {ref}",
    "dingtalk.cmd_done": "done {ref}",
    "dingtalk.cmd_progress": "progress {ref}",
    "dingtalk.cmd_extend": "extend {ref}",
    "dingtalk.cmd_snooze": "snooze {ref}",
    "dingtalk.prev_page": "previous page",
    "dingtalk.next_page": "next page",
    "dingtalk.file_not_imported": "Received {name}. Only tables sent by an admin are imported.",
    "dingtalk.unsupported": "This kind of message is not supported. Send text, e.g. my tasks, #11, help.",
    "dingtalk.no_choice": "There is no choice {n}, or it has expired. Please ask again.",
}
