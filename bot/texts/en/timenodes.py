"""Time-node reading hints (English), shown per row in the import preview."""

MESSAGES: dict[str, str] = {
    "timenode.placeholder": "“{phrase}” is a template placeholder, not a date; no time node was set. Please fill in the date.",
    "timenode.vague": "“{phrase}” names no time; no time node was set. Add a deadline if there is one.",
    "timenode.undated_recurring": "“{phrase}” (regularly) does not say how often; please set a reminder period.",
    "timenode.month_before": "“{phrase}” was read as the end of the previous month (e.g. 10月前 → 30 September); please check.",
    "timenode.year_before": "“{phrase}” was read as the end of the previous year (e.g. 2025年前 → 31 December 2024); please check.",
    "timenode.past": "“{phrase}” lies before the document year; read as a past fact, not as a time node.",
    "timenode.duration": "“{phrase}” gives only a duration; the target year was counted from the document year; please check.",
    "timenode.occ_month": "month {month}",
    "timenode.occ_quarter": "Q{n}",
    "timenode.occ_half_1": "H1",
    "timenode.occ_half_2": "H2",
    "timenode.occ_year": "{year}",
    "timenode.occ_week": "week {n}",
}
