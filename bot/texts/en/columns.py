"""Column roles, sheets, where the year came from and unread columns in the import preview (English)."""

MESSAGES = {
    "role.no": "no",
    "role.category": "category",
    "role.title": "title",
    "role.content": "task",
    "role.leaders": "leaders",
    "role.sections": "lead",
    "role.units": "related",
    "role.deadline": "deadline",
    "role.remarks": "remarks",
    "role.skip": "skip",
    "import.bad_columns": "column mapping \"{item}\" is not understood; write e.g. B=category,C=task,D=lead; "
    "roles: {roles}.",
    "import.unmapped_column": "column {column} \"{header}\" is not read ({count} rows have text); to read it, "
    "map it, e.g. {column}=task.",
    "import.heading_rows": "{count} rows are group headings (e.g. \"{first}\"), used as the category of the tasks "
    "below them.",
    "import.numbers_from_text": "from row {line}: no number column; the numbers of {count} tasks are taken from the "
    "start of their text (1., (一) …).",
    "importing.columns_hint": "If a column was read wrong, map it yourself: {how}",
    "importing.columns_hint_cli": "duban import FILE --columns \"{example}\"",
    "importing.columns_hint_chat": "/columns {example}",
    "importing.sheet": "Sheet: {sheet} (also: {others}, not read)",
    "importing.year_source": "Year {year} from the {source}: {evidence}",
    "importing.year_missing": "⚠ No year found in the file (no title, document number or signed date with one); "
    "taken as {year} for now, please confirm the year.",
    "year_source.title": "title",
    "year_source.doc_number": "document number",
    "year_source.issued": "signed date",
    "year_source.heading": "text above the table",
    "year_source.filename": "file name",
    "year_source.override": "year given",
}
