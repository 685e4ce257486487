"""Reading one record's cells by column, turning each bad value into an error that locates it."""

from __future__ import annotations

from collections.abc import Callable

from trustledger.imports.csvreader import Column
from trustledger.imports.errors import ErrorLog


class RowReader:
    """The current record of a file. A value that does not parse is logged (line, column,
    message) and reading goes on, so one run reports every bad row, not just the first."""

    def __init__(self, errors: ErrorLog) -> None:
        self.errors = errors
        self.line = 0
        self.cells: list[str] = []
        self.ok = True

    def start(self, line: int, cells: list[str]) -> None:
        self.line, self.cells, self.ok = line, cells, True

    def error(self, column: Column | str | None, message: str) -> None:
        name = column.name if isinstance(column, Column) else column
        self.errors.add(self.line, name, message)
        self.ok = False

    def text(self, column: Column | None, *, required: bool = False, limit: int = 0) -> str:
        """The stripped text of ``column`` ("" when the file has no such column)."""
        if column is None:
            return ""
        value = self.cells[column.index].strip()
        if required and not value:
            self.error(column, "a value is required.")
        if limit and len(value) > limit:
            self.error(column, f"longer than {limit} characters.")
        return value

    def value[T](self, column: Column | None, parse: Callable[[str], T], default: T) -> T:
        """The parsed value of ``column``, or ``default`` when it is empty, absent or bad."""
        text = self.text(column)
        if not text or column is None:
            return default
        try:
            return parse(text)
        except ValueError as error:
            self.error(column, str(error))
            return default

    def required[T](self, column: Column, parse: Callable[[str], T]) -> T | None:
        """The parsed value of a column that must have one; None (and an error) otherwise."""
        text = self.text(column, required=True)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError as error:
            self.error(column, str(error))
            return None
