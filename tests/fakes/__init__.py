"""Local fakes of the remote services Duban talks to (Telegram Bot API, ...)."""
