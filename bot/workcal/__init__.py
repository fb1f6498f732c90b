"""Chinese working-day calendar: admin overrides, official State Council data, marked estimates, weekends."""

from bot.workcal.calendar import WorkCalendar, check_year
from bot.workcal.model import ESTIMATED_SOURCES, CountAnswer, DateAnswer, DayInfo, Source
from bot.workcal.overrides import CalendarFileError, parse_overrides

__all__ = [
    "ESTIMATED_SOURCES",
    "CalendarFileError",
    "CountAnswer",
    "DateAnswer",
    "DayInfo",
    "Source",
    "WorkCalendar",
    "check_year",
    "parse_overrides",
]
