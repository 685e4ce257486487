"""What a rejected import says: which file, which line, which field, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass

# Enough to fix a systematic mistake; the rest are counted, not listed.
MAX_REPORTED = 20


@dataclass(frozen=True)
class ImportRowError:
    """One problem, located as precisely as the file allows (no line for a whole-file problem)."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The file was rejected and nothing of it was saved; ``errors`` holds the first 20."""

    def __init__(self, errors: list[ImportRowError], *, total: int | None = None) -> None:
        self.errors = errors[:MAX_REPORTED]
        self.total = max(total or 0, len(errors))
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """The report: the errors found, then how many more were not listed."""
        lines = [str(error) for error in self.errors]
        if self.total > len(self.errors):
            lines.append(f"… and {self.total - len(self.errors)} more errors.")
        return lines


class ErrorLog:
    """Collects a file's row errors while reading on, so one run reports many of them at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[ImportRowError] = []
        self.total = 0

    def add(self, line: int | None, field: str | None, message: str) -> None:
        self.total += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(ImportRowError(self.file, line, field, message))

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise ImportFailed(self.errors, total=self.total)

    def fail(self, line: int | None, field: str | None, message: str) -> ImportFailed:
        """An error that stops reading (the file cannot be read on): raise what this returns."""
        self.add(line, field, message)
        return ImportFailed(self.errors, total=self.total)
