"""Reading files: encodings, delimiters, Excel sheets; clear messages for what is not a table."""

import datetime

import pytest

from isova.imports.reading import MAX_BYTES, Unreadable, read_table
from tests.isova.imports.conftest import xlsx_of


def test_utf8_with_bom_reads_the_first_header_without_the_mark():
    table = read_table("\ufeffTitle,Owner\nLéa's task,Zoë\n".encode())
    assert table.headers == ["Title", "Owner"]
    assert table.rows == [["Léa's task", "Zoë"]]
    assert table.encoding == "UTF-8 (with BOM)"


def test_windows_1252_is_read_when_the_file_is_not_utf8():
    table = read_table("Title;Owner\nCafé “fix” – €5;Zoë\n".encode("cp1252"))
    assert table.encoding == "Windows-1252"
    assert table.rows == [["Café “fix” – €5", "Zoë"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(delimiter):
    text = (
        delimiter.join(["ID", "Title", "Due"]) + "\n" + delimiter.join(["7", "Fix it", "1/2/2026"])
    )
    table = read_table(text.encode())
    assert table.headers == ["ID", "Title", "Due"]
    assert table.rows == [["7", "Fix it", "1/2/2026"]]


def test_blank_and_repeated_headers_get_names_so_every_column_can_be_accounted_for():
    table = read_table(b"Title,,Title\na,b,c\n")
    assert table.headers == ["Title", "Column B", "Title (2)"]


def test_short_rows_are_padded_and_long_rows_get_extra_columns():
    table = read_table(b"A,B\n1\n1,2,3\n")
    assert table.headers == ["A", "B", "Column C"]
    assert table.rows == [["1", "", ""], ["1", "2", "3"]]


def test_an_xlsx_reads_its_first_sheet_with_dates_as_dates():
    data = xlsx_of(
        [["Title", "Due"], ["Fix", datetime.datetime(2026, 3, 4)], ["Float", 2.5]],
        extra={"Other": [["X"], ["y"]]},
    )
    table = read_table(data, "book.xlsx")
    assert table.sheets == ["Sheet1", "Other"]
    assert table.rows == [["Fix", datetime.date(2026, 3, 4)], ["Float", "2.5"]]


def test_an_xlsx_reads_the_sheet_asked_for_and_names_the_sheets_when_it_is_missing():
    data = xlsx_of([["A"], ["1"]], extra={"Risks": [["Title"], ["Fire"]]})
    assert read_table(data, "book.xlsx", "Risks").rows == [["Fire"]]
    with pytest.raises(Unreadable, match="no sheet “Nope” .*Sheet1, Risks"):
        read_table(data, "book.xlsx", "Nope")


def test_an_oversized_file_gets_a_clear_message():
    with pytest.raises(Unreadable, match="the limit is 10 MB"):
        read_table(b"A,B\n" + b"x,y\n" * (MAX_BYTES // 4 + 1))


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.csv", "empty"),
        (b"\x00\x01\x02PNG\x00", "x.png", "not text"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "old.xls", r"\.xls"),
        (b"PK\x03\x04garbage", "broken.xlsx", "not a readable Excel workbook"),
        (b"Title,Owner\n", "x.csv", "no rows"),
    ],
)
def test_what_is_not_a_table_gets_a_clear_message(data, name, message):
    with pytest.raises(Unreadable, match=message):
        read_table(data, name)
