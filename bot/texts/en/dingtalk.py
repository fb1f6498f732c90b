"""Texts of the DingTalk channel (robot single and group chats)."""

MESSAGES: dict[str, str] = {
    "dingtalk.unsupported": "This kind of message is not supported. Send text, e.g. my tasks, #11, help.",
    "dingtalk.no_choice": "There is no choice {n}, or it has expired. Please ask again.",
    "dingtalk.no_files_out": "(The file {name} cannot be sent over DingTalk yet; export it on Telegram, WeCom or the CLI.)",
}
