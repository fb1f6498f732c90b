"""Errors and notes from reading a responsibility table (English)."""

MESSAGES = {
    # where a problem is
    "import.located": "{where}: {message}",
    "import.where_sep": ", ",
    "import.where_file": "file “{file}”",
    "import.where_sheet": "sheet “{sheet}”",
    "import.where_row": "row {line}",
    "import.where_line": "line {line}",
    "import.where_column": "column {column}",
    "import.where_column_header": "column {column} ({header})",
    # problems: the upload is refused
    "import.empty_file": "the file is empty.",
    "import.too_large": "the file is too large ({size}); the limit is {limit}.",
    "import.corrupt_zip": "the file is damaged or not a valid Excel/Word file; save it again and re-upload.",
    "import.zip_bomb": "the file would unpack to an abnormal size ({reason}) and was refused for safety; "
                       "copy the table into a new file and re-upload.",
    "import.encrypted": "the file is password-protected; remove the password, save it again and re-upload.",
    "import.pdf_columns_split": "this PDF prints the table's columns on different pages ({tables} parts, each with some "
                                "of the columns), which cannot be put back together; upload the Excel/Word file, or "
                                "export the PDF with all columns fitted to one page.",
    "import.too_many_rows": "the table has too many rows ({rows}); the limit is {limit}.",
    "import.too_many_cells": "the table has too many cells ({cells}); the limit is {limit}. "
                             "Look for large formatted empty areas.",
    "import.unreadable": "the file cannot be read ({detail}).",
    "import.not_text": "the text encoding is not recognised; save the file as UTF-8 or as Excel (xlsx).",
    "import.legacy_office": "this is an old Office file that cannot be read; save it as .xlsx or .docx and re-upload.",
    "import.word_doc": "this is an old Word file (.doc); save it as .docx and re-upload, or paste the text.",
    "import.wps": "this is a WPS file (.wps/.et); save it as .docx or .xlsx in WPS and re-upload.",
    "import.corrupt_file": "the file is damaged and cannot be read; open it in Excel, Word or WPS, save it again and "
                           "re-upload.",
    "import.pdf_scan": "this PDF is a scan without text; upload the original Word/Excel file or paste the text.",
    "import.pdf_too_many_pages": "the PDF has too many pages ({pages}); the limit is {limit}.",
    "import.pdf_bomb": "the PDF would unpack to an abnormal size or complexity and was refused for safety; "
                       "upload the original Word/Excel file.",
    "import.image": "this is a picture; tables cannot be read from it. Upload Excel, Word, CSV or the page text.",
    "import.opendocument": "this is an OpenDocument (ods/odt) file; save it as .xlsx or .docx and re-upload.",
    "import.unsupported_format": "unsupported file format; upload an xlsx, xls, docx, pdf, csv, html or txt file.",
    "import.no_table": "no table (and no numbered work points) found; expected headers such as {expected}.",
    "import.text_no_table": "the text has no table header and no numbered work points; expected headers such as "
                            "{expected}.",
    "import.headers_unmatched": "the headers are not recognised. Found: {found}; expected e.g.: {expected} "
                                "(at least a task text column).",
    "import.no_rows": "there are no tasks under the header.",
    "import.duplicate_no": "number {no} is used twice (first on row {first_line}); change one of them.",
    "import.missing_content": "this row has no task text (number {no}); add the text or delete the row.",
    # warnings: the import goes on
    "import.no_number_column": "row {line}: the table has no number (序号) column; rows were numbered 1–{count}.",
    "import.number_assigned": "row {line}: empty number (序号), numbered {no}.",
    "import.number_shared": "row {line}: {count} rows share number {no}; they were numbered {no}-1 to {no}-{count}.",
    "import.cells_carried": "row {line} on: {count} row(s) lack a leader, section or deadline cell; the row above's "
                            "was carried down (read as merged cells). Please check them.",
    "import.missing_leader": "row {line} (#{no}): no lead leader.",
    "import.missing_section": "row {line} (#{no}): no lead section.",
    "import.numbers_restart": "row {line}: the numbers (序号) start again at 1 in each part; "
                              "they were numbered 1–{count} in order.",
    "import.points_renumbered": "line {line}: the point numbers repeat (each part starts at 1); "
                                "they were numbered 1–{count} in order.",
    "import.sheets_joined": "row {line} on: {count} sheets have the same columns and were read as one table (with a "
                            "number column, each sheet's name is the category of its tasks); rows are counted on "
                            "through the sheets.",
    "import.sheets_as_sections": "row {line} on: the sheets have no lead-section column; each sheet's name was read as "
                                 "the lead section of its tasks.",
}
