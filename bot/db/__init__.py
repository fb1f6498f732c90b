"""Storage: typed models, sessions and migrations."""

from bot.db.models import Base
from bot.db.session import Database

__all__ = ["Base", "Database"]
