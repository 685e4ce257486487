"""Streaming CSV reading that can say where a problem is.

The file is read line by line in binary and decoded one line at a time, so memory stays flat
however large the file is, and a byte that is not UTF-8 (or a NUL byte) is reported with its line
number. Rules:

- encoding: UTF-8, with or without the byte-order mark Excel writes ("CSV UTF-8"); UTF-16 and
  other encodings are refused with a message saying how to re-save the file;
- delimiter: whichever of ``,`` ``;`` and tab occurs most in the header line (``,`` on a tie),
  because spreadsheets in many locales write ``;`` and "text" exports write tabs;
- header names are compared normalised: case-insensitive, ``_`` read as a space, runs of spaces
  collapsed, so ``Start date``, ``start_date`` and ``START  DATE`` are the same column;
- line numbers are the file's physical lines (the header is line 1); a quoted value spanning
  several lines is reported at the line where its record starts.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from trustledger.imports.errors import ErrorLog

DELIMITERS = (",", ";", "\t")
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
RESAVE = "export or save it as “CSV UTF-8” and try again"


def normalise(name: str) -> str:
    """The comparable form of a column name (see the module docstring)."""
    return " ".join(name.replace("_", " ").split()).casefold()


@dataclass(frozen=True)
class Column:
    """A column of the file: where it is and what the file calls it (for error messages)."""

    index: int
    name: str


class CsvTable:
    """An open CSV file: its header, its columns by name, and its records one at a time."""

    def __init__(self, name: str, stream: BinaryIO) -> None:
        self.name = name
        self.errors = ErrorLog(name)
        self._physical_line = 0
        self._reader = csv.reader(self._lines(stream), delimiter=self._sniff(stream))
        header = self._next_record()
        if header is None:
            raise self.errors.fail(None, None, "the file is empty.")
        self.header = [cell.strip() for cell in header]
        self._columns = self._index_header()

    def _sniff(self, stream: BinaryIO) -> str:
        first = stream.readline()
        stream.seek(0)
        counts = [first.count(d.encode()) for d in DELIMITERS]
        return DELIMITERS[counts.index(max(counts))] if max(counts) else ","

    def _lines(self, stream: BinaryIO) -> Iterator[str]:
        for raw in stream:
            self._physical_line += 1
            if self._physical_line == 1:
                raw = self._strip_bom(raw)
            if b"\x00" in raw:
                raise self.errors.fail(
                    self._physical_line,
                    None,
                    "contains a NUL byte: this is not a text CSV (a spreadsheet or UTF-16 file?); "
                    + RESAVE,
                )
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as error:
                column = len(raw[: error.start].decode("utf-8", "replace")) + 1
                raise self.errors.fail(
                    self._physical_line,
                    None,
                    f"byte 0x{raw[error.start]:02X} at character {column} is not UTF-8 text; "
                    + RESAVE,
                ) from None

    def _strip_bom(self, raw: bytes) -> bytes:
        if raw.startswith(UTF16_BOMS):
            raise self.errors.fail(1, None, f"the file is UTF-16 encoded; {RESAVE}")
        return raw.removeprefix(UTF8_BOM)

    def _next_record(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as error:
            raise self.errors.fail(
                self._reader.line_num, None, f"unreadable CSV: {error}"
            ) from None

    def _index_header(self) -> dict[str, Column]:
        columns: dict[str, Column] = {}
        for index, name in enumerate(self.header):
            key = normalise(name)
            if not key:
                continue
            if key in columns:
                raise self.errors.fail(1, name, "this column appears twice in the header.")
            columns[key] = Column(index, name)
        return columns

    def column(self, *names: str) -> Column | None:
        """The first of ``names`` (any spelling, see ``normalise``) the file has, or None."""
        for name in names:
            if found := self._columns.get(normalise(name)):
                return found
        return None

    def columns_starting(self, prefix: str) -> Column | None:
        """A column whose name starts with ``prefix``: e.g. Toggl's ``Amount (USD)``."""
        key = normalise(prefix)
        return next((c for k, c in self._columns.items() if k.startswith(key)), None)

    def require(self, wanted: Mapping[str, Sequence[str]]) -> dict[str, Column]:
        """Find each wanted column (by its accepted names); refuse the file naming all missing."""
        found = {field: self.column(*names) for field, names in wanted.items()}
        missing = [names[0] for field, names in wanted.items() if found[field] is None]
        if missing:
            raise self.errors.fail(
                1,
                None,
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(the header has: {', '.join(h for h in self.header if h)}).",
            )
        return {field: column for field, column in found.items() if column is not None}

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """``(line, cells)`` per data record, padded to the header's width; blank lines skipped."""
        width = len(self.header)
        line = self._reader.line_num + 1
        while (cells := self._next_record()) is not None:
            start, line = line, self._reader.line_num + 1
            if len(cells) != width:
                if not any(c.strip() for c in cells):
                    continue
                cells = self._fit(cells, width, start)
            yield start, cells

    def _fit(self, cells: list[str], width: int, line: int) -> list[str]:
        if len(cells) < width:
            return cells + [""] * (width - len(cells))
        if any(c.strip() for c in cells[width:]):
            self.errors.add(line, None, f"{len(cells)} values, but the header has {width} columns.")
        return cells[:width]


@contextmanager
def open_csv(path: Path, name: str | None = None) -> Iterator[CsvTable]:
    """Open ``path`` for streaming; ``name`` is what errors call the file (the uploaded name)."""
    display = name or path.name
    try:
        stream = path.open("rb")
    except OSError as error:
        raise ErrorLog(display).fail(None, None, f"cannot be read: {error.strerror}.") from None
    with stream:
        yield CsvTable(display, stream)


def parse_mapping(spec: str) -> dict[str, str]:
    """``"date=Day,hours=Time"`` → ``{"date": "Day", "hours": "Time"}``.

    Column names cannot contain a comma here; rename such a column in the file first.
    """
    mapping: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        field, sep, column = part.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise ValueError(f"“{part.strip()}” is not FIELD=COLUMN.")
        mapping[field.strip().lower()] = column.strip()
    return mapping


def mapped_columns(
    defaults: Mapping[str, tuple[str, ...]], mapping: Mapping[str, str], errors: ErrorLog
) -> dict[str, tuple[str, ...]]:
    """The column names to look for, per field: the one the mapping gives, else the defaults.

    ``date_format`` is not a field but an option every mapping may carry.
    """
    unknown = sorted(set(mapping) - set(defaults) - {"date_format"})
    if unknown:
        raise errors.fail(
            None,
            None,
            f"the mapping names unknown field{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}; the fields are {', '.join(defaults)} (and date_format).",
        )
    return {f: (mapping[f],) if f in mapping else names for f, names in defaults.items()}
