"""English texts of assigning (/assign, duban assign), the table template and the daily "not yet assigned" line."""

MESSAGES = {
    "assign.usage": (
        "Usage: /assign N leader section [with related units]\n"
        "e.g. /assign 4 李康民 医政医管股 with 市人民医院\n"
        "Separate several names with spaces or 、; a word ending in 股, 科, 室, 站, 处, 中心, 办, 局, 院, 所 or 队 is a "
        "section. Give only a leader or only a section to keep the rest. Names must be known; add +new at the end "
        "to create new ones."
    ),
    "assign.admin_only": "Only admins can assign tasks.",
    "assign.nothing": "No leader, section or related unit given to assign.",
    "assign.task_removed": "Task #{no} was removed from the table and cannot be assigned.",
    "assign.unknown_person": "No person named \"{name}\". If this is a new person, add +new at the end (--create on the command line), or /person add {name} first.",
    "assign.unknown_person_hint": "No person named \"{name}\". Did you mean \"{hint}\"? If this is a new person, add +new at the end (--create on the command line).",
    "assign.unknown_section": "No section named \"{name}\". If this is a new section, add +new at the end (--create on the command line).",
    "assign.unknown_section_hint": "No section named \"{name}\". Did you mean \"{hint}\"? If this is a new section, add +new at the end (--create on the command line).",
    "assign.bad_name": "The name \"{name}\" is too long.",
    "assign.done": "Assigned #{no}: leaders {leaders}; sections {sections}; related units {units}",
    "assign.unchanged": "#{no} unchanged: leaders {leaders}; sections {sections}; related units {units}",
    "assign.created": "Created: {names}",
    "assign.remaining": "{n} tasks not yet assigned: {numbers}",
    "assign.all_assigned": "Every task is assigned.",
    "assign.none": "—",
    "assign.more": " and more",
    "assign.table_unknown": "No table \"{table}\".",
    "conv.event_assign": "assigned",
    # ---- template ----
    "assign.template_caption": "The responsibility table template: fill in the coloured empty leader and section cells, save, and send it back with /import; it updates the same table (status, progress and history kept).",
    "assign.template_name": "responsibility-table-template-{date}.xlsx",
    "assign.template_note": "How to fill in: coloured cells are not yet assigned; write the lead leaders and sections (several separated by 、). Keep the title, numbers and content as they are; importing the file then updates the same table.",
    "assign.template_empty": "No table has been imported yet, so there is no template.",
    "assign.template_issuer": "发文单位：{issuer}",
    "assign.template_issued": "发文日期：{issued}",
    # ---- daily line (admins) ----
    "notices.unassigned": "⚠️ {n} tasks not yet assigned: {numbers}. Send /assign N leader section, or fill in /export template and import it.",
}
