"""Checks of what the admin passes to an import (English)."""

MESSAGES = {
    "import.bad_year": "the year {year} cannot be used: give a four-digit year from 1990 to 2100, for example 2024.",
}
