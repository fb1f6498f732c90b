"""User-facing texts of the WeCom channel: buttons as "reply …" hints, received files, numbered pages."""

MESSAGES: dict[str, str] = {
    "wecom.choices": "You can reply:",
    "wecom.choice_command": "▸ {label}: reply {command}",
    "wecom.choice_number": "▸ {label}: reply {n}",
    "wecom.cmd_task": "#{ref}",
    "wecom.cmd_ack": "ack {ref}",
    "wecom.cmd_done": "done {ref}",
    "wecom.cmd_progress": "progress {ref}",
    "wecom.cmd_extend": "extend {ref}",
    "wecom.cmd_snooze": "snooze {ref}",
    "wecom.cmd_reopen": "/reopen {ref}",
    "wecom.cmd_approve": "/approve {id}",
    "wecom.cmd_reject": "/reject {id}",
    "wecom.cmd_import_confirm": "/import_confirm {token}",
    "wecom.cmd_import_cancel": "/import_cancel {token}",
    "wecom.cmd_import_year": "/import_year {token}",
    "wecom.file_received": (
        "Received {name}. To import it as a task table, an admin sends /import [year] within {minutes} minutes."
    ),
    "wecom.prev_page": "previous page",
    "wecom.next_page": "next page",
    "wecom.no_choice": "There is no choice {n}, or it has expired. Please ask again.",
    "wecom.file_expired": "No file to import: send the table file first, then /import within {minutes} minutes.",
    "wecom.card_title": "Quick actions",
    "wecom.card_done": "Done",
    "wecom.unsupported": "This kind of message is not supported. Send text, e.g. my tasks, #11, help.",
}
