"""The shared reading machinery: CSV streaming, value parsers, errors, occurrence numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from trustledger.imports.csvreader import open_csv, parse_mapping
from trustledger.imports.errors import ImportFailed, ImportRowError
from trustledger.imports.keys import OccurrenceCounter, content_digest, import_key
from trustledger.imports.parsing import parse_bool, parse_date, parse_decimal, parse_hours


def records(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    with open_csv(path) as table:
        return table.header, list(table.records())


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_the_one_the_header_uses(tmp_path, delimiter):
    path = tmp_path / "f.csv"
    path.write_text(f'Date{delimiter}Notes\n2026-01-05{delimiter}"a, b; c"\n')
    assert records(path) == (["Date", "Notes"], [(2, ["2026-01-05", "a, b; c"])])


def test_line_numbers_are_the_files_own_even_with_multiline_values_and_blank_lines(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b'\xef\xbb\xbfa,b\r\n1,"two\r\nlines"\r\n\r\n3,4\r\n5\r\n')
    assert records(path)[1] == [(2, ["1", "two\r\nlines"]), (5, ["3", "4"]), (6, ["5", ""])]


def test_header_names_compare_without_case_underscores_or_extra_spaces(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("START_date,  Budget   Hours \n")
    with open_csv(path) as table:
        assert table.column("start date").name == "START_date"
        assert table.column("budget hours").index == 1
        assert table.column("fee") is None


def test_a_column_twice_in_the_header_is_refused(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("Date,date\n")
    with pytest.raises(ImportFailed, match=r"^twice.csv, line 1, field date: this column appears"):
        records(path)


def test_more_values_than_columns_is_an_error_of_that_line(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("a,b\n1,2,3\n1,2,,\n")
    with open_csv(path) as table:
        list(table.records())
        assert [str(e) for e in table.errors.errors] == [
            "wide.csv, line 2: 3 values, but the header has 2 columns."
        ]


def test_a_utf16_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "excel.txt"
    path.write_bytes("Date\tHours\n".encode("utf-16"))
    with pytest.raises(ImportFailed, match="line 1: the file is UTF-16 encoded; export or save"):
        records(path)


def test_an_empty_or_missing_file_says_so(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ImportFailed, match=r"^empty.csv: the file is empty.$"):
        records(tmp_path / "empty.csv")
    with pytest.raises(ImportFailed, match=r"^gone.csv: cannot be read: No such file"):
        records(tmp_path / "gone.csv")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-05", dt.date(2026, 1, 5)),
        ("2026-01-05T09:30:00Z", dt.date(2026, 1, 5)),
        ("2026-01-05 09:30", dt.date(2026, 1, 5)),
        ("2026/1/5", dt.date(2026, 1, 5)),
        ("05.01.2026", dt.date(2026, 1, 5)),
    ],
)
def test_dates_in_the_formats_exports_use(text, expected):
    assert parse_date(text) == expected


def test_an_explicit_date_format_settles_slash_dates():
    assert parse_date("01/05/2026", "%m/%d/%Y") == dt.date(2026, 1, 5)
    with pytest.raises(ValueError, match="not a valid date in the format %m/%d/%Y"):
        parse_date("13/05/2026", "%m/%d/%Y")


@pytest.mark.parametrize("text", ["2026-02-30", "yesterday", "1900-01-01", "05/01/2026"])
def test_impossible_implausible_or_ambiguous_dates_are_refused(text):
    with pytest.raises(ValueError, match=text):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.5"),
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1234,5", "1234.5"),
        ("1,234", "1234"),
        ("1,234,567", "1234567"),
        ("$1,234.50", "1234.50"),
        ("€ 95,00", "95.00"),
        ("1 234,50", "1234.50"),
        ("150.00 USD", "150.00"),
        ("-12.5", "-12.5"),
    ],
)
def test_numbers_as_spreadsheets_write_them(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["12abc", "1,2,3", "1.2.3", "--1", "NaN", "Infinity"])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(text)


@pytest.mark.parametrize(
    ("text", "hours"),
    [("1.5", "1.50"), ("1,5", "1.50"), ("1:30", "1.50"), ("01:30:00", "1.50"), ("0:20", "0.33")],
)
def test_durations_in_hours_or_clock_time(text, hours):
    assert parse_hours(text) == Decimal(hours)


def test_yes_and_no():
    assert parse_bool("Yes") and parse_bool("TRUE") and not parse_bool("No")
    with pytest.raises(ValueError, match="neither yes nor no"):
        parse_bool("maybe")


def test_a_mapping_spec_reads_field_equals_column_pairs():
    assert parse_mapping("date=Day, hours = Time Spent,,") == {"date": "Day", "hours": "Time Spent"}
    with pytest.raises(ValueError, match="“hours” is not FIELD=COLUMN"):
        parse_mapping("date=Day,hours")


def test_an_error_names_file_line_and_field_when_it_knows_them():
    assert str(ImportRowError("t.csv", 4, "Hours", "bad.")) == "t.csv, line 4, field Hours: bad."
    assert str(ImportRowError("t.csv", 1, None, "bad.")) == "t.csv, line 1: bad."
    assert str(ImportRowError("t.csv", None, None, "bad.")) == "t.csv: bad."


def test_identical_contents_are_numbered_in_file_order_across_batches():
    counter = OccurrenceCounter()
    a, b, c = (content_digest(x) for x in "abc")
    assert counter.number([a, b, a]) == [0, 0, 1]
    assert counter.number([c, a, b]) == [0, 2, 1]
    assert counter.number([a, c, c]) == [3, 1, 2]


def test_a_key_depends_on_content_and_occurrence_only():
    digest = content_digest("harvest\x1f12\x1f2026-01-05")
    assert import_key(digest, 0) == import_key(content_digest("harvest\x1f12\x1f2026-01-05"), 0)
    assert import_key(digest, 0) != import_key(digest, 1)
    assert len(import_key(digest, 0)) == 64
