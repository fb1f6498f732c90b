"""Group robot registration (/group, duban groups), CLI invites (duban invite) and the preferred channel (/prefer)."""

MESSAGES = {
    "robots.usage": (
        "Usage:\n/group add wecom Section1,Section2 ROBOT_KEY_or_webhook_URL\n"
        "/group add dingtalk Section1,Section2 ACCESS_TOKEN_or_webhook_URL SEC_secret\n"
        "/group list\n/group remove ID\nWrite \"all\" for every section."
    ),
    "robots.bad_channel": "Unknown channel \"{channel}\": group robots are wecom or dingtalk.",
    "robots.bad_target_wecom": "A WeCom group robot needs its webhook URL (…/webhook/send?key=…) or the key in it.",
    "robots.bad_target_dingtalk": "A DingTalk group robot needs its webhook URL (…/robot/send?access_token=…) or the access_token in it.",
    "robots.secret_wecom": "WeCom group robots take no signing secret.",
    "robots.bad_secret": "A DingTalk signing secret starts with SEC.",
    "robots.no_sections": "Name the sections the robot covers (comma-separated), or \"all\".",
    "robots.unknown_section": "No section \"{name}\". Known sections: {known}",
    "robots.unknown_section_hint": "No section \"{name}\". Did you mean \"{hint}\"?",
    "robots.exists": "This robot is already registered as {id}. To change its sections, /group remove {id} and add it again.",
    "robots.added": "Group robot {id} registered ({channel} {masked}), sections: {sections}.",
    "robots.removed": "Group robot {id} removed ({channel} {masked}).",
    "robots.not_found": "No group robot {id}.",
    "robots.none": "No group robots yet. Register one with /group add wecom SECTION ROBOT_KEY.",
    "robots.line": "{id}  {channel}  {masked}  {sections}{signed}{title}",
    "robots.all_sections": "all sections",
    "robots.signed": "  signed",
    "robots.private_only": "To keep the robot's key secret, register group robots in a private chat with me.",
    "robots.bad_id": "A group robot id is a number, e.g. /group remove 3.",
    "invite.cli_made": "Invite code for {name}: {code}\nValid until {expires}, single use. They send \"绑定 {code}\" or /start {code} in a private chat.",
    "invite.cli_link": "Telegram link: {link}",
    "invite.cli_unknown_person": "No person \"{name}\". Import a table first, or add them in chat with /person add {name} SECTION.",
    "prefer.usage": "Usage: /prefer wecom|telegram|dingtalk (notices go to that channel only). Now: {current}",
    "prefer.auto": "not set (the most recently bound account)",
    "prefer.not_bound": "You have no account bound on {channel}, so it cannot be preferred. Bound: {channels}",
    "prefer.set": "Done: notices go to {channel} only.",
}
