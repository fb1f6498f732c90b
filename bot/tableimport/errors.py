"""The one exception ``read_table`` raises: every problem found, each rendered as one line."""

from __future__ import annotations

from collections.abc import Iterable

from bot.tableimport.model import Problem
from bot.texts import t


class ImportFailure(Exception):
    """An upload was refused; ``problems`` lists every reason, found in one pass (all or nothing)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(p.code for p in self.problems))

    def render(self, lang: str = "zh") -> list[str]:
        """One line per problem, naming the file, then the row and column where they are known."""
        return [render_problem(p, lang) for p in self.problems]


def render_problem(problem: Problem, lang: str = "zh") -> str:
    """``file, row N, column C (header): message`` in the admin's language."""
    params = dict(problem.params)
    where: list[str] = []
    if params.get("file") is not None:
        where.append(t("import.where_file", lang, file=params["file"]))
    if params.get("sheet"):
        where.append(t("import.where_sheet", lang, sheet=params["sheet"]))
    if params.get("line") is not None:
        key = "import.where_line" if params.get("unit") == "line" else "import.where_row"
        where.append(t(key, lang, line=params["line"]))
    if params.get("column") is not None:
        key = "import.where_column_header" if params.get("header") else "import.where_column"
        where.append(t(key, lang, column=params["column"], header=params.get("header")))
    try:
        message = t(problem.code, lang, **params)
    except (KeyError, IndexError, ValueError):
        # An unknown key or a template that wants a missing parameter must not hide the problem itself.
        message = f"{problem.code} {params}"
    if not where:
        return message
    return t("import.located", lang, where=t("import.where_sep", lang).join(where), message=message)


def must_propagate(exc: BaseException) -> bool:
    """True for the few exceptions that must never be turned into an import problem."""
    return isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, ImportFailure))
