"""Working-day calendar texts (English)."""

MESSAGES: dict[str, str] = {
    "calendar.file_bad_date": "{file} line {line}: unrecognised date '{value}' (expected e.g. 2027-01-01)",
    "calendar.file_missing_kind": "{file} line {line}: date {date} has no kind (休/holiday or 班/workday)",
    "calendar.file_bad_kind": (
        "{file} line {line}: unrecognised kind '{value}' "
        "(day off: 休/假/holiday/off/0; working day: 班/上班/workday/work/1)"
    ),
    "calendar.file_conflict": "{file} line {line}: date {date} contradicts line {first_line}",
    "calendar.file_encoding": "{file}: unknown text encoding; save it as UTF-8 or GBK and try again",
    "calendar.file_empty": "{file}: no dates found in the file",
    "calendar.current_year_missing": (
        "There is no official State Council holiday schedule for this year ({year}); working days are estimated "
        "and reminders are marked as estimates. Upgrade chinesecalendar or load the schedule with "
        "duban calendar load."
    ),
    "calendar.next_year_missing": (
        "There is no official State Council holiday schedule for next year ({year}) yet; working days in {year} "
        "are estimated and marked as such. Once the notice is out, upgrade chinesecalendar or load the schedule "
        "with duban calendar load."
    ),
    "calendar.source.override": "set by admin",
    "calendar.source.official": "State Council schedule",
    "calendar.source.estimate": "estimate",
    "calendar.source.weekend": "estimate (weekends only)",
    "calendar.estimated_mark": " (estimate)",
    "calendar.day_working": "working day",
    "calendar.day_off": "day off",
}
